"""Logins locked out after too many failures (django-axes), as an administrator sees them.

A lockout is a username and an address together (AXES_LOCKOUT_PARAMETERS); axes keeps one
row per username, address and browser, and adds up the failures of the pair's rows, so a
lockout is found, and lifted, for the pair as a whole."""

import datetime
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone


@dataclass(frozen=True)
class Lockout:
    key: int  # the pair's latest row: what the unlock button names
    username: str
    ip_address: str | None
    failures: int
    last_attempt: datetime.datetime

    @property
    def until(self) -> datetime.datetime:
        return self.last_attempt + settings.AXES_COOLOFF_TIME


def _pairs(attempts: QuerySet) -> QuerySet:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return (
        attempts.filter(attempt_time__gte=since)
        .values("username", "ip_address")
        .annotate(
            failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"), key=Max("pk")
        )
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )


def current_lockouts(limit: int = 200) -> list[Lockout]:
    """Username-and-address pairs locked out now, the latest first."""
    pairs = _pairs(AccessAttempt.objects.all()).order_by("-last_attempt")[:limit]
    return [Lockout(**pair) for pair in pairs]


def unlock(key: int) -> Lockout | None:
    """Lift the lockout whose latest row is `key` (None if it is not locked out now)."""
    attempt = AccessAttempt.objects.filter(pk=key).first()
    if attempt is None:
        return None
    rows = AccessAttempt.objects.filter(username=attempt.username, ip_address=attempt.ip_address)
    pair = _pairs(rows).order_by("-last_attempt").first()
    if pair is None or pair["key"] != key:
        return None
    rows.delete()
    return Lockout(**pair)
