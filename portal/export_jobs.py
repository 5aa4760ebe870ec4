"""Exports too large to build while the user waits: prepared by a background worker
(`manage.py run_worker`) into the default storage, then downloaded from the requester's page.

The worker opens the very list the user asked for (its address, filters, sort and format), as
that user and in their language, and saves what the list would have streamed: the scope, the
masking and the columns are those of the list, by construction. Its progress renews the job's
heartbeat; a job whose worker stopped (killed, its machine lost) is marked stopped on its page
and in every worker's sweep, so nobody waits for it forever. Files are kept
`EXPORT_KEEP_DAYS` days (`manage.py prune_exports`)."""

import datetime
import logging
import re
import tempfile
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.dispatch import receiver
from django.http import Http404, HttpRequest, QueryDict
from django.tasks import task
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from portal import workers
from portal.exports import EXPORT_FORMATS, on_progress
from portal.models import ExportJob

logger = logging.getLogger(__name__)

# Seconds between two saves of the progress (each one also renews the heartbeat).
PROGRESS_SECONDS = 1.0

NOTICES = {
    "lost": _(
        "The export stopped: the background worker preparing it was lost (stopped or "
        "restarted). Ask for it again from the list."
    ),
    "failed": _("The export could not be prepared. Ask for it again from the list."),
    "refused": _("You may no longer see these records: the export was not prepared."),
}


class NotAnExport(Exception):
    """The address is not one of the portal's list exports."""


def in_worker(request: HttpRequest) -> bool:
    return getattr(request, "export_in_worker", False)


def export_target(path: str):
    """The list view and format an export address names; NotAnExport for anything else (an
    address elsewhere, a page that is not a list with an export, an unknown format)."""
    from portal.listing import RecordListView  # noqa: PLC0415 - listing imports this module

    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
        raise NotAnExport
    if len(path) > ExportJob._meta.get_field("path").max_length:
        raise NotAnExport
    parts = urlsplit(path)
    try:
        match = resolve(parts.path)
    except Resolver404 as exc:
        raise NotAnExport from exc
    view_class = getattr(match.func, "view_class", None)
    if not (
        isinstance(view_class, type)
        and issubclass(view_class, RecordListView)
        and view_class.resource_class is not None
    ):
        raise NotAnExport
    file_format = QueryDict(parts.query).get("format")
    if file_format not in EXPORT_FORMATS:
        raise NotAnExport
    return match, file_format


def request_export(user, path: str) -> ExportJob:
    """Queue the export of the list at `path` for `user` (NotAnExport if it is none). The
    same export already on its way is not asked for twice."""
    _match, file_format = export_target(path)
    pending = ExportJob.objects.filter(
        created_by=user, path=path, status__in=(ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
    ).first()
    if pending is not None and not check(pending):
        return pending
    job = ExportJob.objects.create(
        created_by=user,
        path=path,
        file_format=file_format,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    result = run_export.enqueue(job.pk)
    ExportJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def _list_request(job: ExportJob, user) -> tuple:
    match, _file_format = export_target(job.path)
    parts = urlsplit(job.path)
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = parts.path
    request.GET = QueryDict(parts.query)
    request.META = {"SERVER_NAME": "worker", "SERVER_PORT": "80", "QUERY_STRING": parts.query}
    request.user = user
    request.LANGUAGE_CODE = job.language
    request.export_in_worker = True
    return match, request


class _Progress:
    """Saves how many rows are written, at most every PROGRESS_SECONDS: the heartbeat."""

    def __init__(self, job: ExportJob):
        self.job = job
        self.saved = 0.0

    def __call__(self, rows: int) -> None:
        if time.monotonic() - self.saved < PROGRESS_SECONDS:
            return
        self.saved = time.monotonic()
        ExportJob.objects.filter(pk=self.job.pk).update(rows_done=rows, heartbeat_at=timezone.now())


_FILENAME = re.compile(r'filename="([^"]+)"')


def prepare(job: ExportJob) -> str:
    """Build the job's file (in the worker); what became of it."""
    user = get_user_model().objects.filter(pk=job.created_by_id, is_active=True).first()
    claimed = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, heartbeat_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    if user is None:
        _fail(job, "refused")
        return "refused"
    job.refresh_from_db()
    match, request = _list_request(job, user)
    job.rows_total = _rows_of(match, request)
    job.save(update_fields=["rows_total"])
    token = on_progress.set(_Progress(job))
    try:
        with translation.override(job.language):
            response = match.func(request, *match.args, **match.kwargs)
            if response.status_code != 200 or not response.streaming:
                _fail(job, "refused")
                return "refused"
            with tempfile.TemporaryFile() as handle:
                for chunk in response.streaming_content:
                    handle.write(chunk)
                # Not response.close(): that says the request is finished, and Django then
                # closes the database connection the job is still to be saved with.
                if getattr(response, "file_to_stream", None) is not None:
                    response.file_to_stream.close()
                handle.seek(0)
                found = _FILENAME.search(response.get("Content-Disposition", ""))
                job.file_name = found.group(1) if found else f"export.{job.file_format}"
                job.file.save(f"{job.pk}-{job.file_name}", File(handle), save=False)
    except (Http404, PermissionDenied):
        _fail(job, "refused")
        return "refused"
    finally:
        on_progress.reset(token)
    job.status = ExportJob.Status.DONE
    job.rows_done = job.rows_total
    job.finished_at = job.heartbeat_at = timezone.now()
    job.save(
        update_fields=["status", "rows_done", "finished_at", "heartbeat_at", "file", "file_name"]
    )
    return "done"


def _rows_of(match, request) -> int:
    """The number of rows the list holds (for the progress bar)."""
    view = match.func.view_class(**match.func.view_initkwargs)
    view.setup(request, *match.args, **match.kwargs)
    try:
        return view.export_queryset().count()
    except (Http404, PermissionDenied):
        return 0


def _fail(job: ExportJob, reason: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FAILED, notice=reason, finished_at=timezone.now()
    )


@task
def run_export(job_id: int) -> str:
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "skipped"
    try:
        return prepare(job)
    except Exception:
        # Whatever went wrong, the user's page must say so rather than wait.
        logger.exception("export %s failed", job_id)
        _fail(job, "failed")
        return "failed"


def _task_of(job: ExportJob):
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415 - app registry ready

    if not job.task_id:
        return None
    try:
        return DBTaskResult.objects.filter(pk=job.task_id).first()
    except (ValueError, TypeError):
        return None


def stranded(job: ExportJob, now: datetime.datetime) -> bool:
    """Whether the job's work is known to have stopped (it may otherwise be going on)."""
    if not job.is_working:
        return False
    stale = now - datetime.timedelta(seconds=workers.stale_after())
    if job.heartbeat_at is not None and job.heartbeat_at >= stale:
        return False
    found = _task_of(job)
    if found is None:
        # Not run by the database queue (or its row was pruned): only the heartbeat tells.
        return (job.heartbeat_at or job.created_at) < stale
    if found.status == "READY":
        return False  # waiting for a worker: slow, not stranded
    if found.status == "RUNNING":
        claimed_by = found.worker_ids[-1] if found.worker_ids else None
        return not workers.is_alive(claimed_by, now) and (found.started_at or now) < stale
    # The task ended (failed, or marked lost by a sweep) and left the job unfinished.
    return (found.finished_at or now) < now - datetime.timedelta(seconds=5)


def check(job: ExportJob, now: datetime.datetime | None = None) -> bool:
    """Mark the job stopped if its worker is gone. True if it was."""
    now = now or timezone.now()
    if not stranded(job, now):
        return False
    updated = ExportJob.objects.filter(pk=job.pk, status=job.status).update(
        status=ExportJob.Status.FAILED, notice="lost", finished_at=now
    )
    if updated:
        logger.warning("export %s stranded while %s: marked stopped", job.pk, job.status)
    job.refresh_from_db()
    return bool(updated)


def sweep(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    working = ExportJob.objects.filter(
        status__in=(ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
    )
    return sum(check(job, now) for job in working)


@receiver(workers.tasks_stranded)
def _on_tasks_stranded(sender, now, **kwargs) -> None:
    sweep(now)


def list_path(path: str) -> str:
    """The list an export address was asked from, without its `format=` (to go back to)."""
    parts = urlsplit(path)
    query = QueryDict(parts.query, mutable=True)
    query.pop("format", None)
    return f"{parts.path}?{query.urlencode()}" if query else parts.path


def expires_at(job: ExportJob) -> datetime.datetime:
    return job.created_at + datetime.timedelta(days=settings.EXPORT_KEEP_DAYS)


def is_expired(job: ExportJob, now: datetime.datetime | None = None) -> bool:
    return expires_at(job) <= (now or timezone.now())


def prune(now: datetime.datetime | None = None) -> int:
    """Delete the jobs (and their files) older than EXPORT_KEEP_DAYS; how many."""
    now = now or timezone.now()
    old = ExportJob.objects.filter(
        created_at__lt=now - datetime.timedelta(days=settings.EXPORT_KEEP_DAYS)
    )
    count = 0
    for job in old.iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count
