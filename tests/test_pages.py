"""Login, logout, the home page, the language switch and the health check."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import CouncilFactory, MeetingFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_home_needs_a_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_login_page_is_in_thai_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert '<html lang="th">' in response.text
    assert "เข้าสู่ระบบ" in response.text


def test_the_login_page_in_english(client):
    response = client.get("/accounts/login/", headers={"accept-language": "en"})
    assert '<html lang="en">' in response.text
    assert "Log in" in response.text


def test_a_user_logs_in_and_sees_the_home_page(client, staff_user):
    response = client.post(
        "/accounts/login/", {"username": "somchai", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"] == staff_user


def test_a_wrong_password_is_refused_with_a_message(client, staff_user):
    response = client.post("/accounts/login/", {"username": "somchai", "password": "nope"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert "alert-danger" in response.text


def test_logout_is_a_post(staff_client):
    assert staff_client.get("/accounts/logout/").status_code == 405
    response = staff_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert staff_client.get("/").status_code == 302


def test_the_home_page_shows_the_real_counts(staff_client):
    CouncilFactory.create_batch(3)
    archived = CouncilFactory()
    archived.archive()
    ProjectFactory(budget_approved=1_234_567)
    response = staff_client.get("/", {"fiscal_year": 2566})
    summary = response.context["summary"]
    assert summary["councils"]["total"] == 4  # three made here and the project's own council
    assert summary["projects"]["total"] == 1
    assert summary["budget"]["approved"] == 1_234_567
    assert "1,234,567" in response.text


def test_the_home_page_shows_meeting_dates_in_the_readers_era(staff_client):
    MeetingFactory(title="เวทีจังหวัด")
    thai = staff_client.get("/")
    assert "21 ธ.ค. 2565 13:00 น." in thai.text
    english = staff_client.get("/", headers={"accept-language": "en"})
    assert "21 Dec 2022 13:00" in english.text
    assert "Partnership at a glance" in english.text
    assert "ภาพรวมความร่วมมือ" in thai.text


def test_the_language_switcher_remembers_english(staff_client):
    response = staff_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en">' in staff_client.get("/").text


def test_healthz_needs_no_login_and_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_reports_an_unreachable_database_with_503(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=DatabaseError):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_pages_load_nothing_from_another_host(staff_client):
    call_command("load_geography", "--province", "33")
    text = staff_client.get("/").text
    assert "https://" not in text and "http://" not in text.replace('xmlns="http://', "")
    assert "/static/vendor/bootstrap/bootstrap.min.css" in text
    assert "/static/vendor/sarabun/sarabun.css" in text
