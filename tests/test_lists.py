"""The four list pages: search on Thai text, filters, the sort allow-list, pagination with a
total count, filters kept in page links, and the user's scope."""

import datetime
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from councils.models import Agency, Council
from geo.models import District, Subdistrict
from meetings.models import Meeting, Resolution
from projects.models import Project
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    CouncilFactory,
    DistrictFactory,
    MeetingFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProvinceFactory,
    ResolutionFactory,
    SubdistrictFactory,
    UserFactory,
)
from tests.helpers import bangkok

pytestmark = pytest.mark.django_db

LISTS = ["/councils/", "/agencies/", "/projects/", "/meetings/"]


# --- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are logged in with force_login: a slow password hash would only cost time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sisaket(db):
    return ProvinceFactory()  # code 33


@pytest.fixture
def ubon(db):
    return ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")


def login(client, role="staff", provinces=(), council=None, username=None):
    user = UserFactory(username=username or f"{role}-user", role=role, council=council)
    user.provinces.add(*provinces)
    client.force_login(user)
    return user


@pytest.fixture
def staff(client, sisaket):
    """A CODI staff member working in Sisaket (province 33)."""
    login(client, "staff", [sisaket], username="staff33")
    return client


def place(province, district_code: str, **district_fields):
    """A made-up district with one subdistrict. The codes are given: DOPA codes have four and
    six digits, and PostgreSQL refuses longer ones."""
    district = DistrictFactory(province=province, code=district_code, **district_fields)
    return SubdistrictFactory(district=district, code=f"{district_code}01")


@pytest.fixture
def area(sisaket):
    """One district and subdistrict of Sisaket for records that need a place but no real name."""
    return place(sisaket, "3390")


def shown(response, attr="pk"):
    return [getattr(record, attr) for record in response.context["object_list"]]


def result_count_text(response) -> str:
    match = re.search(r'id="result-count">(.*?)</p>', response.text, re.S)
    assert match, "the page has no #result-count"
    return " ".join(match.group(1).split())


def make_records(path, count, area):
    """`count` records of the kind the list at `path` shows, all in Sisaket."""
    if path == "/councils/":
        return CouncilFactory.create_batch(count, subdistrict=area)
    if path == "/agencies/":
        return AgencyFactory.create_batch(count)
    if path == "/projects/":
        return ProjectFactory.create_batch(count, council=CouncilFactory(subdistrict=area))
    return MeetingFactory.create_batch(count, province=area.district.province)


@pytest.fixture
def kanthara(sisaket):
    """Real Sisaket geography and one council in each of six subdistricts: two in
    กันทรลักษ์ (3304), two in กันทรารมย์ (3303), two in เมืองศรีสะเกษ (3301)."""
    call_command("load_geography", "--province", "33")
    councils = {}
    for district_code in ("3304", "3303", "3301"):
        for subdistrict in Subdistrict.objects.filter(district=district_code).order_by("code")[:2]:
            councils.setdefault(district_code, []).append(
                CouncilFactory(
                    subdistrict=subdistrict,
                    code=f"SSK-{subdistrict.code}",
                    name_th=f"สภาองค์กรชุมชนตำบล{subdistrict.name_th}",
                    name_en=f"{subdistrict.name_en} Subdistrict Council",
                )
            )
    return councils


# --- councils: search -----------------------------------------------------------------------


def test_a_thai_fragment_finds_the_councils_of_both_kanthara_districts_and_no_others(
    staff, kanthara
):
    response = staff.get("/councils/", {"q": "กันทร"})
    expected = {c.pk for c in kanthara["3304"] + kanthara["3303"]}
    assert set(shown(response)) == expected
    assert response.context["paginator"].count == 4


def test_a_council_is_found_by_its_registration_code(staff, kanthara):
    wanted = kanthara["3301"][1]
    response = staff.get("/councils/", {"q": wanted.code.lower()})
    assert shown(response) == [wanted.pk]


def test_a_council_is_found_by_its_english_name_in_any_case(staff, kanthara):
    wanted = kanthara["3304"][0]  # Bueng Malu
    response = staff.get("/councils/", {"q": "bueng MALU"})
    assert shown(response) == [wanted.pk]


def test_a_council_is_found_by_the_english_name_of_its_district(staff, kanthara):
    response = staff.get("/councils/", {"q": "Kantharalak"})
    assert set(shown(response)) == {c.pk for c in kanthara["3304"]}


def test_thai_digits_in_the_search_find_a_code_written_in_arabic_digits(staff, area):
    wanted = CouncilFactory(subdistrict=area, code="SSK-0427")
    CouncilFactory(subdistrict=area, code="SSK-0999")
    response = staff.get("/councils/", {"q": "๐๔๒๗"})
    assert shown(response) == [wanted.pk]


def test_every_word_of_a_search_must_match(staff, kanthara):
    response = staff.get("/councils/", {"q": "กันทร Bueng"})
    assert shown(response) == [kanthara["3304"][0].pk]


def test_a_search_that_matches_nothing_says_so(staff, kanthara):
    response = staff.get("/councils/", {"q": "ไม่มีสภานี้"}, headers={"accept-language": "en"})
    assert response.status_code == 200
    assert response.context["paginator"].count == 0
    assert "Nothing matches these filters." in response.text


# --- councils: filters ----------------------------------------------------------------------


def test_councils_filtered_by_district(staff, kanthara):
    response = staff.get("/councils/", {"district": "3303"})
    assert set(shown(response)) == {c.pk for c in kanthara["3303"]}


def test_councils_filtered_by_subdistrict(staff, kanthara):
    wanted = kanthara["3304"][1]
    response = staff.get("/councils/", {"district": "3304", "subdistrict": wanted.subdistrict_id})
    assert shown(response) == [wanted.pk]


def test_councils_filtered_by_a_subdistrict_alone_from_an_area_link(staff, kanthara):
    wanted = kanthara["3301"][0]
    response = staff.get("/councils/", {"subdistrict": wanted.subdistrict_id})
    assert shown(response) == [wanted.pk]


def test_councils_filtered_by_status(staff, area):
    CouncilFactory(subdistrict=area)
    dormant = CouncilFactory(subdistrict=area, status=Council.Status.DORMANT)
    response = staff.get("/councils/", {"status": "dormant"})
    assert shown(response) == [dormant.pk]


def test_councils_filtered_by_area_type(staff, area):
    CouncilFactory(subdistrict=area)
    municipal = CouncilFactory(
        subdistrict=None,
        district=area.district,
        area_type=Council.AreaType.MUNICIPALITY,
        municipality_name="เทศบาลตำบลทดสอบ",
        name_th="สภาองค์กรชุมชนเทศบาลตำบลทดสอบ",
        name_en="Test Municipality Council",
    )
    response = staff.get("/councils/", {"area_type": "municipality"})
    assert shown(response) == [municipal.pk]


def test_an_unknown_status_in_the_url_does_not_break_the_list(staff, area):
    CouncilFactory(subdistrict=area)
    response = staff.get("/councils/", {"status": "nonsense"})
    assert response.status_code == 200


def test_archived_councils_are_not_listed(staff, area):
    kept = CouncilFactory(subdistrict=area)
    CouncilFactory(subdistrict=area).archive()
    assert shown(staff.get("/councils/")) == [kept.pk]


# --- councils: sorting ----------------------------------------------------------------------


def test_councils_sorted_by_households_descending(staff, area):
    for households in (500, 2000, 1200):
        CouncilFactory(subdistrict=area, households=households)
    response = staff.get("/councils/", {"sort": "-households"})
    assert shown(response, "households") == [2000, 1200, 500]
    assert response.context["sort"] == "-households"


def test_councils_sorted_by_households_ascending(staff, area):
    for households in (500, 2000, 1200):
        CouncilFactory(subdistrict=area, households=households)
    response = staff.get("/councils/", {"sort": "households"})
    assert shown(response, "households") == [500, 1200, 2000]


@pytest.mark.parametrize(
    "sort", ["password", "__class__", "-__class__", "district__province__code;"]
)
def test_a_sort_key_outside_the_allow_list_is_ignored_and_the_default_order_used(
    staff, sisaket, sort
):
    # The default sort is by district name: make the district order differ from pk order.
    later = CouncilFactory(subdistrict=place(sisaket, "3391", name_th="ฮ"))
    earlier = CouncilFactory(subdistrict=place(sisaket, "3392", name_th="ก"))
    response = staff.get("/councils/", {"sort": sort})
    assert response.status_code == 200
    assert response.context["sort"] == "district"
    assert shown(response) == [earlier.pk, later.pk]


@pytest.mark.parametrize(
    ("path", "sort"),
    [
        ("/agencies/", "-projects"),
        ("/projects/", "-disbursed"),
        ("/meetings/", "-attendance"),
    ],
)
def test_each_list_sorts_by_an_allowed_key_and_ignores_an_unknown_one(staff, area, path, sort):
    records = make_records(path, 3, area)
    # Give the last record the biggest figure of the sorted column.
    top = records[-1]
    if path == "/agencies/":
        for project in ProjectFactory.create_batch(2, council=CouncilFactory(subdistrict=area)):
            project.partnerships.create(agency=top)
    elif path == "/projects/":
        top.disbursements.create(paid_on=datetime.date(2023, 1, 5), amount=1000)
    else:
        AttendanceFactory.create_batch(2, meeting=top)
    response = staff.get(path, {"sort": sort})
    assert response.context["sort"] == sort
    assert shown(response)[0] == top.pk
    default = staff.get(path)
    ignored = staff.get(path, {"sort": "password"})
    assert ignored.status_code == 200
    assert shown(ignored) == shown(default)


def test_sort_links_keep_the_filters_and_drop_the_page(staff, area):
    CouncilFactory.create_batch(30, subdistrict=area)
    response = staff.get("/councils/", {"q": "สภา", "page": "2"})
    links = re.findall(r'href="\?([^"]*)" class="sort-link" data-sort="households"', response.text)
    assert len(links) == 1
    query = parse_qs(html.unescape(links[0]))
    assert query == {"q": ["สภา"], "sort": ["households"]}


# --- pagination -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_thirty_records_make_two_pages_with_five_on_the_second(staff, area, path):
    make_records(path, 30, area)
    first = staff.get(path)
    assert len(first.context["object_list"]) == 25
    second = staff.get(path, {"page": "2"})
    assert len(second.context["object_list"]) == 5
    assert second.context["paginator"].count == 30
    assert re.search(r"\b30\b", result_count_text(second))
    assert set(shown(first)).isdisjoint(shown(second))


def test_the_total_count_is_worded_in_english(staff, area):
    make_records("/councils/", 30, area)
    response = staff.get("/councils/", headers={"accept-language": "en"})
    assert result_count_text(response) == "30 records"


@pytest.mark.parametrize("path", LISTS)
def test_a_page_past_the_end_is_not_found(staff, area, path):
    make_records(path, 3, area)
    assert staff.get(path, {"page": "9"}).status_code == 404


@pytest.mark.parametrize(
    ("path", "search", "sort"),
    [
        ("/councils/", "สภาองค์กร", "-households"),
        ("/agencies/", "หน่วยงาน", "-name"),
        ("/projects/", "โครงการ", "-code"),
        ("/meetings/", "ประชุม", "title"),
    ],
)
def test_the_next_page_link_keeps_the_search_and_the_sort(staff, area, path, search, sort):
    make_records(path, 30, area)
    response = staff.get(path, {"q": search, "sort": sort})
    assert response.context["paginator"].count == 30
    hrefs = re.findall(r'<a class="page-link" href="([^"]*)" rel="next"', response.text)
    assert len(hrefs) == 1
    query = parse_qs(urlsplit(html.unescape(hrefs[0])).query)
    assert query == {"q": [search], "sort": [sort], "page": ["2"]}
    second = staff.get(path, query)
    assert len(second.context["object_list"]) == 5


def test_the_export_links_keep_the_filters_but_not_the_page(staff, area):
    CouncilFactory.create_batch(30, subdistrict=area)
    response = staff.get("/councils/", {"status": "active", "page": "2"})
    hrefs = re.findall(r'href="(\?[^"]*format=csv[^"]*)"', response.text)
    assert len(hrefs) == 1
    query = parse_qs(urlsplit(html.unescape(hrefs[0])).query)
    assert query == {"status": ["active"], "format": ["csv"]}


# --- agencies -------------------------------------------------------------------------------


@pytest.fixture
def agencies(sisaket, ubon):
    return {
        "pao": AgencyFactory(
            code="sisaket-pao",
            name_th="องค์การบริหารส่วนจังหวัดศรีสะเกษ",
            name_en="Sisaket Provincial Administrative Organisation",
            sector=Agency.Sector.LOCAL,
            province=sisaket,
        ),
        "university": AgencyFactory(
            code="ssru",
            name_th="มหาวิทยาลัยราชภัฏศรีสะเกษ",
            name_en="Sisaket Rajabhat University",
            sector=Agency.Sector.ACADEMIC,
            province=sisaket,
        ),
        "ubon": AgencyFactory(
            code="ubon-pao",
            name_th="องค์การบริหารส่วนจังหวัดอุบลราชธานี",
            name_en="Ubon Ratchathani PAO",
            sector=Agency.Sector.LOCAL,
            province=ubon,
        ),
        "codi": AgencyFactory(
            code="codi",
            name_th="สถาบันพัฒนาองค์กรชุมชน",
            name_en="Community Organizations Development Institute",
            short_name="พอช.",
            sector=Agency.Sector.CENTRAL,
        ),
    }


def test_a_thai_fragment_finds_agencies_by_substring(staff, agencies):
    response = staff.get("/agencies/", {"q": "บริหารส่วนจังหวัด"})
    assert set(shown(response)) == {agencies["pao"].pk, agencies["ubon"].pk}


def test_an_agency_is_found_by_code_english_name_and_short_name(staff, agencies):
    assert shown(staff.get("/agencies/", {"q": "SSRU"})) == [agencies["university"].pk]
    assert shown(staff.get("/agencies/", {"q": "rajabhat"})) == [agencies["university"].pk]
    assert shown(staff.get("/agencies/", {"q": "พอช"})) == [agencies["codi"].pk]


def test_agencies_filtered_by_sector(staff, agencies):
    response = staff.get("/agencies/", {"sector": "local"})
    assert set(shown(response)) == {agencies["pao"].pk, agencies["ubon"].pk}


def test_agencies_filtered_by_province(staff, agencies):
    response = staff.get("/agencies/", {"province": "33"})
    assert set(shown(response)) == {agencies["pao"].pk, agencies["university"].pk}


def test_agencies_filtered_by_sector_and_province_together(staff, agencies):
    response = staff.get("/agencies/", {"sector": "local", "province": "34"})
    assert shown(response) == [agencies["ubon"].pk]


def test_the_agency_list_counts_only_projects_the_user_may_see(staff, agencies, area, ubon):
    agency = agencies["codi"]
    mine = ProjectFactory(council=CouncilFactory(subdistrict=area))
    elsewhere = ProjectFactory(council=CouncilFactory(subdistrict=place(ubon, "3490")))
    gone = ProjectFactory(council=CouncilFactory(subdistrict=area))
    for project in (mine, elsewhere, gone):
        project.partnerships.create(agency=agency)
    gone.partnerships.get().archive()
    response = staff.get("/agencies/", {"q": "codi"})
    assert [a.project_count for a in response.context["object_list"]] == [1]


# --- projects -------------------------------------------------------------------------------


@pytest.fixture
def projects(kanthara):
    welfare = ProgrammeFactory()
    housing = ProgrammeFactory(code="baan-mankong", name_th="บ้านมั่นคง", name_en="Baan Mankong")
    return {
        "welfare": ProjectFactory(
            code="SSK-66-001",
            title_th="กองทุนสวัสดิการชุมชนตำบลบึงมะลู",
            title_en="Bueng Malu community welfare fund",
            programme=welfare,
            council=kanthara["3304"][0],
            fiscal_year=2566,
            status=Project.Status.IN_PROGRESS,
            start_date=datetime.date(2022, 11, 1),
        ),
        "housing": ProjectFactory(
            code="SSK-67-002",
            title_th="บ้านมั่นคงชนบทตำบลดูน",
            title_en="Rural secure housing in Dun",
            programme=housing,
            council=kanthara["3303"][0],
            fiscal_year=2567,
            status=Project.Status.APPROVED,
            start_date=datetime.date(2023, 12, 1),
        ),
        "town": ProjectFactory(
            code="SSK-66-003",
            title_th="ตลาดชุมชนเมืองเหนือ",
            title_en="Community market",
            programme=welfare,
            council=kanthara["3301"][0],
            fiscal_year=2566,
            status=Project.Status.COMPLETED,
            start_date=None,
        ),
    }


def test_a_thai_fragment_finds_projects_by_title_and_by_the_councils_district(staff, projects):
    assert shown(staff.get("/projects/", {"q": "มั่นคง"})) == [projects["housing"].pk]
    by_district = staff.get("/projects/", {"q": "กันทร"})
    assert set(shown(by_district)) == {projects["welfare"].pk, projects["housing"].pk}


def test_a_project_is_found_by_code_and_by_english_title(staff, projects):
    assert shown(staff.get("/projects/", {"q": "ssk-67"})) == [projects["housing"].pk]
    assert shown(staff.get("/projects/", {"q": "welfare fund"})) == [projects["welfare"].pk]


def test_projects_filtered_by_programme(staff, projects):
    programme = projects["housing"].programme_id
    assert shown(staff.get("/projects/", {"programme": programme})) == [projects["housing"].pk]


def test_projects_filtered_by_fiscal_year(staff, projects):
    response = staff.get("/projects/", {"fiscal_year": "2566"})
    assert set(shown(response)) == {projects["welfare"].pk, projects["town"].pk}
    years = [
        value for value, _label in response.context["filter"].form.fields["fiscal_year"].choices
    ]
    assert 2567 in years and 2566 in years


def test_projects_filtered_by_status(staff, projects):
    response = staff.get("/projects/", {"status": "completed"})
    assert shown(response) == [projects["town"].pk]


def test_projects_filtered_by_the_district_of_their_council(staff, projects):
    response = staff.get("/projects/", {"district": "3304"})
    assert shown(response) == [projects["welfare"].pk]


def test_projects_filtered_by_start_dates_typed_in_the_buddhist_era(staff, projects):
    after = staff.get("/projects/", {"started_after": "01/01/2566"})
    assert shown(after) == [projects["housing"].pk]
    before = staff.get("/projects/", {"started_before": "01/01/2566"})
    assert shown(before) == [projects["welfare"].pk]
    between = staff.get(
        "/projects/", {"started_after": "01/10/2565", "started_before": "31/12/2566"}
    )
    assert set(shown(between)) == {projects["welfare"].pk, projects["housing"].pk}


def test_project_start_dates_in_the_christian_era_work_in_english(staff, projects):
    response = staff.get(
        "/projects/", {"started_after": "01/01/2023"}, headers={"accept-language": "en"}
    )
    assert shown(response) == [projects["housing"].pk]


def test_a_malformed_start_date_filter_is_reported_not_crashed(staff, projects):
    response = staff.get("/projects/", {"started_after": "31/02/2566"})
    assert response.status_code == 200
    assert "started_after" in response.context["filter"].form.errors


def test_archived_projects_are_not_listed(staff, projects):
    projects["town"].archive()
    assert projects["town"].pk not in shown(staff.get("/projects/"))


# --- meetings -------------------------------------------------------------------------------


@pytest.fixture
def meetings(kanthara, sisaket):
    forum = MeetingFactory(
        title="เวทีสมัชชาสภาองค์กรชุมชนจังหวัดศรีสะเกษ",
        meeting_type=Meeting.Type.PROVINCIAL_FORUM,
        starts_at=bangkok(2022, 12, 21, 13, 0),
        venue="ศาลากลางจังหวัดศรีสะเกษ",
        province=sisaket,
        district=District.objects.get(code="3301"),
    )
    visit = MeetingFactory(
        title="ลงพื้นที่ติดตามบ้านมั่นคง",
        meeting_type=Meeting.Type.SITE_VISIT,
        starts_at=bangkok(2023, 3, 2, 9, 30),
        venue="ศาลาประชาคมตำบลบึงมะลู",
        province=sisaket,
        district=District.objects.get(code="3304"),
    )
    training = MeetingFactory(
        title="อบรมการเงินกองทุนสวัสดิการ",
        meeting_type=Meeting.Type.TRAINING,
        starts_at=bangkok(2023, 6, 10, 9, 0),
        province=sisaket,
        district=District.objects.get(code="3303"),
        chair_name="นางสาวมาลี ใจดี",
    )
    ResolutionFactory(meeting=forum, status=Resolution.Status.DONE)
    ResolutionFactory(meeting=visit, status=Resolution.Status.IN_PROGRESS)
    ResolutionFactory(meeting=training, status=Resolution.Status.OPEN).archive()
    return {"forum": forum, "visit": visit, "training": training}


def test_a_thai_fragment_finds_meetings_by_title_venue_chair_and_district(staff, meetings):
    assert shown(staff.get("/meetings/", {"q": "บ้านมั่นคง"})) == [meetings["visit"].pk]
    assert shown(staff.get("/meetings/", {"q": "ศาลากลาง"})) == [meetings["forum"].pk]
    assert shown(staff.get("/meetings/", {"q": "มาลี"})) == [meetings["training"].pk]
    by_district = staff.get("/meetings/", {"q": "กันทร"})
    assert set(shown(by_district)) == {meetings["visit"].pk, meetings["training"].pk}


def test_a_meeting_is_found_by_the_english_name_of_its_district(staff, meetings):
    assert shown(staff.get("/meetings/", {"q": "kanthararom"})) == [meetings["training"].pk]


def test_meetings_filtered_by_type(staff, meetings):
    response = staff.get("/meetings/", {"meeting_type": "site_visit"})
    assert shown(response) == [meetings["visit"].pk]


def test_meetings_filtered_by_district(staff, meetings):
    response = staff.get("/meetings/", {"district": "3301"})
    assert shown(response) == [meetings["forum"].pk]


def test_meetings_filtered_by_dates_held_in_the_buddhist_era(staff, meetings):
    response = staff.get("/meetings/", {"held_from": "01/01/2566", "held_until": "31/05/2566"})
    assert shown(response) == [meetings["visit"].pk]
    # The bounds are whole days in Bangkok time, both included.
    same_day = staff.get("/meetings/", {"held_from": "21/12/2565", "held_until": "21/12/2565"})
    assert shown(same_day) == [meetings["forum"].pk]


def test_a_meeting_early_in_the_bangkok_morning_counts_for_that_bangkok_day(staff, sisaket):
    # 06:30 in Bangkok is still the previous day in UTC.
    early = MeetingFactory(province=sisaket, starts_at=bangkok(2023, 1, 5, 6, 30))
    response = staff.get("/meetings/", {"held_from": "05/01/2566", "held_until": "05/01/2566"})
    assert shown(response) == [early.pk]


def test_meetings_filtered_to_those_with_open_resolutions(staff, meetings):
    response = staff.get("/meetings/", {"open_resolutions": "on"})
    assert shown(response) == [meetings["visit"].pk]
    assert len(shown(staff.get("/meetings/"))) == 3


def test_meetings_are_newest_first_by_default(staff, meetings):
    assert shown(staff.get("/meetings/")) == [
        meetings["training"].pk,
        meetings["visit"].pk,
        meetings["forum"].pk,
    ]


# --- scope ----------------------------------------------------------------------------------


@pytest.fixture
def two_provinces(area, ubon):
    return {
        "mine": CouncilFactory(subdistrict=area, name_th="สภาองค์กรชุมชนตำบลของฉัน"),
        "other": CouncilFactory(
            subdistrict=place(ubon, "3490"),
            name_th="สภาองค์กรชุมชนตำบลจังหวัดอื่น",
        ),
    }


def test_staff_of_sisaket_do_not_see_a_council_of_another_province(staff, two_provinces):
    response = staff.get("/councils/")
    assert shown(response) == [two_provinces["mine"].pk]
    assert "จังหวัดอื่น" not in response.text
    assert staff.get(f"/councils/{two_provinces['other'].pk}/").status_code == 404
    assert staff.get(f"/councils/{two_provinces['other'].pk}/edit/").status_code == 404


def test_staff_of_sisaket_see_only_the_projects_and_meetings_of_sisaket(staff, two_provinces, ubon):
    mine = ProjectFactory(council=two_provinces["mine"])
    ProjectFactory(council=two_provinces["other"])
    own_meeting = MeetingFactory()
    MeetingFactory(province=ubon)
    assert shown(staff.get("/projects/")) == [mine.pk]
    assert shown(staff.get("/meetings/")) == [own_meeting.pk]


def test_a_search_does_not_reach_outside_the_users_scope(staff, two_provinces):
    response = staff.get("/councils/", {"q": "จังหวัดอื่น"})
    assert response.context["paginator"].count == 0


def test_the_district_filter_offers_only_districts_in_scope(staff, two_provinces):
    response = staff.get("/councils/")
    offered = set(response.context["filter"].form.fields["district"].queryset)
    assert two_provinces["mine"].district in offered
    assert two_provinces["other"].district not in offered
    # A district outside the scope in the URL is refused by the filter, not used.
    refused = staff.get("/councils/", {"district": two_provinces["other"].district_id})
    assert "district" in refused.context["filter"].form.errors
    assert two_provinces["other"].pk not in shown(refused)


def test_a_council_editor_sees_only_its_own_council(client, two_provinces, area):
    neighbour = CouncilFactory(subdistrict=area)
    login(client, "council_editor", council=two_provinces["mine"])
    response = client.get("/councils/")
    assert shown(response) == [two_provinces["mine"].pk]
    assert client.get(f"/councils/{two_provinces['mine'].pk}/").status_code == 200
    assert client.get(f"/councils/{two_provinces['mine'].pk}/edit/").status_code == 200
    assert client.get(f"/councils/{neighbour.pk}/").status_code == 404
    assert client.get(f"/councils/{neighbour.pk}/edit/").status_code == 404


def test_a_council_editor_sees_only_its_councils_projects_and_meetings(client, two_provinces, area):
    mine = two_provinces["mine"]
    neighbour = CouncilFactory(subdistrict=area)
    own_project = ProjectFactory(council=mine)
    ProjectFactory(council=neighbour)
    attended = MeetingFactory()
    AttendanceFactory(meeting=attended, council=mine)
    AttendanceFactory(meeting=attended, council=mine)  # twice: still listed once
    invited = MeetingFactory()
    invited.invited_councils.add(mine)
    MeetingFactory()
    login(client, "council_editor", council=mine)
    assert shown(client.get("/projects/")) == [own_project.pk]
    response = client.get("/meetings/")
    assert sorted(shown(response)) == sorted([attended.pk, invited.pk])
    assert response.context["paginator"].count == 2


def test_a_viewer_reads_the_councils_of_its_province_but_may_not_change_them(
    client, sisaket, two_provinces
):
    login(client, "viewer", [sisaket])
    mine = two_provinces["mine"]
    assert shown(client.get("/councils/")) == [mine.pk]
    assert client.get(f"/councils/{mine.pk}/").status_code == 200
    assert client.get(f"/councils/{mine.pk}/edit/").status_code == 403
    assert client.post(f"/councils/{mine.pk}/edit/", {"name_th": "x"}).status_code == 403
    assert client.get("/councils/new/").status_code == 403
    assert client.get(f"/councils/{two_provinces['other'].pk}/edit/").status_code == 404


def test_a_viewer_is_offered_no_new_button(client, sisaket, two_provinces):
    login(client, "viewer", [sisaket])
    response = client.get("/councils/")
    assert response.context["can_create"] is False
    assert "/councils/new/" not in response.text


@pytest.mark.parametrize("path", LISTS)
def test_a_user_without_provinces_sees_no_scoped_records(client, area, path):
    make_records(path, 2, area)
    login(client, "staff")
    response = client.get(path)
    # Agencies are a shared directory every user reads; the rest follow the user's provinces.
    assert response.context["paginator"].count == (2 if path == "/agencies/" else 0)


@pytest.mark.parametrize("path", LISTS)
def test_lists_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Thai digits in stored text -------------------------------------------------------------


def test_a_title_with_arabic_digits_is_found_by_thai_digits(staff, sisaket):
    wanted = MeetingFactory(province=sisaket, title="เวทีสมัชชา ครั้งที่ 2/2565")
    MeetingFactory(province=sisaket, title="เวทีสมัชชา ครั้งที่ 1/2565")
    assert shown(staff.get("/meetings/", {"q": "๒/๒๕๖๕"})) == [wanted.pk]


@pytest.mark.parametrize("typed", ["๒/๒๕๖๕", "2/2565"], ids=["thai-digits", "arabic-digits"])
def test_a_title_written_with_thai_digits_is_found_by_its_digits(staff, sisaket, typed):
    wanted = MeetingFactory(province=sisaket, title="เวทีสมัชชา ครั้งที่ ๒/๒๕๖๕")
    MeetingFactory(province=sisaket, title="เวทีสมัชชา ครั้งที่ ๑/๒๕๖๕")
    assert shown(staff.get("/meetings/", {"q": typed})) == [wanted.pk]
