"""A council editor's home is its own council: what its record still lacks, the resolutions it
owns (overdue first, a follow-up a tap away), its projects with their next progress report and
the meetings it is invited to. Other roles keep the dashboard; the editor reaches it too."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from councils.models import CouncilMember
from meetings.models import Resolution
from projects.models import Project
from tests.factories import (
    CouncilFactory,
    CouncilMemberFactory,
    MeetingFactory,
    ProgressUpdateFactory,
    ProjectFactory,
    ResolutionFactory,
    UserFactory,
)

TODAY = timezone.localdate()


@pytest.fixture
def editor(client, council):
    user = UserFactory(username="editor", role="council_editor", council=council)
    client.force_login(user)
    return client


def _resolution(council, *, due_on, meeting=None, **kwargs):
    return ResolutionFactory(
        meeting=meeting or MeetingFactory(province=council.district.province),
        owner_agency=None,
        owner_council=council,
        due_on=due_on,
        **kwargs,
    )


def test_the_editor_lands_on_its_council(editor, council):
    page = editor.get("/").content.decode()
    assert "สภาของฉัน" in page and council.name_th in page
    assert "ภาพรวมจังหวัด" in page  # the province dashboard is a link away
    assert "Partnership at a glance" not in page


def test_what_the_record_lacks_is_named_with_a_link_to_complete_it(editor, council):
    page = editor.get("/").content.decode()
    # No chair, no members, no phone or e-mail in the fixture's council.
    assert "ข้อมูลที่ยังขาด" in page
    for missing in ("ประธาน", "สมาชิก"):
        assert missing in page
    assert f"/councils/{council.pk}/edit/" in page
    CouncilMemberFactory(council=council, role=CouncilMember.Role.CHAIR)
    council.phone = "045611234"
    council.save()
    page = editor.get("/").content.decode()
    assert "ข้อมูลที่ยังขาด" not in page and "ข้อมูลครบถ้วน" in page


def test_overdue_and_due_resolutions_come_first_each_with_its_follow_up(editor, council):
    later = _resolution(council, due_on=TODAY + datetime.timedelta(days=30), text="มติที่สาม")
    undated = _resolution(council, due_on=None, text="มติไม่มีกำหนด")
    overdue = _resolution(council, due_on=TODAY - datetime.timedelta(days=3), text="มติเลยกำหนด")
    _resolution(council, due_on=TODAY, text="มติที่ทำเสร็จ", status=Resolution.Status.DONE)
    ResolutionFactory(text="มติของหน่วยงาน")  # owned by an agency, not the council
    other = CouncilFactory()
    _resolution(other, due_on=TODAY, text="มติของสภาอื่น")
    page = editor.get("/").content.decode()
    positions = [page.index(r.text) for r in (overdue, later, undated)]
    assert positions == sorted(positions)
    assert "มติที่ทำเสร็จ" not in page and "มติของหน่วยงาน" not in page
    assert "มติของสภาอื่น" not in page
    assert "เลยกำหนด 1 เรื่อง" in page
    assert f"/meetings/resolutions/{overdue.pk}/#follow-ups-heading" in page


def test_projects_under_way_show_their_next_progress_report(editor, council):
    reported = ProjectFactory(
        council=council, status=Project.Status.IN_PROGRESS, title_th="โครงการรายงานแล้ว"
    )
    ProgressUpdateFactory(project=reported, reported_on=TODAY - datetime.timedelta(days=100))
    fresh = ProjectFactory(
        council=council,
        status=Project.Status.APPROVED,
        title_th="โครงการเพิ่งเริ่ม",
        start_date=TODAY - datetime.timedelta(days=10),
    )
    ProjectFactory(council=council, status=Project.Status.COMPLETED, title_th="โครงการจบแล้ว")
    page = editor.get("/").content.decode()
    assert page.index(reported.title_th) < page.index(fresh.title_th)  # overdue report first
    assert "โครงการจบแล้ว" not in page
    assert "กำหนดรายงานครั้งถัดไป" in page and "เลยกำหนด" in page
    assert f"/projects/{fresh.pk}/updates/new/" in page


def test_meetings_it_is_invited_to_come_with_their_dates(editor, council):
    soon = MeetingFactory(
        province=council.district.province,
        title="เวทีสภาองค์กรชุมชนจังหวัด",
        starts_at=timezone.now() + datetime.timedelta(days=7),
    )
    soon.invited_councils.add(council)
    MeetingFactory(title="ประชุมที่ไม่ได้เชิญ", starts_at=timezone.now() + datetime.timedelta(days=3))
    page = editor.get("/").content.decode()
    assert soon.title in page and "ประชุมที่ไม่ได้เชิญ" not in page


def test_empty_states_say_what_to_do_next(editor, council):
    page = editor.get("/").content.decode()
    assert "ยังไม่มีมติที่ต้องติดตาม" in page
    assert f"/meetings/resolutions/?owner_council={council.pk}" in page
    assert "ยังไม่มีการประชุมที่จะถึง" in page


def test_the_page_is_in_english_too(editor, council):
    editor.cookies["django_language"] = "en"
    page = editor.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My council" in page and "Resolutions to follow up" in page


def test_the_province_dashboard_is_one_link_away(editor):
    page = editor.get("/?dashboard=1").content.decode()
    assert 'name="dashboard"' in page  # the filters keep the editor on the dashboard
    assert "สภาของฉัน" not in page


def test_other_roles_keep_the_dashboard(staff):
    assert "สภาของฉัน" not in staff.get("/").content.decode()


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_the_home_takes_the_same_queries_however_much_the_council_has(editor, council):
    def add(n):
        for _ in range(n):
            meeting = MeetingFactory(
                province=council.district.province,
                starts_at=timezone.now() + datetime.timedelta(days=5),
            )
            meeting.invited_councils.add(council)
            _resolution(council, due_on=TODAY, meeting=meeting)
            project = ProjectFactory(council=council, status=Project.Status.IN_PROGRESS)
            ProgressUpdateFactory(project=project, reported_on=TODAY)

    add(2)
    few = _queries(editor)
    add(8)
    assert _queries(editor) == few <= 15


def test_every_role_that_reads_the_register_has_it_in_the_menu(client, council, sisaket):
    for role in ("admin", "staff", "council_editor", "viewer"):
        user = UserFactory(role=role, council=council if role == "council_editor" else None)
        client.force_login(user)
        page = client.get("/meetings/").content.decode()
        assert 'href="/meetings/resolutions/"' in page, role
