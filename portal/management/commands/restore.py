from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backups import restore


class Command(BaseCommand):
    help = "Replace the database and the media files with those of a backup folder."

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="a folder written by manage.py backup")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, backup, yes, **options):
        if not (backup / "manifest.json").exists():
            raise CommandError(f"{backup} is not a backup folder (no manifest.json).")
        if not yes and input("This replaces every record and photo. Type 'yes': ") != "yes":
            raise CommandError("Nothing was restored.")
        try:
            restore(backup)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"restored from {backup}"))
