"""CODI staff record who came to a meeting, then close one of its resolutions from the
register, and see the matters arising of the next meeting shrink."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Attendance, Resolution
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    DistrictFactory,
    MeetingFactory,
    ProvinceFactory,
    ResolutionFactory,
    SubdistrictFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def bangkok(*args):
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def meetings(db):
    sisaket = ProvinceFactory()
    district = DistrictFactory(province=sisaket, code="3304", name_th="กันทรลักษ์")
    council = CouncilFactory(
        subdistrict=SubdistrictFactory(district=district, code="330401", name_th="บึงมะลู"),
        name_th="สภาองค์กรชุมชนตำบลบึงมะลู",
    )
    forum = MeetingFactory(title="เวทีสมัชชาจังหวัด", starts_at=bangkok(2022, 12, 21, 13, 0))
    follow_up = MeetingFactory(title="ประชุมติดตามมติ", starts_at=bangkok(2023, 3, 1, 9, 0))
    follow_up.invited_councils.add(council)
    resolution = ResolutionFactory(
        meeting=forum,
        position=1,
        text="จัดทำแผนพัฒนาตำบล",
        owner_council=council,
        owner_agency=None,
        due_on=datetime.date(2023, 1, 31),
    )
    AgencyFactory(name_th="องค์การบริหารส่วนจังหวัดศรีสะเกษ", sector="local")
    return {"forum": forum, "follow_up": follow_up, "council": council, "resolution": resolution}


def pick(row, label: str, typed: str, choice: str) -> None:
    """Choose in a searchable picker: type part of the name, click the choice offered."""
    box = row.get_by_role("combobox", name=label, exact=True)
    box.locator("xpath=..").click()  # the input sits in the picker's box
    box.press_sequentially(typed)
    row.page.locator(".ts-dropdown:visible .option", has_text=choice).click()
    row.page.keyboard.press("Escape")


def test_staff_record_attendance_and_close_a_resolution(page, log_in, meetings, screenshot):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security" in message.text else None
        ),
    )
    log_in("somchai", role="staff", first_name="สมชาย")
    forum, resolution = meetings["forum"], meetings["resolution"]

    # Who came: two rows typed on the attendance page.
    page.goto(f"/meetings/{forum.pk}/")
    page.get_by_role("link", name="บันทึกผู้เข้าร่วม").click()
    rows = page.locator('[data-formset="attendance"]')
    rows.get_by_role("button", name="เพิ่มแถว").click()
    first = rows.locator(".formset-row").nth(0)
    first.get_by_label("ชื่อ").fill("นางมาลี ศรีสุข")
    first.get_by_label("ตำแหน่ง").fill("ประธานสภาองค์กรชุมชน")
    pick(first, "สภาองค์กรชุมชน", "บึงมะ", "สภาองค์กรชุมชนตำบลบึงมะลู (กันทรลักษ์)")
    rows.get_by_role("button", name="เพิ่มแถว").click()
    second = rows.locator(".formset-row").nth(1)
    second.get_by_label("ชื่อ").fill("นายสมศักดิ์ ใจดี")
    pick(second, "หน่วยงาน", "บริหารส่วนจังหวัด", "องค์การบริหารส่วนจังหวัดศรีสะเกษ")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    # Saved, the attendance page is shown again for the next people; the meeting's page
    # sums them up.
    expect(page.locator("#rows-heading")).to_contain_text("2")
    page.get_by_role("link", name="กลับไปที่การประชุม").click()

    attendance = page.locator('section[aria-labelledby="attendance-heading"]')
    expect(attendance).to_contain_text("นางมาลี ศรีสุข")
    expect(
        page.locator("#attendance-by-council").get_by_role("row", name="สภาองค์กรชุมชนตำบลบึงมะลู 1")
    ).to_be_visible()
    expect(page.locator("#attendance-by-sector")).to_contain_text("องค์กรปกครองส่วนท้องถิ่น")
    assert forum.attendance.count() == 2
    screenshot("meeting-attendance-th")
    assert refused == []  # the pickers' script and styles pass the self-only CSP

    # The open resolution is a matter arising of the next meeting, to which its owner is invited.
    page.goto(f"/meetings/{meetings['follow_up'].pk}/")
    arising = page.locator('section[aria-labelledby="arising-heading"]')
    expect(arising).to_contain_text("จัดทำแผนพัฒนาตำบล")
    expect(arising).to_contain_text("เลยกำหนด")

    # Closed from the register with a dated note.
    page.goto("/meetings/resolutions/")
    page.get_by_label("เฉพาะที่เลยกำหนด").check()
    page.get_by_role("button", name="กรอง").click()
    page.get_by_role("link", name="จัดทำแผนพัฒนาตำบล").click()
    page.get_by_label("วันที่").fill("15/02/2566")
    page.get_by_label("เปลี่ยนสถานะเป็น").select_option(label="เสร็จแล้ว")
    page.get_by_role("textbox", name="การติดตาม").fill("สภาฯ ส่งแผนพัฒนาตำบลให้ อบต. แล้ว")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    expect(page.locator("#resolution-status")).to_contain_text("เสร็จแล้ว")
    expect(page.get_by_text("15 ก.พ. 2566")).to_be_visible()
    resolution.refresh_from_db()
    assert resolution.status == Resolution.Status.DONE
    screenshot("resolution-closed-th")

    page.goto(f"/meetings/{meetings['follow_up'].pk}/")
    expect(page.locator('section[aria-labelledby="arising-heading"]')).not_to_contain_text(
        "จัดทำแผนพัฒนาตำบล"
    )


def test_staff_record_a_big_forums_attendance_one_council_at_a_time(page, log_in, meetings):
    """A forum of 40 councils with 60 people recorded: the attendance page shows them a page
    at a time, or one council's, and saving keeps the rows of the other pages."""
    district = meetings["council"].district
    councils = [
        CouncilFactory(
            subdistrict=SubdistrictFactory(district=district, code=f"3304{n + 50:02}"),
            name_th=f"สภาองค์กรชุมชนตำบลทดสอบ{n:02}",
        )
        for n in range(40)
    ]
    forum = meetings["forum"]
    forum.invited_councils.set([meetings["council"], *councils])
    Attendance.objects.bulk_create(
        Attendance(meeting=forum, council=council, person_name=f"ผู้แทน {n:02}-{k}", order=n)
        for n, council in enumerate(councils[:30])
        for k in range(2)
    )
    log_in("somchai", role="staff", first_name="สมชาย")

    page.goto(f"/meetings/{forum.pk}/attendance/")
    rows = page.locator('[data-formset="attendance"] .formset-row')
    expect(rows).to_have_count(25)
    expect(page.get_by_text("หน้า 1 จาก 3")).to_be_visible()

    # Bueng Malu's people: none yet; the list of invited councils leads to its own list.
    page.locator("#invited-councils summary").click()
    page.locator("#invited-councils").get_by_role("link", name="สภาองค์กรชุมชนตำบลบึงมะลู").click()
    expect(page.locator("#rows-heading")).to_contain_text("สภาองค์กรชุมชนตำบลบึงมะลู")
    expect(rows).to_have_count(0)
    formset = page.locator('[data-formset="attendance"]')
    for name in ("นางมาลี ศรีสุข", "นายสมพร ใจดี"):
        formset.get_by_role("button", name="เพิ่มแถว").click()
        row = rows.last
        row.get_by_label("ชื่อ").fill(name)
        # A new row of a council's list names the council already.
        expect(row).to_contain_text("สภาองค์กรชุมชนตำบลบึงมะลู (กันทรลักษ์)")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    expect(rows).to_have_count(2)
    assert set(
        forum.attendance.filter(council=meetings["council"]).values_list("person_name", flat=True)
    ) == {"นางมาลี ศรีสุข", "นายสมพร ใจดี"}

    # Another council chosen with the picker, and one of its people corrected.
    page.get_by_role("link", name="ทุกคน").click()
    pick(page.locator("form[method=get]"), "สภาองค์กรชุมชน", "ทดสอบ07", "สภาองค์กรชุมชนตำบลทดสอบ07")
    page.get_by_role("button", name="แสดงสภานี้").click()
    expect(rows).to_have_count(2)
    rows.first.get_by_label("ชื่อ").fill("นางบุญมี ทดสอบ")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert forum.attendance.filter(person_name="นางบุญมี ทดสอบ").count() == 1
    assert forum.attendance.active().count() == 62
