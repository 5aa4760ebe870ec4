"""While the database is away every request gets the 503 page with Retry-After, logged in or
not, whatever layer of the request meets the outage (the session, the login check, the view,
the session saved after it); never a 500 or a 400. The portal reconnects by itself."""

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connection, connections
from django.test import Client

from tests.factories import CouncilFactory, UserFactory
from tests.helpers import EN


def _logged_in(sisaket, **kwargs) -> Client:
    user = UserFactory(username="nipa", role="staff")
    user.provinces.add(sisaket)
    client = Client(raise_request_exception=False, **kwargs)
    client.force_login(user)
    return client


def _assert_outage_page(response, *, json=False):
    assert response.status_code == 503, response.status_code
    assert response["Retry-After"] == "30"
    if json:
        body = response.json()
        assert (body["status"], body["database"]) == ("error", "unavailable")
    else:
        assert "Traceback" not in response.text


@pytest.fixture
def database_away(monkeypatch):
    """Every new query fails as it does when the server is down or restarting."""

    def refuse():
        raise OperationalError("connection refused")

    def away():
        monkeypatch.setattr(connections["default"], "ensure_connection", refuse)

    return away


@pytest.mark.django_db
def test_logged_in_pages_get_the_503_page_not_a_500(sisaket, database_away):
    client = _logged_in(sisaket)
    council = CouncilFactory()
    database_away()
    for path in ("/", "/councils/", f"/councils/{council.pk}/", "/imports/"):
        response = client.get(path)
        _assert_outage_page(response)
        assert "ฐานข้อมูล" in response.text
    assert "database" in client.get("/councils/", headers=EN).text


@pytest.mark.django_db
def test_healthz_with_a_session_cookie_answers_503_in_json(sisaket, database_away):
    client = _logged_in(sisaket)
    database_away()
    _assert_outage_page(client.get("/healthz"), json=True)
    _assert_outage_page(Client(raise_request_exception=False).get("/healthz"), json=True)


@pytest.mark.django_db
def test_a_form_sent_while_the_database_is_away_gets_503_not_a_csrf_refusal(sisaket, database_away):
    client = _logged_in(sisaket, enforce_csrf_checks=True)
    council = CouncilFactory()
    page = client.get(f"/councils/{council.pk}/edit/")
    token = page.context["csrf_token"]
    database_away()
    response = client.post(
        f"/councils/{council.pk}/edit/", {"csrfmiddlewaretoken": str(token), "households": "5"}
    )
    _assert_outage_page(response)


@pytest.mark.django_db
def test_a_login_sent_while_the_database_is_away_gets_503(database_away):
    client = Client(raise_request_exception=False)
    database_away()
    response = client.post("/accounts/login/", {"username": "nipa", "password": "x" * 12})
    _assert_outage_page(response)


@pytest.mark.django_db
def test_a_session_that_cannot_be_saved_is_a_503_not_a_400(sisaket, monkeypatch):
    client = _logged_in(sisaket)

    def save(self, must_create=False):
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            raise UpdateError from None

    monkeypatch.setattr(SessionStore, "save", save)
    response = client.get("/councils/")
    _assert_outage_page(response)


@pytest.mark.django_db
def test_other_bad_requests_stay_400(client):
    response = client.get("/councils/", headers={"host": "bad host name"})
    assert response.status_code == 400


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real server connection to cut"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_server_that_cannot_be_reached_gets_503_for_every_request(sisaket):
    """The connection points at a port nobody listens on, as while PostgreSQL restarts."""
    client = _logged_in(sisaket, enforce_csrf_checks=True)
    anonymous = Client(raise_request_exception=False)
    council = CouncilFactory()
    token = client.get(f"/councils/{council.pk}/edit/").context["csrf_token"]
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = 1
    try:
        responses = [
            client.get("/"),
            client.get(f"/councils/{council.pk}/"),
            client.post(
                f"/councils/{council.pk}/edit/",
                {"csrfmiddlewaretoken": str(token), "households": "5"},
            ),
            anonymous.post("/accounts/login/", {"username": "nipa", "password": "x" * 12}),
        ]
        health = [client.get("/healthz"), anonymous.get("/healthz")]
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    for response in responses:
        _assert_outage_page(response)
    for response in health:
        _assert_outage_page(response, json=True)
    # Back: the next requests open a new connection.
    assert client.get("/").status_code == 200
    assert client.get("/healthz").status_code == 200


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_terminated_connection_is_a_503_once_then_the_portal_reconnects(sisaket):
    import psycopg

    client = _logged_in(sisaket)
    assert client.get("/councils/").status_code == 200
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k in ("host", "port", "user", "dbname")},
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    _assert_outage_page(client.get("/councils/"))
    assert client.get("/councils/").status_code == 200
