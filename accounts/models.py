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

    def reset_calendar_token(self) -> str:
        self.calendar_token = secrets.token_urlsafe(32)
        self.save(update_fields=["calendar_token"])
        return self.calendar_token

    def clean(self) -> None:
        super().clean()
        if self.role == self.Role.COUNCIL_EDITOR and self.council_id is None:
            raise ValidationError({"council": _("A council editor needs a council.")})
