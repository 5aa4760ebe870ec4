"""Every figure of the dashboard and the briefing pack, aggregated in the database.

`dashboard_data(user, selection)` runs a fixed number of queries whatever the number of rows:
one aggregate per kind of record, one grouped query per chart. The result holds plain
numbers and codes (no model instances), so it can be cached and shared between languages.
Archived records are left out everywhere; the user's scope comes from `visible_to`.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from councils.models import CommunityOrganisation, Council
from dashboards.filters import Selection
from geo.models import District, Province
from meetings.models import Meeting, Resolution
from portal.lib.dates import fiscal_year_bounds
from projects.models import Disbursement, Programme, Project

OPEN_RESOLUTIONS = [Resolution.Status.OPEN, Resolution.Status.IN_PROGRESS]
TREND_YEARS = 6


def scope_provinces(user) -> list[str] | None:
    """The province codes a user's figures span; None for the whole country."""
    if user.is_portal_admin:
        return None
    if user.role == "council_editor":
        return list(
            Council.objects.filter(pk=user.council_id).values_list("district__province", flat=True)
        )
    return sorted(user.province_codes)


def area_level(user, selection: Selection) -> str:
    """Charts and the map break figures down by district within one province, and by
    province when the figures span several."""
    if selection.district is not None:
        return "district"
    provinces = scope_provinces(user)
    return "district" if provinces is not None and len(provinces) == 1 else "province"


def _money(value) -> int:
    """Baht, rounded to the baht for display."""
    return int((value or Decimal(0)).quantize(Decimal(1)))


class Scoped:
    """The user's records narrowed by the selection; `year` adds the fiscal year."""

    def __init__(self, user, selection: Selection):
        self.user = user
        self.selection = selection
        self.district = selection.district
        self.programme = selection.programme

    def councils(self):
        qs = Council.objects.visible_to(self.user).active()
        return qs.filter(district=self.district) if self.district else qs

    def organisations(self):
        qs = CommunityOrganisation.objects.visible_to(self.user).active()
        return qs.filter(council__district=self.district) if self.district else qs

    def projects(self, *, year: bool = True):
        qs = Project.objects.visible_to(self.user).active()
        if year:
            qs = qs.filter(fiscal_year=self.selection.fiscal_year)
        if self.district:
            qs = qs.filter(council__district=self.district)
        if self.programme:
            qs = qs.filter(programme=self.programme)
        return qs

    def disbursements(self, *, year: bool = True):
        qs = (
            Disbursement.objects.visible_to(self.user)
            .active()
            .filter(project__archived_at__isnull=True)
        )
        if year:
            qs = qs.filter(project__fiscal_year=self.selection.fiscal_year)
        if self.district:
            qs = qs.filter(project__council__district=self.district)
        if self.programme:
            qs = qs.filter(project__programme=self.programme)
        return qs

    def meetings_held(self):
        first, last = fiscal_year_bounds(self.selection.fiscal_year)
        qs = (
            Meeting.objects.visible_to(self.user)
            .active()
            .filter(
                starts_at__date__gte=first,
                starts_at__date__lte=min(last, timezone.localdate()),
            )
        )
        return qs.filter(district=self.district) if self.district else qs

    def open_resolutions(self):
        qs = (
            Resolution.objects.visible_to(self.user)
            .active()
            .filter(status__in=OPEN_RESOLUTIONS, meeting__archived_at__isnull=True)
        )
        return qs.filter(meeting__district=self.district) if self.district else qs


def summary(scoped: Scoped, today: datetime.date) -> dict:
    councils = scoped.councils().aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=Council.Status.ACTIVE)),
        dormant=Count("pk", filter=Q(status=Council.Status.DORMANT)),
        dissolved=Count("pk", filter=Q(status=Council.Status.DISSOLVED)),
        households=Sum("households", default=0),
        population=Sum("population", default=0),
    )
    organisations = scoped.organisations().aggregate(
        total=Count("pk"), members=Sum("member_count", default=0)
    )
    by_status = {
        f"status_{status}": Count("pk", filter=Q(status=status)) for status in Project.Status.values
    }
    projects = scoped.projects().aggregate(
        total=Count("pk"),
        requested=Sum("budget_requested", default=0),
        approved=Sum("budget_approved", default=0),
        target_households=Sum("target_households", default=0),
        reached_households=Sum("reached_households", default=0),
        target_persons=Sum("target_persons", default=0),
        reached_persons=Sum("reached_persons", default=0),
        **by_status,
    )
    disbursed = scoped.disbursements().aggregate(total=Sum("amount", default=0))["total"]
    resolutions = scoped.open_resolutions().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    return {
        "councils": councils,
        "organisations": organisations,
        "projects": {
            "total": projects["total"],
            "by_status": {status: projects[f"status_{status}"] for status in Project.Status.values},
            "target_households": projects["target_households"],
            "reached_households": projects["reached_households"],
            "target_persons": projects["target_persons"],
            "reached_persons": projects["reached_persons"],
        },
        "budget": {
            "requested": _money(projects["requested"]),
            "approved": _money(projects["approved"]),
            "disbursed": _money(disbursed),
        },
        "meetings_held": scoped.meetings_held().count(),
        "resolutions": resolutions,
    }


def by_area(scoped: Scoped, level: str) -> list[dict]:
    """Councils, projects, budgets, households reached and meetings for each district (or
    province) of the scope, including those with nothing yet."""
    if level == "province":
        council_key, project_key, meeting_key = (
            "district__province",
            "council__district__province",
            "province",
        )
        provinces = scope_provinces(scoped.user)
        areas = Province.objects.order_by("code")
        if provinces is not None:
            areas = areas.filter(code__in=provinces)
    else:
        council_key, project_key, meeting_key = "district", "council__district", "district"
        areas = District.objects.order_by("code")
        if scoped.district is not None:
            areas = areas.filter(pk=scoped.district.pk)
        else:
            areas = areas.filter(province__in=scope_provinces(scoped.user) or [])
    rows = {
        area.code: {
            "code": area.code,
            "name_th": area.name_th,
            "name_en": area.name_en,
            "councils": 0,
            "councils_active": 0,
            "projects": 0,
            "approved": 0,
            "disbursed": 0,
            "reached_households": 0,
            "meetings": 0,
        }
        for area in areas.only("code", "name_th", "name_en")
    }
    for row in (
        scoped.councils()
        .order_by()
        .values(council_key)
        .annotate(n=Count("pk"), active=Count("pk", filter=Q(status=Council.Status.ACTIVE)))
    ):
        if row[council_key] in rows:
            rows[row[council_key]].update(councils=row["n"], councils_active=row["active"])
    for row in (
        scoped.projects()
        .order_by()
        .values(project_key)
        .annotate(
            n=Count("pk"),
            approved=Sum("budget_approved", default=0),
            reached=Sum("reached_households", default=0),
        )
    ):
        if row[project_key] in rows:
            rows[row[project_key]].update(
                projects=row["n"],
                approved=_money(row["approved"]),
                reached_households=row["reached"],
            )
    disbursement_key = f"project__{project_key}"
    for row in (
        scoped.disbursements()
        .order_by()
        .values(disbursement_key)
        .annotate(total=Sum("amount", default=0))
    ):
        if row[disbursement_key] in rows:
            rows[row[disbursement_key]]["disbursed"] = _money(row["total"])
    for row in scoped.meetings_held().order_by().values(meeting_key).annotate(n=Count("pk")):
        if row[meeting_key] in rows:
            rows[row[meeting_key]]["meetings"] = row["n"]
    return list(rows.values())


def by_programme(scoped: Scoped) -> list[dict]:
    programmes = Programme.objects.active().order_by("sort_order", "code")
    if scoped.programme is not None:
        programmes = programmes.filter(pk=scoped.programme.pk)
    rows = {
        programme.pk: {
            "pk": programme.pk,
            "code": programme.code,
            "name_th": programme.name_th,
            "name_en": programme.name_en,
            "projects": 0,
            "requested": 0,
            "approved": 0,
            "disbursed": 0,
            "reached_households": 0,
        }
        for programme in programmes.only("pk", "code", "name_th", "name_en")
    }
    for row in (
        scoped.projects()
        .order_by()
        .values("programme")
        .annotate(
            n=Count("pk"),
            requested=Sum("budget_requested", default=0),
            approved=Sum("budget_approved", default=0),
            reached=Sum("reached_households", default=0),
        )
    ):
        if row["programme"] in rows:
            rows[row["programme"]].update(
                projects=row["n"],
                requested=_money(row["requested"]),
                approved=_money(row["approved"]),
                reached_households=row["reached"],
            )
    for row in (
        scoped.disbursements()
        .order_by()
        .values("project__programme")
        .annotate(total=Sum("amount", default=0))
    ):
        if row["project__programme"] in rows:
            rows[row["project__programme"]]["disbursed"] = _money(row["total"])
    return list(rows.values())


def by_fiscal_year(scoped: Scoped) -> list[dict]:
    """The trend: the chosen fiscal year and the five before it."""
    last = scoped.selection.fiscal_year
    years = list(range(last - TREND_YEARS + 1, last + 1))
    rows = {
        year: {"fiscal_year": year, "projects": 0, "approved": 0, "disbursed": 0} for year in years
    }
    projects = scoped.projects(year=False).filter(fiscal_year__in=years)
    for row in (
        projects.order_by()
        .values("fiscal_year")
        .annotate(n=Count("pk"), approved=Sum("budget_approved", default=0))
    ):
        rows[row["fiscal_year"]].update(projects=row["n"], approved=_money(row["approved"]))
    disbursements = scoped.disbursements(year=False).filter(project__fiscal_year__in=years)
    for row in (
        disbursements.order_by()
        .values("project__fiscal_year")
        .annotate(total=Sum("amount", default=0))
    ):
        rows[row["project__fiscal_year"]]["disbursed"] = _money(row["total"])
    return list(rows.values())


def dashboard_data(user, selection: Selection) -> dict:
    """All the figures of one dashboard view (see the module's docstring)."""
    today = timezone.localdate()
    scoped = Scoped(user, selection)
    level = area_level(user, selection)
    return {
        "today": today,
        "level": level,
        "summary": summary(scoped, today),
        "areas": by_area(scoped, level),
        "programmes": by_programme(scoped),
        "years": by_fiscal_year(scoped),
    }


def totals(rows: list[dict], *keys: str) -> dict:
    result = defaultdict(int)
    for row in rows:
        for key in keys:
            result[key] += row[key]
    return dict(result)
