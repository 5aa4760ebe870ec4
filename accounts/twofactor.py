"""Two-step sign-in: a time-based code from an authenticator app (TOTP), with one-time
recovery codes for a lost phone (django-otp's `otp_totp` and `otp_static` devices).

- Who must use it: admins and anyone who may reveal personal data (`must_use_two_factor`),
  when `settings.TWO_FACTOR_REQUIRED` is on (the default outside development). Everyone else
  may turn it on.
- A user who has it on is asked for a code after the password, before anything else
  (`accounts.middleware.TwoFactorMiddleware`); a user who must have it and has not is sent to
  enrolment.
- Wrong codes are throttled by django-otp: after each failure the next try must wait twice as
  long (1, 2, 4… seconds), per device.
"""

import logging
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from portal import roles

logger = logging.getLogger(__name__)

RECOVERY_CODES = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"
# What an authenticator app shows as the account's issuer.
ISSUER = "Sisaket Partnership Portal"


def must_use_two_factor(user) -> bool:
    """Whether the user may not sign in without a second step: admins, and whoever may show
    masked personal data. Only while the portal requires it (`TWO_FACTOR_REQUIRED`)."""
    if not getattr(settings, "TWO_FACTOR_REQUIRED", True) or roles.role_of(user) is None:
        return False
    return roles.is_admin(user) or user.has_perm("accounts.reveal_personal_data")


def totp_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def is_enabled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- enrolment ------------------------------------------------------------------------------


def new_secret() -> str:
    """A fresh secret key (hex, 20 bytes as RFC 4226 recommends)."""
    return random_hex(20)


def secret_for_people(key: str) -> str:
    """The key as an authenticator app asks for it when typed: base32, in groups of four."""
    text = b32encode(bytes.fromhex(key)).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def provisioning_uri(user, key: str) -> str:
    secret = b32encode(bytes.fromhex(key)).decode("ascii").rstrip("=")
    label = quote(f"{ISSUER}:{user.get_username()}")
    query = urlencode({"secret": secret, "issuer": ISSUER, "digits": 6, "period": 30})
    return f"otpauth://totp/{label}?{query}"


def qr_svg(uri: str) -> str:
    """The address as a QR code, an SVG element to put in the page (no script, no request)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return image.to_string(encoding="unicode")


def code_matches_key(key: str, code: str) -> int | None:
    """The time step of `code` for `key` (one step either side allowed), or None."""
    code = normalise(code)
    if not code.isdigit() or len(code) != 6:
        return None
    totp = TOTP(bytes.fromhex(key), step=30, digits=6)
    return totp.t() if totp.verify(int(code), tolerance=1) else None


@transaction.atomic
def enable(user, key: str, time_step: int) -> list[str]:
    """Turn the second step on with the confirmed key; returns the new recovery codes."""
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(
        user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True, last_t=time_step
    )
    codes = new_recovery_codes(user)
    logger.info("Two-step sign-in turned on for user %s", user.pk)
    return codes


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with new ones; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def _remove_devices(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def disable(user) -> None:
    """The user turns it off themselves (views check they may)."""
    _remove_devices(user)
    logger.info("Two-step sign-in turned off by user %s", user.pk)


def reset(user, *, by) -> bool:
    """An admin clears another user's second step (a lost phone); they enrol again at their
    next sign-in if they must have it. Logged. False when there was nothing to reset."""
    had = is_enabled(user) or StaticDevice.objects.filter(user=user).exists()
    _remove_devices(user)
    if had:
        logger.warning("Two-step sign-in of user %s reset by admin %s", user.pk, by.pk)
    return had


# --- checking a code ------------------------------------------------------------------------


@dataclass
class Check:
    device: TOTPDevice | StaticDevice | None = None
    error: str = ""


def normalise(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def check_code(user, code: str) -> Check:
    """Check a code from the authenticator (six digits) or a recovery code (used up when it
    matches). A device that failed recently refuses to check until its wait is over."""
    code = normalise(code)
    if not code:
        return Check(error=_("Enter the code."))
    # Six digits come from the app; letters are a recovery code.
    device = totp_device(user) if code.isdigit() else recovery_device(user)
    if device is None:
        return Check(error=_("That code is not right. Try again."))
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return Check(error=_wait_message((details or {}).get("locked_until")))
    if device.verify_token(code):
        return Check(device=device)
    logger.warning("Wrong two-step sign-in code for user %s", user.pk)
    return Check(error=_("That code is not right. Try again."))


def _wait_message(until: datetime | None) -> str:
    seconds = 1
    if until is not None:
        seconds = max(1, int((until - timezone.now()).total_seconds() + 0.999))
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second before you try again.",
        "Too many wrong codes. Wait %(seconds)d seconds before you try again.",
        seconds,
    ) % {"seconds": seconds}
