"""The figures of the home page, counted in the database (archived records left out)."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from councils.models import Agency, CommunityOrganisation, Council
from meetings.models import Meeting, Resolution
from projects.models import Programme, Project


@dataclass(frozen=True)
class HomeFigures:
    councils: int
    councils_active: int
    councils_dormant: int
    organisations: int
    agencies: int
    programmes: int
    projects: int
    budget_approved: int
    meetings: int
    resolutions_open: int


def home_figures(user) -> HomeFigures:
    """The figures of the records the user may see."""
    councils = (
        Council.objects.visible_to(user)
        .active()
        .aggregate(
            total=Count("pk"),
            active=Count("pk", filter=Q(status=Council.Status.ACTIVE)),
            dormant=Count("pk", filter=Q(status=Council.Status.DORMANT)),
        )
    )
    projects = (
        Project.objects.visible_to(user)
        .active()
        .aggregate(total=Count("pk"), approved=Sum("budget_approved", default=0))
    )
    return HomeFigures(
        councils=councils["total"],
        councils_active=councils["active"],
        councils_dormant=councils["dormant"],
        organisations=CommunityOrganisation.objects.visible_to(user).active().count(),
        agencies=Agency.objects.visible_to(user).active().count(),
        programmes=Programme.objects.visible_to(user).active().count(),
        projects=projects["total"],
        budget_approved=int(projects["approved"]),
        meetings=Meeting.objects.visible_to(user).active().count(),
        resolutions_open=Resolution.objects.visible_to(user)
        .active()
        .filter(status__in=[Resolution.Status.OPEN, Resolution.Status.IN_PROGRESS])
        .count(),
    )
