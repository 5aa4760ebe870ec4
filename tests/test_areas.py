"""Area profiles, gaps, the partnership matrix and the comparison, against the hand-computed
data set of test_dashboards (Sisaket: districts A and B; Ubon: district C)."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import Project
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    MeetingFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    ProvinceFactory,
    UserFactory,
)
from tests.helpers import bangkok, list_count


@pytest.fixture
def partners(world):
    """Agency X works on a project in A (5,000 baht) and one in B (3,000); Y on one in B."""
    projects = {
        (p.council.district_id, p.programme.code, p.fiscal_year): p
        for p in Project.objects.active().select_related("council", "programme")
    }
    a, b = world["a"].code, world["b"].code
    x = AgencyFactory(name_th="ก หน่วยงานเอ็กซ์", sector="provincial")
    y = AgencyFactory(name_th="ข หน่วยงานวาย", sector="academic")
    p1 = next(p for p in Project.objects.filter(council=world["a1"], status="approved"))
    ProjectPartnerFactory(project=p1, agency=x, contribution=Decimal(5_000))
    ProjectPartnerFactory(project=projects[(b, "baan-mankong", 2566)], agency=x, contribution=3000)
    ProjectPartnerFactory(
        project=projects[(b, "community-welfare", 2565)], agency=y, contribution=1000
    )
    assert a != b
    return {"x": x, "y": y}


def test_province_profile_figures(partners, staff_client, world):
    response = staff_client.get("/areas/33/")
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary["councils"]["total"] == 3 and summary["councils"]["active"] == 2
    assert summary["councils"]["households"] == 350
    assert summary["organisations"] == {"total": 2, "members": 100}
    assert summary["agencies"] == 2 and summary["contribution"] == 9_000
    assert summary["disbursed"] == 235_000  # 45,000 + 150,000 + 40,000 (all years)
    assert summary["meetings"] == 3  # the archived one and Ubon's left out
    assert summary["resolutions"] == {"open": 2, "overdue": 1}
    total = response.context["programme_total"]
    assert (total["projects"], total["approved"], total["reached_households"]) == (4, 280_000, 25)
    rows = {row["programme"].code: row for row in response.context["programme_rows"]}
    assert rows["community-welfare"]["statuses"]["approved"] == 1
    assert rows["community-welfare"]["projects"] == 3
    assert rows["baan-mankong"]["approved"] == 150_000
    agencies = response.context["agencies"]
    assert [a["name_th"] for a in agencies] == ["ก หน่วยงานเอ็กซ์", "ข หน่วยงานวาย"]
    assert agencies[0]["projects"] == 2 and agencies[0]["contribution"] == 8_000
    assert "777,000" not in response.text and "อุบลราชธานี" not in response.text


def test_a_fiscal_year_narrows_the_profile(partners, staff_client):
    response = staff_client.get("/areas/33/", {"fiscal_year": 2565})
    assert response.context["programme_total"]["projects"] == 1
    assert response.context["summary"]["contribution"] == 1_000


def test_children_with_gaps_come_first(partners, staff_client, world):
    children = staff_client.get("/areas/33/").context["children"]
    assert [row["area"].code for row in children] == [world["a"].code, world["b"].code]
    a, b = children
    assert [p.code for p in a["gaps"]["missing_programmes"]] == ["baan-mankong"]
    assert not a["gaps"]["no_council"] and not a["gaps"]["no_partner"]
    assert (a["councils_active"], a["projects"], a["agencies"], a["meetings"]) == (1, 2, 1, 2)
    assert b["gap_count"] == 0 and b["agencies"] == 2
    # A district without any council, project or partner is listed first of all.
    empty = CouncilFactory(subdistrict__district__province=world["a"].province, status="dormant")
    children = staff_client.get("/areas/33/").context["children"]
    first = children[0]
    assert first["area"].code == empty.district_id
    assert first["gaps"]["no_council"] and first["gaps"]["no_partner"]
    assert len(first["gaps"]["missing_programmes"]) == 2


def test_subdistrict_profile_lists_its_councils_and_projects(partners, staff_client, world):
    a1 = world["a1"]
    response = staff_client.get(f"/areas/{a1.subdistrict_id}/")
    assert [c.pk for c in response.context["councils"]] == [a1.pk]
    assert len(response.context["projects"]) == 2
    assert response.context["children"] == []
    breadcrumb = [area.code for area, _link in response.context["ancestors"]]
    assert breadcrumb == ["33", world["a"].code]


def test_every_figure_links_to_a_list_with_the_same_count(partners, staff_client, world):
    for code in ("33", world["a"].code, world["a1"].subdistrict_id):
        context = staff_client.get(f"/areas/{code}/").context
        links, summary = context["links"], context["summary"]
        assert list_count(staff_client, links["councils"]) == summary["councils"]["total"]
        assert list_count(staff_client, links["projects"]) == context["programme_total"]["projects"]
        assert list_count(staff_client, links["meetings"]) == summary["meetings"], code
        open_count = summary["resolutions"]["open"]
        assert list_count(staff_client, links["resolutions"]) == open_count, code
        overdue = summary["resolutions"]["overdue"]
        assert list_count(staff_client, links["resolutions_overdue"]) == overdue, code
        for row in context["programme_rows"]:
            assert list_count(staff_client, row["link"]) == row["projects"]
            for count, link in row["status_cells"]:
                if count:
                    assert list_count(staff_client, link) == count
        for agency in context["agencies"]:
            assert list_count(staff_client, agency["link"]) == agency["projects"]


def test_scope_of_area_profiles(partners, client, world):
    viewer = UserFactory(role="viewer")
    viewer.provinces.add(ProvinceFactory())
    client.force_login(viewer)
    assert client.get("/areas/33/").status_code == 200
    assert client.get("/areas/34/").status_code == 404
    assert client.get(f"/areas/{world['c'].code}/").status_code == 404
    for bad in ("abc", "999", "3", "99"):
        assert client.get(f"/areas/{bad}/").status_code == 404
    editor = UserFactory(role="council_editor", council=world["a1"])
    client.force_login(editor)
    own = world["a1"].subdistrict_id
    response = client.get(f"/areas/{own}/")
    assert response.status_code == 200
    assert response.context["summary"]["councils"]["total"] == 1
    # Its district and province are out of its scope: named in the breadcrumb, not linked.
    assert all(link is None for _area, link in response.context["ancestors"])
    assert client.get("/areas/33/").status_code == 404
    assert client.get(f"/areas/{world['a'].code}/").status_code == 404
    other = CouncilFactory(subdistrict__district=world["a"])
    assert client.get(f"/areas/{other.subdistrict_id}/").status_code == 404


def test_the_partnership_matrix(partners, staff_client, world):
    response = staff_client.get("/areas/33/partners/")
    assert response.status_code == 200
    (title, by_programme, rows, _), (_t, by_area, area_rows, _a) = response.context["matrices"]
    columns = [key for key, _label in by_programme.columns]
    x, y = rows
    assert x["name"] == "ก หน่วยงานเอ็กซ์" and x["sector"] == "ราชการจังหวัด"
    assert (x["projects"], x["contribution"]) == (2, 8_000)
    welfare = columns.index(world["welfare"].pk)
    housing = columns.index(world["housing"].pk)
    assert x["cells"][welfare] == (1, 5_000) and x["cells"][housing] == (1, 3_000)
    assert y["cells"][welfare] == (1, 1_000) and y["cells"][housing] is None
    area_columns = [key for key, _label in by_area.columns]
    assert area_rows[0]["cells"][area_columns.index(world["a"].code)] == (1, 5_000)
    assert area_rows[1]["cells"][area_columns.index(world["b"].code)] == (1, 1_000)
    by_name = staff_client.get("/areas/33/partners/", {"sort": "-name"}).context["matrices"][0][2]
    assert [row["name"] for row in by_name] == ["ข หน่วยงานวาย", "ก หน่วยงานเอ็กซ์"]
    ignored = staff_client.get("/areas/33/partners/", {"sort": "password"})
    assert ignored.context["sort"] == "-contribution"


def test_the_matrix_exports_to_xlsx(partners, staff_client):
    response = staff_client.get("/areas/33/partners/", {"format": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["หน่วยงานกับแผนงาน", "หน่วยงานกับพื้นที่"]
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("หน่วยงาน", "ภาคส่วน", "โครงการ", "การสนับสนุน (บาท)")
    assert rows[1][:4] == ("ก หน่วยงานเอ็กซ์", "ราชการจังหวัด", 2, 8000)


def test_compare_two_districts(partners, staff_client, world):
    a, b = world["a"].code, world["b"].code
    response = staff_client.get("/areas/compare/", {"a": a, "b": b})
    sides = response.context["sides"]
    assert [side["area"].code for side in sides] == [a, b]
    assert [side["programme_total"]["projects"] for side in sides] == [2, 2]
    assert [side["summary"]["councils"]["total"] for side in sides] == [2, 1]
    rows = {
        row["programme"].code: row["values"] for row in response.context["comparison_programmes"]
    }
    assert rows["baan-mankong"] == [0, 1]
    english = staff_client.get(
        "/areas/compare/", {"a": a, "b": b}, headers={"accept-language": "en"}
    )
    assert "Compare two areas" in english.text
    # An area outside the scope is not offered: nothing is compared.
    outside = staff_client.get("/areas/compare/", {"a": a, "b": world["c"].code})
    assert outside.context["sides"] == []
    assert "กรุณาเลือกจากรายการ" in outside.text


def test_an_area_profile_runs_a_fixed_number_of_queries(partners, staff_client, world):
    with CaptureQueriesContext(connection) as small:
        staff_client.get("/areas/33/")
    for _ in range(4):
        council = CouncilFactory(subdistrict__district=world["b"])
        project = ProjectFactory(council=council)
        ProjectPartnerFactory(project=project)
        MeetingFactory(district=world["b"], starts_at=bangkok(2023, 3, 3, 9, 0))
    with CaptureQueriesContext(connection) as large:
        staff_client.get("/areas/33/")
    assert len(large) == len(small) <= 30


def test_the_dashboard_map_leads_to_area_profiles(world, staff_client):
    tiles = staff_client.get("/", {"fiscal_year": 2566}).context["tile_map"].tiles
    assert {tile.profile for tile in tiles} == {
        f"/areas/{world['a'].code}/",
        f"/areas/{world['b'].code}/",
    }


def test_council_project_and_meeting_pages_link_to_their_areas(world, staff_client, client):
    a1 = world["a1"]
    project = Project.objects.filter(council=a1).first()
    meeting = MeetingFactory(province=world["a"].province, district=world["a"])
    for url in (f"/councils/{a1.pk}/", f"/projects/{project.pk}/"):
        page = staff_client.get(url).text
        for code in (a1.subdistrict_id, world["a"].code, "33"):
            assert f'href="/areas/{code}/"' in page, (url, code)
    page = staff_client.get(f"/meetings/{meeting.pk}/").text
    assert f'href="/areas/{world["a"].code}/"' in page and 'href="/areas/33/"' in page
    # A council editor may open only its own subdistrict: the rest are named, not linked.
    client.force_login(UserFactory(role="council_editor", council=a1))
    page = client.get(f"/councils/{a1.pk}/").text
    assert f'href="/areas/{a1.subdistrict_id}/"' in page
    assert f'href="/areas/{world["a"].code}/"' not in page and 'href="/areas/33/"' not in page


def test_a_profile_is_cached_for_the_scope_and_dropped_on_every_write(
    partners, staff_client, world
):
    """A province's profile sums its thousands of projects: it is kept like the dashboard's
    figures (per scope, area, year, language and day) and dropped on every save."""
    staff_client.get("/areas/33/")
    with CaptureQueriesContext(connection) as cached:
        response = staff_client.get("/areas/33/")
    assert response.context["summary"]["councils"]["total"] == 3
    CouncilFactory(subdistrict__district=world["b"])
    with CaptureQueriesContext(connection) as renewed:
        response = staff_client.get("/areas/33/")
    assert response.context["summary"]["councils"]["total"] == 4
    assert len(cached) < len(renewed) - 10
    english = staff_client.get("/areas/33/", headers={"Accept-Language": "en"})
    assert english.context["summary"]["councils"]["total"] == 4
