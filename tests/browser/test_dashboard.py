"""A provincial official opens the dashboard in Thai, picks a fiscal year and follows a district
on the map to the list of its projects."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from dashboards.filters import current_fiscal_year
from projects.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_official_changes_the_fiscal_year_and_drills_down_to_a_district(page, log_in, screenshot):
    call_command("seed_demo")
    log_in("official", role="viewer", first_name="ปลัด")
    year = current_fiscal_year() - 1
    expect(page.get_by_role("heading", level=1)).to_have_text("ภาพรวมความร่วมมือ")
    selection = page.locator("#dashboard-selection")
    expect(selection).to_have_text(f"ปีงบประมาณ {year + 1}")

    page.get_by_label("ปีงบประมาณ (พ.ศ.)").select_option(str(year))
    page.get_by_role("button", name="กรอง").click()
    expect(selection).to_have_text(f"ปีงบประมาณ {year}")
    assert f"fiscal_year={year}" in page.url
    projects = Project.objects.filter(fiscal_year=year, archived_at__isnull=True)
    card = page.locator(".figure-card").filter(has=page.get_by_text("โครงการ", exact=True))
    expect(card).to_contain_text(f"{projects.count():,}")
    screenshot("dashboard-th")

    in_kantharalak = projects.filter(council__district__name_th="กันทรลักษ์").count()
    assert in_kantharalak > 0
    page.locator(".tile-map a.tile").filter(has_text="กันทรลักษ์").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("โครงการ")
    expect(page.locator("#result-count")).to_contain_text(f"{in_kantharalak} รายการ")
    expect(page.locator("table.record-list")).to_contain_text("กันทรลักษ์")
    screenshot("dashboard-drill-down-th")
