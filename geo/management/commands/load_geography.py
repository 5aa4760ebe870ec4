from django.core.management.base import BaseCommand, CommandError

from geo.services import load_geography


class Command(BaseCommand):
    help = "Load provinces, districts and subdistricts (DOPA codes) from the geothai package."

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            action="append",
            dest="provinces",
            metavar="CODE",
            help="two-digit DOPA province code, e.g. 33 for Sisaket; repeat for several; "
            "all 77 provinces when omitted",
        )

    def handle(self, *args, provinces=None, **options):
        try:
            result = load_geography(provinces)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.provinces} provinces, {result.districts} districts, "
                f"{result.subdistricts} subdistricts loaded"
            )
        )
