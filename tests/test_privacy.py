"""Personal data (Thai PDPA): masked for viewers, revealed only with a permission, every
access logged, a person's data exported and erased on request, and never in a log line."""

import contextlib
import json
import logging

import pytest
from django.contrib.auth.models import Permission
from django.http import Http404

from councils.models import CouncilMember
from meetings.models import Attendance
from privacy.masking import mask_national_id, mask_phone, national_id_is_valid, redact
from privacy.models import AccessLog, Erasure
from tests.factories import (
    AttendanceFactory,
    CouncilMemberFactory,
    ProvinceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

VALID_ID = "1101700203450"  # a made-up number with a correct check digit
PHONE = "081-234-5678"


@pytest.fixture
def member():
    return CouncilMemberFactory(full_name="นางสมศรี ใจดี", national_id=VALID_ID, phone=PHONE)


def viewer(**extra):
    user = UserFactory(username="viewer", role="viewer", **extra)
    user.provinces.add(ProvinceFactory())
    return user


def test_the_check_digit_of_a_national_id_is_verified():
    assert national_id_is_valid(VALID_ID)
    assert not national_id_is_valid("1101700203451")
    assert not national_id_is_valid("12345")


def test_masks_keep_only_the_last_digits():
    assert mask_phone(PHONE) == "xxx-xxx-5678"
    assert mask_national_id(VALID_ID) == "x-xxxx-xxxxx-45-0"


def test_a_viewer_sees_phone_and_id_masked_and_nothing_is_logged(client, member):
    client.force_login(viewer())
    text = client.get(f"/councils/{member.council_id}/").text
    assert PHONE not in text and VALID_ID not in text
    assert "xxx-xxx-5678" in text and "x-xxxx-xxxxx-45-0" in text
    assert "Show them" not in text and "แสดงข้อมูล" not in text
    assert not AccessLog.objects.exists()


def test_a_viewer_without_the_permission_cannot_reveal(client, member):
    client.force_login(viewer())
    text = client.get(f"/councils/{member.council_id}/?reveal=1").text
    assert PHONE not in text
    assert not AccessLog.objects.exists()


def test_a_viewer_with_the_permission_reveals_and_the_reveal_is_logged(client, member):
    user = viewer()
    user.user_permissions.add(Permission.objects.get(codename="reveal_personal_data"))
    client.force_login(user)
    masked = client.get(f"/councils/{member.council_id}/").text
    assert PHONE not in masked and "?reveal=1" in masked
    revealed = client.get(f"/councils/{member.council_id}/?reveal=1").text
    assert PHONE in revealed and VALID_ID in revealed
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.model) == (user, "reveal", "councils.councilmember")
    assert log.object_ids == [member.pk] and log.row_count == 1


def test_staff_see_personal_data_and_each_view_is_logged(staff_client, staff_user, member):
    CouncilMemberFactory(council=member.council)
    text = staff_client.get(f"/councils/{member.council_id}/").text
    assert PHONE in text
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.row_count) == (staff_user, "view", 2)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1101700203450", VALID_ID), ("1-1017-00203-45-0", VALID_ID), ("๑๑๐๑๗๐๐๒๐๓๔๕๐", VALID_ID)],
)
def test_a_national_id_is_read_as_typed(typed, stored):
    from councils.forms import MemberForm

    form = MemberForm(data={"full_name": "นายทดสอบ", "role": "member", "national_id": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["national_id"] == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("1101700203451", "check digit"), ("12345", "13 digits"), ("abcdefghijklm", "only digits")],
)
def test_a_wrong_national_id_is_refused_next_to_the_field(typed, reason):
    from django.utils import translation

    from councils.forms import MemberForm

    with translation.override("en"):
        form = MemberForm(data={"full_name": "นายทดสอบ", "role": "member", "national_id": typed})
        assert not form.is_valid()
        assert reason in form.errors["national_id"][0]
    assert not CouncilMember.objects.exists()


def test_an_admin_exports_everything_about_a_person(admin_client, member):
    AttendanceFactory(person_name="นางสมศรี ใจดี", phone=PHONE)
    response = admin_client.post("/privacy/person/download/", {"q": VALID_ID})
    data = json.loads(response.content)
    assert data["council_members"][0]["national_id"] == VALID_ID
    # Found by ID, the member's name finds their attendance too; one log line per kind.
    assert data["meeting_attendance"][0]["phone"] == PHONE
    assert AccessLog.objects.filter(action="person_export").count() == 2
    by_name = json.loads(
        admin_client.post("/privacy/person/download/", {"q": "นางสมศรี ใจดี"}).content
    )
    assert len(by_name["meeting_attendance"]) == 1


def test_erasure_removes_the_data_and_leaves_a_record_without_it(admin_client, admin_user, member):
    attendance = AttendanceFactory(person_name="นางสมศรี ใจดี", phone=PHONE)
    other = CouncilMemberFactory(full_name="นายอื่น คนอื่น", phone="089-999-9999")
    response = admin_client.post(
        "/privacy/person/erase/",
        {"q": "นางสมศรี ใจดี", "reference": "REQ-2569-07", "confirm": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    member.refresh_from_db()
    attendance.refresh_from_db()
    assert (member.national_id, member.phone) == ("", "")
    assert "สมศรี" not in member.full_name and "สมศรี" not in attendance.person_name
    assert attendance.phone == ""
    other.refresh_from_db()
    assert other.phone == "089-999-9999"
    erasure = Erasure.objects.get()
    assert erasure.counts["council_members"] == 1
    assert erasure.counts["meeting_attendance"] == 1
    assert "สมศรี" not in json.dumps(erasure.counts, ensure_ascii=False) + erasure.reference
    assert AccessLog.objects.filter(action="erase", user=admin_user).exists()


def test_erasure_needs_a_confirmation(admin_client, member):
    admin_client.post("/privacy/person/erase/", {"q": VALID_ID})
    member.refresh_from_db()
    assert member.national_id == VALID_ID
    assert not Erasure.objects.exists()


def test_only_admins_handle_a_persons_data(staff_client, member):
    assert staff_client.post("/privacy/person/", {"q": VALID_ID}).status_code == 403
    assert (
        staff_client.post("/privacy/person/erase/", {"q": VALID_ID, "confirm": "yes"}).status_code
        == 403
    )
    member.refresh_from_db()
    assert member.national_id == VALID_ID


def test_log_lines_never_carry_a_national_id_or_a_phone(caplog):
    from privacy.logging import RedactPersonalData

    logger = logging.getLogger("portal.test")
    handler_filter = RedactPersonalData()
    record = logger.makeRecord(
        "portal.test", logging.ERROR, __file__, 1, "member %s phone %s", (VALID_ID, PHONE), None
    )
    handler_filter.filter(record)
    assert record.getMessage() == "member [national-id] phone [phone]"
    assert redact("โทร 0812345678 หรือ +66 81 234 5678") == "โทร [phone] หรือ [phone]"
    assert redact("เลขบัตร 1-1017-00203-45-0") == "เลขบัตร [national-id]"


def test_error_reports_hide_what_was_posted_to_an_edit_page(rf, staff_user):
    from django.views.debug import SafeExceptionReporterFilter

    from councils.views import council_edit

    request = rf.post("/councils/1/edit/", {"members-0-phone": PHONE})
    request.user = staff_user
    with contextlib.suppress(Http404):  # only the marking of the request matters here
        council_edit(request, pk=999_999)
    cleaned = SafeExceptionReporterFilter().get_post_parameters(request)
    assert PHONE not in str(dict(cleaned))


def test_attendance_rows_are_found_by_name(admin_client):
    AttendanceFactory(person_name="นายเสริม บุญธรรม")
    response = admin_client.post("/privacy/person/", {"q": "นายเสริม  บุญธรรม"})
    assert "นายเสริม บุญธรรม" in response.text
    assert Attendance.objects.count() == 1
