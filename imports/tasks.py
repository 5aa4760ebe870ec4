"""Large files are checked, imported and undone by a background worker (`manage.py db_worker`),
in any process: the file is read from the shared storage, the progress is saved on the batch."""

import logging

from django.contrib.auth import get_user_model
from django.tasks import task
from django.utils import timezone

from imports import service
from imports.models import ImportBatch
from imports.reading import FileRejected

logger = logging.getLogger(__name__)


def _load(batch_id: int, user_id: int):
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return batch, user


@task
def preview_task(batch_id: int, user_id: int) -> str:
    batch, user = _load(batch_id, user_id)
    if batch is None or user is None or batch.status != ImportBatch.Status.QUEUED:
        return "skipped"
    batch.status = ImportBatch.Status.CHECKING
    batch.heartbeat_at = timezone.now()
    batch.save(update_fields=["status", "heartbeat_at"])
    try:
        service.run_preview(batch, user, report_progress=True)
    except FileRejected as exc:
        # Refused: the batch stays (it is what the user's page shows) with the reason; the
        # file goes.
        batch.file.delete(save=False)
        batch.status = ImportBatch.Status.REFUSED
        batch.notice = service.stored_message(exc.message, exc.params)
        batch.preview = {}
        batch.save()
        return "refused"
    batch.status = ImportBatch.Status.PREVIEW
    batch.save(update_fields=["status"])
    return "checked"


@task
def commit_task(batch_id: int, user_id: int, mode: str) -> str:
    batch, user = _load(batch_id, user_id)
    if batch is None or user is None or batch.status != ImportBatch.Status.IMPORTING:
        return "skipped"
    # Taken by a worker: its sign of life until the commit ends (imports.recovery).
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
    try:
        # commit() writes all or nothing itself; a refusal keeps the renewed preview.
        service.commit(batch, user, mode, queued=True)
    except service.AlreadyTaken:
        # Another worker has written (or is writing) this batch: nothing to do, nothing to undo.
        return "skipped"
    except (service.CommitRefused, FileRejected) as exc:
        batch.refresh_from_db()
        batch.status = ImportBatch.Status.PREVIEW
        batch.notice = service.stored_message(exc.message, exc.params)
        batch.save(update_fields=["status", "notice"])
        return "refused"
    return "imported"


@task
def undo_task(batch_id: int, user_id: int) -> str:
    batch, user = _load(batch_id, user_id)
    if batch is None or user is None or batch.status != ImportBatch.Status.UNDOING:
        return "skipped"
    # Taken by a worker: a sign of life for the stranded-work check (imports.recovery).
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
    try:
        service.undo(batch, user, queued=True)
    except service.AlreadyTaken:
        return "skipped"
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the batch must say so
        # undo() is one transaction: nothing was written. The import stands, and its page says
        # why the undo did not go through (it may be asked again).
        if not isinstance(exc, service.CommitRefused):
            logger.exception("Undo of import batch %s failed; nothing was written", batch_id)
            exc = service.UndoFailed()
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.UNDOING).update(
            status=ImportBatch.Status.IMPORTED,
            notice=service.stored_message(exc.message, exc.params),
        )
        return "failed"
    return "undone"
