"""Pages of projects."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import DecimalField, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

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
from projects.filters import ProjectFilter
from projects.forms import (
    DisbursementsFormSet,
    PartnersFormSet,
    ProgressUpdateForm,
    ProjectForm,
)
from projects.models import Disbursement, ProgressPhoto, ProgressUpdate, Project, ProjectPartner
from projects.resources import ProjectResource


def with_disbursed(queryset):
    """Each project with the sum of its (non-archived) disbursements, computed in the database.

    A subquery per project, not a join and GROUP BY: the list's count then skips it, and a
    page computes it for its own 25 rows rather than grouping every project first."""
    amount = DecimalField(max_digits=14, decimal_places=2)
    paid = (
        Disbursement.objects.active()
        .filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return queryset.annotate(
        disbursed=Coalesce(
            Subquery(paid, output_field=amount), Value(Decimal(0)), output_field=amount
        )
    )


class ProjectListView(RecordListView):
    model = Project
    filterset_class = ProjectFilter
    template_name = "projects/project_list.html"
    sort_fields = {
        "code": "code",
        "title": "title_th",
        "year": "fiscal_year",
        "status": "status",
        "requested": "budget_requested",
        "approved": "budget_approved",
        "disbursed": "disbursed",
        "council": "council__name_th",
    }
    default_sort = "-year"
    resource_class = ProjectResource
    export_basename = "projects"

    def base_queryset(self):
        return with_disbursed(
            super().base_queryset().select_related("programme", "council__district")
        )


def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_visible_or_404(
        with_disbursed(
            Project.objects.select_related(
                "programme", "council__district__province", "council__subdistrict"
            )
        ),
        request.user,
        pk=pk,
    )
    photos = ProgressPhoto.objects.active().order_by("id")
    updates = project.updates.active().prefetch_related(Prefetch("photos", queryset=photos))
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "partnerships": project.partnerships.active().select_related("agency"),
            "disbursements": project.disbursements.active().order_by("paid_on"),
            "updates": updates,
            **detail_rights(request.user, project),
        },
    )


# The lists a project's edit page keeps with it (a revert runs their checks too).
PROJECT_ROWS = {"partners": PartnersFormSet, "disbursements": DisbursementsFormSet}


def _project_page(request: HttpRequest, project: Project) -> HttpResponse:
    return edit_page(
        request,
        instance=project,
        form_class=ProjectForm,
        form_kwargs={"request": request},
        formsets=PROJECT_ROWS,
        template_name="projects/project_form.html",
    )


def project_create(request: HttpRequest) -> HttpResponse:
    if not can_create(request.user, Project):
        raise PermissionDenied
    return _project_page(request, Project())


def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_page(
        request, get_editable_or_404(Project.objects.active(), request.user, pk=pk)
    )


def progress_update_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A dated progress report with photos, added by whoever may edit the project."""
    project = get_editable_or_404(Project.objects.active(), request.user, pk=pk)
    form = ProgressUpdateForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                form.save_with_photos(project)
            messages.success(request, _("The progress update was added."))
            return redirect(f"{project.get_absolute_url()}#updates")
        messages.error(request, _("Please correct the errors below. Nothing was saved."))
    return render(request, "projects/progress_form.html", {"form": form, "project": project})


def project_history(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_visible_or_404(Project.objects.all(), request.user, pk=pk)
    return history_page(
        request,
        project,
        [
            ProjectPartner.history.filter(project_id=pk),
            Disbursement.history.filter(project_id=pk),
            ProgressUpdate.history.filter(project_id=pk),
        ],
    )


@require_http_methods(["GET", "POST"])  # GET: what it would change, to confirm
def project_revert(request: HttpRequest, pk: int, history_id: int) -> HttpResponse:
    project = get_editable_or_404(Project.objects.all(), request.user, pk=pk)
    return revert_action(request, project, history_id, ProjectForm, PROJECT_ROWS)


@require_POST
def project_archive(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_archivable_or_404(Project.objects.active(), request.user, pk=pk)
    return archive_action(request, project, restoring=False)


@require_POST
def project_restore(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_archivable_or_404(Project.objects.archived(), request.user, pk=pk)
    return archive_action(request, project, restoring=True)
