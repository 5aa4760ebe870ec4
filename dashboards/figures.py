"""Every figure of the dashboard and the briefing pack, aggregated in the database.

`dashboard_data(user, selection)` runs a fixed number of queries whatever the number of rows.
Projects and disbursements are each read once, aggregated by the database into groups
(area × programme × fiscal year: a few hundred groups for a province, about a thousand
for the country); the summary, the breakdowns and the trend are sums of those
group totals. Councils, organisations, meetings and resolutions are one aggregate each.
The result holds plain numbers and codes (no model instances), so it can be cached and
shared between languages. Archived records are left out everywhere; the user's scope comes
from `visible_to`.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from councils.models import CommunityOrganisation, Council
from dashboards import quality
from dashboards.filters import Selection
from geo.models import District, Province
from meetings.models import Meeting, Resolution
from portal.lib.dates import fiscal_year_bounds
from portal.lib.thai_text import whole_baht
from portal.roles import scope_of
from projects.models import Disbursement, Programme, Project

TREND_YEARS = 6
QUALITY_ROWS = 8
PROJECT_SUMS = (
    "requested",
    "approved",
    "target_households",
    "reached_households",
    "target_persons",
    "reached_persons",
)


def scope_provinces(user) -> list[str] | None:
    """The province codes a user's figures span (a council editor: its council's); None for
    the whole country."""
    scope = scope_of(user)
    if scope.council_id is not None:
        return list(
            Council.objects.filter(pk=scope.council_id).values_list("district__province", flat=True)
        )
    return scope.province_codes()


def area_level(user, selection: Selection) -> str:
    """Charts and the map break figures down by district within one province, and by
    province when the figures span several."""
    if selection.province_code is not None:
        return "district"
    provinces = scope_provinces(user)
    return "district" if provinces is not None and len(provinces) == 1 else "province"


class Scoped:
    """The user's records narrowed by the selection's district and programme."""

    def __init__(self, user, selection: Selection):
        self.user = user
        self.selection = selection
        self.district = selection.district
        # A province narrows the figures only when no district does.
        self.province = None if selection.district else selection.province_code
        self.programme = selection.programme
        last = selection.fiscal_year
        self.years = list(range(last - TREND_YEARS + 1, last + 1))

    def _narrow(self, qs, district: str, province: str):
        if self.district:
            return qs.filter(**{district: self.district})
        if self.province:
            return qs.filter(**{province: self.province})
        return qs

    def councils(self):
        qs = Council.objects.visible_to(self.user).active()
        return self._narrow(qs, "district", "district__province")

    def organisations(self):
        qs = CommunityOrganisation.objects.visible_to(self.user).active()
        return self._narrow(qs, "council__district", "council__district__province")

    def projects(self):
        """Projects of the trend's six fiscal years (the chosen one last)."""
        qs = Project.objects.visible_to(self.user).active().filter(fiscal_year__in=self.years)
        qs = self._narrow(qs, "council__district", "council__district__province")
        if self.programme:
            qs = qs.filter(programme=self.programme)
        return qs

    def disbursements(self):
        qs = (
            Disbursement.objects.visible_to(self.user)
            .active()
            .filter(project__archived_at__isnull=True, project__fiscal_year__in=self.years)
        )
        qs = self._narrow(qs, "project__council__district", "project__council__district__province")
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
        return self._narrow(qs, "district", "province")

    def open_resolutions(self):
        """Still to do (open or in progress, not carried to a later meeting), as the
        resolution register counts them; a district is the owner council's or the
        meeting's."""
        qs = Resolution.objects.visible_to(self.user).active().pending()
        if self.district:
            return qs.filter(
                Q(owner_council__district=self.district) | Q(meeting__district=self.district)
            )
        if self.province:
            return qs.filter(
                Q(owner_council__district__province=self.province)
                | Q(meeting__province=self.province)
            )
        return qs


def _keys(level: str) -> dict[str, str]:
    """The lookup of the area (district or province) from each kind of record."""
    if level == "province":
        return {
            "council": "district__province",
            "project": "council__district__province",
            "disbursement": "project__council__district__province",
            "meeting": "province",
        }
    return {
        "council": "district",
        "project": "council__district",
        "disbursement": "project__council__district",
        "meeting": "district",
    }


def _area(level: str, kind: str) -> F:
    return F(_keys(level)[kind])


STATUS_COUNTS = tuple(f"status_{status}" for status in Project.Status.values)


def project_groups(scoped: Scoped, level: str) -> list[dict]:
    """One query: projects counted (in all and by status) and summed by area, programme and
    fiscal year."""
    by_status = {
        f"status_{status}": Count("pk", filter=Q(status=status)) for status in Project.Status.values
    }
    return [
        {
            "area": row["area"],
            "programme": row["programme"],
            "fiscal_year": row["fiscal_year"],
            "projects": row["n"],
            **{key: row[key] for key in (*PROJECT_SUMS, *STATUS_COUNTS)},
        }
        for row in scoped.projects()
        .order_by()
        .values("programme", "fiscal_year", area=_area(level, "project"))
        .annotate(
            **by_status,
            n=Count("pk"),
            requested=Sum("budget_requested", default=0),
            approved=Sum("budget_approved", default=0),
            target_households=Sum("target_households", default=0),
            reached_households=Sum("reached_households", default=0),
            target_persons=Sum("target_persons", default=0),
            reached_persons=Sum("reached_persons", default=0),
        )
    ]


def disbursement_groups(scoped: Scoped, level: str) -> list[dict]:
    """One query: disbursements summed by area, programme and fiscal year of their project."""
    return [
        {
            "area": row["area"],
            "programme": row["project__programme"],
            "fiscal_year": row["project__fiscal_year"],
            "disbursed": row["total"],
        }
        for row in scoped.disbursements()
        .order_by()
        .values("project__programme", "project__fiscal_year", area=_area(level, "disbursement"))
        .annotate(total=Sum("amount", default=0))
    ]


def _add_up(groups: list[dict], by: str | None, keys: tuple[str, ...]) -> dict:
    """Totals of `keys` over the groups, for each value of `by` (or overall for None)."""
    totals: dict = defaultdict(lambda: dict.fromkeys(keys, 0))
    for group in groups:
        total = totals[group[by] if by else None]
        for key in keys:
            total[key] += group[key]
    return totals


def summary(scoped, projects, disbursements, today: datetime.date) -> dict:
    councils = scoped.councils().figures()
    organisations = scoped.organisations().figures()
    resolutions = scoped.open_resolutions().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    totals = _add_up(projects, None, ("projects", *PROJECT_SUMS, *STATUS_COUNTS))[None]
    disbursed = _add_up(disbursements, None, ("disbursed",))[None]["disbursed"]
    return {
        "councils": councils,
        "organisations": organisations,
        "projects": {
            "total": totals["projects"],
            "by_status": {s: totals[f"status_{s}"] for s in Project.Status.values},
            **{key: totals[key] for key in PROJECT_SUMS if key not in ("requested", "approved")},
        },
        "budget": {
            "requested": whole_baht(totals["requested"]),
            "approved": whole_baht(totals["approved"]),
            "disbursed": whole_baht(disbursed),
        },
        "meetings_held": scoped.meetings_held().count(),
        "resolutions": resolutions,
    }


def by_area(scoped: Scoped, level: str, projects, disbursements) -> list[dict]:
    """Councils, projects, budgets, households reached and meetings for each district (or
    province) of the scope, including those with nothing yet."""
    keys = _keys(level)
    if level == "province":
        provinces = scope_provinces(scoped.user)
        areas = Province.objects.order_by("code")
        if provinces is not None:
            areas = areas.filter(code__in=provinces)
    else:
        areas = District.objects.order_by("code")
        if scoped.district is not None:
            areas = areas.filter(pk=scoped.district.pk)
        elif scoped.province is not None:
            areas = areas.filter(province=scoped.province)
        else:
            areas = areas.filter(province__in=scope_provinces(scoped.user) or [])
    project_totals = _add_up(projects, "area", ("projects", "approved", "reached_households"))
    disbursed = _add_up(disbursements, "area", ("disbursed",))
    councils = {
        row[keys["council"]]: row["active"]
        for row in scoped.councils()
        .order_by()
        .values(keys["council"])
        .annotate(active=Count("pk", filter=Q(status=Council.Status.ACTIVE)))
    }
    meetings = {
        row[keys["meeting"]]: row["n"]
        for row in scoped.meetings_held().order_by().values(keys["meeting"]).annotate(n=Count("pk"))
    }
    rows = []
    for area in areas.only("code", "name_th", "name_en"):
        totals = project_totals.get(area.code, {})
        rows.append(
            {
                "code": area.code,
                "name_th": area.name_th,
                "name_en": area.name_en,
                "councils_active": councils.get(area.code, 0),
                "projects": totals.get("projects", 0),
                "approved": whole_baht(totals.get("approved")),
                "disbursed": whole_baht(disbursed.get(area.code, {}).get("disbursed")),
                "reached_households": totals.get("reached_households", 0),
                "meetings": meetings.get(area.code, 0),
            }
        )
    return rows


def by_programme(scoped: Scoped, projects, disbursements) -> list[dict]:
    programmes = Programme.objects.active().order_by("sort_order", "code")
    if scoped.programme is not None:
        programmes = programmes.filter(pk=scoped.programme.pk)
    project_totals = _add_up(
        projects, "programme", ("projects", "requested", "approved", "reached_households")
    )
    disbursed = _add_up(disbursements, "programme", ("disbursed",))
    rows = []
    for programme in programmes.only("pk", "code", "name_th", "name_en"):
        totals = project_totals.get(programme.pk, {})
        rows.append(
            {
                "pk": programme.pk,
                "code": programme.code,
                "name_th": programme.name_th,
                "name_en": programme.name_en,
                "projects": totals.get("projects", 0),
                "requested": whole_baht(totals.get("requested")),
                "approved": whole_baht(totals.get("approved")),
                "disbursed": whole_baht(disbursed.get(programme.pk, {}).get("disbursed")),
                "reached_households": totals.get("reached_households", 0),
            }
        )
    return rows


def by_fiscal_year(scoped: Scoped, projects, disbursements) -> list[dict]:
    """The trend: the chosen fiscal year and the five before it."""
    project_totals = _add_up(projects, "fiscal_year", ("projects", "approved"))
    disbursed = _add_up(disbursements, "fiscal_year", ("disbursed",))
    return [
        {
            "fiscal_year": year,
            "projects": project_totals.get(year, {}).get("projects", 0),
            "approved": whole_baht(project_totals.get(year, {}).get("approved")),
            "disbursed": whole_baht(disbursed.get(year, {}).get("disbursed")),
        }
        for year in scoped.years
    ]


def quality_rows(user, selection: Selection) -> list[dict]:
    """The least complete, stalest councils (see dashboards.quality), as plain values."""
    councils = quality.quality_list(user, selection)[:QUALITY_ROWS]
    return [quality.as_row(council) for council in councils]


def dashboard_data(user, selection: Selection) -> dict:
    """All the figures of one dashboard view (see the module's docstring)."""
    today = timezone.localdate()
    scoped = Scoped(user, selection)
    level = area_level(user, selection)
    projects = project_groups(scoped, level)
    disbursements = disbursement_groups(scoped, level)
    year = selection.fiscal_year
    projects_of_year = [group for group in projects if group["fiscal_year"] == year]
    disbursements_of_year = [group for group in disbursements if group["fiscal_year"] == year]
    return {
        "today": today,
        "level": level,
        "summary": summary(scoped, projects_of_year, disbursements_of_year, today),
        "areas": by_area(scoped, level, projects_of_year, disbursements_of_year),
        "programmes": by_programme(scoped, projects_of_year, disbursements_of_year),
        "years": by_fiscal_year(scoped, projects, disbursements),
        "quality": quality_rows(user, selection),
    }
