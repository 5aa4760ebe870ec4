"""Background work that survives faults: a batch whose worker died is found, marked failed
with the reason, and can be retried or cancelled.

A batch being checked or imported is alive while its worker beats (portal.workers) or its
own heartbeat is recent (renewed with the progress). It is stranded when neither holds and
its task is not waiting in the queue: the worker was killed, lost its machine, or its task
ended without finishing the batch. On PostgreSQL a batch whose row is locked is being
committed right now (the commit holds that lock until it ends; a dead worker's lock goes
with its connection), so it is left alone. The check runs on the batch's page and in every
worker's sweep."""

import datetime
import logging

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from imports import service
from imports.models import ImportBatch
from portal import workers

logger = logging.getLogger(__name__)

WORKING = (ImportBatch.Status.CHECKING, ImportBatch.Status.IMPORTING, ImportBatch.Status.UNDOING)
LOST = {
    ImportBatch.Status.CHECKING: _(
        "The check of this file stopped: the background worker doing it was lost (stopped "
        "or restarted). Nothing was written. Check it again, or cancel the import."
    ),
    ImportBatch.Status.IMPORTING: _(
        "The import stopped: the background worker doing it was lost (stopped or "
        "restarted). Nothing was written. Import it again, or cancel the import."
    ),
    ImportBatch.Status.UNDOING: _(
        "The undo stopped: the background worker doing it was lost (stopped or restarted). "
        "Nothing was undone and the import stands; undo it again if you still want to."
    ),
}
ENDED = _(
    "The background work on this file ended without finishing it. Nothing was written. "
    "Try again, or cancel the import."
)


def _task_paths() -> list[str]:
    from imports.tasks import commit_task, preview_task, undo_task  # noqa: PLC0415

    return [commit_task.module_path, preview_task.module_path, undo_task.module_path]


def latest_task(batch: ImportBatch):
    """The queued task that works on the batch, the latest if it was queued again."""
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415 - app registry ready

    return (
        DBTaskResult.objects.filter(task_path__in=_task_paths(), args_kwargs__args__0=batch.pk)
        .order_by("-enqueued_at")
        .first()
    )


def stranded_reason(batch: ImportBatch, now: datetime.datetime):
    """Why the batch's work is known to have stopped, or None while it may be going on."""
    if batch.status not in WORKING:
        return None
    stale = now - datetime.timedelta(seconds=workers.stale_after())
    if batch.heartbeat_at is not None and batch.heartbeat_at >= stale:
        return None
    task = latest_task(batch)
    if task is None:
        # Not run by the database queue (or its row was pruned): only its heartbeat tells.
        return LOST[batch.status] if (batch.heartbeat_at or batch.created_at) < stale else None
    if task.status == "READY":
        return None  # waiting for a worker: slow, not stranded
    if task.status == "RUNNING":
        claimed_by = task.worker_ids[-1] if task.worker_ids else None
        if workers.is_alive(claimed_by, now) or (task.started_at or now) >= stale:
            return None
        return LOST[batch.status]
    if task.exception_class_path.endswith(workers.WorkerLost.__qualname__):
        return LOST[batch.status]
    return ENDED if (task.finished_at or now) < now - datetime.timedelta(seconds=5) else None


def check(batch: ImportBatch, now: datetime.datetime | None = None) -> bool:
    """Mark the batch failed, with the reason, if its work is stranded. True if it was."""
    if batch.status not in WORKING:
        return False
    now = now or timezone.now()
    with transaction.atomic():
        # skip_locked: a batch locked by a running commit is alive (PostgreSQL).
        locked = (
            ImportBatch.objects.select_for_update(skip_locked=True)
            .filter(pk=batch.pk, status__in=WORKING)
            .first()
        )
        if locked is None:
            return False
        reason = stranded_reason(locked, now)
        if reason is None:
            return False
        task = latest_task(locked)
        if task is not None and task.status == "RUNNING":
            task.status = "FAILED"
            task.finished_at = now
            task.exception_class_path = (
                f"{workers.WorkerLost.__module__}.{workers.WorkerLost.__qualname__}"
            )
            task.traceback = "the worker stopped while running this task"
            task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
        if locked.status == ImportBatch.Status.UNDOING:
            # An undo is one transaction: a lost one undid nothing, so the import stands and
            # its Undo button is offered again.
            reason = LOST[ImportBatch.Status.UNDOING]
            locked.status = ImportBatch.Status.IMPORTED
            locked.notice = service.stored_message(reason)
            locked.save(update_fields=["status", "notice"])
        else:
            locked.failed_during = locked.status
            locked.status = ImportBatch.Status.FAILED
            locked.notice = service.stored_message(reason)
            locked.save(update_fields=["failed_during", "status", "notice"])
    logger.warning("import batch %s stranded while %s: marked failed", batch.pk, batch.status)
    batch.refresh_from_db()
    return True


def sweep(now: datetime.datetime | None = None) -> int:
    """Check every batch that says it is being worked on; how many were stranded."""
    now = now or timezone.now()
    return sum(check(batch, now) for batch in ImportBatch.objects.filter(status__in=WORKING))


@receiver(workers.tasks_stranded)
def _on_tasks_stranded(sender, now, **kwargs) -> None:
    sweep(now)


class CannotRetry(Exception):
    pass


def retry(batch: ImportBatch, user) -> bool:
    """Do again what stopped: check the file again (queued for a worker), or import it again
    (as the confirmation does: now, or queued for a large file). True when queued."""
    if batch.status != ImportBatch.Status.FAILED:
        raise CannotRetry
    if batch.failed_during == ImportBatch.Status.IMPORTING:
        batch.status = ImportBatch.Status.PREVIEW
        batch.notice = {}
        batch.save(update_fields=["status", "notice"])
        return service.request_commit(batch, user, batch.mode or ImportBatch.Mode.ALL)
    from imports.tasks import preview_task  # noqa: PLC0415 - tasks import this module

    batch.status = ImportBatch.Status.QUEUED
    batch.notice = {}
    batch.progress_done = 0
    batch.heartbeat_at = None
    batch.save(update_fields=["status", "notice", "progress_done", "heartbeat_at"])
    preview_task.enqueue(batch.pk, batch.created_by_id)
    return True
