"""Background work survives faults: a batch whose worker was killed is found (on its page
and by every worker's sweep), marked stopped with the reason, and offers retry and cancel;
the worker starts its loop again after the database went away instead of exiting."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from councils.models import Council
from imports import recovery
from imports.models import ImportBatch
from portal import workers
from portal.models import WorkerHeartbeat
from tests.test_imports_background import _setup as _imports_setup  # noqa: F401
from tests.test_imports_background import upload, work, worker_test
from tests.worker_tasks import linger

LONG_AGO = datetime.timedelta(minutes=5)


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _claimed_by_a_dead_worker(batch, status):
    """As after `kill -9` of the worker that took the batch five minutes ago."""
    then = timezone.now() - LONG_AGO
    WorkerHeartbeat.objects.create(worker_id="dead", seen_at=then, started_at=then)
    DBTaskResult.objects.filter(args_kwargs__args__0=batch.pk).update(
        status="RUNNING", worker_ids=["dead"], started_at=then
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=status, heartbeat_at=then, progress_done=10
    )


def confirmed(batch) -> dict:
    """The import button's form, as the confirmation page sends it."""
    return {"mode": "all", "confirm": batch.commit_confirmation("all")}


def _task(batch):
    return recovery.latest_task(batch)


@worker_test
def test_a_check_whose_worker_died_shows_stopped_and_is_checked_again_on_retry(staff_client):
    upload(staff_client)
    batch = ImportBatch.objects.get()
    _claimed_by_a_dead_worker(batch, "checking")

    page = staff_client.get(f"/imports/{batch.pk}/").content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.failed_during) == ("failed", "checking")
    assert "The check of this file stopped: the background worker doing it was lost" in page
    assert "Check the file again" in page and f"/imports/{batch.pk}/cancel/" in page
    assert 'id="batch-progress"' not in page  # no longer "the work continues"
    task = _task(batch)
    assert task.status == "FAILED" and task.exception_class_path.endswith("WorkerLost")

    response = staff_client.post(f"/imports/{batch.pk}/retry/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.progress_done, batch.notice) == ("queued", 0, {})
    assert _task(batch).status == "READY"
    work()
    batch.refresh_from_db()
    assert (batch.status, batch.rows_new) == ("preview", 20)


@worker_test
def test_an_import_whose_worker_died_shows_stopped_and_is_imported_again_on_retry(
    staff_client,
):
    upload(staff_client)
    work()
    batch = ImportBatch.objects.get()
    staff_client.post(f"/imports/{batch.pk}/commit/", confirmed(batch))
    _claimed_by_a_dead_worker(batch, "importing")

    progress = staff_client.get(f"/imports/{batch.pk}/progress/").json()
    assert (progress["status"], progress["working"]) == ("failed", False)
    page = staff_client.get(f"/imports/{batch.pk}/").content.decode()
    assert "The import stopped: the background worker doing it was lost" in page
    assert "Import again" in page

    staff_client.post(f"/imports/{batch.pk}/retry/")
    batch.refresh_from_db()
    assert batch.status == "importing"
    work()
    batch.refresh_from_db()
    assert batch.status == "imported"
    assert Council.objects.count() == 20


@worker_test
def test_an_undo_whose_worker_died_leaves_the_import_standing_and_undoable_again(staff_client):
    upload(staff_client)
    work()
    batch = ImportBatch.objects.get()
    staff_client.post(f"/imports/{batch.pk}/commit/", confirmed(batch))
    work()
    batch.refresh_from_db()
    staff_client.post(f"/imports/{batch.pk}/undo/", {"confirm": batch.undo_confirmation()})
    batch.refresh_from_db()
    assert batch.status == "undoing"
    _claimed_by_a_dead_worker(batch, "undoing")

    page = staff_client.get(f"/imports/{batch.pk}/").content.decode()
    batch.refresh_from_db()
    # An undo is one transaction: the lost one undid nothing, and the button is back.
    assert batch.status == "imported" and Council.objects.count() == 20
    assert "The undo stopped: the background worker doing it was lost" in page
    assert _task(batch).status == "FAILED"
    staff_client.post(f"/imports/{batch.pk}/undo/", {"confirm": batch.undo_confirmation()})
    work()
    batch.refresh_from_db()
    assert batch.status == "undone" and not Council.objects.active().exists()


@worker_test
def test_a_stopped_import_can_be_cancelled(staff_client):
    upload(staff_client)
    batch = ImportBatch.objects.get()
    _claimed_by_a_dead_worker(batch, "checking")
    recovery.sweep()
    staff_client.post(f"/imports/{batch.pk}/cancel/")
    batch.refresh_from_db()
    assert batch.status == "cancelled"
    assert staff_client.post(f"/imports/{batch.pk}/retry/").status_code == 302
    batch.refresh_from_db()
    assert batch.status == "cancelled"  # nothing to retry any more


@worker_test
def test_the_thai_page_says_the_work_stopped_in_thai(staff_client, settings):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    upload(staff_client)
    batch = ImportBatch.objects.get()
    _claimed_by_a_dead_worker(batch, "checking")
    page = staff_client.get(f"/imports/{batch.pk}/").content.decode()
    assert "ตรวจไฟล์นี้อีกครั้ง" in page
    assert "The check of this file stopped" not in page


@worker_test
@pytest.mark.parametrize("alive", ["batch heartbeat", "worker heartbeat", "waiting"])
def test_work_with_a_recent_sign_of_life_is_left_alone(staff_client, alive):
    upload(staff_client)
    batch = ImportBatch.objects.get()
    _claimed_by_a_dead_worker(batch, "checking")
    if alive == "batch heartbeat":
        ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
    elif alive == "worker heartbeat":
        workers.beat("dead")
    else:
        DBTaskResult.objects.update(status="READY", worker_ids=[])
    batch.refresh_from_db()
    assert recovery.check(batch) is False
    assert batch.status == "checking"


@worker_test
def test_a_workers_sweep_finds_stranded_work_without_anyone_opening_the_page(staff_client):
    upload(staff_client)
    batch = ImportBatch.objects.get()
    _claimed_by_a_dead_worker(batch, "checking")
    marked = workers.sweep()
    assert [result.pk for result in marked] == [_task(batch).pk]
    batch.refresh_from_db()
    assert batch.status == "failed"


@worker_test
def test_the_worker_starts_again_after_the_database_went_away(staff_client):
    upload(staff_client)
    batch = ImportBatch.objects.get()
    DBTaskResult.objects.update(status="RUNNING", worker_ids=["me"], started_at=timezone.now())
    runs = [OperationalError("the database system is shutting down"), None]

    def handle(self, *args, **options):
        outcome = runs.pop(0)
        if outcome is not None:
            raise outcome

    with (
        mock.patch.object(db_worker.Command, "handle", handle),
        mock.patch.object(workers, "wait_before_retrying", return_value=1) as waited,
        mock.patch.object(workers.Heartbeat, "start"),
    ):
        call_command("run_worker", "--batch", "--worker-id", "me", verbosity=0)
    assert runs == [] and waited.call_count == 1
    # What it was running when the database went away is no longer "running".
    assert _task(batch).status == "FAILED"


def test_an_outage_after_a_long_healthy_run_starts_the_back_off_afresh(db):
    """Three outages in a row back off 1, 2, 3…; an outage after an hour of work waits as a
    first one does (a worker that had lived through many used to wait 30 s each time)."""
    from portal.management.commands import run_worker

    clock = iter([0, 1, 2, 3, 4, 3600, 3601, 3602, 3603, 3604])
    runs = [OperationalError("down")] * 4 + [None]

    def handle(self, *args, **options):
        outcome = runs.pop(0)
        if outcome is not None:
            raise outcome

    with (
        mock.patch.object(db_worker.Command, "handle", handle),
        mock.patch.object(workers, "sweep"),
        mock.patch.object(workers, "wait_before_retrying", side_effect=lambda a: a) as waited,
        mock.patch.object(workers.Heartbeat, "start"),
        mock.patch.object(run_worker.time, "monotonic", lambda: next(clock)),
    ):
        call_command("run_worker", "--batch", "--worker-id", "me", verbosity=0)
    # The third run starts at 4 and fails at 3600: healthy for an hour, so the back-off resets.
    assert [c.args[0] for c in waited.call_args_list] == [1, 2, 1, 2]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a worker process needs a database it can share"
)
@worker_test
def test_a_worker_killed_mid_task_leaves_work_that_is_found_and_failed(staff_client):
    upload(staff_client)
    batch = ImportBatch.objects.get()
    DBTaskResult.objects.all().delete()
    ImportBatch.objects.filter(pk=batch.pk).update(status="queued")
    queued = linger.enqueue(batch.pk)
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
    }
    worker = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "manage.py", "run_worker", "--no-startup-delay", "--no-reload"]
        + ["--interval", "0.2", "--worker-id", "doomed", "--queue-name", "default"],
        cwd=Path(django_settings.BASE_DIR),
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not ImportBatch.objects.filter(pk=batch.pk, status="checking").exists():
            assert time.monotonic() < deadline, "the worker never took the task"
            time.sleep(0.2)
        assert WorkerHeartbeat.objects.filter(worker_id="doomed").exists()
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)

    result = DBTaskResult.objects.get(pk=queued.id)
    assert result.status == "RUNNING"  # as the drill found: nobody will ever finish it
    # A minute on: the worker's last beat and the batch's last sign of work are old.
    then = timezone.now() - LONG_AGO
    WorkerHeartbeat.objects.update(seen_at=then)
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=then)
    DBTaskResult.objects.filter(pk=queued.id).update(started_at=then)

    workers.sweep()
    result.refresh_from_db()
    batch.refresh_from_db()
    assert result.status == "FAILED" and result.exception_class_path.endswith("WorkerLost")
    assert (batch.status, batch.failed_during) == ("failed", "checking")


@worker_test
@pytest.mark.parametrize(("role", "expected"), [("staff", 404), ("viewer", 403)])
def test_only_those_who_see_the_batch_may_retry_it(staff_client, client, sisaket, role, expected):
    from django.test import Client

    from tests.factories import UserFactory

    upload(staff_client)
    batch = ImportBatch.objects.get()
    _claimed_by_a_dead_worker(batch, "checking")
    recovery.sweep()
    other = UserFactory(username=f"other-{role}", role=role)
    other.provinces.add(sisaket)
    stranger = Client()
    stranger.force_login(other)
    assert stranger.post(f"/imports/{batch.pk}/retry/").status_code == expected
    assert stranger.post(f"/imports/{batch.pk}/cancel/").status_code == expected
    batch.refresh_from_db()
    assert batch.status == "failed"


@worker_test
def test_a_task_taken_moments_ago_is_not_swept_before_its_worker_beats(staff_client):
    upload(staff_client)
    DBTaskResult.objects.update(status="RUNNING", worker_ids=["new"], started_at=timezone.now())
    assert workers.sweep() == []
    assert DBTaskResult.objects.get().status == "RUNNING"
