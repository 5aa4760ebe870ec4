"""Delete access-log lines older than ACCESS_LOG_RETENTION_DAYS (run it daily, e.g. from cron)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy.models import AccessLog


class Command(BaseCommand):
    help = "Delete access-log lines older than ACCESS_LOG_RETENTION_DAYS (730 by default)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of ACCESS_LOG_RETENTION_DAYS.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the lines, delete nothing."
        )

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.ACCESS_LOG_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("The retention must be at least one day.")
        cutoff = timezone.now() - datetime.timedelta(days=days)
        old = AccessLog.objects.filter(at__lt=cutoff)
        if dry_run:
            count = old.count()
            self.stdout.write(f"{count} access-log lines older than {days} days would be deleted.")
            return
        count, _by_model = old.delete()
        self.stdout.write(f"{count} access-log lines older than {days} days deleted.")
