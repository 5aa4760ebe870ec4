"""Import speed: the import centre against psycopg COPY and import-export's default import.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/import_bench.py
    [--rows 10000 100000] [--row-by-row-rows 3000]

Runs in a throwaway test database (`test_<name>`, created and dropped here). For each size it
generates that many project rows (a CSV as a district office would send: Thai headers, B.E.
dates, "1,234 บาท" amounts, councils and programmes by code), then measures in the same run:

- ours: the preview (every row read and checked, nothing written) and the commit (checked
  again, written with bulk_create/bulk_update, history rows kept, in one transaction); the
  rate is validated rows per second of the commit, and of preview + commit;
- COPY: psycopg's `COPY projects_project FROM STDIN` of the same rows, already parsed (no
  checks, no history): the floor;
- import-export's default: a plain ModelResource, `import_data()` row by row with its
  defaults (save() per row, so history is kept too), on the first `--row-by-row-rows` rows
  (it is the slow path; its rate does not depend on the size);
- the queries per thousand rows of our commit, and the peak memory of the process.
"""

import argparse
import csv
import io
import os
import resource
import sys
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# DEBUG stays off, as in production; the portal then needs a key of its own.
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k3y" * 20)
os.environ.setdefault("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from import_export import fields, resources, widgets  # noqa: E402

from councils.models import Council  # noqa: E402
from projects.models import Programme, Project  # noqa: E402

COUNCILS = 50


def generate(count: int) -> tuple[bytes, list[tuple]]:
    """The CSV a district would send, and the same rows parsed (for COPY)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["รหัสโครงการ", "ชื่อโครงการ", "แผนงาน", "สภา", "ปีงบประมาณ",
                     "งบประมาณที่ขอ", "วันเริ่ม", "วันสิ้นสุด"])  # fmt: skip
    parsed = []
    for n in range(count):
        budget = 10_000 + (n * 37) % 490_000
        council = f"BENCH-C{n % COUNCILS:03}"
        writer.writerow([f"BENCH-{n:06}", f"โครงการพัฒนาชุมชน {n}", "bench", council,
                         2567, f"{budget:,} บาท", "1/11/2566", "30/9/2567"])  # fmt: skip
        parsed.append((f"BENCH-{n:06}", f"โครงการพัฒนาชุมชน {n}", 2567, Decimal(budget)))
    return out.getvalue().encode("utf-8-sig"), parsed


def world():
    from accounts.models import User
    from councils.models import Council
    from geo.models import District, Province
    from projects.models import Programme

    province = Province.objects.create(code="33", name_th="ศรีสะเกษ", name_en="Si Sa Ket")
    district = District.objects.create(
        code="3399", province=province, name_th="อำเภอทดสอบ", name_en="Bench District"
    )
    councils = [
        Council(
            code=f"BENCH-C{n:03}",
            name_th=f"สภาทดสอบ {n}",
            area_type="municipality",
            municipality_name=f"เทศบาล {n}",
            district=district,
        )
        for n in range(COUNCILS)
    ]
    Council.objects.bulk_create(councils)
    Programme.objects.create(code="bench", name_th="แผนงานทดสอบ", name_en="Bench programme")
    user = User.objects.create(username="bench", role="staff")
    user.provinces.add(province)
    return user


def clear_projects():
    from projects.models import Project

    Project.history.model.objects.all().delete()
    Project.objects.all().delete()


def ours(user, content: bytes, count: int) -> dict:
    from imports import service
    from imports.models import ImportBatch

    batch = ImportBatch(kind="projects", created_by=user, file_name="bench.csv", size=len(content))
    batch.file.save("bench.csv", ContentFile(content), save=True)
    started = time.perf_counter()
    service.run_preview(batch, user)
    preview = time.perf_counter() - started
    assert batch.rows_new == count and batch.rows_error == 0, (batch.rows_new, batch.rows_error)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        service.commit(batch, user, ImportBatch.Mode.ALL)
        commit = time.perf_counter() - started
    from projects.models import Project

    assert Project.objects.count() == count
    assert Project.history.model.objects.count() == count
    batch.file.delete(save=False)
    return {"preview": preview, "commit": commit, "queries": len(queries)}


def copy(parsed: list[tuple]) -> float:
    programme = Programme.objects.get(code="bench").pk
    council_ids = dict(Council.objects.values_list("code", "id"))
    columns = (
        "created_at, updated_at, version, is_demo, code, title_th, title_en, programme_id, "
        "council_id, fiscal_year, status, budget_requested, target_households, "
        "reached_households, target_persons, reached_persons, description"
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor().copy(f"COPY projects_project ({columns}) FROM STDIN") as pipe:
            for n, (code, title, year, budget) in enumerate(parsed):
                pipe.write_row(
                    (
                        "now()",
                        "now()",
                        1,
                        False,
                        code,
                        title,
                        "",
                        programme,
                        council_ids[f"BENCH-C{n % COUNCILS:03}"],
                        year,
                        "proposed",
                        budget,
                        0,
                        0,
                        0,
                        0,
                        "",
                    )  # fmt: skip
                )
    return time.perf_counter() - started


class DefaultProjectResource(resources.ModelResource):
    """import-export out of the box: FK widgets by code, ISO dates, row by row."""

    programme = fields.Field(
        attribute="programme",
        column_name="programme",
        widget=widgets.ForeignKeyWidget(Programme, field="code"),
    )
    council = fields.Field(
        attribute="council",
        column_name="council",
        widget=widgets.ForeignKeyWidget(Council, field="code"),
    )

    class Meta:
        model = Project
        fields = ["code", "title_th", "programme", "council", "fiscal_year",
                  "budget_requested", "start_date", "end_date"]  # fmt: skip
        import_id_fields = ["code"]


def row_by_row(parsed: list[tuple]) -> float:
    import tablib

    dataset = tablib.Dataset(
        headers=[
            "code",
            "title_th",
            "programme",
            "council",
            "fiscal_year",
            "budget_requested",
            "start_date",
            "end_date",
        ]  # fmt: skip
    )
    for n, (code, title, year, budget) in enumerate(parsed):
        dataset.append([code, title, "bench", f"BENCH-C{n % COUNCILS:03}", year, budget,
                        "2023-11-01", "2024-09-30"])  # fmt: skip
    started = time.perf_counter()
    result = DefaultProjectResource().import_data(dataset)
    elapsed = time.perf_counter() - started
    if result.has_errors() or result.has_validation_errors():
        problem = result.invalid_rows[:1] or result.row_errors()[:1]
        sys.exit(f"import-export's default import failed: {problem!r}")
    return elapsed


@contextmanager
def bench_database(max_rows: int):
    """A test database of the bench's own, with the import limits raised for `max_rows` and
    uploads kept under bench/.media; dropped at the end, whatever happened."""
    from django.conf import settings

    settings.MEDIA_ROOT = ROOT / "bench" / ".media"
    settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, max_rows)
    settings.IMPORT_MAX_BYTES = 200 * 1024 * 1024
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--row-by-row-rows", type=int, default=3_000)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")
    with bench_database(max(options.rows)):
        user = world()
        print(f"PostgreSQL {connection.pg_version // 10000}, {os.cpu_count()} CPUs")
        print(f"{'rows':>8} {'preview/s':>10} {'commit/s':>10} {'both/s':>9} {'COPY/s':>9} "
              f"{'ours÷COPY':>9} {'row-by-row/s':>12} {'ours÷rbr':>8} {'q/1000':>7}")  # fmt: skip
        for count in options.rows:
            content, parsed = generate(count)
            clear_projects()
            measured = ours(user, content, count)
            clear_projects()
            copy_time = copy(parsed)
            clear_projects()
            sample = parsed[: options.row_by_row_rows]
            rbr_rate = len(sample) / row_by_row(sample)
            clear_projects()
            commit_rate = count / measured["commit"]
            both_rate = count / (measured["preview"] + measured["commit"])
            copy_rate = count / copy_time
            print(
                f"{count:>8,} {count / measured['preview']:>10,.0f} {commit_rate:>10,.0f} "
                f"{both_rate:>9,.0f} {copy_rate:>9,.0f} {commit_rate / copy_rate:>9.3f} "
                f"{rbr_rate:>12,.0f} {commit_rate / rbr_rate:>8.1f} "
                f"{measured['queries'] * 1000 / count:>7.1f}"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of the process: {peak:,.0f} MB")
        print(f"row-by-row measured on the first {options.row_by_row_rows:,} rows of each size")


if __name__ == "__main__":
    main()
