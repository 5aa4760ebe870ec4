"""CODI staff bring in a messy district roster: preview with errors, the rejected rows
downloaded, the valid rows imported, then the whole batch undone."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from councils.models import Council
from imports.models import ImportBatch
from imports.spreadsheets import XLSX
from tests.factories import CouncilFactory
from tests.test_imports import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_upload_preview_download_errors_import_valid_rows_and_undo(page, log_in, screenshot):
    call_command("load_geography", "--province", "33", verbosity=0)
    log_in("somchai", role="staff", first_name="สมชาย")
    page.get_by_role("link", name="นำเข้าข้อมูล").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ศูนย์นำเข้าข้อมูล")
    expect(page.get_by_role("link", name="ดาวน์โหลดแบบฟอร์ม")).to_have_count(8)
    screenshot("import-centre-th")
    page.get_by_label("ข้อมูลในไฟล์").select_option("councils")
    page.get_by_label("ไฟล์ (.xlsx หรือ .csv)").set_input_files(
        str(DATA / "councils_with_errors.xlsx")
    )
    page.get_by_role("button", name="ตรวจไฟล์").click()

    table = page.locator("#preview-table")
    expect(table.locator("tr.outcome-error")).to_have_count(3)
    expect(table.locator("tr.outcome-new")).to_have_count(3)
    error_row = table.locator("tr.outcome-error", has_text='"many" ไม่ใช่จำนวนเต็ม')
    expect(error_row).to_contain_text("7")
    expect(error_row).to_contain_text("Households")
    expect(page.locator("#mode-all")).to_be_disabled()
    assert not Council.objects.exists()
    screenshot("import-preview-th")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="ดาวน์โหลดแถวที่ผิดพลาด").click()
    download = download_info.value
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "แถวในไฟล์เดิม" and rows[0][-1] == "เหตุผล"
    assert [row[0] for row in rows[1:]] == [6, 7, 8]

    page.get_by_label("นำเข้าเฉพาะแถวที่ถูกต้อง").check()
    page.get_by_role("button", name="นำเข้าข้อมูล", exact=True).click()
    expect(page.locator("#confirm-question")).to_have_text(
        "บันทึกข้อมูลใหม่ 3 รายการ และข้อมูลที่เปลี่ยนแปลง 0 รายการ ใช่หรือไม่"
    )
    page.get_by_role("button", name="ยืนยัน นำเข้าข้อมูล").click()
    expect(page.get_by_role("alert")).to_contain_text("นำเข้าแล้ว: ใหม่ 3 รายการ")
    assert Council.objects.active().count() == 3
    screenshot("import-done-th")

    page.get_by_role("button", name="ยกเลิกการนำเข้านี้").click()
    expect(page.locator("#confirm-question")).to_contain_text("เข้าคลัง 3 รายการ")
    page.get_by_role("button", name="ยืนยัน ยกเลิกการนำเข้า").click()
    expect(page.get_by_role("alert")).to_contain_text("เก็บเข้าคลัง 3 รายการ")
    expect(page.locator("#undo-report")).to_contain_text("ข้อมูลที่สร้างจากการนำเข้า 3 รายการถูกเก็บเข้าคลัง")
    assert Council.objects.active().count() == 0
    screenshot("import-undone-th")

    page.get_by_role("link", name="ประวัติการนำเข้า").first.click()
    expect(page.locator("table")).to_contain_text("councils_with_errors.xlsx")
    expect(page.locator("table")).to_contain_text("ยกเลิกการนำเข้าแล้ว")

    # The same batch in English: statuses, the undo report and the column names.
    page.get_by_role("link", name=f"{ImportBatch.objects.get().pk}", exact=True).click()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import #")
    expect(page.locator("#batch-status")).to_have_text("Undone")
    expect(page.locator("#undo-report")).to_contain_text(
        "3 records created by the import were archived."
    )
    expect(page.locator("#preview-table")).to_contain_text('"many" is not a whole number.')
    screenshot("import-undone-en")


def test_a_large_file_shows_a_progress_bar_then_the_preview(page, log_in, settings, screenshot):
    """The batch page polls the worker's progress (static script, CSP self-only) and shows
    the preview by itself when the worker is done."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.IMPORT_BACKGROUND_BYTES = 1000
    call_command("load_geography", "--province", "33", verbosity=0)
    log_in("somchai", role="staff", first_name="สมชาย")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto("/imports/")
    page.get_by_label("ไฟล์ (.xlsx หรือ .csv)").set_input_files(
        str(DATA / "kantharalak_council_roster.xlsx")
    )
    page.get_by_role("button", name="ตรวจไฟล์").click()
    expect(page.locator("#batch-progress")).to_contain_text("กำลังตรวจไฟล์เบื้องหลัง")
    expect(page.locator("#batch-progress-text")).to_contain_text("รอเครื่องประมวลผล")
    screenshot("import-queued-th")

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    expect(page.locator("#preview-table tr.outcome-new")).to_have_count(20, timeout=15_000)
    expect(page.locator("#batch-progress")).to_have_count(0)
    assert errors == []


def test_commit_and_undo_show_their_counts_and_write_only_when_confirmed(page, log_in, screenshot):
    """The confirm path: Import shows "write 2 new and 1 changed records?", Back writes
    nothing, Yes writes; Undo shows what it archives and restores before it does."""
    call_command("load_geography", "--province", "33", verbosity=0)
    CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")
    log_in("somchai", role="staff", first_name="สมชาย")
    page.goto("/imports/")
    page.get_by_role("button", name="English").click()
    rows = [
        ["Registration code", "Name (Thai)", "Subdistrict", "District"],
        ["C330401", "ชื่อใหม่ของบึงมะลู", "บึงมะลู", "กันทรลักษ์"],
        ["", "สภาองค์กรชุมชนตำบลกุดเสลา", "กุดเสลา", "กันทรลักษ์"],
        ["", "สภาองค์กรชุมชนตำบลเสาธงชัย", "เสาธงชัย", "กันทรลักษ์"],
    ]
    page.get_by_label("File (.xlsx or .csv)").set_input_files(
        files=[{"name": "roster.xlsx", "mimeType": XLSX, "buffer": xlsx(rows)}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#preview-table tr.outcome-new")).to_have_count(2)

    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#confirm-question")).to_have_text("Write 2 new and 1 changed records?")
    screenshot("import-confirm-en")
    page.get_by_role("link", name="Back to the preview").click()
    assert Council.objects.count() == 1
    assert ImportBatch.objects.get().status == ImportBatch.Status.PREVIEW

    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_role("button", name="Yes, import").click()
    expect(page.get_by_role("alert")).to_contain_text("Imported: 2 new, 1 changed")
    assert Council.objects.count() == 3

    page.get_by_role("button", name="Undo this import").click()
    expect(page.locator("#confirm-question")).to_have_text(
        "Undo: archive 2 records this import created and give 1 records their previous values back?"
    )
    screenshot("import-undo-confirm-en")
    assert Council.objects.active().count() == 3
    page.get_by_role("button", name="Yes, undo the import").click()
    expect(page.locator("#undo-report")).to_be_visible()
    assert Council.objects.active().count() == 1


def test_a_large_undo_shows_a_progress_bar_then_the_report(page, log_in, settings, screenshot):
    """An undo of a large file runs in the worker: the batch page shows the bar, then the
    undo report by itself when the worker is done."""
    from accounts.models import User
    from imports import service

    call_command("load_geography", "--province", "33", verbosity=0)
    log_in("somchai", role="staff", first_name="สมชาย")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    roster = (DATA / "kantharalak_council_roster.xlsx").read_bytes()
    user = User.objects.get(username="somchai")
    batch = service.store_upload(SimpleUploadedFile("roster.xlsx", roster), "councils", user)
    service.commit(batch, user, ImportBatch.Mode.ALL)
    assert Council.objects.active().count() == 20
    settings.IMPORT_BACKGROUND_BYTES = 1000  # the roster (7 KB) counts as large now
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    page.goto(f"/imports/{batch.pk}/")
    page.get_by_role("button", name="ยกเลิกการนำเข้านี้").click()
    page.get_by_role("button", name="ยืนยัน ยกเลิกการนำเข้า").click()
    expect(page.locator("#batch-progress")).to_contain_text("กำลังยกเลิกการนำเข้าเบื้องหลัง")
    expect(page.locator("#batch-progress-text")).to_contain_text("กำลังย้อนกลับ 20 รายการ")
    expect(page.get_by_role("button", name="ยกเลิกการนำเข้านี้")).to_have_count(0)
    screenshot("import-undoing-th")
    assert Council.objects.active().count() == 20

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    expect(page.locator("#undo-report")).to_contain_text(
        "ข้อมูลที่สร้างจากการนำเข้า 20 รายการถูกเก็บเข้าคลัง", timeout=15_000
    )
    expect(page.locator("#batch-progress")).to_have_count(0)
    assert Council.objects.active().count() == 0
    assert errors == []
