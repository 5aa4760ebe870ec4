"""How complete each council's record is, and how long since anyone updated it.

Computed in the database as annotations, so the least complete and the stalest councils can
be listed first, paginated, at any scale."""

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from councils.models import Council, CouncilMember

# The annotation of each check (see with_completeness) and what is missing when it fails.
CHECKS = [
    ("has_chair", _("chair")),
    ("has_contact", _("contact")),
    ("has_members", _("members")),
    ("has_area", _("area")),
    ("has_coverage", _("households and population")),
]


def _flag(condition) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def with_completeness(councils):
    """Councils annotated with one boolean per check, `score` (checks passed) and
    `last_updated`, the least complete and the stalest first."""
    members = CouncilMember.objects.active().filter(council=OuterRef("pk"))
    councils = councils.annotate(
        has_chair=Exists(members.filter(role=CouncilMember.Role.CHAIR)),
        has_contact=_flag(~Q(phone="") | ~Q(email="")),
        has_members=Exists(members),
        has_area=_flag(Q(subdistrict__isnull=False) | ~Q(municipality_name="")),
        has_coverage=_flag(Q(households__isnull=False, population__isnull=False)),
        # A council's members and organisations are edited on its page, which saves the
        # council too: its own timestamp tells when anyone last touched the record.
        last_updated=F("updated_at"),
    )
    score = sum(
        (Case(When(**{name: True}, then=Value(1)), default=Value(0)) for name, _ in CHECKS),
        Value(0),
    )
    return councils.annotate(
        score=ExpressionWrapper(score, output_field=IntegerField()),
    ).order_by("score", "last_updated", "code")


def as_row(council) -> dict:
    """A council of `with_completeness` as plain values (cacheable, language-free)."""
    return {
        "pk": council.pk,
        "name_th": council.name_th,
        "district_th": council.district.name_th,
        "district_en": council.district.name_en,
        "score": council.score,
        "missing": [name for name, _label in CHECKS if not getattr(council, name)],
        "last_updated": council.last_updated,
    }


def present(row: dict) -> dict:
    """A row with what is missing and the district in the reader's language."""
    labels = dict(CHECKS)
    english = not (get_language() or "th").startswith("th")
    return {
        **row,
        "missing_labels": [labels[name] for name in row["missing"]],
        "district": row["district_en"] if english else row["district_th"],
    }


def quality_list(user, selection):
    """The councils in the user's scope and the selection's district (or province)."""
    councils = Council.objects.visible_to(user).active().select_related("district")
    if selection.district is not None:
        councils = councils.filter(district=selection.district)
    elif selection.province is not None:
        councils = councils.filter(district__province=selection.province)
    return with_completeness(councils)
