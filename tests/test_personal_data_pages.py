"""Every page and download that shows people's phone or ID numbers writes its access-log line
and is sent with `Cache-Control: no-store`; pages without personal data are not."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from geo.models import Province
from imports.models import ImportBatch
from meetings.forms import ATTENDANCE_PAGE_ROWS
from privacy.models import AccessLog
from tests.factories import (
    AttendanceFactory,
    CouncilFactory,
    CouncilMemberFactory,
    MeetingFactory,
    ProvinceFactory,
    UserFactory,
)
from tests.test_forms import form_data
from tests.test_imports import xlsx

pytestmark = pytest.mark.django_db

VALID_ID = "1101700203450"
PHONE = "081-234-5678"


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def lines(**filters):
    return list(AccessLog.objects.filter(**filters).order_by("pk"))


@pytest.fixture
def member(council):
    return CouncilMemberFactory(
        council=council, full_name="นางสมศรี ใจดี", national_id=VALID_ID, phone=PHONE
    )


# Edit pages ------------------------------------------------------------------------------


def test_the_council_edit_page_logs_the_members_it_shows_and_is_not_stored(
    staff_client, staff_user, member
):
    CouncilMemberFactory(council=member.council, full_name="นายไม่มี เบอร์")  # nothing to log
    response = staff_client.get(f"/councils/{member.council_id}/edit/")
    assert PHONE in response.text and VALID_ID in response.text
    assert no_store(response)
    (line,) = lines()
    assert (line.user, line.action, line.model) == (staff_user, "view", "councils.councilmember")
    assert line.object_ids == [member.pk] and line.row_count == 1
    assert line.path == f"/councils/{member.council_id}/edit/"


def test_a_council_editor_opening_its_own_council_is_logged_too(client, member):
    editor = UserFactory(role="council_editor", council=member.council)
    client.force_login(editor)
    response = client.get(f"/councils/{member.council_id}/edit/")
    assert response.status_code == 200 and no_store(response)
    assert [(line.user, line.object_ids) for line in lines()] == [(editor, [member.pk])]


def test_an_edit_page_coming_back_with_errors_is_not_stored(staff_client, council):
    url = f"/councils/{council.pk}/edit/"
    data = form_data(staff_client.get(url), name_th="")
    data.update(
        {
            "members-TOTAL_FORMS": "1",
            "members-0-full_name": "นายใหม่ มาแล้ว",
            "members-0-role": "member",
            "members-0-phone": "0899999999",
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200  # errors: the typed phone comes back in the page
    assert no_store(response)


def test_an_edit_page_without_people_has_no_log_line(staff_client, council):
    response = staff_client.get(f"/councils/{council.pk}/edit/")
    assert no_store(response)  # its members' rows may be typed into it
    assert lines() == []


def test_the_attendance_page_logs_the_phones_it_shows(staff_client, staff_user):
    meeting = MeetingFactory()
    row = AttendanceFactory(meeting=meeting, phone=PHONE)
    AttendanceFactory(meeting=meeting, phone="")
    response = staff_client.get(f"/meetings/{meeting.pk}/attendance/")
    assert PHONE in response.text and no_store(response)
    (line,) = lines()
    assert (line.model, line.object_ids, line.action) == ("meetings.attendance", [row.pk], "view")


def test_the_meeting_edit_page_shows_no_attendance_and_logs_none(staff_client):
    meeting = MeetingFactory()
    AttendanceFactory(meeting=meeting, phone=PHONE)
    response = staff_client.get(f"/meetings/{meeting.pk}/edit/")
    assert PHONE not in response.text
    assert lines() == []


def test_the_attendance_page_logs_only_the_rows_of_its_page(staff_client):
    meeting = MeetingFactory()
    rows = AttendanceFactory.create_batch(ATTENDANCE_PAGE_ROWS + 2, meeting=meeting, phone=PHONE)
    staff_client.get(f"/meetings/{meeting.pk}/attendance/?page=2")
    (line,) = lines()
    assert sorted(line.object_ids) == [row.pk for row in rows[ATTENDANCE_PAGE_ROWS:]]


# Record pages and history -------------------------------------------------------------------


def test_the_council_page_is_not_stored_whether_masked_or_not(client, staff_client, member):
    assert no_store(staff_client.get(f"/councils/{member.council_id}/"))
    viewer = UserFactory(role="viewer")
    viewer.provinces.set(Province.objects.all())
    other = Client()
    other.force_login(viewer)
    masked = other.get(f"/councils/{member.council_id}/")
    assert PHONE not in masked.text and no_store(masked)


def test_a_history_page_with_people_is_logged_and_not_stored(staff_client, member):
    member.phone = "089-999-9999"
    member.save()
    response = staff_client.get(f"/councils/{member.council_id}/history/")
    assert no_store(response)
    assert [line.model for line in lines()] == ["councils.councilmember"]


# History pages mask for viewers what they show staff in clear -------------------------------


def a_viewer():
    user = UserFactory(username="viewer", role="viewer")
    user.provinces.add(ProvinceFactory())
    return user


def test_a_viewer_sees_attendance_phones_masked_in_a_meetings_history(client):
    meeting = MeetingFactory()
    AttendanceFactory(meeting=meeting, person_name="นายทดสอบ มีเบอร์", phone=PHONE)
    client.force_login(a_viewer())
    text = client.get(f"/meetings/{meeting.pk}/history/").text
    assert "นายทดสอบ มีเบอร์" in text
    assert PHONE not in text
    assert "xxx-xxx-5678" in text


def test_a_viewer_sees_ids_and_phones_masked_in_a_councils_history(client):
    member = CouncilMemberFactory(national_id=VALID_ID, phone=PHONE)
    client.force_login(a_viewer())
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
    client.force_login(a_viewer())
    client.get(f"/meetings/{meeting.pk}/history/")
    assert not AccessLog.objects.exists()


def test_the_access_log_keeps_the_page_without_its_query(client, member):
    viewer = UserFactory(role="viewer")
    viewer.provinces.set(Province.objects.all())
    viewer.user_permissions.add(Permission.objects.get(codename="reveal_personal_data"))
    client.force_login(viewer)
    client.get(f"/councils/{member.council_id}/", {"reveal": "1", "q": "นางสมศรี ใจดี"})
    (line,) = lines()
    assert line.action == "reveal" and line.path == f"/councils/{member.council_id}/"


def test_pages_without_personal_data_may_be_cached_as_before(staff_client, council):
    for url in ("/", "/councils/", "/agencies/", f"/councils/{council.pk}/"):
        response = staff_client.get(url)
        assert response.status_code == 200
        if url != f"/councils/{council.pk}/":
            assert not no_store(response), url


# Import batches -------------------------------------------------------------------------------


@pytest.fixture
def geography(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_geography", "--province", "33", verbosity=0)
    return CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")


def upload_members(client) -> ImportBatch:
    rows = [
        ["สภา", "ชื่อ-สกุล", "เลขประจำตัวประชาชน", "โทรศัพท์"],
        ["C330401", "นางสมศรี ใจดี", VALID_ID, PHONE],
        ["C330401", "นายผิด พลาด", VALID_ID[:-1], "12"],
    ]
    client.post("/imports/", {"kind": "members", "file": SimpleUploadedFile("m.xlsx", xlsx(rows))})
    return ImportBatch.objects.latest("pk")


def test_a_member_batch_page_is_logged_and_not_stored(staff_client, staff_user, geography):
    batch = upload_members(staff_client)
    response = staff_client.get(f"/imports/{batch.pk}/")
    assert PHONE in response.text and no_store(response)
    (line,) = lines()
    assert (line.user, line.action, line.model) == (staff_user, "view", "imports.importbatch")
    assert (line.object_ids, line.row_count) == ([batch.pk], 2)


def test_the_rejected_rows_download_is_logged_as_an_export_and_not_stored(staff_client, geography):
    batch = upload_members(staff_client)
    response = staff_client.get(f"/imports/{batch.pk}/rejected-rows.xlsx")
    assert response.status_code == 200 and no_store(response)
    (line,) = lines()
    assert (line.action, line.object_ids, line.row_count) == ("export", [batch.pk], 1)


def test_a_batch_without_people_is_not_logged_but_not_stored_either(staff_client, geography):
    rows = [["ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ"], ["สภาองค์กรชุมชนตำบลใหม่", "บึงมะลู", "กันทรลักษ์"]]
    staff_client.post(
        "/imports/", {"kind": "councils", "file": SimpleUploadedFile("c.xlsx", xlsx(rows))}
    )
    batch = ImportBatch.objects.latest("pk")
    response = staff_client.get(f"/imports/{batch.pk}/")
    assert response.status_code == 200 and no_store(response)
    assert lines() == []


# The privacy pages ----------------------------------------------------------------------------


def test_the_person_pages_are_not_stored(admin_client, member):
    found = admin_client.post("/privacy/person/", {"q": VALID_ID})
    assert no_store(found)
    download = admin_client.post("/privacy/person/download/", {"q": VALID_ID})
    assert download.status_code == 200 and no_store(download)
    assert {line.action for line in lines()} == {"view", "person_export"}


# The admin --------------------------------------------------------------------------------------


def test_the_admin_page_of_a_member_is_logged_and_not_stored(admin_client, admin_user, member):
    response = admin_client.get(f"/admin/councils/councilmember/{member.pk}/change/")
    assert response.status_code == 200 and VALID_ID in response.text
    assert no_store(response)
    (line,) = lines()
    assert (line.user, line.model, line.object_ids) == (
        admin_user,
        "councils.councilmember",
        [member.pk],
    )
    history = admin_client.get(f"/admin/councils/councilmember/{member.pk}/history/")
    assert history.status_code == 200 and no_store(history)


def test_the_admin_page_of_a_council_logs_the_members_of_its_inline(admin_client, member):
    response = admin_client.get(f"/admin/councils/council/{member.council_id}/change/")
    assert response.status_code == 200 and PHONE in response.text
    assert no_store(response)
    assert [(line.model, line.object_ids) for line in lines()] == [
        ("councils.councilmember", [member.pk])
    ]


def test_an_admin_page_without_people_writes_no_log_line(admin_client):
    from tests.factories import AgencyFactory

    agency = AgencyFactory()
    response = admin_client.get(f"/admin/councils/agency/{agency.pk}/change/")
    assert response.status_code == 200  # (the admin sends every page no-store anyway)
    assert lines() == []
