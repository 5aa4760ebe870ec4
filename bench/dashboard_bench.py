"""Dashboard at national scale against Sisaket scale, and with against without its cache.

Run on PostgreSQL (a database of its own: it fills it with the national data set):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/dashboard_bench.py

The first run migrates, loads the demo data and `generate_scale_data` (about a minute). Then
it times the dashboard page ("/", the current fiscal year) through Django's test client:
- "Sisaket": CODI staff of Sisaket, on the same national database;
- "national": an admin, whose figures span the whole country;
each uncached (a dummy cache) and, for the national view, cached. Medians of --runs requests.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
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


def user(username: str, role: str, provinces: list[str]) -> User:
    account, _ = User.objects.get_or_create(username=username, defaults={"role": role})
    account.provinces.set(Province.objects.filter(code__in=provinces))
    return account


def timed(client: Client, runs: int) -> tuple[float, int]:
    client.get("/")  # warm up: connection, templates, translations
    queries = []
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        client.get("/")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get("/")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return statistics.median(times) * 1000, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    prepare()
    print(
        f"{connection.vendor}: {Council.objects.count():,} councils, "
        f"{Project.objects.count():,} projects"
    )
    clients = {}
    for name, account in (
        ("Sisaket", user("bench-sisaket", "staff", ["33"])),
        ("national", user("bench-admin", "admin", [])),
    ):
        clients[name] = Client()
        clients[name].force_login(account)
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES=plain_static):
        with override_settings(CACHES=NO_CACHE):
            sisaket, sisaket_queries = timed(clients["Sisaket"], runs)
            national, national_queries = timed(clients["national"], runs)
        with override_settings(CACHES=MEMORY):
            cache.clear()
            cached, cached_queries = timed(clients["national"], runs)
    print(f"dashboard, Sisaket scale, no cache:  {sisaket:8.1f} ms  ({sisaket_queries} queries)")
    print(f"dashboard, national, no cache:       {national:8.1f} ms  ({national_queries} queries)")
    print(f"dashboard, national, cached:         {cached:8.1f} ms  ({cached_queries} queries)")
    print(f"national / Sisaket (no cache):       {national / sisaket:8.2f} x  (aim: at most 3 x)")
    print(f"national no cache / cached:          {national / cached:8.2f} x")


if __name__ == "__main__":
    main()
