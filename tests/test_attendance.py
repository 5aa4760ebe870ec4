"""Attendance: counts by sector and by council on the meeting page, a council's participation
history and recording who came by hand (a spreadsheet of the sign-in sheet goes through the
import centre: test_attendance_sheet_import)."""

import pytest

from meetings.forms import ATTENDANCE_PAGE_ROWS
from meetings.models import Attendance
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    CouncilFactory,
    DistrictFactory,
    MeetingFactory,
    ProvinceFactory,
    SubdistrictFactory,
    UserFactory,
)
from tests.helpers import EN, bangkok
from tests.test_details import page_text, section
from tests.test_forms import add_rows, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(sisaket):
    return DistrictFactory(province=sisaket, code="3304", name_th="กันทรลักษ์")


@pytest.fixture
def bueng_malu(district):
    return CouncilFactory(
        subdistrict=SubdistrictFactory(district=district, code="330401"),
        name_th="สภาองค์กรชุมชนตำบลบึงมะลู",
    )


@pytest.fixture
def nong_ya_lat(district):
    return CouncilFactory(
        subdistrict=SubdistrictFactory(district=district, code="330402"),
        name_th="สภาองค์กรชุมชนตำบลหนองหญ้าลาด",
    )


@pytest.fixture
def meeting(sisaket):
    return MeetingFactory(title="เวทีสมัชชาจังหวัด", starts_at=bangkok(2022, 12, 21, 13, 0))


# --- counts -----------------------------------------------------------------------------------


def test_the_meeting_page_counts_attendance_by_sector_and_by_council(
    staff, meeting, bueng_malu, nong_ya_lat
):
    pao = AgencyFactory(name_th="อบจ.ศรีสะเกษ", sector="local")
    tambon = AgencyFactory(name_th="อบต.บึงมะลู", sector="local")
    university = AgencyFactory(name_th="มหาวิทยาลัยราชภัฏศรีสะเกษ", sector="academic")
    AttendanceFactory.create_batch(3, meeting=meeting, council=bueng_malu)
    AttendanceFactory(meeting=meeting, council=nong_ya_lat)
    AttendanceFactory(meeting=meeting, agency=pao)
    AttendanceFactory(meeting=meeting, agency=tambon)
    AttendanceFactory(meeting=meeting, agency=university)
    AttendanceFactory(meeting=meeting, organisation_text="เครือข่ายป่าชุมชน")
    AttendanceFactory(meeting=meeting, council=nong_ya_lat).archive()
    response = staff.get(meeting.get_absolute_url(), headers=EN)
    assert response.context["by_sector"] == [
        ("community organisation councils", 4),
        ("local administrative organisation", 2),
        ("academic", 1),
        ("other organisations", 1),
    ]
    text = page_text(response)
    assert "Attendance 8" in text
    assert "community organisation councils 4" in text
    by_council = [
        (row["council__name_th"], row["people"]) for row in response.context["by_council"]
    ]
    assert by_council == [("สภาองค์กรชุมชนตำบลบึงมะลู", 3), ("สภาองค์กรชุมชนตำบลหนองหญ้าลาด", 1)]


def test_a_councils_page_shows_its_participation_history(staff, meeting, bueng_malu):
    AttendanceFactory.create_batch(2, meeting=meeting, council=bueng_malu)
    invited = MeetingFactory(title="ประชุมคณะทำงานบ้านมั่นคง", starts_at=bangkok(2023, 2, 1, 9, 0))
    invited.invited_councils.add(bueng_malu)
    MeetingFactory(title="ประชุมที่ไม่เกี่ยวข้อง")
    history = section(staff.get(bueng_malu.get_absolute_url(), headers=EN), "meetings-heading")
    assert "ประชุมคณะทำงานบ้านมั่นคง 1 Feb 2023 09:00 · invited, nobody recorded as attending" in (
        history
    )
    assert "เวทีสมัชชาจังหวัด 21 Dec 2022 13:00 · 2 people came" in history
    assert "ประชุมที่ไม่เกี่ยวข้อง" not in history
    thai = section(staff.get(bueng_malu.get_absolute_url()), "meetings-heading")
    assert "มาร่วม 2 คน" in thai


# --- by hand ----------------------------------------------------------------------------------


def test_attendance_is_recorded_by_hand_on_its_own_page(staff, meeting, bueng_malu):
    url = f"/meetings/{meeting.pk}/attendance/"
    data = form_data(staff.get(url, headers=EN))
    add_rows(
        data,
        "attendance",
        {
            "person_name": "นางมาลี ศรีสุข",
            "position": "ประธานสภา",
            "council": bueng_malu.pk,
            "role": "participant",
            "phone": "0812345678",
        },
        {"person_name": "", "position": "นายอำเภอกันทรลักษ์", "role": "chair"},
    )
    response = staff.post(url, data, headers=EN)
    assert response.status_code == 302
    rows = list(meeting.attendance.order_by("pk").values_list("person_name", "council", "phone"))
    assert rows == [("นางมาลี ศรีสุข", bueng_malu.pk, "081-234-5678"), ("", None, "")]


def test_a_page_of_attendance_is_saved_and_the_other_pages_are_kept(staff, meeting, bueng_malu):
    people = [
        Attendance.objects.create(meeting=meeting, person_name=f"คนที่ {n:02}", order=n)
        for n in range(ATTENDANCE_PAGE_ROWS + 5)
    ]
    url = f"/meetings/{meeting.pk}/attendance/?page=2"
    data = form_data(staff.get(url))
    assert data["attendance-INITIAL_FORMS"] == "5"
    data["attendance-0-person_name"] = "นางมาลี ศรีสุข"
    data["attendance-0-council"] = str(bueng_malu.pk)
    # Meanwhile a row is added at the top (an upload): the page posted keeps its own rows.
    Attendance.objects.create(meeting=meeting, person_name="มาก่อน", order=0)
    response = staff.post(url, data)
    assert response.status_code == 302 and response.url == url
    edited = people[ATTENDANCE_PAGE_ROWS]
    edited.refresh_from_db()
    assert (edited.person_name, edited.council) == ("นางมาลี ศรีสุข", bueng_malu)
    assert meeting.attendance.active().count() == ATTENDANCE_PAGE_ROWS + 6
    assert [row.person_name for row in people[:ATTENDANCE_PAGE_ROWS]] == list(
        Attendance.objects.filter(pk__in=[p.pk for p in people[:ATTENDANCE_PAGE_ROWS]])
        .order_by("order")
        .values_list("person_name", flat=True)
    )


def test_the_attendance_page_shows_one_councils_people_and_adds_to_it(staff, meeting, bueng_malu):
    meeting.invited_councils.add(bueng_malu)
    Attendance.objects.create(meeting=meeting, person_name="คนอื่น")
    mine = Attendance.objects.create(meeting=meeting, person_name="นางมาลี", council=bueng_malu)
    url = f"/meetings/{meeting.pk}/attendance/?council={bueng_malu.pk}"
    response = staff.get(url, headers=EN)
    assert [row.instance for row in response.context["formsets"]["attendance"]] == [mine]
    assert "1 invited council: people recorded for each" in response.text
    data = add_rows(
        form_data(response),
        "attendance",
        {"person_name": "นายสมพร", "council": str(bueng_malu.pk), "role": "participant"},
    )
    assert staff.post(url, data).url == url
    assert meeting.attendance.filter(council=bueng_malu).count() == 2
    assert meeting.attendance.count() == 3


def test_a_posted_row_of_another_meeting_is_refused(staff, meeting):
    other = Attendance.objects.create(meeting=MeetingFactory(), person_name="ที่อื่น")
    Attendance.objects.create(meeting=meeting, person_name="ที่นี่")
    url = f"/meetings/{meeting.pk}/attendance/"
    data = form_data(staff.get(url), **{"attendance-0-id": str(other.pk)})
    assert staff.post(url, data).status_code == 200
    other.refresh_from_db()
    assert other.person_name == "ที่อื่น"


def test_a_viewer_cannot_open_the_attendance_page(client, meeting, sisaket):
    viewer = UserFactory(username="viewer33", role="viewer")
    viewer.provinces.add(sisaket)
    client.force_login(viewer)
    assert client.get(f"/meetings/{meeting.pk}/attendance/").status_code == 403
    assert client.post(f"/imports/meetings/{meeting.pk}/attendance/").status_code == 403


def test_attendance_names_only_councils_of_the_meetings_province(staff, meeting, bueng_malu):
    ubon = ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")
    elsewhere = CouncilFactory(
        subdistrict=SubdistrictFactory(
            district=DistrictFactory(province=ubon, code="3401"), code="340101"
        )
    )
    url = f"/meetings/{meeting.pk}/attendance/"
    page = staff.get(url)
    choices = list(page.context["formsets"]["attendance"].empty_form.fields["council"].queryset)
    assert choices == [bueng_malu]
    data = form_data(page)
    add_rows(
        data, "attendance", {"person_name": "นายก", "council": elsewhere.pk, "role": "participant"}
    )
    assert staff.post(url, data).status_code == 200
    assert not meeting.attendance.exists()
