"""Review: history pages show what was written, so they must mask personal data for viewers."""

import pytest

from tests.factories import (
    AttendanceFactory,
    CouncilMemberFactory,
    MeetingFactory,
    ProvinceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

VALID_ID = "1101700203450"
PHONE = "081-234-5678"


def viewer():
    user = UserFactory(username="viewer", role="viewer")
    user.provinces.add(ProvinceFactory())
    return user


def test_a_viewer_sees_attendance_phones_masked_in_a_meetings_history(client):
    meeting = MeetingFactory()
    AttendanceFactory(meeting=meeting, person_name="นายทดสอบ มีเบอร์", phone=PHONE)
    client.force_login(viewer())
    text = client.get(f"/meetings/{meeting.pk}/history/").text
    assert "นายทดสอบ มีเบอร์" in text
    assert PHONE not in text
    assert "xxx-xxx-5678" in text


def test_a_viewer_sees_ids_and_phones_masked_in_a_councils_history(client):
    member = CouncilMemberFactory(national_id=VALID_ID, phone=PHONE)
    client.force_login(viewer())
    text = client.get(f"/councils/{member.council_id}/history/").text
    assert PHONE not in text and VALID_ID not in text
    assert "xxx-xxx-5678" in text and "x-xxxx-xxxxx-45-0" in text


def test_staff_see_them_in_clear_in_a_history(staff_client):
    meeting = MeetingFactory()
    AttendanceFactory(meeting=meeting, phone=PHONE)
    assert PHONE in staff_client.get(f"/meetings/{meeting.pk}/history/").text


def test_a_history_showing_phones_in_clear_is_in_the_access_log(staff_client, staff_user):
    from privacy.models import AccessLog

    meeting = MeetingFactory()
    person = AttendanceFactory(meeting=meeting, phone=PHONE)
    AttendanceFactory(meeting=meeting, phone="")
    staff_client.get(f"/meetings/{meeting.pk}/history/")
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.model) == (staff_user, "view", "meetings.attendance")
    assert log.object_ids == [person.pk]


def test_a_masked_history_is_not_logged(client):
    from privacy.models import AccessLog

    meeting = MeetingFactory()
    AttendanceFactory(meeting=meeting, phone=PHONE)
    client.force_login(viewer())
    client.get(f"/meetings/{meeting.pk}/history/")
    assert not AccessLog.objects.exists()
