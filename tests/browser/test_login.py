"""A person logs in with a real browser and sees the home page in Thai."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Meeting
from portal.lib.dates import format_datetime

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_user_logs_in_and_sees_the_home_page_in_thai(page, log_in, screenshot):
    call_command("seed_demo")
    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")
    expect(page.locator("html")).to_have_attribute("lang", "th")

    log_in("somchai", role="staff", first_name="สมชาย")

    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", name="ภาพรวมความร่วมมือ")).to_be_visible()
    councils = page.locator(".figure-card", has_text="สภาองค์กรชุมชนตำบล")
    expect(councils).to_contain_text("215")
    latest = Meeting.objects.latest("starts_at")
    expect(page.get_by_text(latest.title)).to_be_visible()
    when = timezone.localtime(latest.starts_at)
    expect(page.get_by_text(format_datetime(when, "th"))).to_be_visible()
    # The vendored Thai face is what the page is drawn with (no system Thai font here).
    assert page.evaluate("document.fonts.check('16px Sarabun', 'ภาพรวม')")
    screenshot("home-th")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Partnership at a glance")).to_be_visible()
    expect(page.get_by_text(format_datetime(when, "en"))).to_be_visible()
    screenshot("home-en")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url("/accounts/login/")
