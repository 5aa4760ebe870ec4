"""Undo speed: how long the request takes (the undo queued) and how long the worker takes to
undo N imported project rows.

    .venv/bin/python bench/undo_bench.py [--rows 5000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/undo_bench.py

Runs in a throwaway test database (`test_<name>`, created and dropped here), on SQLite or
PostgreSQL. For each size it imports that many generated project rows (import_bench's CSV),
then measures:

- the undo request of a large file: claim the batch and queue the task (what the user waits
  for since undo runs in the background);
- the worker's undo (the same task `manage.py db_worker` runs): every record archived with a
  history row, in one transaction; rows per second and queries per thousand rows;
- the same undo done inside the request, as small files still are (on a fresh import).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from django.conf import settings  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    override_settings,
)
from import_bench import bench_database, clear_projects, generate, world  # noqa: E402 - sets Django up


def imported(user, content: bytes, count: int):
    from imports import service
    from imports.models import ImportBatch

    batch = ImportBatch(kind="projects", created_by=user, file_name="bench.csv", size=len(content))
    batch.file.save("bench.csv", ContentFile(content), save=True)
    service.run_preview(batch, user)
    service.commit(batch, user, ImportBatch.Mode.ALL)
    assert batch.rows_new == count, batch.rows_new
    return batch


def measure(user, content: bytes, count: int) -> dict:
    from imports import service
    from imports.tasks import undo_task
    from projects.models import Project

    settings.IMPORT_BACKGROUND_BYTES = 0  # every file counts as large: the undo is queued
    batch = imported(user, content, count)
    # Queued in the database, as in production (override_settings resets the task backends).
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        started = time.perf_counter()
        assert service.request_undo(batch, user) is None
        request = time.perf_counter() - started
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        assert undo_task.call(batch.pk, user.pk) == "undone"
        worker = time.perf_counter() - started
    assert Project.objects.filter(archived_at__isnull=False).count() == count
    batch.file.delete(save=False)

    clear_projects()
    settings.IMPORT_BACKGROUND_BYTES = 10**12  # every file counts as small: undone at once
    batch = imported(user, content, count)
    started = time.perf_counter()
    service.request_undo(batch, user)
    immediate = time.perf_counter() - started
    batch.file.delete(save=False)
    return {"request": request, "worker": worker, "immediate": immediate, "queries": len(queries)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[5_000])
    options = parser.parse_args()
    with bench_database(max(options.rows), name="undo_bench"):
        user = world()
        print(f"{connection.vendor}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        print(f"{'rows':>8} {'request ms':>10} {'worker s':>9} {'worker/s':>9} "
              f"{'q/1000':>7} {'in-request s':>12}")  # fmt: skip
        for count in options.rows:
            content, _parsed = generate(count)
            clear_projects()
            measured = measure(user, content, count)
            clear_projects()
            print(
                f"{count:>8,} {measured['request'] * 1000:>10,.0f} {measured['worker']:>9.1f} "
                f"{count / measured['worker']:>9,.0f} {measured['queries'] * 1000 / count:>7.1f} "
                f"{measured['immediate']:>12.1f}"
            )


if __name__ == "__main__":
    main()
