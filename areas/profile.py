"""What every partner does in one area: the figures of an area profile, its children with
their key figures and gaps, and the partnership matrix.

Every figure is aggregated in the database; a profile runs a fixed number of queries
whatever the size of the area (one grouped query per kind of record)."""

from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.utils import timezone

from councils.models import Agency, CommunityOrganisation, Council
from geo.areas import CHILD, MODELS, council_lookup, in_area, meeting_in_area, resolution_in_area
from meetings.models import Meeting, Resolution
from portal.lib.thai_text import whole_baht
from projects.models import Disbursement, Programme, Project, ProjectPartner

RECENT_MEETINGS = 10
OPEN_RESOLUTIONS_SHOWN = 10
AGENCIES_SHOWN = 15
PROJECTS_SHOWN = 20


class AreaRecords:
    """The user's records in one area (and one fiscal year, if chosen)."""

    def __init__(self, user, level: str, code: str, fiscal_year: int | None = None):
        self.user, self.level, self.code, self.fiscal_year = user, level, code, fiscal_year

    def councils(self):
        return (
            Council.objects.visible_to(self.user)
            .active()
            .filter(in_area(self.level, self.code, ""))
        )

    def organisations(self):
        return (
            CommunityOrganisation.objects.visible_to(self.user)
            .active()
            .filter(in_area(self.level, self.code, "council__"))
        )

    def projects(self):
        qs = (
            Project.objects.visible_to(self.user)
            .active()
            .filter(in_area(self.level, self.code, "council__"))
        )
        return qs.filter(fiscal_year=self.fiscal_year) if self.fiscal_year else qs

    def partners(self):
        qs = (
            ProjectPartner.objects.visible_to(self.user)
            .active()
            .filter(project__archived_at__isnull=True, agency__archived_at__isnull=True)
            .filter(in_area(self.level, self.code, "project__council__"))
        )
        return qs.filter(project__fiscal_year=self.fiscal_year) if self.fiscal_year else qs

    def disbursements(self):
        qs = (
            Disbursement.objects.visible_to(self.user)
            .active()
            .filter(project__archived_at__isnull=True)
            .filter(in_area(self.level, self.code, "project__council__"))
        )
        return qs.filter(project__fiscal_year=self.fiscal_year) if self.fiscal_year else qs

    def meetings(self):
        """Held in the area or about it (an invited council lies there)."""
        ids = Meeting.objects.filter(meeting_in_area(self.level, self.code)).values("pk")
        return Meeting.objects.visible_to(self.user).active().filter(pk__in=ids)

    def open_resolutions(self):
        """Still-to-do resolutions of the area's meetings, or owned by one of its councils
        (as the resolution register's `area` filter counts them)."""
        return (
            Resolution.objects.visible_to(self.user)
            .active()
            .pending()
            .filter(resolution_in_area(self.level, self.code))
        )


def summary(records: AreaRecords, today) -> dict:
    councils = records.councils().figures()
    organisations = records.organisations().figures()
    partners = records.partners().aggregate(
        agencies=Count("agency", distinct=True), contribution=Sum("contribution", default=0)
    )
    resolutions = records.open_resolutions().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    return {
        "councils": councils,
        "organisations": organisations,
        "agencies": partners["agencies"],
        "contribution": whole_baht(partners["contribution"]),
        "disbursed": whole_baht(
            records.disbursements().aggregate(total=Sum("amount", default=0))["total"]
        ),
        "meetings": records.meetings().count(),
        "resolutions": resolutions,
    }


def programme_table(records: AreaRecords, programmes) -> tuple[list[dict], dict]:
    """Projects by programme and status, with budgets and households reached."""
    groups = (
        records.projects()
        .order_by()
        .values("programme", "status")
        .annotate(
            n=Count("pk"),
            requested=Sum("budget_requested", default=0),
            approved=Sum("budget_approved", default=0),
            reached=Sum("reached_households", default=0),
        )
    )
    rows = {
        p.pk: {
            "programme": p,
            "statuses": dict.fromkeys(Project.Status.values, 0),
            "projects": 0,
            "requested": 0,
            "approved": 0,
            "reached_households": 0,
        }
        for p in programmes
    }
    for group in groups:
        row = rows.get(group["programme"])
        if row is None:
            continue
        row["statuses"][group["status"]] += group["n"]
        row["projects"] += group["n"]
        row["requested"] += whole_baht(group["requested"])
        row["approved"] += whole_baht(group["approved"])
        row["reached_households"] += group["reached"]
    total = {
        "statuses": {
            s: sum(r["statuses"][s] for r in rows.values()) for s in Project.Status.values
        },
        **{
            key: sum(r[key] for r in rows.values())
            for key in ("projects", "requested", "approved", "reached_households")
        },
    }
    return list(rows.values()), total


def agencies(records: AreaRecords) -> list[dict]:
    """The partner agencies working in the area, the most contributing first."""
    rows = (
        records.partners()
        .order_by()
        .values("agency", "agency__name_th", "agency__name_en", "agency__sector")
        .annotate(projects=Count("project", distinct=True), contribution=Sum("contribution"))
        .order_by("-contribution", "-projects", "agency__name_th")[:AGENCIES_SHOWN]
    )
    sectors = dict(Agency.Sector.choices)
    return [
        {
            "pk": row["agency"],
            "name_th": row["agency__name_th"],
            "name_en": row["agency__name_en"],
            "sector": sectors.get(row["agency__sector"], ""),
            "projects": row["projects"],
            "contribution": whole_baht(row["contribution"]),
        }
        for row in rows
    ]


def children(records: AreaRecords, programmes) -> list[dict]:
    """Each child area with its key figures and its gaps: no active council, programmes
    without a project, no partner agency. Children with gaps come first."""
    child_level = CHILD[records.level]
    if child_level is None:
        return []
    model = MODELS[child_level]
    parent = {"district": "province", "subdistrict": "district"}[child_level]
    areas = list(model.objects.filter(**{parent: records.code}).order_by("code"))
    key = council_lookup(child_level)
    councils = {
        row[key]: row
        for row in records.councils()
        .order_by()
        .values(key)
        .annotate(total=Count("pk"), active=Count("pk", filter=Q(status=Council.Status.ACTIVE)))
    }
    projects = defaultdict(
        lambda: {"projects": 0, "approved": 0, "reached": 0, "programmes": set()}
    )
    project_key = council_lookup(child_level, "council__")
    for row in (
        records.projects()
        .order_by()
        .values(project_key, "programme")
        .annotate(
            n=Count("pk"),
            approved=Sum("budget_approved", default=0),
            reached=Sum("reached_households", default=0),
        )
    ):
        entry = projects[row[project_key]]
        entry["projects"] += row["n"]
        entry["approved"] += whole_baht(row["approved"])
        entry["reached"] += row["reached"]
        entry["programmes"].add(row["programme"])
    partner_key = council_lookup(child_level, "project__council__")
    agencies_by_child = {
        row[partner_key]: row["n"]
        for row in records.partners()
        .order_by()
        .values(partner_key)
        .annotate(n=Count("agency", distinct=True))
    }
    meetings = {
        row[child_level]: row["n"]
        for row in records.meetings().order_by().values(child_level).annotate(n=Count("pk"))
    }
    rows = []
    for area in areas:
        council = councils.get(area.code, {"total": 0, "active": 0})
        project = projects.get(
            area.code, {"projects": 0, "approved": 0, "reached": 0, "programmes": set()}
        )
        missing = [p for p in programmes if p.pk not in project["programmes"]]
        partner_count = agencies_by_child.get(area.code, 0)
        gaps = {
            "no_council": council["active"] == 0,
            "missing_programmes": missing,
            "no_partner": partner_count == 0,
        }
        rows.append(
            {
                "area": area,
                "councils": council["total"],
                "councils_active": council["active"],
                "projects": project["projects"],
                "approved": project["approved"],
                "reached_households": project["reached"],
                "agencies": partner_count,
                "meetings": meetings.get(area.code, 0),
                "gaps": gaps,
                "gap_count": int(gaps["no_council"]) + len(missing) + int(gaps["no_partner"]),
            }
        )
    rows.sort(key=lambda row: (-row["gap_count"], row["area"].code))
    return rows


def profile(user, level: str, area, fiscal_year: int | None = None) -> dict:
    today = timezone.localdate()
    records = AreaRecords(user, level, area.code, fiscal_year)
    programmes = list(Programme.objects.active().order_by("sort_order", "code"))
    programme_rows, programme_total = programme_table(records, programmes)
    return {
        "summary": summary(records, today),
        "programmes": programme_rows,
        "programme_total": programme_total,
        "agencies": agencies(records),
        "children": children(records, programmes),
        "councils": list(records.councils().select_related("subdistrict").order_by("code")[:50])
        if level == "subdistrict"
        else [],
        "projects": list(
            records.projects()
            .select_related("programme", "council")
            .order_by("-fiscal_year", "code")[:PROJECTS_SHOWN]
        )
        if level == "subdistrict"
        else [],
        "meetings": list(records.meetings().order_by("-starts_at")[:RECENT_MEETINGS]),
        "open_resolutions": list(
            records.open_resolutions()
            .select_related("meeting", "owner_council", "owner_agency")
            .order_by("due_on", "pk")[:OPEN_RESOLUTIONS_SHOWN]
        ),
        "today": today,
    }
