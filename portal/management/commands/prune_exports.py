"""Delete the exports prepared in the background once they are `EXPORT_KEEP_DAYS` days old
(their files too). Run it daily (cron or a systemd timer), as `purge_access_log`."""

from django.core.management.base import BaseCommand

from portal import export_jobs


class Command(BaseCommand):
    help = "Delete prepared exports (and their files) older than EXPORT_KEEP_DAYS days"

    def handle(self, *args, **options) -> None:
        deleted = export_jobs.prune()
        self.stdout.write(f"{deleted} prepared exports deleted")
