"""Every kind of page as every role, on whatever data the database holds.

    DATABASE_URL=sqlite:///demo.sqlite3 .venv/bin/python bench/pages_bench.py [--runs 5]

Walks a representative page of each kind (lists, details, edit pages, the register, the
calendar, dashboards, area profiles, pickers' choices, an export) through Django's test
client as an administrator, CODI staff of the province with the most councils, the editor of
the busiest council (most attendance rows and resolutions) and a viewer of that province.
Prints, per page and role: the answer, the queries of one request, the median and the
slowest of --runs requests in milliseconds, the size of the page in KB and the median's
ratio to `/healthz` measured in the same run. A page the role may not open shows its
status (403 or 404) and is not timed. Loads no data: seed it first (`seed_demo`, or
`generate_scale_data` for the national set).
"""

import argparse
import logging
import statistics
import time

from common import client_for, served
from django.db import connection
from django.db.models import Count

from accounts.models import User
from councils.models import Agency, Council
from geo.models import Province
from meetings.models import Meeting, Resolution
from projects.models import Project


def measure(client, path: str, runs: int) -> dict:
    """Status, queries, median and max milliseconds and kilobytes of one page."""
    response = client.get(path)  # warm up: templates, translations, connection
    if response.status_code != 200:
        return {"status": response.status_code}
    queries = []
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        size = len(read(client.get(path)))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        read(client.get(path))
        times.append((time.perf_counter() - started) * 1000)
    return {
        "status": 200,
        "queries": len(queries),
        "median": statistics.median(times),
        "max": max(times),
        "kb": size / 1024,
    }


def read(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def subjects() -> dict:
    """The province, council, meeting and records the pages are about."""
    province = (
        Province.objects.annotate(n=Count("districts__councils")).order_by("-n", "code").first()
    )
    council = (
        Council.objects.active()
        .filter(district__province=province)
        .annotate(n=Count("attendance", distinct=True) + Count("resolutions", distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    meeting = (
        Meeting.objects.active()
        .filter(province=province)
        .annotate(n=Count("attendance"))
        .order_by("-n", "pk")
        .first()
    )
    return {
        "province": province,
        "council": council,
        "meeting": meeting,
        "project": Project.objects.active().filter(council=council).order_by("pk").first()
        or Project.objects.active().filter(council__district__province=province).first(),
        "resolution": Resolution.objects.active().filter(meeting=meeting).first(),
        "agency": Agency.objects.active().order_by("pk").first(),
    }


def pages(s: dict) -> list[str]:
    paths = [
        "/healthz",
        "/",
        "/councils/",
        "/agencies/",
        "/projects/",
        "/projects/?page=2",
        "/meetings/",
        "/meetings/resolutions/",
        "/meetings/calendar/",
        "/quality/",
        "/reports/",
        f"/areas/{s['province'].code}/",
        f"/councils/{s['council'].pk}/",
        "/councils/choices/?q=สภา",
        "/imports/",
        "/projects/?format=csv",
    ]
    if s["meeting"]:
        paths += [
            f"/meetings/{s['meeting'].pk}/",
            f"/meetings/{s['meeting'].pk}/edit/",
            f"/meetings/{s['meeting'].pk}/attendance/",
        ]
    if s["project"]:
        paths += [f"/projects/{s['project'].pk}/", f"/projects/{s['project'].pk}/edit/"]
    if s["resolution"]:
        paths.append(f"/meetings/resolutions/{s['resolution'].pk}/")
    if s["agency"]:
        paths.append(f"/agencies/{s['agency'].pk}/")
    return paths


def clients(s: dict) -> dict:
    code = s["province"].code
    editor, _ = User.objects.get_or_create(
        username="bench-editor", defaults={"role": "council_editor", "council": s["council"]}
    )
    editor.council = s["council"]
    editor.save(update_fields=["council"])
    return {
        "admin": client_for("bench-admin", "admin", []),
        f"staff {code}": client_for("bench-staff", "staff", [code]),
        "editor": client_for("bench-editor", "council_editor", []),
        f"viewer {code}": client_for("bench-viewer", "viewer", [code]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--pages",
        default="",
        help="only the pages whose path contains one of these comma-separated parts "
        "(/healthz is always measured), e.g. --pages /meetings/,/areas/",
    )
    arguments = parser.parse_args()
    runs = arguments.runs
    wanted = [part for part in arguments.pages.split(",") if part]
    logging.getLogger("django.request").setLevel(logging.ERROR)  # 403 and 404 are expected
    s = subjects()
    print(
        f"{connection.vendor}: {Council.objects.count():,} councils, "
        f"{Project.objects.count():,} projects, {Meeting.objects.count():,} meetings; "
        f"province {s['province'].code}, council {s['council'].code}, "
        f"meeting {s['meeting'].pk if s['meeting'] else '-'}"
    )
    header = (
        f"{'page':44} {'role':12} {'queries':>7} {'median':>8} {'max':>8} {'KB':>7} {'÷healthz':>9}"
    )
    with served():
        for role, client in clients(s).items():
            print(f"\n{header}")
            healthz = measure(client, "/healthz", runs)["median"]
            for path in pages(s):
                if wanted and path != "/healthz" and not any(part in path for part in wanted):
                    continue
                m = measure(client, path, runs)
                if m["status"] != 200:
                    print(f"{path[:44]:44} {role:12} {m['status']:>7}")
                    continue
                print(
                    f"{path[:44]:44} {role:12} {m['queries']:7d} {m['median']:8.1f} "
                    f"{m['max']:8.1f} {m['kb']:7.1f} {m['median'] / healthz:9.1f}"
                )


if __name__ == "__main__":
    main()
