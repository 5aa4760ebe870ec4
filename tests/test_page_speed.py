"""Pages stay fast after a year of use: a province-wide forum with every council invited,
several attendees and resolutions per council, must not make any page's query count grow
with the rows, nor make one user's read block another user's write."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from councils.models import Council
from meetings.models import Attendance, Meeting, Resolution
from tests.factories import (
    CouncilFactory,
    DisbursementFactory,
    DistrictFactory,
    MeetingFactory,
    ProjectFactory,
    SubdistrictFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FORUM_COUNCILS = 215
# The session, the user, the council, its members (and the access-log line for showing
# them), organisations, projects, meetings, resolutions, the edit right, the session saved.
COUNCIL_PAGE_QUERIES = 15
# An administrator's: the session, the user, the filter's fiscal years, the count, the page,
# the programmes of the filter, the session saved (and the atomic request's savepoints).
PROJECT_LIST_QUERIES = 11


def make_councils(district, count: int) -> list[Council]:
    return Council.objects.bulk_create(
        Council(
            code=f"F{n:05}",
            name_th=f"สภาองค์กรชุมชนเทศบาลทดสอบ{n}",
            district=district,
            area_type=Council.AreaType.MUNICIPALITY,
            municipality_name=f"เทศบาลทดสอบ{n}",
        )
        for n in range(count)
    )


def make_forum(province, councils, *, attendees: int, resolutions: int) -> Meeting:
    """A provincial forum every council was invited to, with `attendees` people and
    `resolutions` resolutions for each council."""
    forum = MeetingFactory(
        province=province,
        title="เวทีสมัชชาสภาองค์กรชุมชนจังหวัด",
        meeting_type=Meeting.Type.PROVINCIAL_FORUM,
        starts_at=timezone.make_aware(datetime.datetime(2022, 12, 21, 13, 0)),
    )
    forum.invited_councils.set(councils)
    Attendance.objects.bulk_create(
        Attendance(meeting=forum, council=council, person_name=f"ผู้แทน {council.pk}-{n}")
        for council in councils
        for n in range(attendees)
    )
    Resolution.objects.bulk_create(
        Resolution(
            meeting=forum,
            position=position,
            text=f"มติที่ {position}",
            owner_council=council,
            due_on=datetime.date(2023, 3, 31),
        )
        for position, (council, _) in enumerate(
            ((council, n) for council in councils for n in range(resolutions)), start=1
        )
    )
    return forum


@pytest.fixture
def forum_councils(sisaket):
    return make_councils(DistrictFactory(province=sisaket), FORUM_COUNCILS)


@pytest.fixture
def council_editor(client, forum_councils):
    user = UserFactory(username="editor", role="council_editor", council=forum_councils[0])
    client.force_login(user)
    return client


def queries_of(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries), response


def test_a_council_page_after_a_province_wide_forum_runs_a_fixed_number_of_queries(
    council_editor, sisaket, forum_councils
):
    council = forum_councils[0]
    url = council.get_absolute_url()
    nothing_recorded, _ = queries_of(council_editor, url)
    make_forum(sisaket, forum_councils, attendees=2, resolutions=2)
    two_each, _ = queries_of(council_editor, url)
    make_forum(sisaket, forum_councils, attendees=4, resolutions=4)
    four_each, response = queries_of(council_editor, url)
    assert nothing_recorded == two_each == four_each == COUNCIL_PAGE_QUERIES
    assert len(response.context["meetings"]) == 2
    assert len(response.context["resolutions"]) == 6


def test_a_late_page_of_projects_counts_them_without_adding_up_their_disbursements(
    admin_client, sisaket
):
    council = CouncilFactory(subdistrict=SubdistrictFactory(district__province=sisaket))
    for project in ProjectFactory.create_batch(60, council=council):
        DisbursementFactory(project=project, amount=Decimal("1000"))
        DisbursementFactory(project=project, amount=Decimal("500"))
    count, response = queries_of(admin_client, "/projects/?page=3")
    assert count == PROJECT_LIST_QUERIES
    assert response.context["paginator"].count == 60
    assert [project.disbursed for project in response.context["object_list"]] == [1500] * 10
    with CaptureQueriesContext(connection) as queries:
        admin_client.get("/projects/?page=3")
    counting = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counting and not any("disbursement" in sql for sql in counting)
    assert not any("GROUP BY" in sql for sql in counting)


# A province forum's pages, as staff: whatever the number of people recorded, the same
# queries and a page of a few hundred kilobytes at most (the budget is 300 KB).
FORUM_PAGES = {"": 22, "edit/": 18, "attendance/": 14}
FORUM_PAGE_BYTES = 300 * 1024


@pytest.fixture
def staff_of_the_province(client, sisaket):
    user = UserFactory(username="staff33", role="staff")
    user.provinces.add(sisaket)
    client.force_login(user)
    return client


@pytest.mark.parametrize("page", list(FORUM_PAGES))
def test_a_province_forums_pages_run_fixed_queries_and_stay_small(
    staff_of_the_province, sisaket, forum_councils, page
):
    few = make_forum(sisaket, forum_councils[:3], attendees=1, resolutions=0)
    url = f"/meetings/{few.pk}/{page}"
    small, _ = queries_of(staff_of_the_province, url)
    forum = make_forum(sisaket, forum_councils, attendees=2, resolutions=0)
    url = f"/meetings/{forum.pk}/{page}"
    large, response = queries_of(staff_of_the_province, url)
    assert small == large == FORUM_PAGES[page]
    assert len(response.content) < FORUM_PAGE_BYTES
    assert forum.attendance.count() == 2 * FORUM_COUNCILS


def test_the_attendance_page_of_one_council_names_it_for_new_rows(
    staff_of_the_province, sisaket, forum_councils
):
    forum = make_forum(sisaket, forum_councils, attendees=2, resolutions=0)
    council = forum_councils[7]
    _, response = queries_of(
        staff_of_the_province, f"/meetings/{forum.pk}/attendance/?council={council.pk}"
    )
    formset = response.context["formsets"]["attendance"]
    assert {row.instance.council_id for row in formset.forms} == {council.pk}
    assert len(formset.forms) == 2
    assert formset.empty_form["council"].value() == council.pk


def test_a_forums_page_shows_the_first_matters_arising_and_links_to_all_of_them(
    staff_of_the_province, sisaket, forum_councils
):
    make_forum(sisaket, forum_councils[:30], attendees=0, resolutions=1)
    later = MeetingFactory(
        province=sisaket, starts_at=timezone.make_aware(datetime.datetime(2023, 3, 1, 9, 0))
    )
    later.invited_councils.set(forum_councils[:30])
    _, page = queries_of(staff_of_the_province, later.get_absolute_url())
    assert len(page.context["matters_arising"]) == 20 and page.context["more_arising"]
    assert f'href="/meetings/resolutions/?arising={later.pk}"' in page.text
    _, register = queries_of(staff_of_the_province, f"/meetings/resolutions/?arising={later.pk}")
    assert register.context["paginator"].count == 30
