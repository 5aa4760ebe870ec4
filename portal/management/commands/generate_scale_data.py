import time

from django.core.management.base import BaseCommand, CommandError

from portal.scale_data import generate


class Command(BaseCommand):
    help = (
        "Generate a national-scale data set for benchmarks: a council in every subdistrict, "
        "about 100,000 projects over six fiscal years and 20,000 meetings with attendance and "
        "resolutions. Reproducible with --seed; --scale 0.1 makes a tenth of it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2565)
        parser.add_argument("--scale", type=float, default=1.0)

    def handle(self, *args, seed: int, scale: float, **options):
        if not 0 < scale <= 1:
            raise CommandError("--scale must be more than 0 and at most 1")
        started = time.monotonic()
        counts = generate(seed=seed, scale=scale, progress=self.stdout.write)
        for label, number in counts.rows.items():
            self.stdout.write(f"{label}: {number:,} created")
        self.stdout.write(f"done in {time.monotonic() - started:.0f} s")
