"""Background workers (`manage.py run_worker`): their heartbeats, and the sweep that finds
work a dead worker left half done.

A worker beats every few seconds from a thread of its own. A task claimed by a worker that
has not beaten for `WORKER_STALE_SECONDS` is stranded: the process was killed or its machine
lost. The sweep marks such tasks failed, and tells the apps (the `tasks_stranded` signal) so
that they can mark their own records (an import batch) failed with the reason."""

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.dispatch import Signal
from django.utils import timezone

from portal.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Receivers get `tasks` (DBTaskResult rows just marked failed) and `now`; they look for
# their own records left in a working state and mark them failed too.
tasks_stranded = Signal()


def stale_after() -> int:
    return settings.WORKER_STALE_SECONDS


def beat(worker_id: str) -> None:
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": now,
                "seen_at": now,
            },
        )


def live_workers(now=None):
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(
        seen_at__gte=now - timezone.timedelta(seconds=stale_after())
    )


def is_alive(worker_id: str | None, now=None) -> bool:
    return bool(worker_id) and live_workers(now).filter(worker_id=worker_id).exists()


class WorkerLost(Exception):
    """Recorded on a task whose worker stopped beating while it ran."""


def sweep(*, worker_id: str | None = None, now=None) -> list:
    """Mark failed the running tasks whose worker is gone (or, when `worker_id` is given,
    that this worker claimed and no longer runs: it is starting again), then let the apps
    mark their records. Returns the tasks marked."""
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415 - app registry ready

    now = now or timezone.now()
    alive = set(live_workers(now).values_list("worker_id", flat=True)) - {worker_id}
    # A task taken moments ago may belong to a worker whose first beat is still to come.
    settled = now - timezone.timedelta(seconds=stale_after())

    def is_stranded(result) -> bool:
        claimed_by = result.worker_ids[-1] if result.worker_ids else None
        if worker_id is not None and claimed_by == worker_id:
            return True
        return claimed_by not in alive and (result.started_at or now) < settled

    stranded = [result for result in DBTaskResult.objects.running() if is_stranded(result)]
    marked = []
    for result in stranded:
        updated = DBTaskResult.objects.filter(pk=result.pk, status="RUNNING").update(
            status="FAILED",
            finished_at=now,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=f"worker {result.worker_ids[-1] if result.worker_ids else '?'} "
            "stopped while running this task",
        )
        if updated:
            logger.warning("task %s stranded by a lost worker: marked failed", result.pk)
            marked.append(result)
    tasks_stranded.send(sender=None, tasks=marked, now=now)
    return marked


class Heartbeat(threading.Thread):
    """Beats for the worker, and sweeps for other workers' stranded work, until stopped.
    A database that is away is waited out: the next beat tries again."""

    def __init__(self, worker_id: str, *, interval: float | None = None):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.interval = settings.WORKER_BEAT_SECONDS if interval is None else interval
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                try:
                    beat(self.worker_id)
                    sweep()
                except DatabaseError as error:
                    logger.warning("heartbeat failed (%s); trying again", type(error).__name__)
                    connection.close()
                self.stopped.wait(self.interval)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()


def wait_before_retrying(attempt: int) -> float:
    """1, 2, 4 … seconds, at most 30: a restarting database is not hammered."""
    delay = min(2 ** min(attempt, 5), 30)
    time.sleep(delay)
    return delay
