"""Minutes with headings and lists, shown safely; photo captions set one by one."""

import datetime
import re

import pytest
from django.utils import timezone

from meetings.models import MeetingPhoto
from portal.lib.markup import render_markup
from tests.factories import MeetingFactory, UserFactory
from tests.helpers import EN
from tests.test_details import section
from tests.test_forms import form_data
from tests.test_photos import photo_bytes, post_photos, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def meeting(sisaket):
    return MeetingFactory(starts_at=timezone.make_aware(datetime.datetime(2022, 12, 21, 13, 0)))


MINUTES = """# ระเบียบวาระที่ 1 เรื่องแจ้งเพื่อทราบ

ประธานแจ้งที่ประชุม

- สภาองค์กรชุมชน 215 ตำบล
- ภาคี **4** ภาคส่วน

## มติที่ประชุม

1. รับทราบ
2. มอบหมายคณะทำงาน
"""


def minutes_html(client, meeting) -> str:
    response = client.get(meeting.get_absolute_url())
    start = response.text.index('<div class="minutes">')
    return response.text[start : response.text.index("</section>", start)]


def test_minutes_keep_their_headings_and_lists_below_the_pages_own_headings(staff, meeting):
    meeting.minutes = MINUTES
    meeting.save()
    html = minutes_html(staff, meeting)
    assert "<h3>ระเบียบวาระที่ 1 เรื่องแจ้งเพื่อทราบ</h3>" in html
    assert "<h4>มติที่ประชุม</h4>" in html
    assert "<li>ภาคี <strong>4</strong> ภาคส่วน</li>" in html
    assert "<ol>\n<li>รับทราบ</li>" in html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert('minutes')</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">คลิก</a>',
        "[คลิก](javascript:alert(1))",
        '<iframe src="https://example.org"></iframe>',
        "<div onclick=alert(1)>x</div>",
        "![ภาพ](https://example.org/tracker.png)",
    ],
)
def test_html_in_minutes_never_reaches_the_page(staff, meeting, attack):
    meeting.minutes = f"# หัวข้อ\n\n{attack}\n\nข้อความปกติ"
    meeting.save()
    html = minutes_html(staff, meeting)
    lowered = html.lower()
    # Typed HTML shows as text (escaped); no real tag, event handler or script link is left.
    for forbidden in ("<script", "<img", "<iframe", "<div onclick", '<a href="javascript'):
        assert forbidden not in lowered
    assert not re.search(r"<[a-z][^>]*\son[a-z]+=", lowered)
    assert "ข้อความปกติ" in html


def test_the_sanitiser_keeps_only_plain_formatting_and_web_links():
    html = render_markup("[CODI](https://www.codi.or.th) <b>bold</b> **ok**")
    assert '<a href="https://www.codi.or.th" rel="noopener noreferrer nofollow">CODI</a>' in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<strong>ok</strong>" in html
    assert render_markup("") == ""


def test_minutes_typed_on_the_edit_page_are_saved_as_typed(staff, meeting):
    url = f"/meetings/{meeting.pk}/edit/"
    typed = "# สรุป\r\n\r\n<script>x</script>"
    response = staff.post(url, form_data(staff.get(url), minutes=typed))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert "<script>x</script>" in meeting.minutes  # stored as typed, escaped when shown
    assert "&lt;script&gt;x&lt;/script&gt;" in minutes_html(staff, meeting)


def test_several_photos_uploaded_at_once_then_captioned_one_by_one(staff, meeting):
    post_photos(
        staff,
        meeting,
        upload("a.jpg", photo_bytes()),
        upload("b.jpg", photo_bytes()),
        upload("c.jpg", photo_bytes()),
    )
    first, second, third = meeting.photos.order_by("position")
    url = f"/meetings/{meeting.pk}/photos/captions/"
    data = form_data(staff.get(url, headers=EN))
    data["photos-0-caption"] = "ประธานเปิดการประชุม"
    data["photos-1-caption"] = "ภาคีร่วมลงนาม"
    data["photos-1-position"] = "5"
    data["photos-2-DELETE"] = "on"
    response = staff.post(url, data)
    assert response.status_code == 302
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert (first.caption, second.caption, second.position) == (
        "ประธานเปิดการประชุม",
        "ภาคีร่วมลงนาม",
        5,
    )
    assert third.is_archived and MeetingPhoto.objects.filter(pk=third.pk).exists()
    gallery = section(staff.get(meeting.get_absolute_url()), "photos-heading")
    assert "ประธานเปิดการประชุม" in gallery and "ภาคีร่วมลงนาม" in gallery
    assert gallery.index("ประธานเปิดการประชุม") < gallery.index("ภาคีร่วมลงนาม")


def test_a_viewer_cannot_caption_photos(client, meeting, sisaket):
    viewer = UserFactory(username="viewer33", role="viewer")
    viewer.provinces.add(sisaket)
    client.force_login(viewer)
    assert client.get(f"/meetings/{meeting.pk}/photos/captions/").status_code == 403
