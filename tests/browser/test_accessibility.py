"""Every kind of page passes axe-core (vendored from npm into tests/browser/vendor/) with no
serious or critical violation, in Thai and English, on a desktop and on a phone."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser

from councils.models import Agency, Council
from meetings.models import Meeting, Resolution
from projects.models import Project
from tests.conftest import PASSWORD
from tests.factories import ProvinceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
LOCALES = {"th": "th-TH", "en": "en-US"}
# axe's findings, cut to what a person needs to find the element: the rule, its impact and
# the first few offending nodes.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({rule: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


def staff_pages() -> list[str]:
    council = Council.objects.get(code="C330401")
    agency = Agency.objects.filter(province__code="33").order_by("pk").first()
    project = Project.objects.filter(council=council).order_by("pk").first()
    meeting = Meeting.objects.order_by("pk").first()
    resolution = Resolution.objects.order_by("pk").first()
    return [
        "/",
        "/councils/",
        f"/councils/{council.pk}/",
        f"/councils/{council.pk}/edit/",
        f"/councils/{council.pk}/history/",
        "/agencies/",
        f"/agencies/{agency.pk}/",
        f"/agencies/{agency.pk}/edit/",
        "/projects/",
        f"/projects/{project.pk}/",
        f"/projects/{project.pk}/edit/",
        f"/projects/{project.pk}/updates/new/",
        "/meetings/",
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/edit/",
        "/meetings/calendar/",
        "/meetings/resolutions/",
        f"/meetings/resolutions/{resolution.pk}/",
        "/areas/33/",
        "/areas/33/partners/",
        "/imports/",
        "/quality/",
        "/reports/",
    ]


def editor_pages(council: Council) -> list[str]:
    project = council.projects.order_by("pk").first()
    return [
        "/",
        f"/councils/{council.pk}/",
        f"/councils/{council.pk}/edit/",
        f"/projects/{project.pk}/edit/",
    ]


def signed_in_state(browser: Browser, base_url: str, username: str, **fields) -> dict:
    user = UserFactory(username=username, **fields)
    if user.role == "staff":
        user.provinces.add(ProvinceFactory())
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    state = context.storage_state()
    context.close()
    return state


def violations_on(browser: Browser, base_url: str, paths: list[str], state=None) -> list[str]:
    """axe's serious and critical findings on each page, in each language, at each width (the
    page is loaded once per language and measured again after resizing it to a phone's)."""
    found = []
    for language, locale in LOCALES.items():
        # axe is injected as an inline script, which the portal's CSP (self only) refuses.
        context = browser.new_context(
            base_url=base_url, locale=locale, storage_state=state, bypass_csp=True
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        for path in paths:
            page.set_viewport_size(VIEWPORTS["desktop"])
            response = page.goto(path)
            assert response.ok, f"{path}: {response.status}"
            page.add_script_tag(path=AXE)
            for width, viewport in VIEWPORTS.items():
                page.set_viewport_size(viewport)
                for violation in page.evaluate(RUN_AXE):
                    found.append(f"{path} [{language}, {width}] {json.dumps(violation)}")
        context.close()
    return found


def test_every_kind_of_page_has_no_serious_accessibility_violation(browser, live_server):
    call_command("seed_demo")
    council = Council.objects.get(code="C330401")
    staff = signed_in_state(browser, live_server.url, "somchai", role="staff")
    editor = signed_in_state(
        browser, live_server.url, "secretary", role="council_editor", council=council
    )

    found = violations_on(browser, live_server.url, ["/accounts/login/"])
    found += violations_on(browser, live_server.url, staff_pages(), staff)
    found += violations_on(browser, live_server.url, editor_pages(council), editor)
    assert not found, "\n".join(found)
