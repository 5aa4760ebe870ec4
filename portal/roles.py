"""Roles and scope: the one place that says who a user is and what part of the country they
reach. Every check in the portal asks here; no other module compares a role string.

The rules:

- A user has one **role** (`Role`): admin, CODI staff, council editor or viewer. A superuser
  counts as an admin whatever their role field says. An anonymous or deactivated user has
  no role (`role_of` is None) and every predicate below is False for them.
- A user's **scope** (`scope_of(user)`, also `user.scope`) is what they reach, with one
  convention for every caller:
  - `provinces is None`: every province (admins; `scope.everything` is True);
  - otherwise `provinces` is the frozenset of province codes whose records the user reaches
    (CODI staff and viewers); it is empty for a council editor, who reaches one council
    (`council_id`), and for a user given no province (who then reaches nothing).
  Use `scope.limit(queryset, province=..., council=...)` to cut any queryset to it.
- Seeing is decided by the scope; changing also by the role: viewers change nothing, CODI
  staff change what is in their provinces, a council editor its own council's record and
  rows (`portal.access` and each QuerySet's `editable_by` build on these).
- Views guard a role with `@role_required(Role.ADMIN, ...)`: an anonymous user is sent to
  the login page, any other role gets 403. Object-level rules (404 outside the scope) stay
  with `portal.access`.
- Templates read `role.is_admin`, `role.is_staff`, `role.is_council_editor`,
  `role.is_viewer` and `role.edits` (context processor `roles`).
"""

from collections.abc import Callable
from functools import cached_property, wraps

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("administrator")
    STAFF = "staff", _("CODI staff")
    COUNCIL_EDITOR = "council_editor", _("council editor")
    VIEWER = "viewer", _("provincial official (read only)")


# Roles whose users change records (each within its scope); viewers only read.
EDITING_ROLES = frozenset({Role.ADMIN, Role.STAFF, Role.COUNCIL_EDITOR})
# Roles that archive and restore whole records (councils, agencies, projects, meetings).
ARCHIVING_ROLES = frozenset({Role.ADMIN, Role.STAFF})


def role_of(user) -> str | None:
    """The role the portal treats the user as; None for an anonymous or deactivated user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    return user.role


def has_role(user, *roles: str) -> bool:
    return role_of(user) in roles


def is_admin(user) -> bool:
    return has_role(user, Role.ADMIN)


def is_staff_role(user) -> bool:
    """CODI staff (not Django's `is_staff`, which opens the admin site)."""
    return has_role(user, Role.STAFF)


def is_council_editor(user) -> bool:
    return has_role(user, Role.COUNCIL_EDITOR)


def is_viewer(user) -> bool:
    return has_role(user, Role.VIEWER)


def can_edit_anything(user) -> bool:
    """Whether the role changes records at all (what it may change depends on its scope)."""
    return role_of(user) in EDITING_ROLES


def can_archive_records(user) -> bool:
    """Whether the role archives and restores whole records (within its scope): a council
    editor removes rows through its forms but does not archive a council or a project."""
    return role_of(user) in ARCHIVING_ROLES


class Scope:
    """What a user reaches; see the module's docstring for the convention."""

    def __init__(
        self, *, provinces: frozenset[str] | None = frozenset(), council_id: int | None = None
    ):
        self.provinces = provinces
        self.council_id = council_id

    @property
    def everything(self) -> bool:
        return self.provinces is None

    def covers_province(self, code: str | None) -> bool:
        """Whether every record of this province is in the scope (not so for an editor)."""
        return self.everything or (code is not None and code in self.provinces)

    def province_codes(self) -> list[str] | None:
        """The province codes, sorted; None for every province."""
        return None if self.provinces is None else sorted(self.provinces)

    def limit(self, queryset: QuerySet, *, province: str | None, council: str | None) -> QuerySet:
        """`queryset` cut to the scope. `province` is the lookup from its rows to a province
        code, `council` to a council's id (how a council editor reaches it); None when the
        rows cannot be reached that way (then that part of the scope reaches none of them)."""
        if self.everything:
            return queryset
        if self.council_id is not None:
            if council is None:
                return queryset.none()
            return queryset.filter(**{council: self.council_id})
        if self.provinces and province is not None:
            return queryset.filter(**{f"{province}__in": sorted(self.provinces)})
        return queryset.none()

    @property
    def key(self) -> str:
        """A short text that is the same for two users exactly when their scopes are."""
        if self.everything:
            return "all"
        if self.council_id is not None:
            return f"council-{self.council_id}"
        return "provinces-" + ",".join(sorted(self.provinces))

    def __eq__(self, other) -> bool:
        return isinstance(other, Scope) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"<Scope {self.key}>"


NOTHING = Scope()


def build_scope(user) -> Scope:
    """The scope from the user's role and fields (one query for a province list).
    Callers use `scope_of(user)` or `user.scope`, which keep it for the request."""
    role = role_of(user)
    if role == Role.ADMIN:
        return Scope(provinces=None)
    if role == Role.COUNCIL_EDITOR:
        return Scope(council_id=user.council_id)
    if role in (Role.STAFF, Role.VIEWER):
        return Scope(provinces=frozenset(user.provinces.values_list("code", flat=True)))
    return NOTHING


def scope_of(user) -> Scope:
    """The user's scope; nothing for an anonymous or deactivated user."""
    if role_of(user) is None:
        return NOTHING
    return user.scope


def role_required(*roles: str) -> Callable:
    """View decorator: only these roles (admins are always let in). Anonymous users go to
    the login page; any other role gets 403."""
    allowed = {*roles, Role.ADMIN}

    def decorator(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                # Imported here: auth's views import the user model this module defines roles for.
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    return decorator


class RoleFlags:
    """The role as booleans, for templates (`{% if role.edits %}`)."""

    def __init__(self, user):
        self._user = user

    @cached_property
    def name(self) -> str | None:
        return role_of(self._user)

    @property
    def is_admin(self) -> bool:
        return self.name == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.name == Role.STAFF

    @property
    def is_council_editor(self) -> bool:
        return self.name == Role.COUNCIL_EDITOR

    @property
    def is_viewer(self) -> bool:
        return self.name == Role.VIEWER

    @property
    def edits(self) -> bool:
        return self.name in EDITING_ROLES


def roles(request) -> dict:
    """Context processor: `role` in every template."""
    return {"role": RoleFlags(getattr(request, "user", None))}
