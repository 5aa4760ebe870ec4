"""A batch is written once with the right counts, whatever the number of clicks, tabs, users
and workers; an undo is done once and counts what the preview counted."""

import threading
import time

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from councils.models import Council, CouncilMember
from imports import bulk, service
from imports.models import ImportBatch
from imports.tasks import commit_task
from projects.models import Project
from tests.factories import CouncilFactory, CouncilMemberFactory, ProgrammeFactory
from tests.test_imports import xlsx

ROWS = 30


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def batch(db, staff_user):
    """A previewed file of new projects."""
    ProgrammeFactory(code="housing")
    council = CouncilFactory(code="C001")
    rows = [["code", "title_th", "programme", "council", "fiscal_year"]] + [
        [f"P-{n:03}", f"โครงการ {n}", "housing", council.code, 2567] for n in range(ROWS)
    ]
    upload = SimpleUploadedFile("projects.xlsx", xlsx(rows))
    return service.store_upload(upload, "projects", staff_user)


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_written_once(batch):
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    assert (batch.rows_new, batch.rows_changed, batch.rows_unchanged) == (ROWS, 0, 0)
    assert Project.objects.count() == ROWS
    assert Project.history.filter(history_change_reason=f"import:{batch.pk}").count() == ROWS


# Clicks ---------------------------------------------------------------------------------------


def confirmed(batch) -> dict:
    """The import button's form, as the confirmation page sends it."""
    return {"mode": "all", "confirm": batch.commit_confirmation("all")}


def test_a_second_click_on_import_is_told_plainly_and_writes_nothing(staff_client, batch):
    first = staff_client.post(f"/imports/{batch.pk}/commit/", confirmed(batch))
    assert first.status_code == 302
    staff_client.cookies["django_language"] = "en"
    second = staff_client.post(f"/imports/{batch.pk}/commit/", confirmed(batch))
    assert second.status_code == 302
    assert told(second)[-1] == (
        "This import was already confirmed and written; nothing was imported twice."
    )
    assert_written_once(batch)


def test_a_click_while_another_is_writing_gets_a_message_not_an_error_page(staff_client, batch):
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.IMPORTING)
    staff_client.cookies["django_language"] = "en"
    response = staff_client.post(f"/imports/{batch.pk}/commit/", confirmed(batch))
    assert response.status_code == 302
    assert told(response) == [
        "This import is being written now (it was confirmed a moment ago): nothing more to "
        "do. Its page shows the result when it is done."
    ]
    assert not Project.objects.exists()
    with translation.override("th"):
        assert "กำลังบันทึก" in str(service._taken(batch.pk))


def test_a_confirmation_from_an_old_page_after_the_import_writes_nothing(staff_user, batch):
    stale = ImportBatch.objects.get(pk=batch.pk)  # as another tab loaded it
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    with pytest.raises(service.AlreadyTaken):
        service.commit(stale, staff_user, ImportBatch.Mode.ALL)
    with pytest.raises(service.AlreadyTaken):
        service.commit(stale, staff_user, ImportBatch.Mode.VALID)
    assert_written_once(batch)


def test_a_cancelled_batch_cannot_be_confirmed(staff_user, batch):
    service.cancel(batch)
    with translation.override("en"), pytest.raises(service.AlreadyTaken) as refused:
        service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    assert "was cancelled" in str(refused.value)
    assert not Project.objects.exists()


# Large files: the request queues, a worker writes ---------------------------------------------


def test_two_confirmations_of_a_large_file_queue_one_task(staff_user, batch, settings):
    settings.IMPORT_BACKGROUND_BYTES = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    stale = ImportBatch.objects.get(pk=batch.pk)
    assert service.request_commit(batch, staff_user, ImportBatch.Mode.ALL) is True
    with pytest.raises(service.AlreadyTaken):
        service.request_commit(stale, staff_user, ImportBatch.Mode.ALL)
    assert DBTaskResult.objects.count() == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTING


def test_a_second_worker_finds_the_batch_written_and_keeps_its_counts(staff_user, batch):
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.IMPORTING)
    assert commit_task.enqueue(batch.pk, staff_user.pk, "all").return_value == "imported"
    assert commit_task.enqueue(batch.pk, staff_user.pk, "all").return_value == "skipped"
    # Even past the task's own check: the commit itself refuses a batch already written.
    with pytest.raises(service.AlreadyTaken):
        service.commit(batch, staff_user, ImportBatch.Mode.ALL, queued=True)
    assert_written_once(batch)


# Real concurrency (PostgreSQL: row locks; SQLite serialises every writer) ---------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent writers need PostgreSQL"
)


def _race(batch, user, queued: bool, monkeypatch) -> list[str]:
    """Two commits of one batch at the same moment, each in its own thread and connection;
    the first to claim it writes slowly, so the second arrives while it writes."""
    save = bulk.save

    def slow_save(*args, **kwargs):
        time.sleep(0.5)
        return save(*args, **kwargs)

    monkeypatch.setattr(bulk, "save", slow_save)
    start = threading.Barrier(2)
    outcomes = []

    def confirm():
        try:
            start.wait()
            mine = ImportBatch.objects.get(pk=batch.pk)
            service.commit(mine, user, ImportBatch.Mode.ALL, queued=queued)
            outcomes.append("imported")
        except service.AlreadyTaken:
            outcomes.append("taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_users_confirming_at_once_write_the_batch_once(staff_user, batch, monkeypatch):
    assert _race(batch, staff_user, False, monkeypatch) == ["imported", "taken"]
    assert_written_once(batch)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_queued_batch_write_it_once_with_the_right_counts(
    staff_user, batch, monkeypatch
):
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.IMPORTING)
    assert _race(batch, staff_user, True, monkeypatch) == ["imported", "taken"]
    assert_written_once(batch)


# Undo -----------------------------------------------------------------------------------------


@pytest.fixture
def chairs_changed(db, staff_user):
    """Five councils whose name and chair an import changed (each change of chair archives
    nothing but demotes one member and makes another)."""
    councils = []
    for n in range(5):
        council = CouncilFactory(code=f"C00{n}")
        CouncilMemberFactory(council=council, full_name=f"นางเดิม {n}", role="chair")
        councils.append(council)
    rows = [["code", "name_th", "chair"]] + [
        [council.code, f"ชื่อใหม่ {n}", f"นายใหม่ {n}"] for n, council in enumerate(councils)
    ]
    batch = service.store_upload(SimpleUploadedFile("c.xlsx", xlsx(rows)), "councils", staff_user)
    assert (batch.rows_changed, batch.rows_new) == (5, 0)
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    return batch


def test_undo_reports_what_the_preview_counted(staff_client, chairs_changed):
    staff_client.cookies["django_language"] = "en"
    response = staff_client.post(
        f"/imports/{chairs_changed.pk}/undo/", {"confirm": chairs_changed.undo_confirmation()}
    )
    assert told(response) == [
        "Undone: 0 records archived, 5 given their previous values, 0 left as they are "
        "because they were edited since."
    ]
    chairs_changed.refresh_from_db()
    report = chairs_changed.undo_report
    assert (len(report["removed"]), len(report["restored"]), len(report["kept"])) == (0, 5, 0)
    assert (len(report["related"]["removed"]), len(report["related"]["restored"])) == (5, 5)
    assert not Council.objects.filter(name_th__startswith="ชื่อใหม่").exists()
    assert set(CouncilMember.objects.active().values_list("full_name", "role")) == {
        (f"นางเดิม {n}", "chair") for n in range(5)
    }
    page = staff_client.get(f"/imports/{chairs_changed.pk}/").content.decode()
    assert "5 records got their previous values back." in page
    assert "10 related records (such as a council's chair) were put back as well." in page


def test_a_second_undo_says_it_was_already_undone_and_changes_nothing(
    staff_client, staff_user, chairs_changed
):
    stale = ImportBatch.objects.get(pk=chairs_changed.pk)
    staff_client.cookies["django_language"] = "en"
    staff_client.post(
        f"/imports/{chairs_changed.pk}/undo/", {"confirm": chairs_changed.undo_confirmation()}
    )
    history = Council.history.count() + CouncilMember.history.count()
    again = staff_client.post(
        f"/imports/{chairs_changed.pk}/undo/", {"confirm": chairs_changed.undo_confirmation()}
    )
    assert again.status_code == 302
    assert told(again)[-1] == "This import was already undone; nothing was changed now."
    with pytest.raises(service.AlreadyTaken):
        service.undo(stale, staff_user)
    assert Council.history.count() + CouncilMember.history.count() == history
    chairs_changed.refresh_from_db()
    assert len(chairs_changed.undo_report["restored"]) == 5


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_undos_at_once_take_the_batch_back_once(staff_user, batch):
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    start = threading.Barrier(2)
    outcomes = []

    def undo():
        try:
            start.wait()
            service.undo(ImportBatch.objects.get(pk=batch.pk), staff_user)
            outcomes.append("undone")
        except service.AlreadyTaken:
            outcomes.append("taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=undo) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["taken", "undone"]
    assert Project.history.filter(history_change_reason=f"undo:{batch.pk}").count() == ROWS
    batch.refresh_from_db()
    assert (batch.status, len(batch.undo_report["removed"])) == ("undone", ROWS)
