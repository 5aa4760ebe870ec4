"""A council editor's home: its own council, what is missing from its record, the resolutions
it owns (overdue and due first), its projects with their next progress report, and the
meetings it is invited to. A fixed number of queries, whatever the council's history."""

import datetime
from dataclasses import dataclass

from django.db.models import F, Max, OuterRef, Subquery
from django.utils import timezone

from councils.models import Council
from dashboards import quality
from meetings.models import Meeting, Resolution, took_part
from projects.models import ProgressUpdate, Project

# Projects under way report their progress every quarter (as government-funded projects
# report to the province); the next report is due a quarter after the last one, or after the
# project started.
PROGRESS_REPORT_EVERY = datetime.timedelta(days=91)
UNDER_WAY = [Project.Status.APPROVED, Project.Status.IN_PROGRESS]
UPCOMING_MEETINGS = 5
PAST_MEETINGS = 3


@dataclass
class ProjectDue:
    project: Project
    last_reported_on: datetime.date | None
    next_report_on: datetime.date | None

    @property
    def overdue(self) -> bool:
        return self.next_report_on is not None and self.next_report_on < timezone.localdate()


def _projects(council: Council) -> list[ProjectDue]:
    last = (
        ProgressUpdate.objects.active()
        .filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(last=Max("reported_on"))
        .values("last")
    )
    projects = (
        council.projects.active()
        .filter(status__in=UNDER_WAY)
        .select_related("programme")
        .annotate(last_reported_on=Subquery(last))
        .order_by(F("last_reported_on").asc(nulls_first=True), "start_date", "code")
    )
    rows = []
    for project in projects:
        since = project.last_reported_on or project.start_date
        rows.append(
            ProjectDue(
                project=project,
                last_reported_on=project.last_reported_on,
                next_report_on=since + PROGRESS_REPORT_EVERY if since else None,
            )
        )
    # The report due soonest (or overdue longest) first; a project with no date last.
    return sorted(rows, key=lambda row: (row.next_report_on is None, row.next_report_on))


def build(user, council_id: int) -> dict:
    council = (
        quality.with_completeness(Council.objects.filter(pk=council_id))
        .select_related("district__province", "subdistrict")
        .first()
    )
    today = timezone.localdate()
    resolutions = list(
        Resolution.objects.visible_to(user)
        .active()
        .filter(owner_council_id=council_id)
        .pending()
        .for_register()
        .order_by(F("due_on").asc(nulls_last=True), "meeting__starts_at", "position")
    )
    meetings = Meeting.objects.visible_to(user).active().filter(took_part(council_id))
    now = timezone.now()
    return {
        "council": council,
        "missing": quality.present(quality.as_row(council))["missing_labels"],
        "resolutions": resolutions,
        "overdue_count": sum(1 for r in resolutions if r.due_on and r.due_on < today),
        "projects": _projects(council),
        "upcoming_meetings": list(
            meetings.filter(starts_at__gte=now).order_by("starts_at")[:UPCOMING_MEETINGS]
        ),
        "past_meetings": list(
            meetings.filter(starts_at__lt=now).order_by("-starts_at")[:PAST_MEETINGS]
        ),
        "today": today,
    }
