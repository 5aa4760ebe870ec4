"""Commit and undo ask for confirmation with the counts: the server writes only a request that
carries the counts the user was shown; any other request (a bare POST, a stale page) gets the
confirmation page and changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from councils.models import Council
from imports.models import ImportBatch
from tests.factories import CouncilFactory
from tests.helpers import EN
from tests.test_imports import xlsx

ROWS = [
    ["รหัสสภา", "ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ"],
    ["C330401", "ชื่อใหม่ของบึงมะลู", "บึงมะลู", "กันทรลักษ์"],
    ["", "สภาองค์กรชุมชนตำบลกุดเสลา", "กุดเสลา", "กันทรลักษ์"],
    ["", "สภาองค์กรชุมชนตำบลเสาธงชัย", "เสาธงชัย", "กันทรลักษ์"],
    ["", "สภาฯ", "ไม่มีตำบลนี้", "กันทรลักษ์"],
]


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_geography", "--province", "33", verbosity=0)


@pytest.fixture
def batch(staff_client):
    CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")
    staff_client.post(
        "/imports/", {"kind": "councils", "file": SimpleUploadedFile("c.xlsx", xlsx(ROWS))}
    )
    found = ImportBatch.objects.get()
    assert (found.rows_new, found.rows_changed, found.rows_error) == (2, 1, 1)
    return found


def commit(client, batch, **data):
    return client.post(f"/imports/{batch.pk}/commit/", {"mode": "valid", **data}, headers=EN)


def test_import_without_the_counts_shows_them_and_writes_nothing(staff_client, batch):
    page = commit(staff_client, batch)
    assert page.status_code == 200
    html = " ".join(page.content.decode().split())
    assert "Write 2 new and 1 changed records?" in html
    assert "1 rows with errors are left out" in html
    assert batch.commit_confirmation("valid") in html
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW
    assert Council.objects.count() == 1


@pytest.mark.parametrize("confirm", ["", "yes", "commit:valid:9:9:9:9", "commit:all:2:1:0:1"])
def test_a_request_with_other_counts_is_asked_again(staff_client, batch, confirm):
    page = commit(staff_client, batch, confirm=confirm)
    assert page.status_code == 200
    assert "Write 2 new and 1 changed records?" in " ".join(page.content.decode().split())
    assert Council.objects.count() == 1


def test_a_renewed_preview_asks_again_with_its_own_counts(staff_client, batch):
    shown = batch.commit_confirmation("valid")
    # The records move on between the confirmation page and the click: a new preview.
    batch.rows_new, batch.rows_changed = 1, 2
    batch.save()
    page = commit(staff_client, batch, confirm=shown)
    assert "Write 1 new and 2 changed records?" in " ".join(page.content.decode().split())
    assert Council.objects.count() == 1


def test_the_confirmed_counts_import(staff_client, batch):
    done = commit(staff_client, batch, confirm=batch.commit_confirmation("valid"))
    assert done.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    assert Council.objects.count() == 3


def test_the_confirmation_reads_in_thai(staff_client, batch):
    page = staff_client.post(f"/imports/{batch.pk}/commit/", {"mode": "valid"})
    html = " ".join(page.content.decode().split())
    assert "บันทึกข้อมูลใหม่ 2 รายการ และข้อมูลที่เปลี่ยนแปลง 1 รายการ ใช่หรือไม่" in html


def test_all_or_nothing_with_errors_is_refused_without_a_confirmation(staff_client, batch):
    refused = staff_client.post(
        f"/imports/{batch.pk}/commit/", {"mode": "all"}, headers=EN, follow=True
    )
    assert "1 rows have errors" in refused.content.decode()
    assert Council.objects.count() == 1


def test_undo_without_the_counts_shows_them_and_undoes_nothing(staff_client, batch):
    commit(staff_client, batch, confirm=batch.commit_confirmation("valid"))
    batch.refresh_from_db()
    page = staff_client.post(f"/imports/{batch.pk}/undo/", headers=EN)
    assert page.status_code == 200
    html = " ".join(page.content.decode().split())
    assert (
        "Undo: archive 2 records this import created and give 1 records their previous values back?"
    ) in html
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    assert Council.objects.active().count() == 3
    stale = staff_client.post(f"/imports/{batch.pk}/undo/", {"confirm": "undo:1:0:0"})
    assert stale.status_code == 200
    assert Council.objects.active().count() == 3


def test_the_confirmed_undo_undoes(staff_client, batch):
    commit(staff_client, batch, confirm=batch.commit_confirmation("valid"))
    batch.refresh_from_db()
    done = staff_client.post(f"/imports/{batch.pk}/undo/", {"confirm": batch.undo_confirmation()})
    assert done.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE
    assert Council.objects.active().count() == 1


def test_another_users_batch_gets_no_confirmation_page(client, batch):
    from tests.factories import UserFactory

    client.force_login(UserFactory(role="staff"))
    assert commit(client, batch).status_code == 404
