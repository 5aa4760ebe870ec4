"""Undo of a large import runs in the background, as its import did: claimed once, with the
progress bar on the batch page, the report when it is done; an undo that fails half-way
writes nothing and the batch says why in the user's language."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from councils.models import Council, CouncilMember
from imports import service
from imports.models import ImportBatch
from imports.tasks import undo_task
from projects.models import Project
from tests.test_imports_commit_once import ROWS, batch, chairs_changed  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def imported(batch, staff_user, settings):  # noqa: F811 - the fixture imported above
    """Thirty new projects, written; their file counts as large from now on."""
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    large(settings, batch)
    return batch


@pytest.fixture
def chairs(chairs_changed, settings):  # noqa: F811 - the fixture imported above
    """Five councils renamed and given new chairs, written; their file counts as large."""
    return large(settings, chairs_changed)


def large(settings, import_batch):
    settings.IMPORT_BACKGROUND_BYTES = 1000  # the test files (a few KB) count as large here
    assert import_batch.size > settings.IMPORT_BACKGROUND_BYTES
    return import_batch


def work():
    """What a worker process does: run the queued tasks."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def confirmed(import_batch) -> dict:
    return {"confirm": import_batch.undo_confirmation()}


def undo_history(import_batch) -> int:
    return Project.history.filter(history_change_reason=f"undo:{import_batch.pk}").count()


def assert_undone_once(import_batch):
    import_batch.refresh_from_db()
    assert import_batch.status == ImportBatch.Status.UNDONE
    assert len(import_batch.undo_report["removed"]) == ROWS
    assert (import_batch.progress_done, import_batch.progress_total) == (ROWS, ROWS)
    assert Project.objects.filter(archived_at__isnull=False).count() == ROWS
    assert undo_history(import_batch) == ROWS


# The immediate backend (tests, small set-ups): done by the time the page loads ----------------


def test_with_the_immediate_backend_a_large_undo_is_done_when_the_page_loads(
    staff_client, imported
):
    response = staff_client.post(f"/imports/{imported.pk}/undo/", confirmed(imported))
    assert response.url == f"/imports/{imported.pk}/"
    assert_undone_once(imported)
    page = staff_client.get(response.url).content.decode()
    assert f"{ROWS} records created by the import were archived." in page
    assert 'id="batch-progress"' not in page


def test_a_small_import_is_undone_in_the_request_with_its_counts(
    staff_client, imported, settings, database_tasks
):
    settings.IMPORT_BACKGROUND_BYTES = 200_000
    response = staff_client.post(f"/imports/{imported.pk}/undo/", confirmed(imported))
    assert told(response) == [
        f"Undone: {ROWS} records archived, 0 given their previous values, 0 left as they are "
        "because they were edited since."
    ]
    assert not DBTaskResult.objects.exists()
    assert_undone_once(imported)


# The database backend and a worker -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_large_undo_is_queued_shows_the_bar_and_the_worker_takes_the_batch_back(
    staff_client, imported, database_tasks
):
    response = staff_client.post(f"/imports/{imported.pk}/undo/", confirmed(imported))
    assert response.url == f"/imports/{imported.pk}/"
    imported.refresh_from_db()
    assert imported.status == ImportBatch.Status.UNDOING
    assert (imported.progress_done, imported.progress_total) == (0, ROWS)
    assert DBTaskResult.objects.count() == 1
    assert not Project.objects.filter(archived_at__isnull=False).exists()

    page = staff_client.get(response.url).content.decode()
    assert 'id="batch-progress"' in page
    assert "Undoing in the background" in page
    assert f"Taking back {ROWS} records in one go (all or nothing)" in page
    assert "/static/js/import-progress.js" in page
    assert "<script>" not in page  # no inline script (CSP)
    assert f'action="/imports/{imported.pk}/undo/"' not in page  # no second button
    assert staff_client.get(f"/imports/{imported.pk}/progress/").json() == {
        "status": "undoing",
        "status_label": "being undone",
        "working": True,
        "done": 0,
        "total": ROWS,
    }

    work()
    assert_undone_once(imported)
    progress = staff_client.get(f"/imports/{imported.pk}/progress/").json()
    assert (progress["status"], progress["working"], progress["done"]) == ("undone", False, ROWS)
    page = staff_client.get(response.url).content.decode()
    assert 'id="batch-progress"' not in page
    assert f"{ROWS} records created by the import were archived." in page


def test_the_bar_says_so_in_thai(client, staff_user, imported, database_tasks, settings):
    service.request_undo(imported, staff_user)
    client.force_login(staff_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    page = client.get(f"/imports/{imported.pk}/").content.decode()
    assert "กำลังยกเลิกการนำเข้าเบื้องหลัง" in page
    assert f"กำลังย้อนกลับ {ROWS} รายการในครั้งเดียว" in page


# Once, whatever the clicks, users and workers ----------------------------------------------


def test_a_second_click_while_the_undo_is_queued_is_told_plainly_and_queues_nothing(
    staff_client, imported, database_tasks
):
    staff_client.post(f"/imports/{imported.pk}/undo/", confirmed(imported))
    again = staff_client.post(f"/imports/{imported.pk}/undo/", confirmed(imported))
    assert again.status_code == 302
    assert told(again)[-1] == (
        "This import is being undone now (it was asked a moment ago): nothing more to do. "
        "Its page shows the report when it is done."
    )
    assert DBTaskResult.objects.count() == 1
    with translation.override("th"):
        assert "กำลังถูกยกเลิก" in str(service._undo_taken(imported.pk))


def test_two_workers_on_one_queued_undo_take_the_batch_back_once(
    staff_user, imported, database_tasks
):
    assert service.request_undo(imported, staff_user) is None
    assert undo_task.call(imported.pk, staff_user.pk) == "undone"
    assert undo_task.call(imported.pk, staff_user.pk) == "skipped"
    # Even past the task's own check: the undo itself refuses a batch already undone.
    with pytest.raises(service.AlreadyTaken):
        service.undo(imported, staff_user, queued=True)
    with pytest.raises(service.AlreadyTaken):
        service.request_undo(imported, staff_user)
    assert_undone_once(imported)


def test_an_undo_click_after_the_worker_is_done_says_it_was_already_undone(
    staff_client, staff_user, imported
):
    stale = ImportBatch.objects.get(pk=imported.pk)
    service.request_undo(imported, staff_user)
    with pytest.raises(service.AlreadyTaken) as refused, translation.override("en"):
        service.request_undo(stale, staff_user)
    assert str(refused.value) == "This import was already undone; nothing was changed now."
    assert_undone_once(imported)


def test_an_import_not_yet_written_cannot_be_undone(staff_user, batch, settings):  # noqa: F811
    large(settings, batch)
    with pytest.raises(service.CommitRefused) as refused, translation.override("en"):
        service.request_undo(batch, staff_user)
    assert str(refused.value) == "Only a completed import can be undone."
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent writers need PostgreSQL"
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_users_undoing_a_large_import_at_once_queue_it_once(
    staff_user, imported, database_tasks
):
    start = threading.Barrier(2)
    outcomes = []

    def ask():
        try:
            start.wait()
            service.request_undo(ImportBatch.objects.get(pk=imported.pk), staff_user)
            outcomes.append("queued")
        except service.AlreadyTaken:
            outcomes.append("taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["queued", "taken"]
    assert DBTaskResult.objects.count() == 1
    work()
    assert_undone_once(imported)


# An undo that fails half-way writes nothing ----------------------------------------------------


def fail_on_second_write(monkeypatch, error):
    """The first model's records are written, then the next write fails: the real database
    error of a bad statement, or any other error."""
    real = service.bulk_update_with_history
    calls = []

    def failing(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 2:
            if error == "database":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT * FROM no_such_table")
            raise RuntimeError("a bug half-way")
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "bulk_update_with_history", failing)
    return calls


def state() -> tuple:
    """Every council and member as the undo would change them."""
    return (
        sorted(Council.objects.values_list("pk", "name_th", "version", "archived_at")),
        sorted(
            CouncilMember.objects.values_list("pk", "full_name", "role", "version", "archived_at")
        ),
    )


def assert_nothing_undone(import_batch, before):
    import_batch.refresh_from_db()
    assert import_batch.status == ImportBatch.Status.IMPORTED
    assert import_batch.undone_at is None and import_batch.undo_report == {}
    assert state() == before
    assert {f"ชื่อใหม่ {n}" for n in range(5)} <= {council[1] for council in before[0]}
    reason = f"undo:{import_batch.pk}"
    assert not Council.history.filter(history_change_reason=reason).exists()
    assert not CouncilMember.history.filter(history_change_reason=reason).exists()


FAILED = (
    "The undo could not be finished, so nothing was undone: the import is as it was. Try "
    "again; if it fails again, ask an administrator."
)


@pytest.mark.parametrize("error", ["database", "other"])
def test_a_background_undo_that_fails_half_way_leaves_everything_and_says_why(
    staff_client, chairs, monkeypatch, error
):
    calls = fail_on_second_write(monkeypatch, error)
    before = state()
    response = staff_client.post(f"/imports/{chairs.pk}/undo/", confirmed(chairs))
    assert len(calls) == 2  # the councils were written before the failure
    assert response.status_code == 302
    assert_nothing_undone(chairs, before)
    with translation.override("en"):
        assert service.render_message(chairs.notice) == FAILED
    with translation.override("th"):
        assert service.render_message(chairs.notice).startswith(
            "ยกเลิกการนำเข้าไม่สำเร็จ จึงไม่มีสิ่งใดถูกย้อนกลับ"
        )
    page = staff_client.get(f"/imports/{chairs.pk}/").content.decode()
    assert FAILED in page
    assert "no_such_table" not in page and "a bug half-way" not in page
    assert f'action="/imports/{chairs.pk}/undo/"' in page  # it may be asked again

    monkeypatch.undo()
    staff_client.post(f"/imports/{chairs.pk}/undo/", confirmed(chairs))
    chairs.refresh_from_db()
    assert (chairs.status, chairs.notice) == ("undone", {})
    assert not Council.objects.filter(name_th__startswith="ชื่อใหม่").exists()


def test_a_small_undo_that_fails_half_way_leaves_everything_and_says_why(
    staff_client, chairs, monkeypatch, settings
):
    settings.IMPORT_BACKGROUND_BYTES = 200_000
    fail_on_second_write(monkeypatch, "database")
    before = state()
    response = staff_client.post(f"/imports/{chairs.pk}/undo/", confirmed(chairs))
    assert response.status_code == 302
    assert told(response) == [FAILED]
    assert_nothing_undone(chairs, before)
