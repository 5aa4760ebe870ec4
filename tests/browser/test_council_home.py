"""A council volunteer on a phone: the home is its council; it follows up an overdue
resolution in a tap and is back home with the note recorded."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import ResolutionFollowUp
from tests.factories import CouncilFactory, MeetingFactory, ResolutionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_council_editor_on_a_phone_follows_up_an_overdue_resolution_from_home(
    page, log_in, screenshot
):
    council = CouncilFactory(name_th="สภาองค์กรชุมชนตำบลดู่")
    forum = MeetingFactory(
        province=council.district.province,
        title="เวทีสภาองค์กรชุมชนจังหวัด ครั้งที่ 3",
        starts_at=timezone.now() - datetime.timedelta(days=40),
    )
    forum.invited_councils.add(council)
    resolution = ResolutionFactory(
        meeting=forum,
        owner_agency=None,
        owner_council=council,
        text="สำรวจครัวเรือนที่ต้องการซ่อมบ้าน",
        due_on=timezone.localdate() - datetime.timedelta(days=5),
    )
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("du-editor", role="council_editor", council=council)

    expect(page.get_by_role("heading", level=1)).to_have_text(council.name_th)
    expect(page.get_by_text("เลยกำหนด 1 เรื่อง")).to_be_visible()
    screenshot("council-home-phone-th")

    page.get_by_role("link", name="เพิ่มบันทึกการติดตาม").first.click()
    assert page.url.endswith(f"/meetings/resolutions/{resolution.pk}/#follow-ups-heading")
    page.locator("#id_follow-note").fill("สำรวจแล้ว 12 ครัวเรือน")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("บันทึก")
    assert ResolutionFollowUp.objects.filter(resolution=resolution).count() == 1

    page.get_by_role("link", name="ระบบข้อมูลภาคีความร่วมมือจังหวัดศรีสะเกษ").click()  # the brand: home
    expect(page.get_by_role("heading", level=1)).to_have_text(council.name_th)
