"""Detail pages of councils, projects, meetings and agencies: what each shows, and a number of
database queries that does not grow with the number of rows shown (lists and details)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import CommunityOrganisation, CouncilMember
from meetings.models import Attendance, MeetingOrganiser, Resolution
from projects.models import ProgressUpdate, Project, ProjectPartner
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    CommunityOrganisationFactory,
    CouncilFactory,
    CouncilMemberFactory,
    DisbursementFactory,
    DistrictFactory,
    MeetingFactory,
    MeetingObjectiveFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    ProvinceFactory,
    ResolutionFactory,
    SubdistrictFactory,
    UserFactory,
)
from tests.helpers import EN, bangkok

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    """The visible text of a page, tags removed and spaces collapsed."""
    assert response.status_code == 200
    text = re.sub(r"<(script|template)\b.*?</\1>", " ", response.text, flags=re.S)
    text = re.sub(r"</?a\b[^>]*>", "", text)  # a link in a sentence leaves no gap
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())


def section(response, heading_id: str) -> str:
    """The text of the <section> labelled by the heading with this id."""
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}"[^>]*>(.*?)</section>', response.text, re.S
    )
    assert match, f"no section labelled {heading_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


# --- council --------------------------------------------------------------------------------


def test_the_council_page_shows_its_members_with_their_roles(staff, council):
    savings = CommunityOrganisationFactory(council=council, name="กลุ่มออมทรัพย์บ้านโนนสูง")
    CouncilMemberFactory(
        council=council,
        full_name="นายสมชาย ใจดี",
        role=CouncilMember.Role.CHAIR,
        organisation=savings,
    )
    CouncilMemberFactory(
        council=council, full_name="นางมาลี ศรีสุข", role=CouncilMember.Role.SECRETARY
    )
    CouncilMemberFactory(council=council, full_name="นายอดีต สมาชิก").archive()
    members = section(staff.get(council.get_absolute_url(), headers=EN), "members-heading")
    assert "นายสมชาย ใจดี chair กลุ่มออมทรัพย์บ้านโนนสูง" in members
    assert "นางมาลี ศรีสุข secretary" in members
    assert "นายอดีต" not in members
    response = staff.get(council.get_absolute_url())
    assert [m.full_name for m in response.context["members"]] == ["นายสมชาย ใจดี", "นางมาลี ศรีสุข"]


def test_the_council_page_shows_its_community_organisations(staff, council):
    CommunityOrganisationFactory(
        council=council,
        name="กองทุนสวัสดิการชุมชนตำบลบึงมะลู",
        kind=CommunityOrganisation.Kind.WELFARE_FUND,
        member_count=312,
    )
    CommunityOrganisationFactory(council=council, name="กลุ่มที่เลิกแล้ว").archive()
    organisations = section(
        staff.get(council.get_absolute_url(), headers=EN), "organisations-heading"
    )
    assert "กองทุนสวัสดิการชุมชนตำบลบึงมะลู · community welfare fund 312 members" in organisations
    assert "เลิกแล้ว" not in organisations


def test_the_council_page_shows_its_projects_with_budget_disbursed_and_status(staff, council):
    project = ProjectFactory(
        council=council,
        title_th="กองทุนสวัสดิการชุมชน",
        budget_approved=Decimal("250000"),
        status=Project.Status.IN_PROGRESS,
    )
    DisbursementFactory(project=project, amount=Decimal("100000"))
    DisbursementFactory(project=project, amount=Decimal("25000"))
    DisbursementFactory(project=project, amount=Decimal("99999")).archive()
    ProjectFactory(council=council, title_th="โครงการที่ยกเลิก").archive()
    projects = section(staff.get(council.get_absolute_url(), headers=EN), "projects-heading")
    assert "กองทุนสวัสดิการชุมชน" in projects
    assert "in progress 250,000 125,000" in projects
    assert "ยกเลิก" not in projects


def test_the_council_page_shows_meetings_it_attended_or_was_invited_to(staff, council, sisaket):
    attended = MeetingFactory(title="เวทีสมัชชาจังหวัด", starts_at=bangkok(2022, 12, 21, 13, 0))
    AttendanceFactory.create_batch(2, meeting=attended, council=council)
    invited = MeetingFactory(title="ประชุมคณะทำงานบ้านมั่นคง", starts_at=bangkok(2023, 2, 1, 9, 0))
    invited.invited_councils.add(council)
    MeetingFactory(title="ประชุมที่ไม่เกี่ยวข้อง")
    response = staff.get(council.get_absolute_url())
    # Newest first; attended by two of its people, still listed once.
    assert list(response.context["meetings"]) == sorted(
        [attended, invited], key=lambda m: m.starts_at, reverse=True
    )
    text = page_text(response)
    assert "เวทีสมัชชาจังหวัด 21 ธ.ค. 2565 13:00 น." in text
    assert "ไม่เกี่ยวข้อง" not in text


def test_the_council_page_shows_the_resolutions_it_owns(staff, council):
    meeting = MeetingFactory(title="เวทีสมัชชาจังหวัด")
    ResolutionFactory(
        meeting=meeting,
        text="จัดทำแผนพัฒนาตำบล",
        owner_agency=None,
        owner_council=council,
        due_on=datetime.date(2023, 3, 31),
    )
    ResolutionFactory(meeting=meeting, text="มติของหน่วยงานอื่น")
    resolutions = section(staff.get(council.get_absolute_url()), "resolutions-heading")
    assert "จัดทำแผนพัฒนาตำบล" in resolutions
    assert "31 มี.ค. 2566" in resolutions
    assert "เวทีสมัชชาจังหวัด" in resolutions
    assert "หน่วยงานอื่น" not in resolutions


def test_the_council_page_shows_its_area_and_dates_in_the_readers_era(staff, council):
    thai = page_text(staff.get(council.get_absolute_url()))
    assert "ตำบล บึงมะลู, อำเภอ กันทรลักษ์, จังหวัด ศรีสะเกษ" in thai
    assert "1 มิ.ย. 2558" in thai  # registered 2015-06-01
    english = page_text(staff.get(council.get_absolute_url(), headers=EN))
    assert "Bueng Malu" in english and "Kantharalak" in english
    assert "Registered 1 Jun 2015" in english


# --- project --------------------------------------------------------------------------------


@pytest.fixture
def project(council):
    return ProjectFactory(
        council=council,
        code="SSK-66-001",
        title_th="บ้านมั่นคงชนบทตำบลบึงมะลู",
        programme=ProgrammeFactory(code="baan-mankong", name_th="บ้านมั่นคง", name_en="Baan Mankong"),
        status=Project.Status.IN_PROGRESS,
        budget_requested=Decimal("1604000"),
        budget_approved=Decimal("1500000"),
        target_households=120,
        reached_households=87,
    )


def test_the_project_page_shows_programme_council_and_partners(staff, project):
    pao = AgencyFactory(name_th="องค์การบริหารส่วนจังหวัดศรีสะเกษ")
    university = AgencyFactory(name_th="มหาวิทยาลัยราชภัฏศรีสะเกษ")
    ProjectPartnerFactory(
        project=project, agency=pao, role=ProjectPartner.Role.FUNDER, contribution=Decimal("250000")
    )
    ProjectPartnerFactory(
        project=project,
        agency=university,
        role=ProjectPartner.Role.TECHNICAL,
        contribution=0,
        contribution_note="ออกแบบผังชุมชน",
    )
    ProjectPartnerFactory(project=project, agency=AgencyFactory(name_th="ภาคีที่ถอนตัว")).archive()
    response = staff.get(project.get_absolute_url(), headers=EN)
    text = page_text(response)
    assert "Programme Baan Mankong" in text
    assert "Lead council สภาองค์กรชุมชนตำบลบึงมะลู" in text
    partners = section(response, "partners-heading")
    assert "องค์การบริหารส่วนจังหวัดศรีสะเกษ provincial government co-funder 250,000.00" in partners
    assert "มหาวิทยาลัยราชภัฏศรีสะเกษ provincial government technical support 0.00 ออกแบบผังชุมชน" in (
        partners
    )
    assert "ถอนตัว" not in partners


def test_the_project_page_shows_budgets_and_disbursed_as_the_sum_of_live_payments(staff, project):
    DisbursementFactory(
        project=project, paid_on=datetime.date(2023, 1, 15), amount=Decimal("600000")
    )
    DisbursementFactory(
        project=project,
        paid_on=datetime.date(2023, 5, 2),
        amount=Decimal("150000.50"),
        reference="งวด 2",
    )
    DisbursementFactory(project=project, amount=Decimal("700000")).archive()
    response = staff.get(project.get_absolute_url(), headers=EN)
    assert response.context["project"].disbursed == Decimal("750000.50")
    budget = section(response, "budget-heading")
    assert "Budget requested (baht) 1,604,000.00" in budget
    assert "Budget approved (baht) 1,500,000.00" in budget
    assert "Disbursed (baht) 750,000.50" in budget
    assert "Households reached / targeted 87 / 120" in budget
    disbursements = section(response, "disbursements-heading")
    assert "15 Jan 2023 – 600,000.00" in disbursements
    assert "2 May 2023 งวด 2 150,000.50" in disbursements
    assert "700,000" not in disbursements


def test_a_project_with_nothing_disbursed_shows_zero(staff, project):
    response = staff.get(project.get_absolute_url(), headers=EN)
    assert response.context["project"].disbursed == 0
    assert "Disbursed (baht) 0.00" in section(response, "budget-heading")
    assert "Nothing disbursed yet." in page_text(response)


def test_the_project_page_shows_the_fiscal_year_and_dates_in_thai(staff, project):
    project.start_date = datetime.date(2022, 11, 1)
    project.end_date = datetime.date(2023, 9, 30)
    project.save()
    about = section(staff.get(project.get_absolute_url()), "about-heading")
    assert "2566" in about
    assert "1 พ.ย. 2565 – 30 ก.ย. 2566" in about


def test_the_project_page_shows_progress_updates(staff, project):
    ProgressUpdate.objects.create(
        project=project,
        reported_on=datetime.date(2023, 2, 1),
        percent_complete=40,
        text="ก่อสร้างบ้าน 20 หลัง",
    )
    updates = section(staff.get(project.get_absolute_url()), "updates-heading")
    assert "1 ก.พ. 2566 · 40%" in updates
    assert "ก่อสร้างบ้าน 20 หลัง" in updates


# --- meeting --------------------------------------------------------------------------------


@pytest.fixture
def meeting(sisaket, area):
    return MeetingFactory(
        title="เวทีสมัชชาสภาองค์กรชุมชนจังหวัดศรีสะเกษ ประจำปี 2565",
        meeting_type="forum",
        starts_at=bangkok(2022, 12, 21, 13, 0),
        ends_at=bangkok(2022, 12, 21, 16, 30),
        venue="หอประชุมอำเภอกันทรลักษ์",
        district=area.district,
        chair_name="นายวีระ ศรีสุข",
        chair_position="นายอำเภอกันทรลักษ์",
        target_sectors=["local", "academic"],
    )


def test_the_meeting_page_shows_time_venue_and_chair_in_thai(staff, meeting):
    text = page_text(staff.get(meeting.get_absolute_url()))
    assert "21 ธ.ค. 2565 13:00 น. – 16:30" in text
    assert "หอประชุมอำเภอกันทรลักษ์" in text
    assert "กันทรลักษ์, ศรีสะเกษ" in text
    assert "นายวีระ ศรีสุข · นายอำเภอกันทรลักษ์" in text


def test_the_meeting_page_shows_time_in_english_in_the_christian_era(staff, meeting):
    text = page_text(staff.get(meeting.get_absolute_url(), headers=EN))
    assert "Date and time 21 Dec 2022 13:00 – 16:30" in text
    assert "Kantharalak, Si Sa Ket" in text


def test_the_meeting_page_shows_organisers_and_target_groups(staff, meeting):
    host = AgencyFactory(name_th="ที่ว่าการอำเภอกันทรลักษ์")
    codi = AgencyFactory(name_th="สถาบันพัฒนาองค์กรชุมชน")
    MeetingOrganiser.objects.create(meeting=meeting, agency=codi, role="organiser")
    MeetingOrganiser.objects.create(meeting=meeting, agency=host, role="host")
    text = page_text(staff.get(meeting.get_absolute_url(), headers=EN))
    assert "สถาบันพัฒนาองค์กรชุมชน · organiser" in text
    assert "ที่ว่าการอำเภอกันทรลักษ์ · host of the venue" in text
    assert "Target groups local administrative organisation academic" in text


def test_the_meeting_page_shows_objectives_in_their_order(staff, meeting):
    for position, text in ((3, "ข้อสาม"), (1, "ข้อหนึ่ง"), (2, "ข้อสอง")):
        MeetingObjectiveFactory(meeting=meeting, position=position, text=text)
    MeetingObjectiveFactory(meeting=meeting, position=4, text="ข้อที่ถูกลบ").archive()
    objectives = section(staff.get(meeting.get_absolute_url()), "objectives-heading")
    assert re.search("ข้อหนึ่ง.*ข้อสอง.*ข้อสาม", objectives)
    assert "ถูกลบ" not in objectives


def test_the_meeting_page_shows_attendance_with_organisations(staff, meeting, council):
    agency = AgencyFactory(name_th="พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดศรีสะเกษ")
    AttendanceFactory(meeting=meeting, person_name="นางมาลี ศรีสุข", council=council, order=1)
    AttendanceFactory(
        meeting=meeting,
        person_name="",
        position="พัฒนาสังคมจังหวัด",
        agency=agency,
        role=Attendance.Role.SPEAKER,
        order=2,
    )
    AttendanceFactory(
        meeting=meeting, person_name="นายทองดี มีสุข", organisation_text="เครือข่ายป่าชุมชน", order=3
    )
    AttendanceFactory(meeting=meeting, person_name="ผู้ที่ไม่มาแล้ว").archive()
    attendance = section(staff.get(meeting.get_absolute_url(), headers=EN), "attendance-heading")
    assert "Attendance 3" in attendance
    assert "1 นางมาลี ศรีสุข – สภาองค์กรชุมชนตำบลบึงมะลู participant" in attendance
    assert "2 – พัฒนาสังคมจังหวัด พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดศรีสะเกษ speaker" in attendance
    assert "3 นายทองดี มีสุข – เครือข่ายป่าชุมชน participant" in attendance
    assert "ไม่มาแล้ว" not in attendance


def test_the_meeting_page_shows_resolutions_with_owner_due_date_and_status(staff, meeting, council):
    ResolutionFactory(
        meeting=meeting,
        position=1,
        text="จัดทำแผนพัฒนาตำบล",
        owner_agency=None,
        owner_council=council,
        due_on=datetime.date(2023, 3, 31),
        status=Resolution.Status.IN_PROGRESS,
    )
    ResolutionFactory(
        meeting=meeting,
        position=2,
        text="สนับสนุนงบประมาณ",
        owner_agency=AgencyFactory(name_th="องค์การบริหารส่วนจังหวัดศรีสะเกษ"),
    )
    resolutions = section(staff.get(meeting.get_absolute_url()), "resolutions-heading")
    assert "1 จัดทำแผนพัฒนาตำบล สภาองค์กรชุมชนตำบลบึงมะลู 31 มี.ค. 2566" in resolutions
    assert "2 สนับสนุนงบประมาณ องค์การบริหารส่วนจังหวัดศรีสะเกษ –" in resolutions


def test_a_resolution_carried_from_an_earlier_meeting_links_back_to_it(staff, meeting):
    earlier = MeetingFactory(title="ประชุมครั้งก่อน", starts_at=bangkok(2022, 6, 1, 9, 0))
    first = ResolutionFactory(meeting=earlier, text="ติดตามกองทุน")
    ResolutionFactory(meeting=meeting, text="ติดตามกองทุนต่อ", carried_from=first)
    response = staff.get(meeting.get_absolute_url(), headers=EN)
    resolutions = section(response, "resolutions-heading")
    assert "carried from ประชุมครั้งก่อน" in resolutions
    assert f'href="/meetings/{earlier.pk}/"' in response.text


# --- agency ---------------------------------------------------------------------------------


def test_the_agency_page_shows_the_projects_it_supports_and_its_total_contribution(
    staff, council, sisaket
):
    agency = AgencyFactory(name_th="องค์การบริหารส่วนจังหวัดศรีสะเกษ", province=sisaket)
    housing = ProjectFactory(council=council, title_th="บ้านมั่นคงชนบท", fiscal_year=2566)
    welfare = ProjectFactory(council=council, title_th="กองทุนสวัสดิการ", fiscal_year=2567)
    ProjectPartnerFactory(project=housing, agency=agency, role="funder", contribution=250000)
    ProjectPartnerFactory(project=welfare, agency=agency, role="in_kind", contribution=12500)
    gone = ProjectPartnerFactory(agency=agency, project=ProjectFactory(council=council))
    gone.archive()
    response = staff.get(agency.get_absolute_url(), headers=EN)
    assert response.context["totals"] == {"projects": 2, "contribution": Decimal("262500")}
    projects = section(response, "projects-heading")
    assert "contribution 262,500 baht" in projects
    assert "บ้านมั่นคงชนบท" in projects and "co-funder 250,000" in projects
    assert "กองทุนสวัสดิการ" in projects and "in-kind support 12,500" in projects
    assert projects.index("กองทุนสวัสดิการ") < projects.index("บ้านมั่นคงชนบท")  # newest year first


def test_the_agency_page_leaves_out_projects_outside_the_users_scope(staff, council):
    ubon = ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")
    elsewhere = CouncilFactory(
        subdistrict=SubdistrictFactory(
            district=DistrictFactory(province=ubon, code="3401"), code="340101"
        )
    )
    agency = AgencyFactory()
    ProjectPartnerFactory(
        project=ProjectFactory(council=council, title_th="ในจังหวัด"), agency=agency
    )
    ProjectPartnerFactory(
        project=ProjectFactory(council=elsewhere, title_th="ต่างจังหวัด"), agency=agency
    )
    response = staff.get(agency.get_absolute_url())
    assert response.context["totals"]["projects"] == 1
    assert "ต่างจังหวัด" not in section(response, "projects-heading")


def test_the_agency_page_shows_meetings_it_organised_and_resolutions_it_owns(staff, sisaket):
    agency = AgencyFactory(name_th="สถาบันพัฒนาองค์กรชุมชน")
    forum = MeetingFactory(title="เวทีสมัชชาจังหวัด")
    MeetingOrganiser.objects.create(meeting=forum, agency=agency)
    ResolutionFactory(meeting=forum, owner_agency=agency, text="ประสานงบประมาณ")
    text = page_text(staff.get(agency.get_absolute_url()))
    assert "เวทีสมัชชาจังหวัด 21 ธ.ค. 2565 13:00 น." in text
    assert "ประสานงบประมาณ" in text


# --- detail pages outside scope -------------------------------------------------------------


def test_detail_pages_of_another_province_are_not_found(staff):
    ubon = ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")
    elsewhere = CouncilFactory(
        subdistrict=SubdistrictFactory(
            district=DistrictFactory(province=ubon, code="3401"), code="340101"
        )
    )
    project = ProjectFactory(council=elsewhere)
    meeting = MeetingFactory(province=ubon)
    for url in (
        elsewhere.get_absolute_url(),
        project.get_absolute_url(),
        meeting.get_absolute_url(),
    ):
        assert staff.get(url).status_code == 404


# --- query counts ---------------------------------------------------------------------------
#
# Each page is measured once with a small data set; adding many more rows must not add a
# single query. The small counts are pinned too, so that a new query shows up in review.


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def add_list_rows(path, count, area):
    """`count` more rows for the list at `path`, each with the related rows the list shows."""
    if path == "/councils/":
        CouncilFactory.create_batch(count, subdistrict=area)
    elif path == "/agencies/":
        project = ProjectFactory(council=CouncilFactory(subdistrict=area))
        for agency in AgencyFactory.create_batch(count, province=area.district.province):
            ProjectPartnerFactory(project=project, agency=agency)
    elif path == "/projects/":
        council = CouncilFactory(subdistrict=area)
        for project in ProjectFactory.create_batch(count, council=council):
            DisbursementFactory(project=project)
    else:
        for meeting in MeetingFactory.create_batch(count, district=area.district):
            AttendanceFactory(meeting=meeting)
            ResolutionFactory(meeting=meeting)


# Every request: the session, the user and the user's provinces, then the page's own queries,
# and at the end the session saved again for its sliding expiry (savepoint, update, release).
# Two of each are the savepoint and its release of the atomic request.
# The district filter is a picker: no query for its choices unless one is chosen.
LIST_QUERIES = {"/councils/": 10, "/agencies/": 11, "/projects/": 12, "/meetings/": 10}


@pytest.mark.parametrize("path", list(LIST_QUERIES))
def test_a_list_runs_as_many_queries_for_100_rows_as_for_25(
    staff, area, path, django_assert_num_queries
):
    # A page shows at most 25 rows, so a few rows are measured first: an N+1 query would
    # make a full page of 25 cost more than a page of 3.
    add_list_rows(path, 3, area)
    small = count_queries(staff, path)
    assert small == LIST_QUERIES[path]
    add_list_rows(path, 22, area)
    with django_assert_num_queries(small):
        response = staff.get(path)
    assert len(response.context["object_list"]) == 25
    add_list_rows(path, 75, area)
    with django_assert_num_queries(small):
        response = staff.get(path)
    assert response.context["paginator"].count >= 100


def add_council_rows(council, count):
    organisations = CommunityOrganisationFactory.create_batch(count, council=council)
    for organisation in organisations:
        CouncilMemberFactory(council=council, organisation=organisation)
    for project in ProjectFactory.create_batch(count, council=council):
        DisbursementFactory(project=project)
    for meeting in MeetingFactory.create_batch(count):
        AttendanceFactory(meeting=meeting, council=council)
        ResolutionFactory(meeting=meeting, owner_agency=None, owner_council=council)


def add_project_rows(project, count):
    for agency in AgencyFactory.create_batch(count):
        ProjectPartnerFactory(project=project, agency=agency)
    DisbursementFactory.create_batch(count, project=project, amount=1)
    for day in range(count):
        ProgressUpdate.objects.create(
            project=project, reported_on=datetime.date(2023, 1, 1), text=f"ความคืบหน้า {day}"
        )


def add_meeting_rows(meeting, count):
    agencies = AgencyFactory.create_batch(count)
    start = meeting.objectives.count()
    for number, agency in enumerate(agencies, start=start + 1):
        MeetingOrganiser.objects.create(meeting=meeting, agency=agency)
        MeetingObjectiveFactory(meeting=meeting, position=number)
        AttendanceFactory(meeting=meeting, agency=agency)
        ResolutionFactory(meeting=meeting, position=number, owner_agency=agency)


def add_agency_rows(agency, count, council):
    for project in ProjectFactory.create_batch(count, council=council):
        ProjectPartnerFactory(project=project, agency=agency)
    for meeting in MeetingFactory.create_batch(count):
        MeetingOrganiser.objects.create(meeting=meeting, agency=agency)
        AttendanceFactory(meeting=meeting, agency=agency)
        ResolutionFactory(meeting=meeting, owner_agency=agency)


# The meeting page also runs: invited councils, invited agencies, matters arising, attendance
# by sector and by council, and its attendance a page at a time (a count, then the page).
DETAIL_QUERIES = {"council": 16, "project": 14, "meeting": 22, "agency": 14}
SHOWN_ROWS = {
    "council": "members",
    "project": "partnerships",
    "meeting": "attendance",
    "agency": "partnerships",
}


@pytest.mark.parametrize("kind", list(DETAIL_QUERIES))
def test_a_detail_page_runs_as_many_queries_for_50_rows_as_for_5(
    staff, council, kind, django_assert_num_queries
):
    if kind == "council":
        record, grow = council, lambda n: add_council_rows(council, n)
    elif kind == "project":
        record = ProjectFactory(council=council)
        grow = lambda n: add_project_rows(record, n)  # noqa: E731
    elif kind == "meeting":
        record = MeetingFactory()
        grow = lambda n: add_meeting_rows(record, n)  # noqa: E731
    else:
        record = AgencyFactory()
        grow = lambda n: add_agency_rows(record, n, council)  # noqa: E731
    grow(5)
    small = count_queries(staff, record.get_absolute_url())
    assert small == DETAIL_QUERIES[kind]
    grow(45)
    with django_assert_num_queries(small):
        response = staff.get(record.get_absolute_url())
    assert len(response.context[SHOWN_ROWS[kind]]) == 50


# --- escaping and read-only users -----------------------------------------------------------


def test_markup_typed_into_a_name_is_shown_as_text(staff, area):
    council = CouncilFactory(subdistrict=area, name_th="<script>alert('x')</script>สภา")
    for url in (council.get_absolute_url(), "/councils/"):
        response = staff.get(url)
        assert "<script>alert(" not in response.text
        assert "&lt;script&gt;alert(" in response.text


def test_a_viewer_sees_a_council_page_without_an_edit_button(client, council, sisaket):
    viewer = UserFactory(username="viewer", role="viewer")
    viewer.provinces.add(sisaket)
    client.force_login(viewer)
    response = client.get(council.get_absolute_url())
    assert response.context["can_edit"] is False
    assert f"/councils/{council.pk}/edit/" not in response.text
