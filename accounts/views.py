"""Account pages: administrators unlock logins that too many failures locked out; the
two-step sign-in pages (the code after the password, enrolment, and the user's own page to
turn it on or off and renew recovery codes)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import lockouts as lockout_rules
from accounts import twofactor
from accounts.forms import CodeForm, EnrolForm
from accounts.middleware import forget
from portal.roles import Role, role_required

# In the session: the secret being enrolled (until confirmed), and recovery codes that
# have not been shown yet (shown once, then gone).
PENDING_KEY = "two_factor_pending_key"
NEW_CODES = "two_factor_new_codes"


def _next(request) -> str:
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("home")


@never_cache
def two_factor(request):
    """The user's own page: on or off, recovery codes left, new codes, turning it off."""
    return _settings_page(request, CodeForm(user=request.user))


def _settings_page(request, disable_form, status=200):
    user = request.user
    enabled = twofactor.is_enabled(user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": enabled,
            "required": twofactor.must_use_two_factor(user),
            "codes_left": twofactor.recovery_codes_left(user) if enabled else 0,
            "disable_form": disable_form,
        },
        status=status,
    )


@never_cache
def verify(request):
    """The code after the password, before anything else."""
    user = request.user
    if user.is_verified() or not twofactor.is_enabled(user):
        forget(request)
        return redirect(_next(request))
    form = CodeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.device)
        forget(request)
        if isinstance(form.device, StaticDevice):
            left = twofactor.recovery_codes_left(user)
            messages.warning(
                request,
                ngettext(
                    "You signed in with a recovery code. %(count)d recovery code is left.",
                    "You signed in with a recovery code. %(count)d recovery codes are left.",
                    left,
                )
                % {"count": left},
            )
        return redirect(_next(request))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)}
    )


@never_cache
def enrol(request):
    """Turning it on: the secret (a QR code and as text) shown once, confirmed with a code."""
    user = request.user
    if twofactor.is_enabled(user):
        messages.info(request, _("Two-step sign-in is already on for your account."))
        return redirect("two_factor")
    if request.method == "POST":
        key = request.session.get(PENDING_KEY)
        if not key:
            return redirect("two_factor_enrol")
        form = EnrolForm(request.POST, key=key)
        if form.is_valid():
            codes = twofactor.enable(user, key, form.time_step)
            del request.session[PENDING_KEY]
            otp_login(request, twofactor.totp_device(user))
            forget(request)
            request.session[NEW_CODES] = codes
            request.session["two_factor_after_codes"] = _next(request)
            messages.success(request, _("Two-step sign-in is on."))
            return redirect("two_factor_recovery_codes")
    else:
        key = twofactor.new_secret()
        request.session[PENDING_KEY] = key
        form = EnrolForm(key=key)
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "qr": twofactor.qr_svg(twofactor.provisioning_uri(user, key)),
            "secret": twofactor.secret_for_people(key),
            "required": twofactor.must_use_two_factor(user),
            "next": _next(request),
        },
    )


@never_cache
def recovery_codes(request):
    """New recovery codes: a POST makes them, the page after it shows them once."""
    user = request.user
    if request.method == "POST":
        if not twofactor.is_enabled(user):
            messages.error(request, _("Two-step sign-in is off: there are no recovery codes."))
            return redirect("two_factor")
        request.session[NEW_CODES] = twofactor.new_recovery_codes(user)
        request.session["two_factor_after_codes"] = reverse("two_factor")
        messages.success(request, _("New recovery codes are made; the old ones no longer work."))
        return redirect("two_factor_recovery_codes")
    codes = request.session.pop(NEW_CODES, None)
    if not codes:
        return redirect("two_factor")
    after = request.session.pop("two_factor_after_codes", None) or reverse("two_factor")
    return render(request, "accounts/two_factor_codes.html", {"codes": codes, "after": after})


@never_cache
@require_POST
def disable(request):
    """Turning it off, with a current code; refused to whoever must have it."""
    user = request.user
    if not twofactor.is_enabled(user):
        messages.info(request, _("Two-step sign-in is already off."))
        return redirect("two_factor")
    if twofactor.must_use_two_factor(user):
        messages.error(
            request,
            _(
                "Your role needs two-step sign-in: it cannot be turned off. If you lost your "
                "phone, ask an administrator to reset it."
            ),
        )
        return redirect("two_factor")
    form = CodeForm(request.POST, user=user)
    if not form.is_valid():
        return _settings_page(request, form)
    twofactor.disable(user)
    forget(request)
    messages.success(request, _("Two-step sign-in is off."))
    return redirect("two_factor")


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
