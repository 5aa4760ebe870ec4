"""The meeting calendar by month and the iCalendar feed behind a per-user secret token."""

import datetime
import re

import pytest
from django.utils import timezone
from icalendar import Calendar

from tests.factories import MeetingFactory, ProvinceFactory, UserFactory
from tests.helpers import EN, bangkok

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(sisaket):
    user = UserFactory(username="staff33", role="staff")
    user.provinces.add(sisaket)
    return user


@pytest.fixture
def staff(client, user):
    client.force_login(user)
    return client


def test_the_calendar_shows_a_months_meetings_on_their_bangkok_day(staff, sisaket):
    # 21 Dec 2022 at 06:00 in Bangkok is still 20 Dec in UTC.
    MeetingFactory(title="เวทีเช้าตรู่", starts_at=bangkok(2022, 12, 21, 6, 0))
    MeetingFactory(title="ประชุมเดือนหน้า", starts_at=bangkok(2023, 1, 3, 9, 0))
    ubon = ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")
    MeetingFactory(title="ประชุมต่างจังหวัด", province=ubon, starts_at=bangkok(2022, 12, 5, 9, 0))
    response = staff.get("/meetings/calendar/?month=2022-12")
    assert response.status_code == 200
    assert response.context["month_label"] == "ธันวาคม 2565"
    days = {
        day: [meeting.title for meeting in meetings]
        for week in response.context["weeks"]
        for day, _in_month, meetings in week
        if meetings
    }
    assert days == {datetime.date(2022, 12, 21): ["เวทีเช้าตรู่"]}
    assert response.context["previous_month"] == "2022-11"
    assert response.context["next_month"] == "2023-01"
    # Weeks start on Sunday: 1 Dec 2022 was a Thursday.
    assert response.context["weeks"][0][0][0] == datetime.date(2022, 11, 27)
    english = staff.get("/meetings/calendar/?month=2022-12", headers=EN)
    assert english.context["month_label"] == "December 2022"


@pytest.mark.parametrize("month", ["2022-13", "abc", "0-1", "99999-01"])
def test_a_nonsense_month_shows_this_month(staff, month):
    response = staff.get(f"/meetings/calendar/?month={month}")
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["next_month"] == (
        f"{today.year + (today.month == 12):04}-{today.month % 12 + 1:02}"
    )


def feed(client, token):
    return client.get(f"/meetings/calendar/{token}.ics")


def test_the_feed_holds_the_users_upcoming_meetings_without_logging_in(client, user, sisaket):
    soon = (timezone.localtime() + datetime.timedelta(days=10)).replace(second=0, microsecond=0)
    meeting = MeetingFactory(
        title="ประชุมคณะทำงานบ้านมั่นคง",
        starts_at=soon,
        ends_at=soon + datetime.timedelta(hours=3),
        venue="ศาลากลางจังหวัดศรีสะเกษ",
    )
    MeetingFactory(title="ประชุมเมื่อปีก่อน", starts_at=timezone.now() - datetime.timedelta(days=400))
    ubon = ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")
    MeetingFactory(title="ประชุมต่างจังหวัด", province=ubon, starts_at=soon)
    MeetingFactory(title="ประชุมที่ถูกเก็บ", starts_at=soon).archive()
    token = user.reset_calendar_token()
    response = feed(client, token)  # not logged in
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(event["summary"]) for event in events] == ["ประชุมคณะทำงานบ้านมั่นคง"]
    event = events[0]
    assert event.decoded("dtstart") == meeting.starts_at
    assert event.decoded("dtend") == meeting.ends_at
    assert "ศาลากลางจังหวัดศรีสะเกษ" in str(event["location"])
    assert str(event["url"]).endswith(f"/meetings/{meeting.pk}/")
    assert str(event["uid"]) == f"meeting-{meeting.pk}@testserver"


def test_a_wrong_or_empty_token_is_not_found(client, user):
    user.reset_calendar_token()
    assert feed(client, "not-the-token").status_code == 404
    assert client.get("/meetings/calendar/.ics").status_code == 404


def test_an_inactive_users_feed_is_not_found(client, user):
    token = user.reset_calendar_token()
    user.is_active = False
    user.save()
    assert feed(client, token).status_code == 404


def shown_token(response) -> str:
    return re.search(r"/meetings/calendar/([\w-]+)\.ics", response.text).group(1)


def test_resetting_the_token_invalidates_the_old_address(staff, client, user):
    first = shown_token(staff.post("/meetings/calendar/token/", headers=EN))
    assert len(first) >= 40
    second = shown_token(staff.post("/meetings/calendar/token/"))
    assert second != first
    client.logout()
    assert feed(client, first).status_code == 404
    assert feed(client, second).status_code == 200


def test_the_feed_answers_only_to_the_tokens_owner_scope(client, user, sisaket):
    viewer = UserFactory(username="other", role="viewer")
    viewer.provinces.add(ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon"))
    soon = timezone.now() + datetime.timedelta(days=3)
    MeetingFactory(title="ประชุมศรีสะเกษ", starts_at=soon)
    client.force_login(user)  # logged in as someone else: the token decides
    events = Calendar.from_ical(feed(client, viewer.reset_calendar_token()).content).walk("VEVENT")
    assert events == []
