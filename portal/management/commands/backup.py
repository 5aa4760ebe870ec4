from pathlib import Path

from django.core.management.base import BaseCommand

from portal.backups import backup


class Command(BaseCommand):
    help = "Write a consistent copy of the database and the media files into a timestamped folder."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default="backups", type=Path, help="where to write it")

    def handle(self, *args, dir, **options):
        target = backup(dir)
        self.stdout.write(self.style.SUCCESS(f"backup written to {target}"))
