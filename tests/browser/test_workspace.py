"""CODI staff find a council by a Thai fragment, edit it, and see the change."""

import pytest
from django.core.management import call_command
from django.db.models import Q
from playwright.sync_api import expect

from councils.models import Council

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sisaket_staff(log_in):
    call_command("seed_demo")
    return lambda: log_in("somchai", role="staff", first_name="สมชาย")


def test_staff_search_a_council_by_a_thai_fragment_edit_it_and_see_the_change(
    page, sisaket_staff, screenshot
):
    sisaket_staff()
    page.get_by_role("link", name="สภาองค์กรชุมชน", exact=True).click()
    page.get_by_label("ค้นหา").fill("กันทร")
    page.get_by_role("button", name="กรอง").click()

    expected = Council.objects.filter(
        Q(name_th__contains="กันทร") | Q(district__name_th__contains="กันทร")
    ).count()
    assert expected > 20
    expect(page.locator("#result-count")).to_contain_text(f"{expected} รายการ")
    expect(page.locator("table.record-list")).to_contain_text("กันทรลักษ์")
    expect(page.locator("table.record-list")).to_contain_text("กันทรารมย์")
    screenshot("councils-search-th")

    council = Council.objects.get(code="C330401")
    page.get_by_role("link", name=council.name_th).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(council.name_th)
    page.get_by_role("link", name="แก้ไข", exact=True).click()

    # The form's sections open one at a time; the first is open.
    page.get_by_label("วันที่จดแจ้ง").fill("21/12/2565")
    page.locator("summary", has_text="ครัวเรือนและพิกัด").click()
    expect(page.get_by_label("วันที่จดแจ้ง")).to_be_hidden()
    page.get_by_label("จำนวนครัวเรือนในพื้นที่").fill("๑,๒๓๔")
    page.locator("summary", has_text="การติดต่อ").click()
    page.locator("#id_phone").fill("0812345678")
    page.get_by_role("button", name="บันทึก").click()

    expect(page.get_by_role("alert")).to_contain_text("บันทึกการแก้ไข")
    expect(page.get_by_text("1,234")).to_be_visible()
    expect(page.get_by_text("21 ธ.ค. 2565", exact=True)).to_be_visible()
    expect(page.get_by_text("081-234-5678")).to_be_visible()
    council.refresh_from_db()
    assert (council.households, str(council.registered_on)) == (1234, "2022-12-21")
    screenshot("council-after-edit-th")

    page.get_by_role("link", name="ประวัติการแก้ไข").click()
    latest = page.locator("ol.history > li").first
    expect(latest).to_contain_text("สมชาย")
    expect(latest).to_contain_text("ผ่าน แบบฟอร์ม")
    expect(latest.get_by_role("row", name="จำนวนครัวเรือนในพื้นที่")).to_contain_text("1234")
    screenshot("council-history-th")


def test_a_bad_date_is_refused_next_to_the_field_and_nothing_changes(page, sisaket_staff):
    sisaket_staff()
    council = Council.objects.get(code="C330401")
    before = council.registered_on
    page.goto(f"/councils/{council.pk}/edit/")
    page.get_by_label("วันที่จดแจ้ง").fill("31/02/2565")
    page.get_by_role("button", name="บันทึก").click()
    expect(page.get_by_role("alert").first).to_contain_text("ยังไม่มีการบันทึกข้อมูล")
    expect(page.locator("#id_registered_on_error")).to_contain_text("วันที่ที่มีอยู่จริง")
    council.refresh_from_db()
    assert council.registered_on == before


def test_members_are_added_without_a_page_reload(page, sisaket_staff):
    sisaket_staff()
    council = Council.objects.get(code="C330401")
    members_before = council.members.active().count()
    page.goto(f"/councils/{council.pk}/edit/")
    page.locator("summary", has_text="สมาชิกสภาองค์กรชุมชน").click()
    members = page.locator('[data-formset="members"]')
    members.get_by_role("button", name="เพิ่มแถว").click()
    new_row = members.locator(".formset-row").last
    new_row.get_by_label("ชื่อ-สกุล").fill("นางสาวทดสอบ ระบบดี")
    new_row.get_by_label("บทบาท").select_option("secretary")
    members.locator(".formset-row").first.get_by_role("button", name="นำออก").click()
    page.get_by_role("button", name="บันทึก").click()
    expect(page.get_by_text("นางสาวทดสอบ ระบบดี")).to_be_visible()
    assert council.members.active().count() == members_before
    assert council.members.archived().count() == 1
