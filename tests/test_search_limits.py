"""Every search and filter is bounded: more than 8 words or 200 characters in a search, a text
filter over 200 characters, or a number too long for an id is refused with a message in the
reader's language, and the database is not asked (a search of a thousand words kept
PostgreSQL busy for 19 seconds). Lists, the resolution register, exports, the calendar, the
admin and the person search all go through portal.lib.search."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.admin import BoundedSearchAdmin
from portal.lib.search import SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS, search_problem
from privacy.models import AccessLog
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    CouncilMemberFactory,
    MeetingFactory,
    ProjectFactory,
    ResolutionFactory,
)
from tests.helpers import EN, content_of

pytestmark = pytest.mark.django_db

LISTS = ["/councils/", "/agencies/", "/projects/", "/meetings/", "/meetings/resolutions/"]
THOUSAND_WORDS = " ".join(f"w{number}" for number in range(1000))
NINE_WORDS = "ก ข ค ง จ ฉ ช ซ ฌ"
LONG_WORD = "ก" * (SEARCH_MAX_LENGTH + 1)
VERY_LONG_WORD = "x" * 20_000
TOO_MUCH = [THOUSAND_WORDS, NINE_WORDS, LONG_WORD, VERY_LONG_WORD, "a " * 100]


@pytest.fixture
def records(sisaket):
    council = CouncilFactory(name_th="สภาองค์กรชุมชนตำบลกันทรารมย์")
    ProjectFactory(council=council, title_th="บ้านมั่นคงกันทรารมย์")
    meeting = MeetingFactory(title="เวทีกันทรารมย์")
    ResolutionFactory(meeting=meeting, text="กันทรารมย์ติดตามงาน")
    AgencyFactory(province=sisaket, name_th="สำนักงานกันทรารมย์")
    return council


def like_clauses(queries) -> int:
    return sum(query["sql"].upper().count(" LIKE ") for query in queries)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "search", TOO_MUCH, ids=["1000-words", "9-words", "201-chars", "20k", "100-a"]
)
def test_a_search_over_the_limits_is_refused_and_not_run(staff, records, path, search):
    with CaptureQueriesContext(connection) as queries:
        response = staff.get(path, {"q": search}, headers=EN)
    assert response.status_code == 200
    assert "Search for at most" in response.text
    assert response.context["paginator"].count == 0
    assert like_clauses(queries) == 0
    assert len(queries) < 40


@pytest.mark.parametrize("path", LISTS)
def test_the_refusal_is_in_thai_for_thai_readers(staff, records, path):
    response = staff.get(path, {"q": NINE_WORDS})
    assert "ค้นหาได้ครั้งละไม่เกิน 8 คำ (คำค้นนี้มี 9 คำ)" in response.text
    long = staff.get(path, {"q": LONG_WORD})
    assert "ค้นหาได้ไม่เกิน 200 ตัวอักษร (คำค้นนี้มี 201 ตัวอักษร)" in long.text


@pytest.mark.parametrize("path", LISTS)
def test_a_search_within_the_limits_still_runs(staff, records, path):
    words = " ".join(["กันทร"] * SEARCH_MAX_WORDS)
    response = staff.get(path, {"q": words})
    assert response.status_code == 200
    assert response.context["paginator"].count == 1
    assert 'maxlength="200"' in response.text


@pytest.mark.parametrize("path", ["/councils/", "/projects/", "/meetings/"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_with_a_search_over_the_limits_exports_nothing(staff, records, path, file_format):
    with CaptureQueriesContext(connection) as queries:
        response = staff.get(path, {"q": THOUSAND_WORDS, "format": file_format})
        body = content_of(response)  # an export streams: its rows are read as it is sent
    assert response.status_code == 200
    assert like_clauses(queries) == 0
    if file_format == "csv":
        assert "กันทรารมย์" not in body.decode("utf-8-sig")


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/councils/", {"province": "3" * 5000}),
        ("/projects/", {"subdistrict": "x" * 1000}),
        ("/projects/", {"council": "9" * 40}),
        ("/projects/", {"partner": "1" * 30}),
        ("/meetings/", {"area": "3" * 300}),
        ("/meetings/", {"council": "9" * 25}),
        ("/meetings/resolutions/", {"area": "x" * 500}),
    ],
)
def test_a_filter_value_over_the_limits_is_refused_not_a_server_error(staff, records, path, params):
    response = staff.get(path, params, headers=EN)
    assert response.status_code == 200
    assert response.context["paginator"].count == 0
    assert "This value is too long to filter by." in response.text


@pytest.mark.parametrize("path", LISTS)
def test_many_values_of_one_filter_use_one_and_stay_quick(staff, records, path):
    query = "&".join(
        [f"district={number}" for number in range(400)] + [f"q=w{n}" for n in range(400)]
    )
    with CaptureQueriesContext(connection) as queries:
        response = staff.get(f"{path}?{query}")
    assert response.status_code == 200
    assert like_clauses(queries) <= 40
    assert len(queries) < 40


def test_more_parameters_than_django_reads_are_a_bad_request(staff):
    query = "&".join(f"p{number}=1" for number in range(1200))
    assert staff.get(f"/councils/?{query}").status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"month": "2022-" + "1" * 10_000},
        {"month": "9" * 5000 + "-12"},
        {"month": "-".join(["1"] * 5000)},
    ],
)
def test_the_calendar_ignores_a_month_it_cannot_read(staff, params):
    assert staff.get("/meetings/calendar/", params).status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"fiscal_year": "9" * 5000}, {"district": "9" * 40}, {"programme": "x" * 5000}],
)
def test_the_dashboard_ignores_oversized_filters(staff, params):
    assert staff.get("/", params).status_code == 200


# --- the admin -------------------------------------------------------------------------------


def test_every_model_admin_has_the_bounded_search():
    assert admin.site._registry
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, BoundedSearchAdmin), model._meta.label


@pytest.mark.parametrize("search", TOO_MUCH[:3])
@pytest.mark.parametrize(
    "path",
    ["/admin/councils/council/", "/admin/accounts/user/", "/admin/meetings/attendance/"],
)
def test_an_admin_search_over_the_limits_is_refused(admin_client, records, path, search):
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(path, {"q": search}, headers=EN, follow=True)
    assert response.status_code == 200
    assert "Search for at most" in response.text
    assert like_clauses(queries) == 0


def test_an_admin_search_within_the_limits_runs(admin_client, records):
    response = admin_client.get("/admin/councils/council/", {"q": "กันทรารมย์"})
    assert response.status_code == 200
    assert "สภาองค์กรชุมชนตำบลกันทรารมย์" in response.text


def test_the_admin_autocomplete_is_bounded_too(admin_client, records):
    params = {
        "term": THOUSAND_WORDS,
        "app_label": "accounts",
        "model_name": "user",
        "field_name": "council",
    }
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get("/admin/autocomplete/", params)
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert like_clauses(queries) == 0


# --- the person search -----------------------------------------------------------------------


@pytest.mark.parametrize("search", [LONG_WORD, THOUSAND_WORDS, VERY_LONG_WORD])
def test_a_person_search_over_the_limits_is_refused_and_logs_nothing(admin_client, search):
    CouncilMemberFactory(full_name=search[:200])
    # The search is a form post: no one's name or ID is ever in an address.
    response = admin_client.post("/privacy/person/", {"q": search}, headers=EN)
    assert response.status_code == 200
    assert "Search for at most" in response.text
    assert not AccessLog.objects.exists()
    download = admin_client.post("/privacy/person/download/", {"q": search})
    assert download.status_code == 302
    assert not AccessLog.objects.exists()


# --- the rule itself -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "กันทร", " ".join(["w"] * SEARCH_MAX_WORDS), "ก" * SEARCH_MAX_LENGTH, "  a   b  "],
)
def test_searches_within_the_limits_are_allowed(text):
    assert search_problem(text) is None


@pytest.mark.parametrize("text", TOO_MUCH)
def test_searches_over_the_limits_are_refused(text):
    assert search_problem(text) is not None
