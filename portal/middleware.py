"""When the database cannot be reached, say so plainly, and let the next request reconnect."""

import logging

from django.db import InterfaceError, OperationalError, close_old_connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """A request that meets a lost database connection gets a 503 page in the user's language
    instead of a trace; nothing it did was written (requests are atomic), and the broken
    connection is dropped so the next request opens a new one (no restart needed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable: %s", type(exception).__name__)
        close_old_connections()
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "30"
        return response
