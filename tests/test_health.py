"""`/healthz` reports each part the portal needs, and answers 503 when a required part
fails: the database (reachable, migrated, its tables there), the cache, the media storage.
The background queue is reported, never required."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.tasks import task
from django.utils import timezone

from portal import health, workers
from portal.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@task
def waiting_task() -> None:
    """Queued in these tests, never run."""


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _get(client):
    response = client.get("/healthz")
    return response.status_code, response.json()


def test_everything_working_is_ok_and_each_part_is_named(client, media):
    status, body = _get(client)
    assert status == 200
    assert body["status"] == "ok" and body["failing"] == []
    assert {name: part["status"] for name, part in body["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
        "queue": "no worker",
    }
    assert body["checks"]["database"]["vendor"] == connection.vendor
    assert not list(media.rglob("*.txt"))  # the storage probe cleans up after itself


def test_a_dropped_table_is_a_failure(client, media):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {WorkerHeartbeat._meta.db_table}")
    status, body = _get(client)
    assert status == 503
    assert body["database"] == "tables missing"
    assert "portal_workerheartbeat" in body["checks"]["database"]["missing"]
    assert body["failing"] == ["database"]


def test_an_unapplied_migration_is_a_failure(client, media):
    from django.db.migrations.recorder import MigrationRecorder

    MigrationRecorder(connection).record_unapplied("portal", "0001_worker_heartbeats")
    status, body = _get(client)
    assert status == 503
    assert body["database"] == "unmigrated"
    assert body["checks"]["database"]["unapplied"] == ["portal.0001_worker_heartbeats"]


# The cache is reported, not required: pages work without it (the dashboard computes its
# figures afresh), so losing Redis must not take every app server out of the balancer.
def test_a_cache_that_does_not_keep_values_is_reported(client, media):
    forgetful = mock.Mock(get=mock.Mock(return_value=None))
    with mock.patch.object(health, "cache", forgetful):
        status, body = _get(client)
    assert status == 200
    assert body["failing"] == [] and "cache" in body["degraded"]


def test_a_cache_that_cannot_be_reached_is_reported(client, media):
    down = mock.Mock(set=mock.Mock(side_effect=ConnectionError("redis down")))
    with mock.patch.object(health, "cache", down):
        status, body = _get(client)
    assert (status, body["checks"]["cache"]["status"]) == (200, "failing")


def test_a_media_storage_that_refuses_writes_is_a_failure(client, media):
    refusing = mock.Mock(save=mock.Mock(side_effect=PermissionError))
    with mock.patch.object(health, "default_storage", refusing):
        status, body = _get(client)
    assert status == 503
    assert body["failing"] == ["storage"]


def test_a_media_storage_that_loses_files_is_a_failure(client, media):
    losing = mock.Mock(
        save=mock.Mock(return_value="healthz/x.txt"),
        open=mock.Mock(side_effect=FileNotFoundError),
    )
    with mock.patch.object(health, "default_storage", losing):
        status, body = _get(client)
    assert (status, body["checks"]["storage"]["status"]) == (503, "failing")


def test_an_unreachable_database_is_a_failure_and_the_rest_is_not_asked(client, media):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=health.DatabaseError("gone"),
    ):
        status, body = _get(client)
    assert status == 503
    assert body["database"] == "unavailable"
    assert body["checks"]["queue"] == {"status": "unknown"}


def test_the_queue_reports_its_oldest_waiting_task_and_the_workers_seen(client, media, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    queued = waiting_task.enqueue()
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=queued.id).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    workers.beat("worker-a")
    WorkerHeartbeat.objects.create(
        worker_id="worker-gone", seen_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    status, body = _get(client)
    queue = body["checks"]["queue"]
    assert status == 200
    assert queue["status"] == "ok"
    assert queue["waiting"] == 1
    assert 299 <= queue["oldest_waiting_seconds"] <= 330
    assert queue["workers"] == 1
    assert queue["last_worker_seen_seconds"] <= 5


def test_no_worker_seen_in_the_last_minute_is_reported_but_not_a_failure(client, media):
    WorkerHeartbeat.objects.create(
        worker_id="worker-gone", seen_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    status, body = _get(client)
    assert status == 200
    assert body["checks"]["queue"]["status"] == "no worker"
    assert body["checks"]["queue"]["last_worker_seen_seconds"] >= 120


def test_a_squashed_migration_counts_as_applied_when_all_it_replaces_are(monkeypatch):
    squashed = {("app", "0001_squashed_0002"): {("app", "0001"), ("app", "0002")}}
    monkeypatch.setattr(health, "_migrations_on_disk", lambda: squashed)
    assert health._unapplied({("app", "0001"), ("app", "0002")}) == []
    assert health._unapplied({("app", "0001")}) == ["app.0001_squashed_0002"]


def test_every_answer_says_how_long_the_portal_spent_on_it(client):
    """Server-Timing: a load test compares pages by their time in the worker, not queue time."""
    timing = client.get("/healthz")["Server-Timing"]
    assert timing.startswith("app;dur=") and float(timing.removeprefix("app;dur=")) >= 0
    assert client.get("/projects/")["Server-Timing"].startswith("app;dur=")  # the login redirect
