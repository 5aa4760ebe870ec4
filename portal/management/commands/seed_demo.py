import os

from django.core.management.base import BaseCommand, CommandError

from portal.demo import seed_demo, seed_demo_users


class Command(BaseCommand):
    help = (
        "Fill the database with Sisaket's geography, the programmes, the partner agencies, the "
        "forum of 21 December 2565 and sample councils, projects and meetings. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-users",
            action="store_true",
            help="also create one login per role (demo-admin, demo-staff, demo-council, "
            "demo-viewer) with the password in the DEMO_PASSWORD environment variable",
        )

    def handle(self, *args, demo_users=False, **options):
        password = os.environ.get("DEMO_PASSWORD", "")
        if demo_users and not password:
            raise CommandError("--demo-users needs the password in the DEMO_PASSWORD variable.")
        result = seed_demo()
        for label, count in result.created.items():
            self.stdout.write(f"{label}: {count} created")
        if demo_users:
            for username, role, created in seed_demo_users(password):
                state = "created" if created else "already there"
                self.stdout.write(
                    f"login {username} ({role}) {state}; its password is the value of DEMO_PASSWORD"
                )
            self.stdout.write(
                "where two-step sign-in is required (TWO_FACTOR_REQUIRED, off under make run's "
                "DEBUG=true), demo-admin sets it up with an authenticator app at its first login"
            )
        self.stdout.write(self.style.SUCCESS("demo data ready"))
