"""The resolution register: filters, overdue by the date in Thailand, follow-up notes that move
a resolution's status, carrying a resolution to a later meeting, matters arising on a meeting's
agenda, and the open resolutions on their owners' pages."""

import datetime
from unittest import mock

import pytest

from meetings.models import Resolution
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    DistrictFactory,
    MeetingFactory,
    ProvinceFactory,
    ResolutionFactory,
    SubdistrictFactory,
    UserFactory,
)
from tests.helpers import EN, bangkok, content_of
from tests.test_details import count_queries, page_text, section

pytestmark = pytest.mark.django_db


def at_utc(*args):
    """Freeze "now" at this UTC moment."""
    moment = datetime.datetime(*args, tzinfo=datetime.UTC)
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def forum(sisaket):
    return MeetingFactory(title="เวทีสมัชชาจังหวัด", starts_at=bangkok(2022, 12, 21, 13, 0))


@pytest.fixture
def next_meeting(sisaket):
    return MeetingFactory(title="ประชุมติดตามมติ", starts_at=bangkok(2023, 3, 1, 9, 0))


def register(client, query="", **headers) -> list[str]:
    response = client.get(f"/meetings/resolutions/?{query}", headers=headers)
    assert response.status_code == 200
    return [resolution.text for resolution in response.context["object_list"]]


# --- overdue in Thailand ----------------------------------------------------------------------


def test_overdue_starts_at_midnight_in_bangkok_not_in_utc(forum):
    resolution = ResolutionFactory(meeting=forum, due_on=datetime.date(2023, 3, 31))
    # 31 March, 16:59 UTC is 23:59 in Bangkok: still due today.
    with at_utc(2023, 3, 31, 16, 59):
        assert not Resolution.objects.overdue().exists()
        assert not resolution.is_overdue()
    # 31 March, 17:00 UTC is already 1 April in Bangkok, though still 31 March in UTC.
    with at_utc(2023, 3, 31, 17, 0):
        assert list(Resolution.objects.overdue()) == [resolution]
        assert resolution.is_overdue()


def test_done_dropped_and_undated_resolutions_are_never_overdue(forum):
    day = datetime.date(2023, 1, 1)
    ResolutionFactory(meeting=forum, due_on=day, status="done")
    ResolutionFactory(meeting=forum, due_on=day, status="dropped")
    ResolutionFactory(meeting=forum, due_on=None)
    late = ResolutionFactory(meeting=forum, due_on=day, status="in_progress")
    with at_utc(2023, 6, 1, 3, 0):
        assert list(Resolution.objects.overdue()) == [late]


def test_the_register_marks_and_filters_overdue_resolutions(staff, forum):
    ResolutionFactory(meeting=forum, text="เลยกำหนด", due_on=datetime.date(2023, 3, 31))
    ResolutionFactory(meeting=forum, text="ยังไม่ถึงกำหนด", due_on=datetime.date(2023, 4, 30))
    with at_utc(2023, 3, 31, 18, 0):
        assert register(staff, "overdue=on") == ["เลยกำหนด"]
        response = staff.get("/meetings/resolutions/", headers=EN)
    rows = page_text(response)
    assert "31 Mar 2023 overdue" in rows
    assert "30 Apr 2023 overdue" not in rows


# --- filters ----------------------------------------------------------------------------------


def test_the_register_filters_by_owner_status_district_and_meeting(
    staff, forum, next_meeting, council, sisaket
):
    elsewhere = CouncilFactory(
        subdistrict=SubdistrictFactory(
            district=DistrictFactory(province=sisaket, code="3301", name_th="เมืองศรีสะเกษ"),
            code="330101",
        )
    )
    agency = AgencyFactory(name_th="พอช.")
    ResolutionFactory(meeting=forum, text="ของสภาบึงมะลู", owner_council=council, owner_agency=None)
    ResolutionFactory(meeting=forum, text="ของสภาเมือง", owner_council=elsewhere, owner_agency=None)
    ResolutionFactory(meeting=next_meeting, text="ของ พอช.", owner_agency=agency, status="done")
    assert register(staff, f"owner_council={council.pk}") == ["ของสภาบึงมะลู"]
    assert register(staff, f"owner_agency={agency.pk}") == ["ของ พอช."]
    assert register(staff, "status=done") == ["ของ พอช."]
    assert register(staff, f"district={council.district_id}") == ["ของสภาบึงมะลู"]
    assert sorted(register(staff, f"meeting={forum.pk}")) == ["ของสภาบึงมะลู", "ของสภาเมือง"]
    assert register(staff, "q=บึงมะลู") == ["ของสภาบึงมะลู"]


def test_the_register_leaves_out_other_provinces_and_archived_resolutions(staff, forum):
    ubon = ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")
    ResolutionFactory(meeting=MeetingFactory(province=ubon), text="ต่างจังหวัด")
    ResolutionFactory(meeting=forum, text="เก็บแล้ว").archive()
    ResolutionFactory(meeting=forum, text="ในจังหวัด")
    assert register(staff) == ["ในจังหวัด"]


def test_the_register_exports_what_it_shows(staff, forum, council):
    ResolutionFactory(
        meeting=forum,
        text="จัดทำแผนพัฒนาตำบล",
        owner_council=council,
        owner_agency=None,
        due_on=datetime.date(2023, 3, 31),
    )
    content = content_of(staff.get("/meetings/resolutions/?format=csv")).decode("utf-8-sig")
    assert "จัดทำแผนพัฒนาตำบล" in content
    assert "สภาองค์กรชุมชนตำบลบึงมะลู" in content
    assert "31/03/2566" in content


def test_the_register_runs_as_many_queries_for_60_rows_as_for_3(
    staff, forum, council, django_assert_num_queries
):
    def grow(count):
        for _ in range(count):
            first = ResolutionFactory(
                meeting=MeetingFactory(), owner_council=council, owner_agency=None
            )
            first.follow_ups.create(noted_on=datetime.date(2023, 1, 5), note="โทรถามแล้ว")
            ResolutionFactory(meeting=forum, carried_from=first)

    grow(1)
    small = count_queries(staff, "/meetings/resolutions/")
    # session, user, provinces, count, page, session save (savepoint, update, release) and
    # the atomic request; the filters' councils, agencies, districts and meetings are pickers.
    assert small == 10
    grow(29)
    with django_assert_num_queries(small):
        response = staff.get("/meetings/resolutions/")
    assert len(response.context["object_list"]) == 25


# --- follow-up notes --------------------------------------------------------------------------


def follow_up(client, resolution, **data):
    fields = {"follow-noted_on": "5/1/2566", "follow-note": "ติดตามแล้ว", "follow-status": ""}
    fields.update({f"follow-{key}": value for key, value in data.items()})
    return client.post(f"/meetings/resolutions/{resolution.pk}/follow-up/", fields)


def test_a_follow_up_note_is_dated_and_can_close_the_resolution(staff, forum):
    resolution = ResolutionFactory(meeting=forum)
    response = follow_up(staff, resolution, note="ได้รับงบประมาณแล้ว", status="done")
    assert response.status_code == 302
    resolution.refresh_from_db()
    assert resolution.status == "done"
    note = resolution.follow_ups.get()
    assert (note.noted_on, note.note) == (datetime.date(2023, 1, 5), "ได้รับงบประมาณแล้ว")
    text = page_text(staff.get(resolution.get_absolute_url()))
    assert "5 ม.ค. 2566" in text and "ได้รับงบประมาณแล้ว" in text


def test_a_follow_up_without_a_status_leaves_the_status_alone(staff, forum):
    resolution = ResolutionFactory(meeting=forum, status="in_progress")
    assert follow_up(staff, resolution).status_code == 302
    resolution.refresh_from_db()
    assert resolution.status == "in_progress"


def test_a_follow_up_dated_in_the_future_or_empty_is_refused_and_changes_nothing(staff, forum):
    resolution = ResolutionFactory(meeting=forum)
    response = follow_up(staff, resolution, noted_on="1/1/2600", status="done")
    assert response.status_code == 400
    assert "cannot be dated in the future" in response.text or "อนาคต" in response.text
    response = follow_up(staff, resolution, note="", status="done")
    assert response.status_code == 400
    resolution.refresh_from_db()
    assert resolution.status == "open" and not resolution.follow_ups.exists()


def test_a_viewer_cannot_add_a_follow_up(client, forum, sisaket):
    viewer = UserFactory(username="viewer33", role="viewer")
    viewer.provinces.add(sisaket)
    client.force_login(viewer)
    resolution = ResolutionFactory(meeting=forum)
    assert follow_up(client, resolution, status="done").status_code == 403
    assert not resolution.follow_ups.exists()
    assert "Add a follow-up note" not in client.get(resolution.get_absolute_url(), headers=EN).text


# --- carry-over -------------------------------------------------------------------------------


def carry(client, resolution, meeting, due=""):
    return client.post(
        f"/meetings/resolutions/{resolution.pk}/carry/",
        {"carry-meeting": meeting.pk, "carry-due_on": due},
    )


def test_a_resolution_carried_to_a_later_meeting_links_both_ways(staff, forum, next_meeting):
    ResolutionFactory(meeting=next_meeting, position=1)
    first = ResolutionFactory(
        meeting=forum, text="ติดตามกองทุนสวัสดิการ", due_on=datetime.date(2023, 1, 31)
    )
    response = carry(staff, first, next_meeting, due="31/3/2566")
    carried = Resolution.objects.get(carried_from=first)
    assert response.url == carried.get_absolute_url()
    assert (carried.meeting, carried.position, carried.text) == (
        next_meeting,
        2,
        "ติดตามกองทุนสวัสดิการ",
    )
    assert carried.owner_agency_id == first.owner_agency_id
    assert carried.due_on == datetime.date(2023, 3, 31)
    later_page = staff.get(carried.get_absolute_url(), headers=EN)
    assert f'href="/meetings/resolutions/{first.pk}/"' in later_page.text
    assert "Carried from" in page_text(later_page)
    earlier_page = staff.get(first.get_absolute_url(), headers=EN)
    assert f'href="/meetings/resolutions/{carried.pk}/"' in earlier_page.text
    assert "Carried to" in page_text(earlier_page)
    # The earlier one says where it went, and is no longer followed up on its own.
    assert "ประชุมติดตามมติ" in first.follow_ups.get().note
    assert list(Resolution.objects.pending()) == [
        r for r in Resolution.objects.pending() if r.pk != first.pk
    ]
    assert first not in Resolution.objects.pending()
    assert carried in Resolution.objects.pending()
    assert "carried over" in page_text(staff.get(f"/meetings/{forum.pk}/", headers=EN))


def test_a_resolution_is_carried_once_and_only_to_a_later_meeting(staff, forum, next_meeting):
    earlier = MeetingFactory(starts_at=bangkok(2022, 6, 1, 9, 0))
    first = ResolutionFactory(meeting=forum)
    assert carry(staff, first, earlier).status_code == 400
    assert carry(staff, first, next_meeting).status_code == 302
    assert (
        carry(staff, first, MeetingFactory(starts_at=bangkok(2023, 5, 1, 9, 0))).status_code == 400
    )
    assert Resolution.objects.filter(carried_from=first).count() == 1


def test_a_done_resolution_is_not_carried(staff, forum, next_meeting):
    done = ResolutionFactory(meeting=forum, status="done")
    response = carry(staff, done, next_meeting)
    assert response.status_code == 400
    assert not Resolution.objects.filter(carried_from=done).exists()


def test_a_second_carry_that_passed_its_form_before_the_first_one_saved_is_refused():
    """A double click on "Carry over": both requests pass the form's check before either
    saves; the second must not make a second "still to do" copy."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from meetings import services

    resolution = ResolutionFactory(meeting=MeetingFactory())
    later = MeetingFactory(starts_at=resolution.meeting.starts_at + datetime.timedelta(days=30))
    services.carry_over(resolution, later, None, "th")
    with pytest.raises(ValidationError):
        services.carry_over(resolution, later, timezone.localdate(), "th")
    assert Resolution.objects.filter(carried_from=resolution).count() == 1


# --- matters arising --------------------------------------------------------------------------


def arising(client, meeting) -> str:
    return section(client.get(meeting.get_absolute_url()), "arising-heading")


def test_matters_arising_list_open_resolutions_of_invited_parties_until_they_close(
    staff, forum, next_meeting, council
):
    agency = AgencyFactory(name_th="องค์การบริหารส่วนจังหวัดศรีสะเกษ")
    next_meeting.invited_councils.add(council)
    next_meeting.invited_agencies.add(agency)
    of_council = ResolutionFactory(
        meeting=forum, text="จัดทำแผนพัฒนาตำบล", owner_council=council, owner_agency=None
    )
    ResolutionFactory(meeting=forum, text="สนับสนุนงบประมาณ", owner_agency=agency)
    ResolutionFactory(meeting=forum, text="มติของผู้ไม่ได้รับเชิญ")
    ResolutionFactory(meeting=forum, text="มติที่เสร็จแล้ว", owner_agency=agency, status="done")
    # A later meeting's resolutions are not "arising" for an earlier one.
    ResolutionFactory(
        meeting=MeetingFactory(starts_at=bangkok(2023, 6, 1, 9, 0)),
        text="มติของการประชุมหลังจากนี้",
        owner_agency=agency,
    )
    text = arising(staff, next_meeting)
    assert "จัดทำแผนพัฒนาตำบล" in text and "สนับสนุนงบประมาณ" in text
    assert "มติของผู้ไม่ได้รับเชิญ" not in text
    assert "มติที่เสร็จแล้ว" not in text
    assert "มติของการประชุมหลังจากนี้" not in text
    follow_up(staff, of_council, status="done")
    text = arising(staff, next_meeting)
    assert "จัดทำแผนพัฒนาตำบล" not in text and "สนับสนุนงบประมาณ" in text


def test_a_carried_resolution_arises_once_from_the_meeting_it_was_carried_to(
    staff, forum, next_meeting, council
):
    third = MeetingFactory(title="ประชุมครั้งที่สาม", starts_at=bangkok(2023, 6, 1, 9, 0))
    third.invited_councils.add(council)
    first = ResolutionFactory(
        meeting=forum, text="จัดทำแผนพัฒนาตำบล", owner_council=council, owner_agency=None
    )
    carry(staff, first, next_meeting)
    response = staff.get(third.get_absolute_url())
    assert [r.meeting for r in response.context["matters_arising"]] == [next_meeting]


# --- owners' pages ----------------------------------------------------------------------------


def test_an_owners_page_lists_its_open_resolutions_only(staff, forum, council):
    ResolutionFactory(meeting=forum, text="ยังเปิดอยู่", owner_council=council, owner_agency=None)
    ResolutionFactory(
        meeting=forum, text="ปิดแล้ว", owner_council=council, owner_agency=None, status="done"
    )
    agency = AgencyFactory()
    ResolutionFactory(meeting=forum, text="ของหน่วยงานที่ยังเปิด", owner_agency=agency)
    council_page = section(staff.get(council.get_absolute_url()), "resolutions-heading")
    assert "ยังเปิดอยู่" in council_page and "ปิดแล้ว" not in council_page
    assert f"owner_council={council.pk}" in staff.get(council.get_absolute_url()).text
    agency_page = section(staff.get(agency.get_absolute_url()), "resolutions-heading")
    assert "ของหน่วยงานที่ยังเปิด" in agency_page


def test_a_council_editor_sees_the_resolutions_its_council_owns_and_their_meetings(
    client, forum, council
):
    editor = UserFactory(username="editor", role="council_editor", council=council)
    client.force_login(editor)
    ResolutionFactory(
        meeting=forum, text="จัดทำแผนพัฒนาตำบล", owner_council=council, owner_agency=None
    )
    ResolutionFactory(meeting=MeetingFactory(), text="มติที่ไม่เกี่ยวข้อง")
    assert register(client) == ["จัดทำแผนพัฒนาตำบล"]
    assert client.get(forum.get_absolute_url()).status_code == 200
    assert "จัดทำแผนพัฒนาตำบล" in section(
        client.get(council.get_absolute_url()), "resolutions-heading"
    )


def test_follow_ups_and_status_changes_are_in_the_meetings_history(staff, forum):
    resolution = ResolutionFactory(meeting=forum, text="จัดทำแผนพัฒนาตำบล")
    follow_up(staff, resolution, note="ส่งแผนให้ อบต. แล้ว", status="done")
    text = page_text(staff.get(f"/meetings/{forum.pk}/history/"))
    assert "ส่งแผนให้ อบต. แล้ว" in text
    assert "เสร็จแล้ว" in text


def test_a_council_editor_reports_progress_on_its_own_resolutions_only(client, forum, council):
    editor = UserFactory(username="editor", role="council_editor", council=council)
    forum.invited_councils.add(council)
    own = ResolutionFactory(meeting=forum, owner_council=council, owner_agency=None)
    of_an_agency = ResolutionFactory(meeting=forum)
    client.force_login(editor)
    assert "follow-note" in client.get(own.get_absolute_url()).text
    assert "carry-meeting" not in client.get(own.get_absolute_url()).text
    assert follow_up(client, own, note="ส่งแผนให้ อบต. แล้ว", status="done").status_code == 302
    own.refresh_from_db()
    assert own.status == "done" and own.follow_ups.get().note == "ส่งแผนให้ อบต. แล้ว"
    assert follow_up(client, of_an_agency, status="done").status_code == 403
    assert "follow-note" not in client.get(of_an_agency.get_absolute_url()).text
    assert (
        carry(client, own, MeetingFactory(starts_at=bangkok(2023, 6, 1, 9, 0))).status_code == 403
    )
    of_an_agency.refresh_from_db()
    assert of_an_agency.status == "open" and not of_an_agency.follow_ups.exists()
