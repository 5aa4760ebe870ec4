"""Users of the portal: each has a role and a scope (provinces, or one council)."""

import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from councils.models import Council
from geo.models import Province


class User(AbstractUser):
    class Role(models.TextChoices):
        ADMIN = "admin", _("administrator")
        STAFF = "staff", _("CODI staff")
        COUNCIL_EDITOR = "council_editor", _("council editor")
        VIEWER = "viewer", _("provincial official (read only)")

    role = models.CharField(_("role"), max_length=15, choices=Role, default=Role.VIEWER)
    provinces = models.ManyToManyField(
        Province,
        blank=True,
        related_name="users",
        verbose_name=_("provinces"),
        help_text=_("The provinces a CODI staff member or a viewer works in."),
    )
    council = models.ForeignKey(
        Council,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="editors",
        verbose_name=_("council"),
        help_text=_("The one council a council editor keeps."),
    )
    # The secret in the address of the user's calendar feed: a phone's calendar cannot log
    # in, so whoever has the address sees the user's meetings. Resetting it cuts them off.
    calendar_token = models.CharField(
        _("calendar token"), max_length=64, unique=True, null=True, blank=True, editable=False
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("reveal_personal_data", _("Can reveal masked personal data (logged)")),
        ]
        constraints = [
            models.CheckConstraint(
                name="user_council_editor_has_council",
                condition=~Q(role="council_editor") | Q(council__isnull=False),
            ),
        ]

    @property
    def is_portal_admin(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    @cached_property
    def province_codes(self) -> list[str]:
        """Codes of the provinces in the user's scope (cached for the request)."""
        return list(self.provinces.values_list("code", flat=True))

    def save(self, *args, **kwargs) -> None:
        # set_password() keeps the new password until the save (Django's own hook for
        # password validators); an upgrade of the hash at login does not count as a change.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            self.password_changed()

    def password_changed(self) -> None:
        """A new password (reset by e-mail, changed, or set by an administrator): the
        login lockouts of this username end, from every address."""
        from axes.utils import reset  # noqa: PLC0415 - axes' models need the app registry

        reset(username=self.username)

    def reset_calendar_token(self) -> str:
        self.calendar_token = secrets.token_urlsafe(32)
        self.save(update_fields=["calendar_token"])
        return self.calendar_token

    def clean(self) -> None:
        super().clean()
        if self.role == self.Role.COUNCIL_EDITOR and self.council_id is None:
            raise ValidationError({"council": _("A council editor needs a council.")})
