"""Who may see and change which record: every view goes through these helpers.

Seeing is decided by each QuerySet's `visible_to(user)`; an object outside the user's scope is
a 404 (the portal does not admit it exists). Changing is decided by `can_edit`; a visible
object the user may not change is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

EDITING_ROLES = {"admin", "staff", "council_editor"}


def get_visible_or_404(queryset: QuerySet, user, **lookup) -> Model:
    return get_object_or_404(queryset.visible_to(user), **lookup)


def can_edit(user, obj: Model) -> bool:
    """Whether the user may change this (already visible) record."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_portal_admin:
        return True
    if user.role not in EDITING_ROLES:
        return False
    editable = getattr(type(obj).objects, "editable_by", None)
    if editable is None:
        return False
    return editable(user).filter(pk=obj.pk).exists()


def can_create(user, model: type[Model]) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_portal_admin:
        return True
    return user.role in getattr(model, "creator_roles", {"staff"})


def get_editable_or_404(queryset: QuerySet, user, **lookup) -> Model:
    obj = get_visible_or_404(queryset, user, **lookup)
    if not can_edit(user, obj):
        raise PermissionDenied
    return obj
