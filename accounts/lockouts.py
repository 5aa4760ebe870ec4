"""Logins locked out after too many failures (django-axes), as an administrator sees them."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone


def current_lockouts() -> QuerySet[AccessAttempt]:
    """Username-and-address pairs locked out now: enough failures within the cool-off time."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")


def locked_until(attempt: AccessAttempt):
    return attempt.attempt_time + settings.AXES_COOLOFF_TIME
