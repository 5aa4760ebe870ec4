"""Users of the portal: each has a role and a scope (provinces, or one council)."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from councils.models import Council
from geo.models import Province
from portal import roles
from portal.roles import Role, Scope


class User(AbstractUser):
    # Roles, their predicates and the scope live in portal.roles; the model stores them.
    Role = Role

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
    # The address of the user's calendar feed carries a secret token: a phone's calendar
    # cannot log in, so whoever has the address sees the user's meetings. Only its SHA-256 is
    # stored (a copy of the database, or a backup, gives no working address); the address is
    # shown once, when it is made. A new one, or a new password, cuts off the old address.
    calendar_token_hash = models.CharField(
        _("calendar token (SHA-256)"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
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
                condition=~Q(role=Role.COUNCIL_EDITOR) | Q(council__isnull=False),
            ),
        ]

    @property
    def is_portal_admin(self) -> bool:
        return roles.is_admin(self)

    @cached_property
    def scope(self) -> Scope:
        """What the user reaches (portal.roles), worked out once a request."""
        return roles.build_scope(self)

    @property
    def province_codes(self) -> list[str]:
        """The province codes the user's scope lists, sorted: empty for an admin (who reaches
        every province: `scope.everything`) and for a council editor."""
        return sorted(self.scope.provinces or ())

    def save(self, *args, **kwargs) -> None:
        # set_password() keeps the new password until the save (Django's own hook for
        # password validators); an upgrade of the hash at login does not count as a change.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            self.password_changed()

    def password_changed(self) -> None:
        """A new password (reset by e-mail, changed, or set by an administrator): the login
        lockouts of this username end, from every address, and the calendar address stops
        working (whoever took over the account may have copied it); the user makes a new one
        on the calendar page, where it is shown."""
        from axes.utils import reset  # noqa: PLC0415 - axes' models need the app registry

        reset(username=self.username)
        if self.calendar_token_hash:
            self.calendar_token_hash = None
            type(self).objects.filter(pk=self.pk).update(calendar_token_hash=None)

    @staticmethod
    def hash_calendar_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def for_calendar_token(cls, token: str) -> "User | None":
        """The active user whose calendar address carries this token, if any."""
        if not token:
            return None
        return cls.objects.filter(
            calendar_token_hash=cls.hash_calendar_token(token), is_active=True
        ).first()

    @property
    def has_calendar_address(self) -> bool:
        return bool(self.calendar_token_hash)

    def reset_calendar_token(self) -> str:
        """A new calendar token; the old address stops working. Returns the token itself,
        which is not kept: show it to the user now."""
        token = secrets.token_urlsafe(32)
        self.calendar_token_hash = self.hash_calendar_token(token)
        self.save(update_fields=["calendar_token_hash"])
        return token

    def clean(self) -> None:
        super().clean()
        if self.role == self.Role.COUNCIL_EDITOR and self.council_id is None:
            raise ValidationError({"council": _("A council editor needs a council.")})
