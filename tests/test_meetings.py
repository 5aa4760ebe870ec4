"""Preparing a meeting: invited parties, organisers and agenda on the edit page; a new meeting
started from a past one."""

import datetime
import re

import pytest
from django.utils import timezone

from meetings.models import AgendaItem, Meeting, MeetingObjective, MeetingOrganiser
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    CouncilFactory,
    DistrictFactory,
    MeetingFactory,
    ProvinceFactory,
    ResolutionFactory,
    SubdistrictFactory,
    UserFactory,
)
from tests.helpers import EN, bangkok
from tests.pdf import pdf_pages
from tests.test_details import page_text
from tests.test_forms import add_rows, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(sisaket):
    return MeetingFactory(
        title="ประชุมคณะทำงานขบวนองค์กรชุมชน",
        meeting_type="working_group",
        starts_at=bangkok(2023, 1, 10, 9, 30),
        ends_at=bangkok(2023, 1, 10, 12, 0),
        venue="ศาลากลางจังหวัดศรีสะเกษ",
        chair_name="นายวีระ ศรีสุข",
        target_sectors=["movement"],
    )


def test_the_edit_page_records_invited_parties_organisers_and_agenda(staff, meeting, council):
    codi = AgencyFactory(name_th="สถาบันพัฒนาองค์กรชุมชน", sector="central")
    pao = AgencyFactory(name_th="องค์การบริหารส่วนจังหวัดศรีสะเกษ", sector="local")
    url = f"/meetings/{meeting.pk}/edit/"
    data = form_data(
        staff.get(url, headers=EN),
        invited_councils=[str(council.pk)],
        invited_agencies=[str(pao.pk)],
    )
    add_rows(data, "organisers", {"agency": codi.pk, "role": "organiser"})
    add_rows(
        data,
        "agenda",
        {"position": 1, "title": "เรื่องแจ้งเพื่อทราบ", "presenter": "ประธาน"},
        {"position": 2, "title": "ติดตามมติครั้งก่อน"},
    )
    response = staff.post(url, data, headers=EN)
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert list(meeting.invited_councils.all()) == [council]
    assert list(meeting.invited_agencies.all()) == [pao]
    assert meeting.organiser_links.get().agency == codi
    assert list(meeting.agenda_items.values_list("title", flat=True)) == [
        "เรื่องแจ้งเพื่อทราบ",
        "ติดตามมติครั้งก่อน",
    ]
    text = page_text(staff.get(meeting.get_absolute_url()))
    assert "สภาองค์กรชุมชนตำบลบึงมะลู" in text and "องค์การบริหารส่วนจังหวัดศรีสะเกษ" in text
    assert "เรื่องแจ้งเพื่อทราบ · ประธาน" in text


def test_a_council_outside_the_users_provinces_cannot_be_invited(staff, meeting):
    ubon = ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")
    elsewhere = CouncilFactory(
        subdistrict=SubdistrictFactory(
            district=DistrictFactory(province=ubon, code="3401"), code="340101"
        )
    )
    url = f"/meetings/{meeting.pk}/edit/"
    data = form_data(staff.get(url), invited_councils=[str(elsewhere.pk)])
    response = staff.post(url, data)
    assert response.status_code == 200
    assert "invited_councils" in response.context["form"].errors
    assert not meeting.invited_councils.exists()


def test_a_new_meeting_offers_only_the_councils_of_the_users_provinces(staff_client):
    ubon = DistrictFactory(
        code="3401", province=ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon")
    )
    CouncilFactory(
        name_th="สภาองค์กรชุมชนนอกเขต", subdistrict=SubdistrictFactory(code="340101", district=ubon)
    )
    CouncilFactory(name_th="สภาองค์กรชุมชนในเขต")
    text = staff_client.get("/meetings/new/").text
    assert "สภาองค์กรชุมชนนอกเขต" not in text
    # The councils are offered by the picker as the user types.
    picker = re.search(r'<select name="invited_councils"[^>]*data-picker-url="([^"]+)"', text)
    found = staff_client.get(picker.group(1), {"q": "สภาองค์กรชุมชน"}).json()["results"]
    assert [row["text"].split(" (")[0] for row in found] == ["สภาองค์กรชุมชนในเขต"]


def test_an_agency_listed_twice_as_organiser_is_refused(staff, meeting):
    codi = AgencyFactory()
    url = f"/meetings/{meeting.pk}/edit/"
    data = form_data(staff.get(url))
    add_rows(data, "organisers", {"agency": codi.pk, "role": "organiser"})
    add_rows(data, "organisers", {"agency": codi.pk, "role": "host"})
    assert staff.post(url, data).status_code == 200
    assert not MeetingOrganiser.objects.exists()


def test_duplicating_a_meeting_copies_its_preparation_but_not_what_happened(
    staff, meeting, council
):
    agency = AgencyFactory()
    meeting.invited_councils.add(council)
    meeting.invited_agencies.add(agency)
    MeetingOrganiser.objects.create(meeting=meeting, agency=agency, role="host")
    MeetingObjective.objects.create(meeting=meeting, position=1, text="ติดตามงานบ้านมั่นคง")
    AgendaItem.objects.create(meeting=meeting, position=1, title="เรื่องแจ้ง")
    AgendaItem.objects.create(meeting=meeting, position=2, title="เก่า").archive()
    AttendanceFactory(meeting=meeting)
    ResolutionFactory(meeting=meeting)
    meeting.minutes = "บันทึกการประชุมเดิม"
    meeting.save()
    response = staff.post(f"/meetings/{meeting.pk}/duplicate/")
    copy = Meeting.objects.exclude(pk=meeting.pk).get()
    assert response.url == f"/meetings/{copy.pk}/edit/"
    assert (copy.title, copy.meeting_type, copy.venue, copy.chair_name, copy.target_sectors) == (
        meeting.title,
        "working_group",
        "ศาลากลางจังหวัดศรีสะเกษ",
        "นายวีระ ศรีสุข",
        ["movement"],
    )
    starts = timezone.localtime(copy.starts_at)
    assert (starts.date(), starts.strftime("%H:%M")) == (timezone.localdate(), "09:30")
    assert copy.ends_at - copy.starts_at == datetime.timedelta(hours=2, minutes=30)
    assert list(copy.invited_councils.all()) == [council]
    assert list(copy.invited_agencies.all()) == [agency]
    assert copy.organiser_links.get().role == "host"
    assert list(copy.objectives.values_list("text", flat=True)) == ["ติดตามงานบ้านมั่นคง"]
    assert list(copy.agenda_items.values_list("title", flat=True)) == ["เรื่องแจ้ง"]
    assert not copy.attendance.exists() and not copy.resolutions.exists()
    assert copy.minutes == "" and not copy.photos.exists()


def test_a_duplicate_invites_again_only_the_councils_the_user_may_see(staff, meeting, council):
    ubon = ProvinceFactory(code="34", name_th="อุบลราชธานี")
    elsewhere = CouncilFactory(subdistrict__district__province=ubon)
    meeting.invited_councils.add(council, elsewhere)
    staff.post(f"/meetings/{meeting.pk}/duplicate/")
    copy = Meeting.objects.exclude(pk=meeting.pk).get()
    assert list(copy.invited_councils.all()) == [council]


def test_a_viewer_cannot_duplicate_a_meeting(client, meeting, sisaket):
    viewer = UserFactory(username="viewer33", role="viewer")
    viewer.provinces.add(sisaket)
    client.force_login(viewer)
    assert client.post(f"/meetings/{meeting.pk}/duplicate/").status_code == 403
    assert Meeting.objects.count() == 1
    assert "Duplicate" not in client.get(meeting.get_absolute_url(), headers=EN).text


# --- sign-in sheet ----------------------------------------------------------------------------


def test_the_sign_in_sheet_lists_the_invited_parties_in_thai_with_the_buddhist_era_date(
    staff, meeting, council
):
    pao = AgencyFactory(name_th="องค์การบริหารส่วนจังหวัดศรีสะเกษ")
    meeting.invited_councils.add(council)
    meeting.invited_agencies.add(pao)
    # Asked for in English, the sheet is still Thai: it is signed on paper in Thailand.
    response = staff.get(f"/meetings/{meeting.pk}/sign-in.pdf", headers=EN)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content)
    text = " ".join(" ".join(pages).split())
    for expected in (
        "ใบลงทะเบียนผู้เข้าร่วมประชุม",
        "ประชุมคณะทำงานขบวนองค์กรชุมชน",
        "10 มกราคม 2566",
        "09:30 น. – 12:00 น.",
        "ศาลากลางจังหวัดศรีสะเกษ",
        "ลำดับ",
        "ชื่อ-สกุล",
        "ตำแหน่ง",
        "หน่วยงาน",
        "โทรศัพท์",
        "ลายมือชื่อ",
        "สภาองค์กรชุมชนตำบลบึงมะลู",
        "องค์การบริหารส่วนจังหวัดศรีสะเกษ",
    ):
        assert expected in text, expected
    assert "2023" not in text
    # The invited parties first, then twelve blank rows numbered on.
    assert text.index("สภาองค์กรชุมชนตำบลบึงมะลู") < text.index("องค์การบริหารส่วนจังหวัดศรีสะเกษ")
    assert " 14 " in f" {text} "


def test_a_meeting_outside_the_users_scope_has_no_sign_in_sheet(staff):
    ubon = ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")
    elsewhere = MeetingFactory(province=ubon)
    assert staff.get(f"/meetings/{elsewhere.pk}/sign-in.pdf").status_code == 404
