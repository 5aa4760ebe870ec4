"""Two staff members edit the same council in two browsers; the second is shown the conflict."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.factories import CouncilFactory, ProvinceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_second_save_shows_the_conflict_and_saving_again_wins(browser, live_server):
    sisaket = ProvinceFactory()
    council = CouncilFactory(households=1000)
    pages = []
    for username in ("somchai", "nipa"):
        UserFactory(username=username, role="staff").provinces.add(sisaket)
        context = browser.new_context(base_url=live_server.url, locale="th-TH")
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("ชื่อผู้ใช้").fill(username)
        page.get_by_label("รหัสผ่าน").fill(PASSWORD)
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        page.goto(f"/councils/{council.pk}/edit/")
        page.locator("summary", has_text="ครัวเรือนและพิกัด").click()
        pages.append(page)
    somchai, nipa = pages

    nipa.get_by_label("จำนวนครัวเรือนในพื้นที่").fill("2,222")
    nipa.get_by_role("button", name="บันทึก").click()
    expect(nipa.get_by_role("alert")).to_contain_text("บันทึกการแก้ไข")

    somchai.get_by_label("จำนวนครัวเรือนในพื้นที่").fill("1,111")
    somchai.get_by_role("button", name="บันทึก").click()
    conflict = somchai.locator("section.conflicts")
    expect(conflict).to_contain_text("มีผู้อื่นแก้ไขข้อมูลนี้ขณะที่คุณกำลังแก้ไข")
    row = conflict.get_by_role("row", name="จำนวนครัวเรือนในพื้นที่")
    expect(row).to_contain_text("1111")
    expect(row).to_contain_text("2222")
    council.refresh_from_db()
    assert council.households == 2222
    somchai.screenshot(path="test-results/conflict-th.png", full_page=True)

    somchai.get_by_role("button", name="บันทึก").click()
    expect(somchai.get_by_role("alert")).to_contain_text("บันทึกการแก้ไข")
    council.refresh_from_db()
    assert council.households == 1111
