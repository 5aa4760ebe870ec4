from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "role", "council", "is_active", "last_login"]
    list_filter = ["role", "is_active", "provinces"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["council"]
    filter_horizontal = ["provinces", "groups", "user_permissions"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ["role", "provinces", "council"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ["role", "provinces", "council"]}),
    ]
