"""The dashboard's figures against a small data set computed by hand (`world`, in conftest.py):
scope, archived records, filters, drill-down links, caching and query counts."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.figures import dashboard_data
from dashboards.filters import Selection
from meetings.models import Resolution
from tests.factories import (
    CouncilFactory,
    MeetingFactory,
    ProjectFactory,
    ProvinceFactory,
    ResolutionFactory,
    UserFactory,
)
from tests.helpers import bangkok, list_count


def staff_figures(staff_user, **selection):
    return dashboard_data(staff_user, Selection(fiscal_year=2566, **selection))


def test_a_carried_resolution_counts_once(world, staff_user):
    original = Resolution.objects.get(due_on=datetime.date(2023, 1, 31))
    later = MeetingFactory(province=original.meeting.province, starts_at=bangkok(2023, 3, 1, 9, 0))
    ResolutionFactory(meeting=later, carried_from=original, owner_agency=original.owner_agency)
    assert staff_figures(staff_user)["summary"]["resolutions"]["open"] == 2


def test_summary_figures_of_a_province(world, staff_user):
    summary = staff_figures(staff_user)["summary"]
    assert summary["councils"] == {
        "total": 3, "active": 2, "dormant": 1, "dissolved": 0,
        "households": 350, "population": 1150,
    }  # fmt: skip
    assert summary["organisations"] == {"total": 2, "members": 100}
    projects = summary["projects"]
    assert projects["total"] == 3
    assert projects["by_status"] == {
        "proposed": 1, "approved": 1, "in_progress": 0, "completed": 1, "cancelled": 0,
    }  # fmt: skip
    assert (projects["target_households"], projects["reached_households"]) == (30, 25)
    assert (projects["target_persons"], projects["reached_persons"]) == (90, 67)
    assert summary["budget"] == {"requested": 350_000, "approved": 240_000, "disbursed": 195_000}
    assert summary["meetings_held"] == 2
    assert summary["resolutions"] == {"open": 2, "overdue": 1}


def test_breakdowns_by_district_programme_and_year(world, staff_user):
    data = staff_figures(staff_user)
    assert data["level"] == "district"
    areas = {row["code"]: row for row in data["areas"]}
    assert set(areas) == {world["a"].code, world["b"].code}
    a, b = areas[world["a"].code], areas[world["b"].code]
    assert (a["councils_active"], a["projects"], a["approved"], a["disbursed"]) == (
        1, 2, 90_000, 45_000,
    )  # fmt: skip
    assert (a["reached_households"], a["meetings"]) == (5, 1)
    assert (b["councils_active"], b["projects"], b["approved"], b["disbursed"]) == (
        1, 1, 150_000, 150_000,
    )  # fmt: skip
    programmes = {row["code"]: row for row in data["programmes"]}
    assert programmes["community-welfare"]["projects"] == 2
    assert programmes["community-welfare"]["requested"] == 150_000
    assert programmes["community-welfare"]["disbursed"] == 45_000
    assert programmes["baan-mankong"]["approved"] == 150_000
    years = {row["fiscal_year"]: row for row in data["years"]}
    assert list(years) == [2561, 2562, 2563, 2564, 2565, 2566]
    assert years[2565] == {
        "fiscal_year": 2565,
        "projects": 1,
        "approved": 40_000,
        "disbursed": 40_000,
    }
    assert years[2566]["disbursed"] == 195_000


def test_district_and_programme_filters(world, staff_user):
    summary = staff_figures(staff_user, district=world["a"])["summary"]
    assert summary["councils"]["total"] == 2 and summary["councils"]["households"] == 150
    assert summary["projects"]["total"] == 2
    assert summary["budget"]["disbursed"] == 45_000
    assert summary["meetings_held"] == 1
    assert summary["resolutions"]["open"] == 2
    housing = staff_figures(staff_user, programme=world["housing"])["summary"]
    assert housing["projects"]["total"] == 1
    assert housing["budget"] == {"requested": 200_000, "approved": 150_000, "disbursed": 150_000}


def test_other_provinces_and_councils_stay_out_of_scope(world):
    viewer = UserFactory(role="viewer")
    viewer.provinces.add(ProvinceFactory())
    summary = dashboard_data(viewer, Selection(2566))["summary"]
    assert summary["budget"]["approved"] == 240_000  # not Ubon's 777,000
    assert summary["councils"]["households"] == 350
    editor = UserFactory(role="council_editor", council=world["a1"])
    summary = dashboard_data(editor, Selection(2566))["summary"]
    assert summary["councils"]["total"] == 1
    assert summary["projects"]["total"] == 2
    admin = UserFactory(role="admin")
    data = dashboard_data(admin, Selection(2566))
    assert data["level"] == "province"
    assert {row["code"]: row["approved"] for row in data["areas"]} == {
        "33": 240_000,
        "34": 777_000,
    }


def test_the_viewer_page_never_shows_another_province(world, client):
    viewer = UserFactory(role="viewer")
    viewer.provinces.add(ProvinceFactory())
    client.force_login(viewer)
    page = client.get("/", {"fiscal_year": 2566}).text
    assert "240,000" in page
    assert "777,000" not in page and "อุบลราชธานี" not in page


def test_drill_down_links_open_lists_whose_counts_equal_the_figures(world, staff_client):
    response = staff_client.get("/", {"fiscal_year": 2566})
    context = response.context
    links, summary = context["links"], context["summary"]
    assert list_count(staff_client, links["councils"]) == summary["councils"]["total"] == 3
    assert list_count(staff_client, links["councils_active"]) == summary["councils"]["active"]
    assert list_count(staff_client, links["councils_dormant"]) == summary["councils"]["dormant"]
    assert list_count(staff_client, links["projects"]) == summary["projects"]["total"]
    assert list_count(staff_client, links["meetings"]) == summary["meetings_held"] == 2
    assert list_count(staff_client, links["resolutions"]) == summary["resolutions"]["open"] == 2
    overdue = summary["resolutions"]["overdue"]
    assert list_count(staff_client, links["resolutions_overdue"]) == overdue == 1
    district = staff_client.get("/", {"fiscal_year": 2566, "district": world["b"].pk}).context
    assert list_count(staff_client, district["links"]["resolutions"]) == 0
    for row in context["statuses"]:
        assert list_count(staff_client, row["link"]) == row["value"], row["status"]
    for table_name, key in (("areas", 1), ("programmes", 0)):
        table = context["tables"][table_name]
        for row in table.rows:
            assert list_count(staff_client, row["link"]) == row["cells"][key], row["label"]
    for row in context["tables"]["years"].rows:
        if row["cells"][0]:
            assert list_count(staff_client, row["link"]) == row["cells"][0], row["label"]
        else:
            assert row["link"] is None
    for tile in context["tile_map"].tiles:
        assert list_count(staff_client, tile.link) == tile.value


def test_drill_down_by_province_for_a_national_view(world, admin_client):
    context = admin_client.get("/", {"fiscal_year": 2566, "map": "councils_active"}).context
    for tile in context["tile_map"].tiles:
        assert list_count(admin_client, tile.link) == tile.value
    for row in context["tables"]["areas"].rows:
        assert list_count(admin_client, row["link"]) == row["cells"][1]


def test_filters_are_kept_in_the_url_and_bad_values_are_ignored(world, staff_client):
    response = staff_client.get(
        "/", {"fiscal_year": "2566", "district": world["a"].pk, "programme": world["welfare"].pk}
    )
    assert response.context["summary"]["projects"]["total"] == 2
    assert f'value="{world["a"].pk}" selected' in response.text
    response = staff_client.get("/", {"fiscal_year": "abc", "district": "99999"})
    assert response.status_code == 200
    assert response.context["selection"].district is None
    assert (
        response.context["selection"].fiscal_year
        == response.context["form"].fields["fiscal_year"].initial
    )
    assert "ไม่เข้าใจ" in response.text  # "part of the filter was not understood"


def test_english_dashboard(world, staff_client):
    response = staff_client.get("/", {"fiscal_year": 2566}, headers={"accept-language": "en"})
    assert "Partnership at a glance" in response.text
    assert "Fiscal year 2566 (2022–23)" in response.text


def test_data_quality_lists_the_least_complete_and_stalest_first(world, staff_client):
    from tests.factories import CouncilMemberFactory

    complete = world["a1"]
    complete.phone = "045-611-111"
    complete.save()
    CouncilMemberFactory(council=complete, role="chair")
    response = staff_client.get("/quality/")
    rows = response.context["rows"]
    assert rows[-1]["pk"] == complete.pk
    assert rows[-1]["score"] == 5 and rows[-1]["missing_labels"] == []
    assert rows[0]["score"] == 2  # no chair, contact or members
    assert {str(item) for item in rows[0]["missing_labels"]} == {"ประธาน", "ช่องทางติดต่อ", "สมาชิก"}
    dashboard = staff_client.get("/").context["quality"]
    assert [row["pk"] for row in dashboard] == [row["pk"] for row in rows][:8]


def test_the_dashboard_runs_a_fixed_number_of_queries(world, staff_client):
    with CaptureQueriesContext(connection) as small:
        staff_client.get("/", {"fiscal_year": 2566})
    for _ in range(5):
        council = CouncilFactory(subdistrict__district=world["b"])
        ProjectFactory(council=council)
        MeetingFactory(district=world["b"], starts_at=bangkok(2023, 3, 3, 9, 0))
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as large:
        staff_client.get("/", {"fiscal_year": 2566})
    assert len(large) == len(small) <= 30


def test_cached_figures_are_dropped_on_every_write(world, staff_client):
    staff_client.get("/", {"fiscal_year": 2566})
    with CaptureQueriesContext(connection) as cached:
        response = staff_client.get("/", {"fiscal_year": 2566})
    with CaptureQueriesContext(connection) as uncached:
        from django.core.cache import cache

        cache.clear()
        staff_client.get("/", {"fiscal_year": 2566})
    assert len(cached) < len(uncached) - 10
    assert response.context["summary"]["projects"]["total"] == 3
    ProjectFactory(council=world["a1"])
    response = staff_client.get("/", {"fiscal_year": 2566})
    assert response.context["summary"]["projects"]["total"] == 4


def test_charts_are_drawn_without_script(world, staff_client):
    text = staff_client.get("/", {"fiscal_year": 2566}).text
    assert text.count('class="bar-chart"') == 4
    assert "<script" not in re.sub(r'<script src="[^"]+"( defer)?></script>', "", text)


def test_how_long_since_a_council_was_updated_in_days(world, staff_client):
    from django.utils import timezone

    from councils.models import Council

    Council.objects.filter(pk=world["a1"].pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=40)
    )
    thai = staff_client.get("/quality/").text
    assert "(40 วันที่แล้ว)" in thai and "(วันนี้)" in thai
    english = staff_client.get("/quality/", headers={"accept-language": "en"}).text
    assert "(40 days ago)" in english and "(today)" in english


def test_with_the_cache_server_gone_pages_answer_and_saves_go_on(world, staff_client, settings):
    """Redis down (here: nothing listens on its port): the dashboard is computed afresh and a
    save is stored; losing the cache used to make every save answer 500."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = staff_client.get("/", {"fiscal_year": 2566})
    assert response.status_code == 200
    assert response.context["summary"]["projects"]["total"] == 3
    ProjectFactory(council=world["a1"])  # a save: the figures' drop fails, the save stands
    response = staff_client.get("/", {"fiscal_year": 2566})
    assert response.context["summary"]["projects"]["total"] == 4
