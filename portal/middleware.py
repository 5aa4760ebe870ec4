"""When the database cannot be reached, say so plainly, and let the next request reconnect.

A lost database shows up at any layer of a request: in the session middleware (a logged-in
user's session is read and saved in the database), in the login check, in the view. Each
layer's error becomes a response through Django's error handlers, so the answer is given
in two places: this middleware for the view's errors, and the error handlers (`portal.views`)
for those of the other layers, including a session that could not be saved (which Django
reports as a bad request). Either way: 503 with Retry-After, never 500 or 400."""

import contextlib
import logging
import time

from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def caused_by_outage(exception: BaseException | None) -> bool:
    """Whether the exception, or one it was raised from or while handling, is the database
    connection failing."""
    seen = set()
    while exception is not None and id(exception) not in seen:
        if isinstance(exception, OUTAGE_ERRORS):
            return True
        seen.add(id(exception))
        exception = exception.__cause__ or exception.__context__
    return False


def outage_response(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """The 503 page, in the reader's language (cookie or browser), drawn without anything
    that needs the database (no user, no messages read from the session)."""
    logger.warning("database unavailable: %s", type(exception).__name__)
    # A broken connection is dropped here; the next request opens a new one.
    with contextlib.suppress(DatabaseError):
        close_old_connections()
    if request.path_info.rstrip("/") == "/healthz":
        response = JsonResponse(
            {"status": "error", "failing": ["database"], "database": "unavailable"}, status=503
        )
    else:
        with translation.override(translation.get_language_from_request(request)):
            response = render(
                request,
                "503.html",
                {"user": AnonymousUser(), "messages": [], "perms": {}},
                status=503,
            )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """First in MIDDLEWARE, above the session middleware: a request that meets a lost
    database connection gets a 503 page instead of a trace; nothing it did was written
    (requests are atomic)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except OUTAGE_ERRORS as exception:  # raised past Django's own handling (ASGI, tests)
            return outage_response(request, exception)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not caused_by_outage(exception):
            return None
        return outage_response(request, exception)


class ServerTimingMiddleware:
    """`Server-Timing: app;dur=<ms>`: the time the request spent in this process (every
    middleware and the view), so that a load test or a browser's network panel tells the
    portal's own time from the time a request waited for a free worker. A streamed export
    counts until its first byte. Outermost, and cheap: one clock read either side."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response
