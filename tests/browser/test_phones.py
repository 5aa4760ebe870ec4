"""On a phone (390 × 844): lists are cards, the filters wait behind a button that counts them,
the English names stay off, and the council's long edit page opens one section at a time
with inputs and buttons a thumb can press."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from councils.models import Council

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
THUMB = 44  # px: the smallest height of what a finger presses


@pytest.fixture
def staff_on_a_phone(page, log_in):
    call_command("seed_demo")
    log_in("somchai", role="staff", first_name="สมชาย")
    page.set_viewport_size(PHONE)
    return page


def height(locator) -> float:
    return locator.bounding_box()["height"]


def test_a_list_on_a_phone_is_cards_with_the_filters_behind_a_counted_button(
    staff_on_a_phone, screenshot
):
    page = staff_on_a_phone
    named = Council.objects.exclude(name_en="").filter(status="active").order_by("code").first()
    page.goto(f"/councils/?q={named.name_th}&status=active")

    toggle = page.get_by_role("button", name="ตัวกรอง (2)")
    expect(toggle).to_be_visible()
    assert height(toggle) >= THUMB
    expect(page.get_by_label("ค้นหา")).to_be_hidden()

    table = page.locator("table.record-list")
    expect(table.locator("thead")).to_be_hidden()
    card = table.locator("tbody tr").first
    assert card.evaluate("row => getComputedStyle(row).display") == "block"
    expect(card.get_by_role("link", name=named.name_th)).to_be_visible()
    expect(card.get_by_text(named.name_en)).to_be_hidden()
    expect(card.get_by_text(named.code)).to_be_hidden()
    expect(card.locator("td[data-label='อำเภอ']")).to_contain_text(named.district.name_th)
    expect(card.locator("td[data-label='สถานะ']")).to_be_visible()
    expect(card.locator("td[data-label='ครัวเรือน']")).to_be_visible()
    screenshot("councils-phone-th")

    toggle.click()
    expect(page.get_by_label("ค้นหา")).to_be_visible()
    expect(page.get_by_label("ค้นหา")).to_have_value(named.name_th)
    assert height(page.get_by_label("ค้นหา")) >= THUMB
    assert height(page.get_by_role("button", name="กรอง", exact=True)) >= THUMB
    screenshot("councils-phone-filters-th")

    # The same page on a desktop: a table, the panel open, no button, the English name shown.
    page.set_viewport_size({"width": 1366, "height": 768})
    expect(toggle).to_be_hidden()
    expect(table.locator("thead")).to_be_visible()
    expect(card.get_by_text(named.name_en)).to_be_visible()


def test_every_list_is_cards_on_a_phone(staff_on_a_phone):
    page = staff_on_a_phone
    for path in ("/agencies/", "/projects/", "/meetings/", "/meetings/resolutions/"):
        page.goto(path)
        expect(page.get_by_role("button", name="ตัวกรอง (0)")).to_be_visible()
        card = page.locator("table.record-list tbody tr").first
        assert card.evaluate("row => getComputedStyle(row).display") == "block", path
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], path


def test_the_council_edit_page_opens_one_section_at_a_time(staff_on_a_phone, screenshot):
    page = staff_on_a_phone
    council = Council.objects.get(code="C330401")
    page.goto(f"/councils/{council.pk}/edit/")
    sections = page.locator("details.form-section")
    expect(sections).to_have_count(5)
    opened = "sections => sections.map(section => section.open)"
    assert sections.evaluate_all(opened) == [True, False, False, False, False]
    expect(page.get_by_label("ชื่อ (ภาษาไทย)")).to_be_visible()
    screenshot("council-edit-phone-th")

    page.locator("summary", has_text="การติดต่อ").click()
    assert sections.evaluate_all(opened) == [False, True, False, False, False]
    expect(page.get_by_label("ชื่อ (ภาษาไทย)")).to_be_hidden()
    phone = page.locator("#id_phone")
    expect(phone).to_be_visible()
    assert height(phone) >= THUMB
    assert height(page.get_by_role("button", name="บันทึก")) >= THUMB
    assert height(page.locator("summary", has_text="การติดต่อ")) >= THUMB
    screenshot("council-edit-phone-contact-th")
