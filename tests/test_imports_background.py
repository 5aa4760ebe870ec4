"""Large files: checked and imported by a background worker (django.tasks with the database
backend and `manage.py db_worker`), with the progress on the batch page."""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from councils.models import Council
from imports import service
from imports.models import ImportBatch

DATA = Path(__file__).parent / "data"
ROSTER = (DATA / "kantharalak_council_roster.xlsx").read_bytes()


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_BACKGROUND_BYTES = 1000  # the roster (7 KB) counts as large here
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    call_command("load_geography", "--province", "33", verbosity=0)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def work():
    """What a worker process does: run the queued tasks (then close its connection, which is
    why these tests commit for real: `transaction=True`)."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


worker_test = pytest.mark.django_db(transaction=True)


def upload(client, name="roster.xlsx", content=ROSTER):
    return client.post("/imports/", {"kind": "councils", "file": SimpleUploadedFile(name, content)})


@worker_test
def test_a_large_file_is_queued_checked_by_the_worker_and_imported_by_it(
    staff_client, database_tasks
):
    response = upload(staff_client)
    batch = ImportBatch.objects.get()
    assert response.url == f"/imports/{batch.pk}/"
    assert batch.status == "queued"
    assert DBTaskResult.objects.count() == 1
    page = staff_client.get(response.url).content.decode()
    assert 'id="batch-progress"' in page
    assert "/static/js/import-progress.js" in page
    assert "<script>" not in page  # no inline script (CSP)
    assert staff_client.get(f"/imports/{batch.pk}/progress/").json()["working"] is True

    work()
    batch.refresh_from_db()
    assert (batch.status, batch.rows_new, batch.progress_done, batch.progress_total) == (
        "preview",
        20,
        20,
        20,
    )
    progress = staff_client.get(f"/imports/{batch.pk}/progress/").json()
    assert progress == {
        "status": "preview",
        "status_label": "waiting for confirmation",
        "working": False,
        "done": 20,
        "total": 20,
    }

    confirm = batch.commit_confirmation("all")
    staff_client.post(f"/imports/{batch.pk}/commit/", {"mode": "all", "confirm": confirm})
    batch.refresh_from_db()
    assert batch.status == "importing"
    assert not Council.objects.exists()
    page = staff_client.get(f"/imports/{batch.pk}/").content.decode()
    assert "Writing 20 rows in one go (all or nothing)" in page
    work()
    batch.refresh_from_db()
    assert batch.status == "imported"
    assert Council.objects.count() == 20


@worker_test
def test_a_large_bad_file_is_refused_by_the_worker_and_its_file_removed(
    staff_client, database_tasks
):
    upload(staff_client, "report.xlsx", b"%PDF-1.4 " + b"x" * 2000)
    batch = ImportBatch.objects.get()
    stored = batch.file.name
    work()
    batch.refresh_from_db()
    assert batch.status == "refused"
    assert not default_storage.exists(stored)
    page = staff_client.get(f"/imports/{batch.pk}/").content.decode()
    assert "This file is not an Excel workbook, though its name ends in .xlsx." in page
    assert not Council.objects.exists()


@worker_test
def test_a_background_commit_that_meets_changed_records_writes_nothing(
    staff_client, staff_user, database_tasks
):
    upload(staff_client)
    work()
    batch = ImportBatch.objects.get()
    confirm = batch.commit_confirmation("all")
    staff_client.post(f"/imports/{batch.pk}/commit/", {"mode": "all", "confirm": confirm})
    # Meanwhile someone creates one of the councils by hand.
    from tests.factories import CouncilFactory

    CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304", version=3)
    work()
    batch.refresh_from_db()
    assert batch.status == "preview"
    assert "changed since the preview" in service.render_message(batch.notice)
    assert Council.objects.count() == 1


def test_with_the_immediate_backend_the_work_is_done_by_the_time_the_page_loads(staff_client):
    upload(staff_client)
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rows_new) == ("preview", 20)


def test_checking_a_thousand_rows_at_a_time_gives_the_same_preview(staff_user, monkeypatch):
    whole = service.store_upload(SimpleUploadedFile("a.xlsx", ROSTER), "councils", staff_user)
    monkeypatch.setattr(service, "CHUNK_ROWS", 7)
    chunked = service.store_upload(SimpleUploadedFile("b.xlsx", ROSTER), "councils", staff_user)
    whole.refresh_from_db()
    chunked.refresh_from_db()
    assert len(whole.preview["rows"]) == 20
    assert whole.preview["rows"] == chunked.preview["rows"]
