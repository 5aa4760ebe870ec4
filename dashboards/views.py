"""The dashboard (the home page), the data-quality list and the briefing pack."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dashboards import council_home, presentation, quality, reports
from dashboards.cache import cached
from dashboards.figures import dashboard_data
from dashboards.filters import SelectionForm
from meetings.models import Meeting
from portal.roles import is_council_editor, scope_of


def home(request: HttpRequest) -> HttpResponse:
    council_id = scope_of(request.user).council_id
    if is_council_editor(request.user) and council_id and "dashboard" not in request.GET:
        # A council editor's home is its own council; the province dashboard is a link away.
        return render(
            request, "dashboards/council_home.html", council_home.build(request.user, council_id)
        )
    form = SelectionForm(request.GET, request=request)
    selection = form.selection()
    data = cached(request.user, selection, dashboard_data)
    context = presentation.build(data, selection, request.GET.get("map", "projects"))
    recent_meetings = Meeting.objects.visible_to(request.user).active().order_by("-starts_at")[:5]
    return render(
        request,
        "dashboards/home.html",
        {
            **context,
            "form": form,
            "selection": selection,
            "quality": [quality.present(row) for row in data["quality"]],
            "recent_meetings": recent_meetings,
        },
    )


def data_quality(request: HttpRequest) -> HttpResponse:
    form = SelectionForm(request.GET, request=request)
    selection = form.selection()
    page = Paginator(quality.quality_list(request.user, selection), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "dashboards/quality.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": page.paginator,
            "rows": [quality.present(quality.as_row(c)) for c in page.object_list],
            "checks": len(quality.CHECKS),
            "now": timezone.now(),
        },
    )


def briefing(request: HttpRequest) -> HttpResponse:
    form = SelectionForm(request.GET, request=request)
    selection = form.selection()
    file_format = request.GET.get("format")
    if file_format in ("pdf", "xlsx") and form.is_valid():
        pack = reports.briefing_pack(request.user, selection)
        if file_format == "pdf":
            return reports.pdf(request, pack)
        return reports.workbook(pack)
    return render(request, "dashboards/reports.html", {"form": form, "selection": selection})
