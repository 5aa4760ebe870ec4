import getpass
from pathlib import Path

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from councils.models import Council
from geo.models import Province


class Command(BaseCommand):
    help = "Create a user with a role and a scope (provinces, or one council)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=User.Role.values)
        parser.add_argument(
            "--province",
            action="append",
            default=[],
            dest="provinces",
            metavar="CODE",
            help="DOPA code of a province in the scope of a staff member or viewer; repeatable",
        )
        parser.add_argument("--council", metavar="CODE", help="registration code of the council")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-file",
            type=Path,
            help="read the password from the first line of this file instead of a prompt",
        )

    def handle(self, *args, username, role, provinces, council, email, password_file, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} exists already.")
        provinces_found = list(Province.objects.filter(code__in=provinces))
        unknown = sorted(set(provinces) - {p.code for p in provinces_found})
        if unknown:
            raise CommandError(f"Unknown province code(s): {', '.join(unknown)}.")
        if role in (User.Role.STAFF, User.Role.VIEWER) and not provinces_found:
            raise CommandError(f"A {role} needs at least one --province.")
        council_obj = None
        if role == User.Role.COUNCIL_EDITOR:
            if not council:
                raise CommandError("A council editor needs --council.")
            council_obj = Council.objects.filter(code=council).first()
            if council_obj is None:
                raise CommandError(f"No council has the code {council!r}.")
        elif council:
            raise CommandError("--council is only for a council editor.")

        user = User(
            username=username,
            email=email,
            role=role,
            council=council_obj,
            is_staff=role == User.Role.ADMIN,
            is_superuser=role == User.Role.ADMIN,
        )
        password = self._password(password_file)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.provinces.set(provinces_found)
        scope = council_obj or ", ".join(p.code for p in provinces_found) or "everything"
        self.stdout.write(self.style.SUCCESS(f"Created {username} ({role}; scope: {scope})."))

    def _password(self, password_file: Path | None) -> str:
        if password_file is not None:
            try:
                return password_file.read_text(encoding="utf-8").splitlines()[0]
            except (OSError, IndexError) as error:
                raise CommandError(f"Cannot read a password from {password_file}.") from error
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
