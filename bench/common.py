"""What the benchmarks share: Django on the benchmark database (PostgreSQL by default), the
national data set loaded once, logged-in clients and a timer that counts queries."""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# DEBUG stays off, as in production; the portal then needs a key of its own.
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k3y" * 20)
# The benchmark's administrator is logged in by the test client, without a second factor
# (required by default outside development, it would send every admin page to its set-up).
os.environ.setdefault("TWO_FACTOR_REQUIRED", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from accounts.models import User  # noqa: E402
from councils.models import Council  # noqa: E402
from geo.models import Province  # noqa: E402
from projects.models import Project  # noqa: E402

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
MEMORY = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def prepare() -> None:
    call_command("migrate", verbosity=0)
    if Council.objects.count() < 7_000:
        print("loading the demo and the national data set (once)...", flush=True)
        call_command("seed_demo", verbosity=0)
        call_command("generate_scale_data", verbosity=0)
    print(
        f"{connection.vendor}: {Council.objects.count():,} councils, "
        f"{Project.objects.count():,} projects"
    )


def client_for(username: str, role: str, provinces: list[str]) -> Client:
    account, _ = User.objects.get_or_create(username=username, defaults={"role": role})
    account.provinces.set(Province.objects.filter(code__in=provinces))
    client = Client()
    client.force_login(account)
    return client


def served():
    """Settings for serving pages from the test client without collected static files."""
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return override_settings(ALLOWED_HOSTS=["testserver"], STORAGES=plain_static)


def timed(client: Client, path: str, runs: int) -> tuple[float, int]:
    """Median milliseconds of `runs` requests, and the queries of one."""
    client.get(path)  # warm up: connection, templates, translations
    queries = []
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        client.get(path)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times) * 1000, len(queries)
