"""Which areas a user may open: admins any; CODI staff and viewers the areas of their
provinces; a council editor only its own council's subdistrict (or, for a municipal
council, its district)."""

from django.http import Http404

from councils.models import Council
from geo.areas import MODELS, level_of


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
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_portal_admin:
        return True
    if user.role == "council_editor":
        council = (
            Council.objects.filter(pk=user.council_id).values("district", "subdistrict").first()
        )
        if council is None:
            return False
        own = council["subdistrict"] or council["district"]
        return code == own
    return code[:2] in user.province_codes
