"""CODI staff read a council's history, open an earlier version, see what restoring it would
change, confirm, and find the record as it was."""

import pytest
from playwright.sync_api import expect

from tests.factories import CouncilFactory, ProvinceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_restore_an_earlier_version_after_seeing_what_changes(page, log_in, screenshot):
    council = CouncilFactory(households=100, district__province=ProvinceFactory())
    council.households = 250
    council.save()
    log_in("somchai", role="staff")
    page.goto(f"/councils/{council.pk}/history/")
    expect(page.get_by_text("ฉบับปัจจุบัน")).to_be_visible()
    page.get_by_role("link", name="ย้อนกลับเป็นฉบับนี้").click()
    expect(page.locator("#revert-changes")).to_contain_text("250")
    expect(page.locator("#revert-changes")).to_contain_text("100")
    screenshot("history-restore-confirm-th")
    page.get_by_role("button", name="ย้อนกลับเป็นฉบับที่ 1").click()
    expect(page.get_by_role("alert").first).to_contain_text("ฉบับที่ 1")
    council.refresh_from_db()
    assert council.households == 100
