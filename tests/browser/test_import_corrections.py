"""CODI staff fix two wrong rows of a district roster in the preview, without editing the
file and uploading it again, then import: the corrected rows are imported with the values
typed in the browser; the row left wrong stays out and downloadable."""

from pathlib import Path
from urllib.request import urlopen

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from playwright.sync_api import expect

from councils.models import Council
from imports import service
from imports.models import ImportBatch
from tests.conftest import PASSWORD
from tests.factories import ProvinceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _warm(live_server):
    """The live server's first answer (URLs and templates loaded) may take longer than the
    pages' 10 seconds on a loaded machine: asked once here, without the browser."""
    urlopen(f"{live_server.url}/accounts/login/", timeout=120).read()  # noqa: S310 - http


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

    # Row 7: "many" households. The form opens in place (static script), one at a time.
    page.locator("#row-6").get_by_role("link", name="แก้ไขแถวนี้").click()
    expect(page.locator("#correct-row-6")).to_be_visible()
    page.locator("#row-7").get_by_role("link", name="แก้ไขแถวนี้").click()
    form = page.locator("#correct-row-7")
    expect(page.locator("#correct-row-6")).to_have_count(0)
    assert "edit=" not in page.url
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


def test_a_row_is_corrected_without_script(browser, live_server, screenshot):
    """The link opens the row's form on a reloaded page; saving is a plain form POST."""
    call_command("load_geography", "--province", "33", verbosity=0)
    user = UserFactory(username="somchai", role="staff", first_name="สมชาย")
    user.provinces.add(ProvinceFactory())
    batch = service.store_upload(
        SimpleUploadedFile("c.xlsx", (DATA / "councils_with_errors.xlsx").read_bytes()),
        "councils",
        user,
    )
    context = browser.new_context(
        base_url=live_server.url, locale="th-TH", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill("somchai")
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.goto(f"/imports/{batch.pk}/?show=error")
    page.locator("#row-7").get_by_role("link", name="แก้ไขแถวนี้").click()
    assert "edit=7" in page.url
    page.locator("#cell-7-households").fill("1200")
    page.get_by_role("button", name="บันทึกและตรวจอีกครั้ง").click()
    expect(page.get_by_role("alert")).to_contain_text("แก้ไขแถว 7 และตรวจอีกครั้งแล้ว: ใหม่")
    expect(page.locator("#preview-table tr.outcome-error")).to_have_count(2)
    batch.refresh_from_db()
    assert batch.rows_new == 4 and batch.corrections["7"]["values"] == {"households": "1200"}
    context.close()
