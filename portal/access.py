"""Who may see and change which record: every view goes through these helpers.

Seeing is decided by each QuerySet's `visible_to(user)`; an object outside the user's scope is
a 404 (the portal does not admit it exists). Changing is decided by `can_edit`, archiving and
restoring a whole record by `can_archive`; a visible object the user may not change is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

from portal.roles import Role, can_archive_records, can_edit_anything, is_admin, role_of


def get_visible_or_404(queryset: QuerySet, user, **lookup) -> Model:
    return get_object_or_404(queryset.visible_to(user), **lookup)


def can_edit(user, obj: Model) -> bool:
    """Whether the user may change this (already visible) record."""
    if not can_edit_anything(user):
        return False
    if is_admin(user):
        return True
    editable = getattr(type(obj).objects, "editable_by", None)
    if editable is None:
        return False
    return editable(user).filter(pk=obj.pk).exists()


def can_create(user, model: type[Model]) -> bool:
    """Whether the role creates records of this kind (`creator_roles` on the model; CODI
    staff by default; admins always)."""
    return is_admin(user) or role_of(user) in getattr(model, "creator_roles", {Role.STAFF})


def get_editable_or_404(queryset: QuerySet, user, **lookup) -> Model:
    obj = get_visible_or_404(queryset, user, **lookup)
    if not can_edit(user, obj):
        raise PermissionDenied
    return obj


def can_archive(user, obj: Model) -> bool:
    """Whether the user may archive or restore this (visible) record with the rows it owns:
    CODI staff within their scope and admins. A council editor removes rows through its
    forms (members, organisations, partners...) but never archives a whole record."""
    return can_archive_records(user) and can_edit(user, obj)


def detail_rights(user, obj: Model) -> dict:
    """`can_edit` and `can_archive` for a detail page's buttons, in one query."""
    editable = can_edit(user, obj)
    return {"can_edit": editable, "can_archive": editable and can_archive_records(user)}


def get_archivable_or_404(queryset: QuerySet, user, **lookup) -> Model:
    obj = get_visible_or_404(queryset, user, **lookup)
    if not can_archive(user, obj):
        raise PermissionDenied
    return obj
