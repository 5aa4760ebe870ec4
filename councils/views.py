"""Pages of councils and partner agencies."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from councils.filters import AgencyFilter, CouncilFilter
from councils.forms import AgencyForm, CouncilForm, MembersFormSet, OrganisationsFormSet
from councils.models import Agency, CommunityOrganisation, Council, CouncilMember
from councils.resources import AgencyResource, CouncilResource
from meetings.models import Attendance, Meeting, MeetingOrganiser, Resolution
from portal.access import (
    can_create,
    detail_rights,
    get_archivable_or_404,
    get_editable_or_404,
    get_visible_or_404,
)
from portal.editing import edit_page
from portal.listing import RecordListView
from portal.record_views import archive_action, history_page, revert_action
from privacy.services import can_reveal, log_personal_data_shown
from projects.models import Project, ProjectPartner


class CouncilListView(RecordListView):
    model = Council
    filterset_class = CouncilFilter
    template_name = "councils/council_list.html"
    sort_fields = {
        "code": "code",
        "name": "name_th",
        "district": "district__name_th",
        "status": "status",
        "households": "households",
        "registered": "registered_on",
    }
    default_sort = "district"
    resource_class = CouncilResource
    export_basename = "councils"

    def base_queryset(self):
        return super().base_queryset().select_related("district", "subdistrict")


def council_detail(request: HttpRequest, pk: int) -> HttpResponse:
    council = get_visible_or_404(
        Council.objects.select_related("district__province", "subdistrict"), request.user, pk=pk
    )
    projects = (
        council.projects.active()
        .select_related("programme")
        .annotate(disbursed=Sum("disbursements__amount", filter=Q(disbursements__archived_at=None)))
        .order_by("-fiscal_year", "code")
    )
    meetings = Meeting.objects.visible_to(request.user).active().participation_of(council)
    resolutions = (
        Resolution.objects.visible_to(request.user)
        .active()
        .filter(owner_council=council)
        .pending()
        .for_register()
        .order_by("due_on", "meeting__starts_at")
    )
    members = list(council.members.active().select_related("organisation").in_role_order())
    show_personal = log_personal_data_shown(request, members)
    return render(
        request,
        "councils/council_detail.html",
        {
            "council": council,
            "members": members,
            "show_personal": show_personal,
            "can_reveal": not show_personal and can_reveal(request.user),
            "organisations": council.organisations.active().annotate(
                representatives_count=Count("representatives")
            ),
            "projects": projects,
            "meetings": meetings,
            "resolutions": resolutions,
            "today": timezone.localdate(),
            **detail_rights(request.user, council),
        },
    )


class AgencyListView(RecordListView):
    model = Agency
    filterset_class = AgencyFilter
    template_name = "councils/agency_list.html"
    sort_fields = {
        "name": "name_th",
        "sector": "sector",
        "province": "province__name_th",
        "projects": "project_count",
    }
    default_sort = "sector"
    resource_class = AgencyResource
    export_basename = "agencies"

    def base_queryset(self):
        visible_projects = Project.objects.visible_to(self.request.user).active()
        partnerships = ProjectPartner.objects.active().filter(project__in=visible_projects)
        if self.current_sort().lstrip("-") == "projects":
            # Sorted by the count, every agency is counted anyway: one grouped join does it
            # faster than a count per agency.
            project_count = Count(
                "partnerships", filter=Q(partnerships__in=partnerships.values("pk"))
            )
        else:
            # Otherwise a correlated count: the database counts only the page's 25 agencies
            # (a join grouped over every agency's partnerships took 230-280 ms over the
            # national 100,000 projects).
            counted = (
                partnerships.filter(agency=OuterRef("pk"))
                .order_by()
                .values("agency")
                .annotate(n=Count("pk"))
                .values("n")
            )
            project_count = Coalesce(Subquery(counted, output_field=IntegerField()), 0)
        return (
            super().base_queryset().select_related("province").annotate(project_count=project_count)
        )


def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_visible_or_404(Agency.objects.select_related("province"), request.user, pk=pk)
    visible_projects = Project.objects.visible_to(request.user).active()
    partnerships = (
        agency.partnerships.active()
        .filter(project__in=visible_projects)
        .select_related("project__programme", "project__council__district")
        .order_by("-project__fiscal_year", "project__code")
    )
    meetings = (
        Meeting.objects.visible_to(request.user)
        .active()
        # Two lists of ids, not two joins made distinct: the joins multiplied a forum's
        # rows by its hundreds of attendance rows before removing the repeats.
        .filter(
            Q(pk__in=MeetingOrganiser.objects.filter(agency=agency).values("meeting"))
            | Q(pk__in=Attendance.objects.active().filter(agency=agency).values("meeting"))
        )
        .order_by("-starts_at")
    )
    resolutions = (
        Resolution.objects.visible_to(request.user)
        .active()
        .filter(owner_agency=agency)
        .pending()
        .for_register()
        .order_by("due_on", "meeting__starts_at")
    )
    totals = partnerships.aggregate(projects=Count("pk"), contribution=Sum("contribution"))
    return render(
        request,
        "councils/agency_detail.html",
        {
            "agency": agency,
            "partnerships": partnerships,
            "totals": totals,
            "meetings": meetings,
            "resolutions": resolutions,
            "today": timezone.localdate(),
            **detail_rights(request.user, agency),
        },
    )


# The lists a council's edit page keeps with it (a revert runs their checks too).
COUNCIL_ROWS = {"members": MembersFormSet, "organisations": OrganisationsFormSet}


def _council_page(request: HttpRequest, council: Council) -> HttpResponse:
    return edit_page(
        request,
        instance=council,
        form_class=CouncilForm,
        form_kwargs={"request": request},
        formsets=COUNCIL_ROWS,
        template_name="councils/council_form.html",
    )


@sensitive_post_parameters()
def council_create(request: HttpRequest) -> HttpResponse:
    if not can_create(request.user, Council):
        raise PermissionDenied
    return _council_page(request, Council())


@sensitive_post_parameters()
def council_edit(request: HttpRequest, pk: int) -> HttpResponse:
    council = get_editable_or_404(Council.objects.active(), request.user, pk=pk)
    return _council_page(request, council)


def agency_create(request: HttpRequest) -> HttpResponse:
    if not can_create(request.user, Agency):
        raise PermissionDenied
    return _agency_page(request, Agency())


def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _agency_page(request, get_editable_or_404(Agency.objects.active(), request.user, pk=pk))


def _agency_page(request: HttpRequest, agency: Agency) -> HttpResponse:
    return edit_page(
        request,
        instance=agency,
        form_class=AgencyForm,
        form_kwargs={"request": request},
        formsets={},
        template_name="councils/agency_form.html",
    )


def council_history(request: HttpRequest, pk: int) -> HttpResponse:
    council = get_visible_or_404(Council.objects.all(), request.user, pk=pk)
    return history_page(
        request,
        council,
        [
            CouncilMember.history.filter(council_id=pk),
            CommunityOrganisation.history.filter(council_id=pk),
        ],
    )


@require_http_methods(["GET", "POST"])  # GET: what it would change, to confirm
def council_revert(request: HttpRequest, pk: int, history_id: int) -> HttpResponse:
    council = get_editable_or_404(Council.objects.all(), request.user, pk=pk)
    return revert_action(request, council, history_id, CouncilForm, COUNCIL_ROWS)


def agency_history(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_visible_or_404(Agency.objects.all(), request.user, pk=pk)
    return history_page(request, agency, [])


@require_http_methods(["GET", "POST"])  # GET: what it would change, to confirm
def agency_revert(request: HttpRequest, pk: int, history_id: int) -> HttpResponse:
    agency = get_editable_or_404(Agency.objects.all(), request.user, pk=pk)
    return revert_action(request, agency, history_id, AgencyForm)


@require_POST
def council_archive(request: HttpRequest, pk: int) -> HttpResponse:
    council = get_archivable_or_404(Council.objects.active(), request.user, pk=pk)
    return archive_action(request, council, restoring=False)


@require_POST
def council_restore(request: HttpRequest, pk: int) -> HttpResponse:
    council = get_archivable_or_404(Council.objects.archived(), request.user, pk=pk)
    return archive_action(request, council, restoring=True)


@require_POST
def agency_archive(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_archivable_or_404(Agency.objects.active(), request.user, pk=pk)
    return archive_action(request, agency, restoring=False)


@require_POST
def agency_restore(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_archivable_or_404(Agency.objects.archived(), request.user, pk=pk)
    return archive_action(request, agency, restoring=True)
