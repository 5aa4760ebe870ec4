"""Dashboard at national scale against Sisaket scale, and with against without its cache.

Run on PostgreSQL (a database of its own: it fills it with the national data set):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/dashboard_bench.py

The first run migrates, loads the demo data and `generate_scale_data` (about a minute). Then
it times the dashboard page ("/", the current fiscal year) through Django's test client:
- "Sisaket": CODI staff of Sisaket, on the same national database;
- "national": an admin, whose figures span the whole country;
each uncached (a dummy cache) and cached (as deployed: figures computed once per scope and
selection, until the next write). Medians of --runs requests.
"""

import argparse

from common import MEMORY, NO_CACHE, client_for, prepare, served, timed
from django.core.cache import cache
from django.test import override_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    prepare()
    sisaket = client_for("bench-sisaket", "staff", ["33"])
    national = client_for("bench-admin", "admin", [])
    with served():
        with override_settings(CACHES=NO_CACHE):
            local, local_queries = timed(sisaket, "/", runs)
            country, country_queries = timed(national, "/", runs)
        with override_settings(CACHES=MEMORY):
            cache.clear()
            local_cached, local_cached_queries = timed(sisaket, "/", runs)
            cached, cached_queries = timed(national, "/", runs)
    rows = [
        ("Sisaket scale, no cache", local, local_queries),
        ("national, no cache", country, country_queries),
        ("Sisaket scale, cached", local_cached, local_cached_queries),
        ("national, cached", cached, cached_queries),
    ]
    for label, median, queries in rows:
        print(f"dashboard, {label + ':':27} {median:8.1f} ms  ({queries} queries)")
    print(f"national / Sisaket, no cache:         {country / local:8.2f} x  (aim: at most 3 x)")
    print(
        f"national / Sisaket, cached:           {cached / local_cached:8.2f} x  (aim: at most 3 x)"
    )
    print(f"national, no cache / cached:          {country / cached:8.2f} x")


if __name__ == "__main__":
    main()
