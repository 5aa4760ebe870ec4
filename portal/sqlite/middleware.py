"""Mark the requests that only read, for the SQLite backend of `portal.sqlite.base`."""

from django.http import HttpRequest, HttpResponse

from portal.sqlite.base import reading_only

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class ReadRequestsTakeNoLockMiddleware:
    """GET, HEAD and OPTIONS requests change nothing (RFC 9110's safe methods): on SQLite
    their atomic request runs without the write lock. Other databases ignore the mark."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            return self.get_response(request)
        with reading_only():
            return self.get_response(request)
