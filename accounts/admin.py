from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static import admin as _static_admin  # noqa: F401 (registers)
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import admin as _totp_admin  # noqa: F401 (registers)
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from accounts.models import User
from portal import roles

# Secrets of authenticators and recovery codes are nobody's to read, admins included: an
# admin resets a user's two-step sign-in from the user list instead.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "get_full_name",
        "role",
        "council",
        "is_active",
        "two_factor",
        "last_login",
    ]
    list_filter = ["role", "is_active", "provinces"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["council"]
    actions = ["reset_two_factor"]
    filter_horizontal = ["provinces", "groups", "user_permissions"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ["role", "provinces", "council"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ["role", "provinces", "council"]}),
    ]

    def get_queryset(self, request):
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_factor=Exists(devices))

    @admin.display(description=_("two-step sign-in"), boolean=True, ordering="has_two_factor")
    def two_factor(self, user) -> bool:
        return user.has_two_factor

    def has_reset_two_factor_permission(self, request) -> bool:
        return roles.is_admin(request.user)

    @admin.action(
        description=_("Reset two-step sign-in (lost phone)"), permissions=["reset_two_factor"]
    )
    def reset_two_factor(self, request, queryset):
        """The selected users set up two-step sign-in again at their next sign-in."""
        if not roles.is_admin(request.user):
            raise PermissionDenied
        reset = 0
        for user in queryset:
            if twofactor.reset(user, by=request.user):
                reset += 1
                self.log_change(request, user, gettext("Two-step sign-in reset."))
        if reset:
            self.message_user(
                request,
                ngettext(
                    "Two-step sign-in reset for %(count)d user.",
                    "Two-step sign-in reset for %(count)d users.",
                    reset,
                )
                % {"count": reset},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, gettext("None of these users had two-step sign-in."), messages.WARNING
            )
