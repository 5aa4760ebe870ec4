"""Reads of read-only pages from a streaming replica, everything else from the primary.

Installed only when `REPLICA_DATABASE_URL` is set (portal.settings); without it the portal
has one database and none of this runs.

- A page may read from the replica when it is a GET or HEAD of a view named in
  `REPLICA_SAFE_VIEWS` (dashboards, lists and their exports, detail pages, area profiles, the
  public pages): pages that only show what is there. Forms, login, two-step sign-in, the import
  centre, history and revert always use the primary.
- Who the user is and what they may see (sessions, accounts and roles, two-step devices,
  lockouts) is always read from the primary: a password or role changed a second ago counts.
- Read-your-writes: a request that wrote (a successful POST, or any write of a record during
  the request) leaves a cookie that keeps this browser on the primary for
  `REPLICA_STICKY_SECONDS`, long enough for the replica to catch up. Within a request, the
  first write sends the rest of its reads to the primary too.
- Fallback: the replica is checked at most every `REPLICA_HEALTH_SECONDS` per process; when
  it cannot be reached, or replays more than `REPLICA_MAX_LAG_SECONDS` behind the primary,
  pages read from the primary until a later check finds it well again. A replica lost in
  the middle of a page: that page is drawn again from the primary.
"""

import contextlib
import contextvars
import dataclasses
import logging
import math
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

from portal.middleware import caused_by_outage

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
STICKY_COOKIE = "primary_until"

# Pages that only read. "app:*" names every view of a namespace. Names not (yet) in the URL
# configuration are harmless.
REPLICA_SAFE_VIEWS = frozenset(
    {
        "home",
        "dashboards:*",
        "areas:*",
        "public:*",
        "councils:list",
        "councils:detail",
        "agencies:list",
        "agencies:detail",
        "projects:list",
        "projects:detail",
        "meetings:list",
        "meetings:detail",
        "meetings:resolutions",
        "meetings:resolution",
        "meetings:calendar",
        "meetings:calendar_feed",
    }
)

# Always read from the primary: identity, rights and sign-in state.
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "auth", "accounts", "django_otp", "otp_totp", "otp_static", "axes"}
)
# Writes that are bookkeeping, not the user's data: they do not pin the user to the primary
# (every request saves its session; a page showing personal data logs the access).
BOOKKEEPING_APPS = frozenset({"sessions", "axes"})
BOOKKEEPING_MODELS = frozenset({"privacy.accesslog"})


@dataclasses.dataclass
class _Request:
    replica: bool = False
    wrote: bool = False
    view: tuple | None = None  # the view, its args and kwargs, to draw again from the primary


_current: contextvars.ContextVar[_Request | None] = contextvars.ContextVar(
    "replica_request", default=None
)


class ReplicaRouter:
    """Writes, migrations and every read outside a replica-safe page go to the primary."""

    def db_for_read(self, model, **hints) -> str:
        state = _current.get()
        if state is None or not state.replica or model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        # Always the primary, even for an object read from the replica (Django would
        # otherwise write where the object came from).
        state = _current.get()
        if state is not None and not _is_bookkeeping(model):
            state.wrote = True
            state.replica = False  # this request's later reads must see its own write
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the same rows on both

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == PRIMARY  # the replica follows the primary's WAL, migrations included


def _is_bookkeeping(model) -> bool:
    meta = model._meta
    return meta.app_label in BOOKKEEPING_APPS or meta.label_lower in BOOKKEEPING_MODELS


def replica_safe(view_name: str | None) -> bool:
    if not view_name:
        return False
    namespace = view_name.rpartition(":")[0]
    return view_name in REPLICA_SAFE_VIEWS or (
        bool(namespace) and f"{namespace}:*" in REPLICA_SAFE_VIEWS
    )


# --- health: reachable, and how far behind -------------------------------------------------

# Where the standby stands: received WAL, replayed WAL, and the age of the last transaction
# replayed. Not a standby at all (a plain database, as in tests): never behind.
POSITION_SQL = """
SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
"""
CAUGHT_UP_SQL = "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn"
# Received WAL still to replay may be a commit of a millisecond ago, waiting its turn; after
# an idle hour the last one replayed is an hour old, but the replica is not an hour behind.
# So it is asked again this much later: has it replayed what it had received?
SETTLE_SECONDS = 0.1


def _lag_seconds(cursor) -> float:
    cursor.execute(POSITION_SQL)
    standby, received, replayed, age = cursor.fetchone()
    if not standby or received is None or replayed is None:
        return 0.0  # not a standby, or not streaming (nothing to compare with)
    if _lsn(replayed) >= _lsn(received):
        return 0.0  # caught up, however long the primary has been idle
    time.sleep(SETTLE_SECONDS)
    cursor.execute(CAUGHT_UP_SQL, [received])
    if cursor.fetchone()[0]:
        return 0.0  # keeping up
    return float("inf") if age is None else float(age)


def _lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


@dataclasses.dataclass(frozen=True)
class Health:
    status: str  # "ok", "lagging", "unavailable"
    lag_seconds: float | None = None

    @property
    def usable(self) -> bool:
        return self.status == "ok"

    def as_dict(self) -> dict:
        lag = self.lag_seconds
        lag = round(lag, 1) if lag is not None and math.isfinite(lag) else None
        return {"status": self.status, "lag_seconds": lag}


_health_lock = threading.Lock()
_health: tuple[float, Health] | None = None


def check_replica() -> Health:
    """Ask the replica now (one short query)."""
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                lag = _lag_seconds(cursor)
            else:
                cursor.execute("SELECT 1")
                lag = 0.0
    except DatabaseError:
        logger.warning("replica unavailable: reading from the primary")
        with contextlib.suppress(DatabaseError):
            connection.close()  # the next check opens a new connection
        return Health("unavailable")
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        logger.warning("replica %.0f s behind: reading from the primary", lag)
        return Health("lagging", lag)
    return Health("ok", lag)


def replica_health(*, fresh: bool = False) -> Health:
    """The replica's health, asked at most every REPLICA_HEALTH_SECONDS in this process."""
    global _health
    now = time.monotonic()
    with _health_lock:
        cached = _health
        if not fresh and cached and now - cached[0] < settings.REPLICA_HEALTH_SECONDS:
            return cached[1]
        health = check_replica()
        _health = (time.monotonic(), health)
        return health


def forget_health() -> None:
    global _health
    with _health_lock:
        _health = None


# --- the request -------------------------------------------------------------------------


def _sticky(request: HttpRequest) -> bool:
    try:
        return float(request.COOKIES.get(STICKY_COOKIE, 0)) > time.time()
    except ValueError:
        return False


def _with_state(state: _Request, chunks: Iterator) -> Iterator:
    """A streamed export reads while it is sent, after the middleware has returned: its
    queries are routed as the page's were."""
    iterator = iter(chunks)
    while True:
        token = _current.set(state)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _current.reset(token)
        yield chunk


class ReplicaMiddleware:
    """At the end of MIDDLEWARE (before axes): decides, once the view is known and the login
    and two-step checks are passed, where the page reads; after a write, pins the browser to
    the primary for a few seconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = _Request()
        token = _current.set(state)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if response.streaming and state.replica:
            response.streaming_content = _with_state(state, response.streaming_content)
        wrote = state.wrote or (request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"))
        if wrote and response.status_code < 400:
            seconds = settings.REPLICA_STICKY_SECONDS
            response.set_cookie(
                STICKY_COOKIE,
                f"{time.time() + seconds:.1f}",  # checked against this, not max_age
                max_age=seconds + 1,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        state = _current.get()
        if (
            state is not None
            and request.method in ("GET", "HEAD")
            and replica_safe(request.resolver_match.view_name)
            and not _sticky(request)
            and replica_health().usable
        ):
            state.replica = True
            state.view = (view_func, view_args, view_kwargs)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception):
        """The replica lost in the middle of a page (after its last check said it was well):
        the page is drawn again from the primary, once, and the next pages read there too."""
        state = _current.get()
        if (
            state is None
            or not state.replica
            or not caused_by_outage(exception)
            or replica_health(fresh=True).usable  # not the replica: the primary failed
        ):
            return None
        state.replica = False
        view_func, view_args, view_kwargs = state.view
        response = view_func(request, *view_args, **view_kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response
