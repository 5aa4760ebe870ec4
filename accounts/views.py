"""Administrators unlock logins that too many failures locked out."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import lockouts as lockout_rules
from portal.roles import Role, role_required


@role_required(Role.ADMIN)
def lockouts(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/lockouts.html", {"lockouts": lockout_rules.current_lockouts()})


@require_POST
@role_required(Role.ADMIN)
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    lifted = lockout_rules.unlock(pk)
    if lifted is None:
        raise Http404
    messages.success(
        request,
        _("“%(username)s” may log in again from %(address)s.")
        % {"username": lifted.username, "address": lifted.ip_address},
    )
    return redirect("accounts:lockouts")
