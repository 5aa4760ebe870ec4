"""The access log is kept ACCESS_LOG_RETENTION_DAYS (two years by default), then purged."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from privacy.models import AccessLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def line(days_ago: float) -> AccessLog:
    entry = AccessLog.objects.create(
        user=UserFactory(), action=AccessLog.Action.VIEW, model="councils.councilmember"
    )
    AccessLog.objects.filter(pk=entry.pk).update(
        at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return entry


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_access_log", *args, stdout=out)
    return out.getvalue()


def test_the_default_retention_is_two_years(settings):
    assert settings.ACCESS_LOG_RETENTION_DAYS == 730


def test_lines_older_than_the_retention_are_deleted_and_newer_ones_kept():
    old, older = line(731), line(2000)
    recent, today = line(729), line(0)
    assert "2 access-log lines older than 730 days deleted." in purge()
    kept = set(AccessLog.objects.values_list("pk", flat=True))
    assert kept == {recent.pk, today.pk}
    assert old.pk not in kept and older.pk not in kept


def test_a_dry_run_counts_and_deletes_nothing():
    line(800), line(900), line(10)
    assert "2 access-log lines older than 730 days would be deleted." in purge("--dry-run")
    assert AccessLog.objects.count() == 3


def test_the_retention_comes_from_the_setting(settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    line(31), line(29)
    purge()
    assert AccessLog.objects.count() == 1


def test_days_on_the_command_line_override_the_setting():
    line(100), line(5)
    assert "1 access-log lines older than 90 days deleted." in purge("--days", "90")
    assert AccessLog.objects.count() == 1


@pytest.mark.parametrize("days", ["0", "-5"])
def test_a_retention_under_one_day_is_refused(days):
    line(1)
    with pytest.raises(CommandError):
        purge("--days", days)
    assert AccessLog.objects.count() == 1
