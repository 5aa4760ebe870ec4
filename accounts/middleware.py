"""The second step of signing in: nothing but the two-step pages, logout and the pages open to
anonymous visitors is reachable for a signed-in user who still owes a code or an enrolment."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts import twofactor

# In the session: what the signed-in user still owes ("verify", "enrol" or "" for nothing),
# worked out at the first request after signing in, so later requests cost no query.
STATE_KEY = "two_factor_state"
VERIFY, ENROL, NOTHING = "verify", "enrol", ""
# Pages a user who owes the second step may still open.
OPEN_VIEWS = frozenset(
    {
        "logout",
        "set_language",
        "healthz",
        "two_factor_verify",
        "two_factor_enrol",
    }
)


def exempt(view_func) -> bool:
    """A view marked for anonymous visitors gives a signed-in user nothing more."""
    return not getattr(view_func, "login_required", True)


def state_of(user) -> str:
    if twofactor.is_enabled(user):
        return VERIFY
    if twofactor.must_use_two_factor(user):
        return ENROL
    return NOTHING


def owed(request) -> str:
    """What the signed-in, not yet verified user of this request still owes."""
    state = request.session.get(STATE_KEY)
    if state is None:
        state = request.session[STATE_KEY] = state_of(request.user)
    return state


def signed_in(sender, request, user, **kwargs) -> None:
    """At every sign-in (`user_logged_in`), what the user owes is worked out afresh."""
    if request is not None and hasattr(request, "session"):
        request.session[STATE_KEY] = state_of(user)


def forget(request) -> None:
    """Work out again at the next request (after enrolling, verifying or turning it off)."""
    request.session.pop(STATE_KEY, None)


class TwoFactorMiddleware:
    """After Django's authentication, django-otp's OTPMiddleware and LoginRequiredMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified() or exempt(view_func):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        state = owed(request)
        if state == NOTHING:
            return None
        target = reverse("two_factor_verify" if state == VERIFY else "two_factor_enrol")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
