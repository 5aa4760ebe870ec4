"""A request that fails half-way writes nothing, and says so; a lost database is survived."""

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client

from portal.editing import RecordInlineFormSet
from tests.factories import CouncilFactory
from tests.test_forms import add_rows, form_data


@pytest.mark.django_db(transaction=True)
def test_an_error_half_way_through_a_save_writes_nothing(staff_user):
    client = Client(raise_request_exception=False)
    client.force_login(staff_user)
    council = CouncilFactory(households=100)
    url = f"/councils/{council.pk}/edit/"
    data = add_rows(
        form_data(client.get(url), households="999"),
        "members",
        {"full_name": "นายใหม่ ทดสอบ", "role": "member"},
    )
    with mock.patch.object(RecordInlineFormSet, "save_rows", side_effect=RuntimeError("boom")):
        response = client.post(url, data)
    assert response.status_code == 500
    assert "ไม่มีการบันทึกข้อมูลใด ๆ" in response.text
    assert "Traceback" not in response.text and "boom" not in response.text
    council.refresh_from_db()
    assert council.households == 100
    assert council.members.count() == 0
    assert council.history.count() == 1  # only the creation


@pytest.mark.django_db
def test_a_lost_database_gets_a_clear_503_page(staff_client):
    with mock.patch("dashboards.views.dashboard_data", side_effect=OperationalError("gone")):
        response = staff_client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "ฐานข้อมูล" in response.text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a server connection to cut")
@pytest.mark.django_db(transaction=True)
def test_the_portal_reconnects_after_the_database_dropped_its_connection(settings):
    """As after a database restart: the connection is cut under the running portal. The real
    WSGI handler (with its request signals) serves the requests, as gunicorn would."""
    import psycopg
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import RequestFactory

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    handler = WSGIHandler()

    def get(path):
        statuses = []
        environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")
        body = b"".join(handler(environ, lambda status, headers: statuses.append(status)))
        return int(statuses[0].split()[0]), body.decode()

    assert get("/healthz")[0] == 200
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k in ("host", "port", "user", "dbname")},
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    status, body = get("/accounts/login/")
    assert status in (200, 500, 503)  # at worst a clean error page, never a trace
    assert "Traceback" not in body
    assert get("/accounts/login/")[0] == 200
    assert get("/healthz")[0] == 200
