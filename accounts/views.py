"""Administrators unlock logins that too many failures locked out."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.lockouts import current_lockouts, locked_until


def _admin_only(request: HttpRequest) -> None:
    if not request.user.is_portal_admin:
        raise PermissionDenied


def lockouts(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    rows = [(attempt, locked_until(attempt)) for attempt in current_lockouts()[:200]]
    return render(request, "accounts/lockouts.html", {"rows": rows})


@require_POST
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    attempt = get_object_or_404(current_lockouts(), pk=pk)
    attempt.delete()
    messages.success(
        request,
        _("“%(username)s” may log in again from %(address)s.")
        % {"username": attempt.username, "address": attempt.ip_address},
    )
    return redirect("accounts:lockouts")
