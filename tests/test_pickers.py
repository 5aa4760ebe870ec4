"""Long choice lists are searchable pickers: a page sends only the chosen option, and the
choices come, as the user types, from JSON endpoints that search in Thai within the user's
scope, a screenful at a time."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import Council
from meetings.forms import ATTENDANCE_PAGE_ROWS
from meetings.models import Attendance, Resolution
from portal.pickers import PICKER_LIMIT
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    DistrictFactory,
    MeetingFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    ProvinceFactory,
    ResolutionFactory,
    SubdistrictFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def kantharalak(sisaket):
    return DistrictFactory(province=sisaket, code="3304", name_th="กันทรลักษ์", name_en="Kantharalak")


@pytest.fixture
def ubon():
    return ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")


def council_in(district, name: str, code: str) -> Council:
    return CouncilFactory(
        subdistrict=SubdistrictFactory(district=district), name_th=name, code=code
    )


def choices(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def texts(data) -> list[str]:
    return [row["text"] for row in data["results"]]


def test_a_fragment_of_a_thai_name_finds_councils_of_the_users_provinces_only(
    staff, kantharalak, ubon
):
    council_in(kantharalak, "สภาองค์กรชุมชนตำบลกันทรารมย์", "C1")
    council_in(kantharalak, "สภาองค์กรชุมชนตำบลบึงมะลู", "C2")
    council_in(DistrictFactory(province=ubon, code="3401"), "สภาองค์กรชุมชนตำบลกันทรอุบล", "C3")
    data = choices(staff, "/councils/choices/?q=กันทร")
    # บึงมะลู is found by its district's name (กันทรลักษ์); Ubon's council is not the staff's.
    assert texts(data) == [
        "สภาองค์กรชุมชนตำบลกันทรารมย์ (กันทรลักษ์)",
        "สภาองค์กรชุมชนตำบลบึงมะลู (กันทรลักษ์)",
    ]
    assert data["more"] is False


def test_councils_of_the_same_name_are_told_apart_by_their_district(admin_client, sisaket, ubon):
    council_in(
        DistrictFactory(province=sisaket, code="3301", name_th="เมืองศรีสะเกษ"),
        "สภาองค์กรชุมชนตำบลโพธิ์",
        "C1",
    )
    council_in(
        DistrictFactory(province=ubon, code="3401", name_th="เมืองอุบลราชธานี"),
        "สภาองค์กรชุมชนตำบลโพธิ์",
        "C2",
    )
    assert sorted(texts(choices(admin_client, "/councils/choices/?q=โพธิ์"))) == [
        "สภาองค์กรชุมชนตำบลโพธิ์ (เมืองศรีสะเกษ)",
        "สภาองค์กรชุมชนตำบลโพธิ์ (เมืองอุบลราชธานี)",
    ]


def test_the_choices_are_capped_and_say_there_are_more(admin_client, kantharalak):
    Council.objects.bulk_create(
        Council(
            code=f"M{n:03}",
            name_th=f"สภาองค์กรชุมชนเทศบาล{n:03}",
            district=kantharalak,
            area_type=Council.AreaType.MUNICIPALITY,
            municipality_name=f"เทศบาล{n:03}",
        )
        for n in range(PICKER_LIMIT + 5)
    )
    data = choices(admin_client, "/councils/choices/?q=เทศบาล")
    assert len(data["results"]) == PICKER_LIMIT
    assert data["more"] is True
    assert len(choices(admin_client, "/councils/choices/?q=เทศบาล ๐๐๗")["results"]) == 1


def test_a_council_editor_is_offered_its_own_council_only(client, kantharalak):
    own = council_in(kantharalak, "สภาองค์กรชุมชนตำบลหนึ่ง", "C1")
    council_in(kantharalak, "สภาองค์กรชุมชนตำบลสอง", "C2")
    client.force_login(UserFactory(role="council_editor", council=own))
    assert texts(choices(client, "/councils/choices/?q=สภา")) == ["สภาองค์กรชุมชนตำบลหนึ่ง (กันทรลักษ์)"]


def test_a_meetings_rows_are_offered_the_councils_of_its_province(admin_client, kantharalak, ubon):
    council_in(kantharalak, "สภาองค์กรชุมชนตำบลศรีสะเกษ", "C1")
    council_in(DistrictFactory(province=ubon, code="3401"), "สภาองค์กรชุมชนตำบลอุบล", "C2")
    data = choices(admin_client, "/councils/choices/?province=33&q=สภา")
    assert [text.split(" (")[0] for text in texts(data)] == ["สภาองค์กรชุมชนตำบลศรีสะเกษ"]


def test_districts_are_offered_within_scope_with_their_province(staff, kantharalak, ubon):
    DistrictFactory(province=ubon, code="3401", name_th="เมืองอุบลราชธานี")
    DistrictFactory(province=kantharalak.province, code="3301", name_th="เมืองศรีสะเกษ")
    assert texts(choices(staff, "/councils/district-choices/?q=เมือง")) == ["เมืองศรีสะเกษ (ศรีสะเกษ)"]


def test_meetings_and_agencies_are_offered_by_name(staff, sisaket, ubon):
    MeetingFactory(province=sisaket, title="เวทีสมัชชาจังหวัดศรีสะเกษ")
    MeetingFactory(province=ubon, title="เวทีสมัชชาจังหวัดอุบล")
    AgencyFactory(name_th="สำนักงานพัฒนาสังคมจังหวัด", short_name="พมจ.")
    assert [t.split(" (")[0] for t in texts(choices(staff, "/meetings/choices/?q=เวที"))] == [
        "เวทีสมัชชาจังหวัดศรีสะเกษ"
    ]
    assert texts(choices(staff, "/agencies/choices/?q=พมจ")) == ["สำนักงานพัฒนาสังคมจังหวัด (พมจ.)"]


@pytest.mark.parametrize("query", ["", "'; DROP TABLE x; --", "<script>", "x" * 500, "%", "_"])
def test_odd_searches_answer_an_ordinary_list(admin_client, kantharalak, query):
    council_in(kantharalak, "สภาองค์กรชุมชนตำบลหนึ่ง", "C1")
    data = choices(admin_client, f"/councils/choices/?q={query}")
    assert isinstance(data["results"], list)
    assert data["more"] in (True, False)


def options_of(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select named {name}"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


def test_the_register_filters_send_only_the_chosen_option(admin_client, kantharalak):
    councils = [council_in(kantharalak, f"สภาองค์กรชุมชนตำบลที่{n}", f"C{n}") for n in range(30)]
    meetings = MeetingFactory.create_batch(30, district=kantharalak)
    for council, meeting in zip(councils, meetings, strict=True):
        ResolutionFactory(meeting=meeting, owner_agency=None, owner_council=council)
    response = admin_client.get("/meetings/resolutions/")
    html = response.text
    for name in ("owner_council", "owner_agency", "district", "meeting"):
        assert options_of(html, name) == [""]
        assert 'data-picker-url="' in html
    chosen = admin_client.get(f"/meetings/resolutions/?owner_council={councils[3].pk}").text
    assert options_of(chosen, "owner_council") == ["", "สภาองค์กรชุมชนตำบลที่3 (กันทรลักษ์)"]


def test_the_register_runs_as_many_queries_with_a_chosen_owner_for_30_rows_as_for_3(
    admin_client, kantharalak, django_assert_num_queries
):
    def add(count, start):
        for n in range(start, start + count):
            council = council_in(kantharalak, f"สภาองค์กรชุมชนตำบลที่{n}", f"C{n}")
            ResolutionFactory(
                meeting=MeetingFactory(district=kantharalak),
                owner_agency=None,
                owner_council=council,
            )
        return council

    council = add(3, 0)
    url = f"/meetings/resolutions/?owner_council={council.pk}&district={kantharalak.pk}"
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(url).status_code == 200
    assert len(queries) == REGISTER_FILTERED_QUERIES
    add(30, 3)
    with django_assert_num_queries(REGISTER_FILTERED_QUERIES):
        admin_client.get(url)


# An administrator's register filtered by a council and a district: the session, the user,
# the chosen council and district checked and then named in their pickers, the count, the
# page, the session saved (and the savepoints of the atomic request).
REGISTER_FILTERED_QUERIES = 14


def test_the_meeting_pages_name_each_rows_council_without_listing_the_province(
    staff, kantharalak, django_assert_num_queries
):
    councils = [council_in(kantharalak, f"สภาองค์กรชุมชนตำบลที่{n}", f"C{n}") for n in range(40)]
    meeting = MeetingFactory(province=kantharalak.province, district=kantharalak)
    meeting.invited_councils.set(councils)
    for position, council in enumerate(councils[:5], start=1):
        Attendance.objects.create(meeting=meeting, council=council, person_name=f"คน {position}")
        Resolution.objects.create(
            meeting=meeting, position=position, text="ติดตาม", owner_council=council
        )
    edit, attendance = f"/meetings/{meeting.pk}/edit/", f"/meetings/{meeting.pk}/attendance/"
    queries = {}
    for url in (edit, attendance):
        with CaptureQueriesContext(connection) as captured:
            html = staff.get(url).text
        queries[url] = len(captured)
        if url == edit:
            assert options_of(html, "resolutions-4-owner_council") == [
                "",
                "สภาองค์กรชุมชนตำบลที่4 (กันทรลักษ์)",
            ]
            assert len(options_of(html, "invited_councils")) == 40
        else:
            assert options_of(html, "attendance-0-council") == [
                "",
                "สภาองค์กรชุมชนตำบลที่0 (กันทรลักษ์)",
            ]
    for position, council in enumerate(councils[5:], start=6):
        Attendance.objects.create(meeting=meeting, council=council, person_name=f"คน {position}")
        Resolution.objects.create(
            meeting=meeting, position=position, text="ติดตาม", owner_council=council
        )
    with django_assert_num_queries(queries[edit]):
        html = staff.get(edit).text
    for row in range(40):
        assert len(options_of(html, f"resolutions-{row}-owner_council")) == 2
    assert options_of(html, "resolutions-__prefix__-owner_council") == [""]
    with django_assert_num_queries(queries[attendance]):
        html = staff.get(attendance).text
    for row in range(ATTENDANCE_PAGE_ROWS):
        assert len(options_of(html, f"attendance-{row}-council")) == 2
    assert f'name="attendance-{ATTENDANCE_PAGE_ROWS}-council"' not in html
    assert options_of(html, "attendance-__prefix__-council") == [""]


def test_the_project_and_council_forms_name_the_chosen_council_and_district_only(
    admin_client, kantharalak
):
    councils = [council_in(kantharalak, f"สภาองค์กรชุมชนตำบลที่{n}", f"C{n}") for n in range(30)]
    project = ProjectFactory(council=councils[7])
    ProjectPartnerFactory(project=project, agency=AgencyFactory(name_th="มหาวิทยาลัยราชภัฏศรีสะเกษ"))
    html = admin_client.get(f"/projects/{project.pk}/edit/").text
    assert options_of(html, "council") == ["", "สภาองค์กรชุมชนตำบลที่7 (กันทรลักษ์)"]
    assert options_of(html, "partners-0-agency") == ["", "มหาวิทยาลัยราชภัฏศรีสะเกษ"]
    html = admin_client.get(f"/councils/{councils[7].pk}/edit/").text
    assert options_of(html, "district") == ["", "กันทรลักษ์ (ศรีสะเกษ)"]


def test_a_resolution_is_carried_to_a_later_meeting_found_by_its_picker(admin_client, sisaket):
    earlier = MeetingFactory(province=sisaket, title="ประชุมครั้งที่ ๑")
    resolution = ResolutionFactory(meeting=earlier)
    for month in range(1, 31):
        MeetingFactory(
            province=sisaket,
            title=f"ประชุมติดตามครั้งที่ {month}",
            starts_at=earlier.starts_at + datetime.timedelta(days=30 * month),
        )
    MeetingFactory(
        province=sisaket,
        title="ประชุมก่อนหน้า",
        starts_at=earlier.starts_at - datetime.timedelta(days=30),
    )
    html = admin_client.get(f"/meetings/resolutions/{resolution.pk}/").text
    picker = re.search(r'<select name="carry-meeting"[^>]*data-picker-url="([^"]+)"', html)
    assert options_of(html, "carry-meeting") == [""]
    offered = texts(choices(admin_client, picker.group(1).replace("&amp;", "&") + "&q=ประชุม"))
    assert len(offered) == PICKER_LIMIT
    assert offered[0].startswith("ประชุมติดตามครั้งที่ 1 (")
    assert not any(text.startswith(("ประชุมก่อนหน้า", "ประชุมครั้งที่ ๑")) for text in offered)
