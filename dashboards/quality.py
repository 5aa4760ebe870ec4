"""How complete each council's record is, and how long since anyone updated it.

Computed in the database as annotations, so the least complete and the stalest councils can
be listed first, paginated, at any scale."""

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from councils.models import CommunityOrganisation, Council, CouncilMember

# The annotation of each check (see with_completeness) and what is missing when it fails.
CHECKS = [
    ("has_chair", _("chair")),
    ("has_contact", _("contact")),
    ("has_members", _("members")),
    ("has_area", _("area")),
    ("has_coverage", _("households and population")),
]


def _latest(model):
    return Subquery(
        model.objects.filter(council=OuterRef("pk"))
        .order_by()
        .values("council")
        .annotate(latest=Max("updated_at"))
        .values("latest")[:1],
        output_field=DateTimeField(),
    )


def _flag(condition) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def with_completeness(councils):
    """Councils annotated with one boolean per check, `score` (checks passed), `missing`
    (checks failed) and `last_updated` (the council, its members or its organisations)."""
    members = CouncilMember.objects.active().filter(council=OuterRef("pk"))
    councils = councils.annotate(
        has_chair=Exists(members.filter(role=CouncilMember.Role.CHAIR)),
        has_contact=_flag(~Q(phone="") | ~Q(email="")),
        has_members=Exists(members),
        has_area=_flag(Q(subdistrict__isnull=False) | ~Q(municipality_name="")),
        has_coverage=_flag(Q(households__isnull=False, population__isnull=False)),
        last_updated=Greatest(
            "updated_at",
            Coalesce(_latest(CouncilMember), "updated_at"),
            Coalesce(_latest(CommunityOrganisation), "updated_at"),
        ),
    )
    score = sum(
        (Case(When(**{name: True}, then=Value(1)), default=Value(0)) for name, _ in CHECKS),
        Value(0),
    )
    return councils.annotate(
        score=ExpressionWrapper(score, output_field=IntegerField()),
    ).order_by("score", "last_updated", "code")


def missing(council) -> list[str]:
    return [label for name, label in CHECKS if not getattr(council, name)]


def quality_list(user, district=None):
    councils = Council.objects.visible_to(user).active().select_related("district", "subdistrict")
    if district is not None:
        councils = councils.filter(district=district)
    return with_completeness(councils)
