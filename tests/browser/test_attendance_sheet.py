"""CODI staff upload a meeting's sign-in sheet on its attendance page: the import centre's
preview of that meeting's rows, the confirmation, then the people on the meeting's page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    DistrictFactory,
    MeetingFactory,
    ProvinceFactory,
    SubdistrictFactory,
)
from tests.test_imports import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_sign_in_sheet_is_previewed_confirmed_and_shown_on_the_meeting(
    page, log_in, screenshot, tmp_path
):
    sisaket = ProvinceFactory()
    district = DistrictFactory(province=sisaket, code="3304", name_th="กันทรลักษ์")
    CouncilFactory(
        subdistrict=SubdistrictFactory(district=district, code="330401", name_th="บึงมะลู"),
        name_th="สภาองค์กรชุมชนตำบลบึงมะลู",
    )
    AgencyFactory(name_th="องค์การบริหารส่วนจังหวัดศรีสะเกษ", short_name="อบจ.ศรีสะเกษ")
    forum = MeetingFactory(
        title="เวทีสมัชชาจังหวัด",
        starts_at=timezone.make_aware(datetime.datetime(2022, 12, 21, 13, 0)),
    )
    sheet = tmp_path / "ใบลงทะเบียน.xlsx"
    sheet.write_bytes(
        xlsx(
            [
                ["ลำดับ", "ชื่อ-สกุล", "ตำแหน่ง", "หน่วยงาน", "โทรศัพท์", "ลายมือชื่อ"],
                [1, "นางมาลี ศรีสุข", "ประธานสภา", "สภาองค์กรชุมชนตำบลบึงมะลู", "0812345678", None],
                [2, "นายสมศักดิ์ ใจดี", "รองนายก", "อบจ.ศรีสะเกษ", None, None],
                [3, "นายทองดี มีสุข", None, "เครือข่ายป่าชุมชน", None, None],
            ]
        )
    )
    log_in("somchai", role="staff", first_name="สมชาย")
    page.goto(f"/meetings/{forum.pk}/attendance/")
    page.get_by_label("ไฟล์ใบลงทะเบียน (.xlsx หรือ .csv)").set_input_files(str(sheet))
    page.get_by_role("button", name="อัปโหลดและตรวจ").click()

    # The import centre's preview, for this meeting: nothing is written yet.
    expect(page.locator("#batch-meeting")).to_contain_text("เวทีสมัชชาจังหวัด")
    table = page.locator("#preview-table")
    expect(table.locator("tr.outcome-new")).to_have_count(3)
    expect(table).to_contain_text("เครือข่ายป่าชุมชน")
    assert not forum.attendance.exists()
    screenshot("attendance-sheet-preview-th")

    page.get_by_role("button", name="นำเข้าข้อมูล", exact=True).click()
    expect(page.locator("#confirm-question")).to_have_text(
        "บันทึกข้อมูลใหม่ 3 รายการ และข้อมูลที่เปลี่ยนแปลง 0 รายการ ใช่หรือไม่"
    )
    page.get_by_role("button", name="ยืนยัน นำเข้าข้อมูล").click()
    expect(page.get_by_role("alert")).to_contain_text("นำเข้าแล้ว: ใหม่ 3 รายการ")

    # Back to the meeting: the people are on it, with their organisations.
    page.locator("#batch-meeting").get_by_role("link", name="เวทีสมัชชาจังหวัด").click()
    attendance = page.locator('section[aria-labelledby="attendance-heading"]')
    for name in ("นางมาลี ศรีสุข", "นายสมศักดิ์ ใจดี", "นายทองดี มีสุข"):
        expect(attendance).to_contain_text(name)
    expect(
        page.locator("#attendance-by-council").get_by_role("row", name="สภาองค์กรชุมชนตำบลบึงมะลู 1")
    ).to_be_visible()
    assert forum.attendance.count() == 3
    screenshot("attendance-sheet-done-th")
