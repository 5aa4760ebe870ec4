"""Exports above EXPORT_BACKGROUND_ROWS are prepared by a background worker: the list offers
it, the requester's page shows the progress then a link, and the file holds exactly what the
list would have streamed, within the requester's scope. Only the requester (and the
administrators) reach it; a worker that died does not leave anyone waiting; old files go."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal import export_jobs
from portal.models import ExportJob
from tests.factories import CouncilFactory, ProjectFactory, ProvinceFactory, UserFactory
from tests.helpers import EN, content_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_threshold(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_BACKGROUND_ROWS = 3


@pytest.fixture
def projects(council):
    elsewhere = CouncilFactory(subdistrict__district__province=ProvinceFactory(code="10"))
    for number in range(4):
        ProjectFactory(council=council, title_th=f"โครงการที่ {number}")
    ProjectFactory(council=elsewhere, title_th="=โครงการนอกจังหวัด")
    return council


def streamed(client, settings, path: str) -> bytes:
    """The export as the list streams it (the threshold raised for one request)."""
    threshold = settings.EXPORT_BACKGROUND_ROWS
    settings.EXPORT_BACKGROUND_ROWS = 1_000_000
    try:
        response = client.get(path)
        assert response.streaming
        return content_of(response)
    finally:
        settings.EXPORT_BACKGROUND_ROWS = threshold


def prepared(client, path: str) -> ExportJob:
    """Ask for the export in the background (the tests' tasks run at once); its job."""
    response = client.post("/exports/", {"path": path})
    assert response.status_code == 302
    job = ExportJob.objects.latest("pk")
    assert response["Location"] == f"/exports/{job.pk}/"
    return job


def downloaded(client, job: ExportJob) -> bytes:
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="projects-')
    return content_of(response)


def cells(content: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


# --- routing ------------------------------------------------------------------------------


def test_an_export_up_to_the_threshold_is_streamed_at_once(admin_client, council, settings):
    for _ in range(3):
        ProjectFactory(council=council)
    response = admin_client.get("/projects/", {"format": "csv"})
    assert response.streaming
    assert not ExportJob.objects.exists()


def test_a_larger_export_is_offered_to_the_background_and_nothing_is_queued_yet(
    admin_client, projects
):
    response = admin_client.get("/projects/", {"format": "csv", "status": ""}, headers=EN)
    assert response.status_code == 200 and not response.streaming
    page = response.content.decode()
    assert "5 rows" in page and 'action="/exports/"' in page
    assert 'value="/projects/?format=csv&amp;status="' in page
    assert not ExportJob.objects.exists()  # a GET changes nothing


def test_the_list_links_to_a_large_export_as_a_page_not_a_download(admin_client, projects):
    page = admin_client.get("/projects/").content.decode()
    assert 'href="?format=csv"' in page and 'href="?format=csv" download' not in page


def test_the_offer_page_is_in_thai(admin_client, projects):
    page = admin_client.get("/projects/", {"format": "xlsx"}).content.decode()
    assert "เตรียมไฟล์" in page and "Prepare" not in page


# --- the file is the streamed export --------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, EN])
def test_the_prepared_csv_is_byte_for_byte_the_streamed_one(
    admin_client, projects, settings, headers
):
    path = "/projects/?sort=-code&format=csv"
    if headers:
        admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    job = prepared(admin_client, path)
    assert job.status == ExportJob.Status.DONE and job.rows_total == job.rows_done == 5
    assert job.language == ("en" if headers else "th")
    assert downloaded(admin_client, job) == streamed(admin_client, settings, path)


def test_the_prepared_workbook_holds_the_streamed_cells(admin_client, projects, settings):
    path = "/projects/?q=โครงการ&format=xlsx"
    job = prepared(admin_client, path)
    content = downloaded(admin_client, job)
    assert cells(content) == cells(streamed(admin_client, settings, path))
    assert len(cells(content)) == 1 + 5


@pytest.mark.parametrize("role", ["staff", "council_editor", "viewer"])
def test_a_prepared_export_keeps_to_the_requesters_scope(client, projects, sisaket, role, settings):
    user = UserFactory(role=role, council=projects if role == "council_editor" else None)
    user.provinces.add(sisaket)
    client.force_login(user)
    settings.EXPORT_BACKGROUND_ROWS = 1
    job = prepared(client, "/projects/?format=csv")
    content = downloaded(client, job)
    assert content == streamed(client, settings, "/projects/?format=csv")
    assert "นอกจังหวัด" not in content.decode("utf-8-sig")
    assert len(content.decode("utf-8-sig").strip().splitlines()) == 1 + 4


def test_the_same_export_on_its_way_is_not_queued_twice(admin_client, projects, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    first = prepared(admin_client, "/projects/?format=csv")
    second = prepared(admin_client, "/projects/?format=csv")
    assert first == second and first.status == ExportJob.Status.QUEUED
    assert ExportJob.objects.count() == 1


def test_the_page_shows_the_progress_while_it_is_prepared(admin_client, admin_user):
    job = ExportJob.objects.create(
        created_by=admin_user,
        path="/projects/?format=csv",
        file_format="csv",
        language="en",
        status=ExportJob.Status.RUNNING,
        rows_total=100_000,
        rows_done=42_000,
        heartbeat_at=timezone.now(),
    )
    page = admin_client.get(f"/exports/{job.pk}/", headers=EN).content.decode()
    assert "42000 of 100000 rows" in page and 'http-equiv="refresh"' in page
    assert admin_client.get(f"/exports/{job.pk}/download/").status_code == 404


def test_the_progress_is_saved_as_the_rows_are_written(admin_client, projects, monkeypatch):
    seen = []
    monkeypatch.setattr(export_jobs, "PROGRESS_SECONDS", 0)
    monkeypatch.setattr("portal.exports.CHUNK_ROWS", 2)
    original = export_jobs._Progress.__call__

    def spy(self, rows):
        seen.append(rows)
        original(self, rows)

    monkeypatch.setattr(export_jobs._Progress, "__call__", spy)
    prepared(admin_client, "/projects/?format=csv")
    assert seen == [2, 4]


# --- who may download ---------------------------------------------------------------------


def test_only_the_requester_and_administrators_reach_a_prepared_export(client, projects, sisaket):
    owner, other = UserFactory(role="staff"), UserFactory(role="staff")
    for user in (owner, other):
        user.provinces.add(sisaket)
    client.force_login(owner)
    job = prepared(client, "/projects/?format=csv")
    client.force_login(other)
    assert client.get(f"/exports/{job.pk}/").status_code == 404
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    client.force_login(UserFactory(role="admin", is_superuser=True))
    assert client.get(f"/exports/{job.pk}/download/").status_code == 200
    client.logout()
    assert client.get(f"/exports/{job.pk}/download/").status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "",
        "https://evil.example/projects/?format=csv",
        "//evil.example/projects/?format=csv",
        "/projects/?format=pdf",
        "/projects/",
        "/projects/1/?format=csv",
        "/healthz?format=csv",
        "/no-such-page/?format=csv",
        "/projects/?format=csv&q=" + "ก" * 2000,
    ],
)
def test_an_address_that_is_not_a_list_export_is_refused(admin_client, projects, path):
    response = admin_client.post("/exports/", {"path": path})
    assert response.status_code == 400
    assert "ส่งออก" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_asking_without_a_post_changes_nothing(admin_client, projects):
    assert admin_client.get("/exports/", {"path": "/projects/?format=csv"}).status_code == 405
    assert not ExportJob.objects.exists()


def test_a_requester_who_lost_the_right_gets_no_file(client, projects, sisaket, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    user = UserFactory(role="staff")
    user.provinces.add(sisaket)
    client.force_login(user)
    job = prepared(client, "/projects/?format=csv")
    user.is_active = False
    user.save()
    assert export_jobs.prepare(job) == "refused"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file


# --- a lost worker, old files ---------------------------------------------------------------


def _running(user, *, beat_ago: int) -> ExportJob:
    return ExportJob.objects.create(
        created_by=user,
        path="/projects/?format=csv",
        file_format="csv",
        language="th",
        status=ExportJob.Status.RUNNING,
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=beat_ago),
    )


def test_an_export_whose_worker_stopped_beating_is_shown_stopped(admin_client, admin_user):
    alive, lost = _running(admin_user, beat_ago=5), _running(admin_user, beat_ago=600)
    admin_client.get(f"/exports/{alive.pk}/")
    page = admin_client.get(f"/exports/{lost.pk}/", headers=EN).content.decode()
    alive.refresh_from_db()
    lost.refresh_from_db()
    assert alive.status == ExportJob.Status.RUNNING
    assert lost.status == ExportJob.Status.FAILED and lost.notice == "lost"
    assert "worker preparing it was lost" in page and 'http-equiv="refresh"' not in page


def test_a_workers_sweep_stops_the_exports_it_left(admin_user):
    from portal import workers

    lost = _running(admin_user, beat_ago=600)
    workers.sweep()
    lost.refresh_from_db()
    assert lost.status == ExportJob.Status.FAILED


def test_an_export_that_failed_says_so_and_keeps_no_one_waiting(
    admin_client, projects, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_jobs.tempfile, "TemporaryFile", broken)
    job = prepared(admin_client, "/projects/?format=csv")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and job.notice == "failed"
    page = admin_client.get(f"/exports/{job.pk}/").content.decode()
    assert "disk full" not in page and 'href="/projects/"' in page


def test_old_exports_are_pruned_with_their_files(admin_client, projects, settings):
    settings.EXPORT_KEEP_DAYS = 7
    job = prepared(admin_client, "/projects/?format=csv")
    kept = prepared(admin_client, "/projects/?format=xlsx")
    storage, name = job.file.storage, job.file.name
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    assert admin_client.get(f"/exports/{job.pk}/download/").status_code == 404
    call_command("prune_exports", verbosity=0)
    assert list(ExportJob.objects.all()) == [kept]
    assert not storage.exists(name) and kept.file.storage.exists(kept.file.name)


# --- a real worker, a constant number of queries --------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_worker_prepares_the_file(admin_client, projects, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = prepared(admin_client, "/projects/?format=csv")
    assert job.status == ExportJob.Status.QUEUED and job.task_id
    assert "รอ" in admin_client.get(f"/exports/{job.pk}/").content.decode()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert downloaded(admin_client, job) == streamed(admin_client, settings, job.path)


def test_a_streamed_export_reads_its_rows_in_a_constant_number_of_queries(
    admin_client, council, settings
):
    settings.EXPORT_BACKGROUND_ROWS = 1_000_000

    def queries(count: int) -> int:
        for _ in range(count):
            ProjectFactory(council=council)
        with CaptureQueriesContext(connection) as captured:
            content_of(admin_client.get("/projects/", {"format": "csv"}))
        return len(captured)

    assert queries(3) == queries(30)


def test_the_exports_page_is_in_thai(admin_client, projects):
    job = prepared(admin_client, "/projects/?format=csv")
    page = admin_client.get(f"/exports/{job.pk}/").content.decode()
    assert "ไฟล์พร้อมแล้ว" in page and "ดาวน์โหลด" in page and "พร้อมแล้ว" in page
    for english in ("Download", "ready", "rows", "Export #", "deleted after"):
        assert english not in page
