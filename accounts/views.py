"""Administrators unlock logins that too many failures locked out."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import lockouts as lockout_rules


def _admin_only(request: HttpRequest) -> None:
    if not request.user.is_portal_admin:
        raise PermissionDenied


def lockouts(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    return render(request, "accounts/lockouts.html", {"lockouts": lockout_rules.current_lockouts()})


@require_POST
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    lifted = lockout_rules.unlock(pk)
    if lifted is None:
        raise Http404
    messages.success(
        request,
        _("“%(username)s” may log in again from %(address)s.")
        % {"username": lifted.username, "address": lifted.ip_address},
    )
    return redirect("accounts:lockouts")
