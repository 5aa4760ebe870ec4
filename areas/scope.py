"""Which areas a user may open: admins any; CODI staff and viewers the areas of their
provinces; a council editor only its own council's subdistrict (or, for a municipal
council, its district)."""

from django.http import Http404

from councils.models import Council
from geo.areas import MODELS, level_of
from portal.roles import scope_of


def area_or_404(user, code: str):
    """The area (Province, District or Subdistrict) of `code`, or 404 outside the scope."""
    level = level_of(code)
    if level is None:
        raise Http404
    area = MODELS[level].objects.filter(pk=code).first()
    if area is None or not may_open(user, level, code):
        raise Http404
    return level, area


def may_open(user, level: str, code: str) -> bool:
    scope = scope_of(user)
    if scope.council_id is not None:
        return code == own_area(user)
    return scope.covers_province(code[:2])


def own_area(user) -> str | None:
    """A council editor's area: its council's subdistrict, or the district of a municipal
    council. Looked up once a request (a page links several areas)."""
    if not hasattr(user, "_own_area"):
        found = Council.objects.filter(pk=scope_of(user).council_id)
        found = found.values("district", "subdistrict")
        found = found.first()
        user._own_area = (found["subdistrict"] or found["district"]) if found else None
    return user._own_area
