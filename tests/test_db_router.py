"""Where a request reads when a read replica is configured (portal.db_router), and the
settings that configure the replica and the connection pool.

The router against a real streaming replica: tests/infrastructure/test_replica.py."""

import runpy
import time
from pathlib import Path

import pytest
from django.db import OperationalError
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.urls import resolve

from accounts.models import User
from councils.models import Council
from portal import db_router
from portal.db_router import PRIMARY, REPLICA, Health, ReplicaMiddleware, ReplicaRouter
from privacy.models import AccessLog

SETTINGS = Path(__file__).resolve().parents[1] / "portal" / "settings.py"


def settings_with(monkeypatch, **env) -> dict:
    """portal/settings.py read afresh with these environment variables."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


@pytest.fixture
def healthy(monkeypatch):
    monkeypatch.setattr(db_router, "replica_health", lambda fresh=False: Health("ok", 0.0))


def run(request, view):
    """The request through the middleware, the URL resolved as Django's handler does."""

    def get_response(request):
        request.resolver_match = resolve(request.path_info)
        middleware.process_view(request, view, (), {})
        return view(request)

    middleware = ReplicaMiddleware(get_response)
    return middleware(request)


def through_middleware(request, *, wrote=False, status=200):
    """The middleware around a view that reads a council (and writes one, if asked):
    returns the response and where the reads went."""
    seen = {}

    def view(request):
        seen["read"] = ReplicaRouter().db_for_read(Council)
        if wrote:
            ReplicaRouter().db_for_write(Council)
            seen["after write"] = ReplicaRouter().db_for_read(Council)
        return HttpResponse(status=status)

    return run(request, view), seen


def test_without_replica_url_there_is_one_database_and_no_router(monkeypatch):
    monkeypatch.delenv("REPLICA_DATABASE_URL", raising=False)
    settings = settings_with(monkeypatch)
    assert list(settings["DATABASES"]) == ["default"]
    assert "DATABASE_ROUTERS" not in settings
    assert "portal.db_router.ReplicaMiddleware" not in settings["MIDDLEWARE"]


def test_replica_url_adds_a_replica_mirrored_in_tests(monkeypatch):
    settings = settings_with(
        monkeypatch,
        DATABASE_URL="postgres://portal@db.example.org/portal",
        REPLICA_DATABASE_URL="postgres://portal@replica.example.org/portal",
    )
    replica = settings["DATABASES"]["replica"]
    assert replica["HOST"] == "replica.example.org"
    assert replica["TEST"] == {"MIRROR": "default"}
    assert replica["OPTIONS"]["connect_timeout"] == 2
    assert not replica.get("ATOMIC_REQUESTS")
    assert settings["DATABASE_ROUTERS"] == ["portal.db_router.ReplicaRouter"]
    middleware = settings["MIDDLEWARE"]
    assert middleware.index("portal.db_router.ReplicaMiddleware") == len(middleware) - 2


def test_database_pool_sets_its_sizes_on_primary_and_replica(monkeypatch):
    settings = settings_with(
        monkeypatch,
        DATABASE_URL="postgres://portal@db.example.org/portal",
        REPLICA_DATABASE_URL="postgres://portal@replica.example.org/portal",
        DATABASE_POOL="true",
        DATABASE_POOL_MAX_SIZE="20",
    )
    primary, replica = settings["DATABASES"]["default"], settings["DATABASES"]["replica"]
    assert primary["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 20, "timeout": 10}
    # A replica that is down is given up on quickly: pages then read from the primary.
    assert replica["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 20, "timeout": 2}
    assert primary["CONN_MAX_AGE"] == replica["CONN_MAX_AGE"] == 0
    # The pool checks a connection before lending it: a restarted database's are replaced.
    assert primary["CONN_HEALTH_CHECKS"] is replica["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize(
    ("path", "safe"),
    [
        ("/", True),
        ("/quality/", True),
        ("/councils/", True),
        ("/councils/1/", True),
        ("/areas/33/", True),
        ("/projects/", True),
        ("/meetings/resolutions/", True),
        ("/councils/1/edit/", False),
        ("/councils/1/history/", False),
        ("/councils/new/", False),
        ("/accounts/login/", False),
        ("/accounts/two-factor/verify/", False),
        ("/imports/1/", False),
        ("/privacy/person/", False),
        ("/healthz", False),
    ],
)
def test_only_pages_that_only_read_are_replica_safe(path, safe):
    assert db_router.replica_safe(resolve(path).view_name) is safe


def test_outside_a_request_everything_is_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(Council) == PRIMARY
    assert router.db_for_write(Council) == PRIMARY
    assert router.allow_migrate(PRIMARY, "councils")
    assert not router.allow_migrate(REPLICA, "councils")


def test_a_safe_page_reads_records_from_the_replica_and_the_user_from_the_primary(healthy):
    seen = {}

    def view(request):
        seen["council"] = ReplicaRouter().db_for_read(Council)
        seen["user"] = ReplicaRouter().db_for_read(User)
        return HttpResponse()

    response = run(RequestFactory().get("/councils/"), view)
    assert seen == {"council": REPLICA, "user": PRIMARY}
    assert db_router.STICKY_COOKIE not in response.cookies


def test_a_page_that_edits_reads_from_the_primary(healthy):
    _, seen = through_middleware(RequestFactory().get("/councils/1/edit/"))
    assert seen["read"] == PRIMARY


def test_a_write_sends_the_rest_of_the_request_and_the_next_seconds_to_the_primary(healthy):
    response, seen = through_middleware(RequestFactory().get("/councils/"), wrote=True)
    assert seen == {"read": REPLICA, "after write": PRIMARY}
    sticky = response.cookies[db_router.STICKY_COOKIE]
    assert float(sticky.value) > time.time()
    assert sticky["httponly"]


def test_a_successful_post_pins_the_browser_to_the_primary(healthy):
    response, _ = through_middleware(RequestFactory().post("/councils/1/archive/"))
    assert db_router.STICKY_COOKIE in response.cookies


def test_a_refused_post_does_not(healthy):
    response, _ = through_middleware(RequestFactory().post("/councils/1/archive/"), status=403)
    assert db_router.STICKY_COOKIE not in response.cookies


def test_bookkeeping_writes_do_not_pin_the_browser(healthy):
    def view(request):
        ReplicaRouter().db_for_write(AccessLog)
        return HttpResponse()

    response = run(RequestFactory().get("/councils/1/"), view)
    assert db_router.STICKY_COOKIE not in response.cookies


def test_a_pinned_browser_reads_from_the_primary(healthy):
    request = RequestFactory().get("/councils/")
    request.COOKIES[db_router.STICKY_COOKIE] = str(time.time() + 5)
    _, seen = through_middleware(request)
    assert seen["read"] == PRIMARY


def test_an_expired_pin_reads_from_the_replica_again(healthy):
    request = RequestFactory().get("/councils/")
    request.COOKIES[db_router.STICKY_COOKIE] = str(time.time() - 1)
    _, seen = through_middleware(request)
    assert seen["read"] == REPLICA


@pytest.mark.parametrize("status", ["lagging", "unavailable"])
def test_an_unwell_replica_is_left_for_the_primary(monkeypatch, status):
    monkeypatch.setattr(db_router, "replica_health", lambda fresh=False: Health(status))
    _, seen = through_middleware(RequestFactory().get("/councils/"))
    assert seen["read"] == PRIMARY


def run_through_handler(request, view):
    """As Django's handler does: process_view, the view, process_exception if it raises."""
    middleware = ReplicaMiddleware(None)

    def get_response(request):
        request.resolver_match = resolve(request.path_info)
        middleware.process_view(request, view, (), {})
        try:
            return view(request)
        except Exception as exception:
            response = middleware.process_exception(request, exception)
            if response is None:
                raise
            return response

    middleware.get_response = get_response
    return middleware(request)


def test_a_replica_lost_in_the_middle_of_a_page_is_left_for_the_primary(monkeypatch):
    checks = []

    def health(fresh=False):
        checks.append(fresh)
        return Health("unavailable" if fresh else "ok", 0.0)

    monkeypatch.setattr(db_router, "replica_health", health)
    reads = []

    def view(request):
        reads.append(ReplicaRouter().db_for_read(Council))
        if reads[-1] == REPLICA:
            raise OperationalError("connection refused")
        return HttpResponse("from the primary")

    response = run_through_handler(RequestFactory().get("/councils/"), view)
    assert response.content == b"from the primary"
    assert reads == [REPLICA, PRIMARY]
    assert checks == [False, True]


def test_a_failing_primary_is_not_retried(healthy):
    def view(request):
        raise OperationalError("the primary is gone")

    with pytest.raises(OperationalError):
        run_through_handler(RequestFactory().get("/councils/"), view)


def test_a_streamed_export_reads_where_its_page_did(healthy):
    def rows():
        yield ReplicaRouter().db_for_read(Council).encode()

    def view(request):
        return StreamingHttpResponse(rows())

    response = run(RequestFactory().get("/councils/"), view)
    assert ReplicaRouter().db_for_read(Council) == PRIMARY  # the request is over
    assert b"".join(response.streaming_content) == REPLICA.encode()  # but the export reads


def test_pgbouncer_turns_off_server_side_cursors_and_kept_connections(monkeypatch):
    monkeypatch.delenv("DATABASE_POOL", raising=False)
    settings = settings_with(
        monkeypatch, DATABASE_URL="postgres://portal@pgbouncer.example.org/portal", PGBOUNCER="true"
    )
    database = settings["DATABASES"]["default"]
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert database["CONN_MAX_AGE"] == 0
    assert "pool" not in database["OPTIONS"]
