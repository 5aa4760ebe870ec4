"""Cross-app pages: the health check and the error pages."""

import sys

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal import health
from portal.middleware import RETRY_AFTER_SECONDS, caused_by_outage, outage_response


@require_GET
@never_cache
@login_not_required
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: can this process serve? The database (with its
    migrations and tables), the cache and the media storage must work; the background queue
    is reported too (portal.health)."""
    healthy, body = health.report()
    response = JsonResponse(body, status=200 if healthy else 503)
    if not healthy:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """A plain page in the user's language: no trace, and the reassurance that nothing was
    saved (every request runs in one transaction). A lost database is a 503, wherever in
    the request it was met."""
    exception = sys.exc_info()[1]
    if caused_by_outage(exception):
        return outage_response(request, exception)
    return render(request, "500.html", status=500)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400, except when the request was refused because the database was away (a
    session that could not be saved): that is a 503."""
    if caused_by_outage(exception):
        return outage_response(request, exception)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if caused_by_outage(exception):
        return outage_response(request, exception)
    return defaults.permission_denied(request, exception)
