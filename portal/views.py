"""Cross-app pages: the health check, the error pages and the exports prepared in the
background."""

import sys

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal import export_jobs, health
from portal.exports import EXPORT_FORMATS
from portal.middleware import RETRY_AFTER_SECONDS, caused_by_outage, outage_response
from portal.models import ExportJob


@require_GET
@never_cache
@login_not_required
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: can this process serve? The database (with its
    migrations and tables), the cache and the media storage must work; the background queue
    is reported too (portal.health)."""
    healthy, body = health.report()
    response = JsonResponse(body, status=200 if healthy else 503)
    if not healthy:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """A plain page in the user's language: no trace, and the reassurance that nothing was
    saved (every request runs in one transaction). A lost database is a 503, wherever in
    the request it was met."""
    exception = sys.exc_info()[1]
    if caused_by_outage(exception):
        return outage_response(request, exception)
    return render(request, "500.html", status=500)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400, except when the request was refused because the database was away (a
    session that could not be saved): that is a 503."""
    if caused_by_outage(exception):
        return outage_response(request, exception)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if caused_by_outage(exception):
        return outage_response(request, exception)
    return defaults.permission_denied(request, exception)


# --- exports prepared in the background (portal.export_jobs) --------------------------------


def _export_job(request: HttpRequest, pk: int) -> ExportJob:
    """The requester's job (an administrator's: any); anyone else's does not exist."""
    return get_object_or_404(ExportJob.objects.visible_to(request.user), pk=pk)


@require_POST
def export_create(request: HttpRequest) -> HttpResponse:
    """Queue the export the list offered (its address in `path`), then show its page."""
    try:
        job = export_jobs.request_export(request.user, request.POST.get("path", ""))
    except export_jobs.NotAnExport:
        return render(request, "exports/not_an_export.html", status=400)
    return redirect("export_job", pk=job.pk)


@require_GET
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _export_job(request, pk)
    export_jobs.check(job)  # a job whose worker died is shown as stopped
    return render(
        request,
        "exports/job.html",
        {
            "job": job,
            "expired": export_jobs.is_expired(job),
            "expires_at": export_jobs.expires_at(job),
            "notice": export_jobs.NOTICES.get(job.notice, ""),
            "list_path": export_jobs.list_path(job.path),
        },
    )


@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _export_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file or export_jobs.is_expired(job):
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.file_name,
        content_type=EXPORT_FORMATS.get(job.file_format, "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store"
    return response
