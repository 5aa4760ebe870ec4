"""A row corrected in the preview against the preview of the whole file, side by side.

    .venv/bin/python bench/correction_bench.py [--rows 1000 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/correction_bench.py

Runs in a throwaway test database (`test_<name>`, created and dropped here), on SQLite or
PostgreSQL. For each size it generates that many project rows (import_bench's CSV) with one
wrong budget, previews the file (every row checked), then corrects the wrong row
(imports.service.correct_row: the file read again with the correction, the one row checked
again, its entry and the counts renewed) and prints both times, their ratio and the queries
of the correction (they do not grow with the file; reading it does).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from django.core.files.base import ContentFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from import_bench import bench_database, generate, world  # noqa: E402 - sets Django up


def measure(user, count: int) -> dict:
    from imports import service
    from imports.models import ImportBatch

    content, _parsed = generate(count)
    lines = content.decode("utf-8-sig").splitlines()
    lines[1] = lines[1].replace('"10,000 บาท"', "lots")  # row 2: a budget that is no amount
    content = ("\n".join(lines) + "\n").encode("utf-8-sig")
    batch = ImportBatch(kind="projects", created_by=user, file_name="bench.csv", size=len(content))
    batch.file.save("bench.csv", ContentFile(content), save=True)
    started = time.perf_counter()
    service.run_preview(batch, user)
    preview = time.perf_counter() - started
    assert batch.rows_error == 1 and service.error_rows(batch) == {2}, batch.rows_error
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        entry = service.correct_row(batch, user, 2, {"budget_requested": "10,000"})
        correction = time.perf_counter() - started
    assert entry["outcome"] == "new", entry
    batch.file.delete(save=False)
    return {"preview": preview, "correction": correction, "queries": len(queries)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 10_000])
    options = parser.parse_args()
    with bench_database(max(options.rows)):
        user = world()
        print(f"{connection.vendor}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        print(f"{'rows':>8} {'preview s':>10} {'correction ms':>13} {'ratio':>7} {'queries':>8}")
        for count in options.rows:
            measured = measure(user, count)
            print(
                f"{count:>8,} {measured['preview']:>10.2f} "
                f"{measured['correction'] * 1000:>13,.0f} "
                f"{measured['preview'] / measured['correction']:>7.1f} {measured['queries']:>8}"
            )


if __name__ == "__main__":
    main()
