"""From the dashboard's district view to a subdistrict's profile and on to one of its
projects: the area as the starting point."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from councils.models import Council
from projects.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_the_district_view_to_a_subdistrict_and_a_project(page, log_in, screenshot):
    call_command("seed_demo")
    council = Council.objects.get(code="C330401")
    project = Project.objects.filter(council=council).order_by("-fiscal_year", "code").first()
    assert project is not None
    log_in("somchai", role="staff", first_name="สมชาย")

    page.locator(".tile-map a.tile-name").filter(has_text="กันทรลักษ์").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("กันทรลักษ์")
    expect(page.get_by_role("navigation", name="พื้นที่ระดับบน")).to_contain_text("ศรีสะเกษ")
    expect(page.locator("table.area-children")).to_contain_text(council.subdistrict.name_th)
    screenshot("area-district-th")

    page.locator("table.area-children").get_by_role(
        "link", name=council.subdistrict.name_th, exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(council.subdistrict.name_th)
    expect(page.get_by_role("link", name=council.name_th)).to_be_visible()
    screenshot("area-subdistrict-th")

    page.get_by_role("link", name=project.title_th).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(project.title_th)
