"""CODI staff fix two wrong rows of a district roster in the preview, without editing the
file and uploading it again, then import: the corrected rows are imported with the values
typed in the browser; the row left wrong stays out and downloadable."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from councils.models import Council
from imports.models import ImportBatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_two_rows_fixed_in_the_preview_are_imported(page, log_in, screenshot):
    call_command("load_geography", "--province", "33", verbosity=0)
    log_in("somchai", role="staff", first_name="สมชาย")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto("/imports/")
    page.get_by_label("ข้อมูลในไฟล์").select_option("councils")
    page.get_by_label("ไฟล์ (.xlsx หรือ .csv)").set_input_files(
        str(DATA / "councils_with_errors.xlsx")
    )
    page.get_by_role("button", name="ตรวจไฟล์").click()
    table = page.locator("#preview-table")
    expect(table.locator("tr.outcome-error")).to_have_count(3)

    # Row 7: "many" households.
    page.locator("#row-7").get_by_role("link", name="แก้ไขแถวนี้").click()
    form = page.locator("#correct-row-7")
    expect(form.get_by_role("heading")).to_have_text("แก้ไขแถว 7")
    households = form.get_by_label("จำนวนครัวเรือน")
    expect(households).to_have_value("many")
    screenshot("import-correct-row-th")
    households.fill("1200")
    form.get_by_role("button", name="บันทึกและตรวจอีกครั้ง").click()
    expect(page.get_by_role("alert")).to_contain_text("แก้ไขแถว 7 และตรวจอีกครั้งแล้ว: ใหม่")
    expect(page.locator("#row-7")).to_have_class("outcome-new")
    expect(page.locator("#row-7")).to_contain_text("แก้ไขในเบราว์เซอร์โดย สมชาย")

    # Row 8: 31 February. A first try still wrong shows the new error, the form stays open.
    page.locator("#row-8").get_by_role("link", name="แก้ไขแถวนี้").click()
    form = page.locator("#correct-row-8")
    form.locator("#cell-8-registered_on").fill("30/02/2556")
    form.get_by_role("button", name="บันทึกและตรวจอีกครั้ง").click()
    expect(page.get_by_role("alert")).to_contain_text("ยังมีข้อผิดพลาด")
    expect(page.locator("#row-8")).to_contain_text('"30/02/2556"')
    page.locator("#cell-8-registered_on").fill("28/02/2556")
    page.locator("#correct-row-8").get_by_role("button", name="บันทึกและตรวจอีกครั้ง").click()
    expect(page.locator("#row-8")).to_have_class("outcome-new")

    expect(table.locator("tr.outcome-error")).to_have_count(1)
    expect(page.locator("#batch-counts")).to_contain_text("5")
    screenshot("import-corrected-th")

    page.get_by_label("นำเข้าเฉพาะแถวที่ถูกต้อง").check()
    page.get_by_role("button", name="นำเข้าข้อมูล", exact=True).click()
    expect(page.locator("#confirm-question")).to_have_text(
        "บันทึกข้อมูลใหม่ 5 รายการ และข้อมูลที่เปลี่ยนแปลง 0 รายการ ใช่หรือไม่"
    )
    page.get_by_role("button", name="ยืนยัน นำเข้าข้อมูล").click()
    expect(page.get_by_role("alert")).to_contain_text("นำเข้าแล้ว: ใหม่ 5 รายการ")
    assert Council.objects.active().count() == 5
    assert Council.objects.get(name_th="สภาองค์กรชุมชนตำบลโคกเพชร").households == 1200
    batch = ImportBatch.objects.get()
    assert batch.corrections["8"]["original"] == {"registered_on": "31/02/2556"}
    expect(page.get_by_role("link", name="แก้ไขแถวนี้")).to_have_count(0)
    assert errors == []
