"""Drill: the background worker is killed (`kill -9`) in the middle of checking a large
import, and again in the middle of writing it. Each time a new worker is started; the batch
is found stopped, says why, and offers to try again or cancel; after the retries the
records are there exactly once. The file is uploaded into the bucket of the S3-protocol
server (MEDIA_STORAGE=s3), and every worker reads it from there: nothing is on a local disk."""

import csv
import hashlib
import io
import re
import time

from tests.infrastructure.conftest import wait_for
from tests.infrastructure.scenario import IMPORT_COUNCILS, PROGRAMME, STAFF
from tests.infrastructure.web import form_data

ROWS = 5000


def projects_file(rows: int = ROWS, prefix: str = "DRILL-P") -> bytes:
    """A district office's CSV of projects (Thai headers, B.E. dates, amounts in baht)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["รหัสโครงการ", "ชื่อโครงการ", "แผนงาน", "สภา", "ปีงบประมาณ",
                     "งบประมาณที่ขอ", "วันเริ่ม", "วันสิ้นสุด"])  # fmt: skip
    for n in range(rows):
        council = IMPORT_COUNCILS[n % len(IMPORT_COUNCILS)]
        writer.writerow([f"{prefix}{n:05}", f"โครงการซ้อม {n}", PROGRAMME, council, 2567,
                         f"{10_000 + n:,} บาท", "1/11/2566", "30/9/2567"])  # fmt: skip
    return out.getvalue().encode("utf-8-sig")


def upload(browser, content: bytes, name: str) -> int:
    reply = browser.post("/imports/", {"kind": "projects"}, files={"file": (name, content)})
    assert reply.status == 302, reply.status
    return int(re.search(r"/imports/(\d+)/", reply.headers["Location"]).group(1))


def batch_status(cluster, pk: int) -> str:
    return cluster.value("SELECT status FROM imports_importbatch WHERE id = %s", [pk])


def task_of(cluster, pk: int, name: str):
    """(status, worker) of the latest `name` task (preview_task, commit_task) of the batch."""
    rows = cluster.sql(
        "SELECT status, worker_ids ->> -1 FROM django_tasks_database_dbtaskresult "
        "WHERE task_path LIKE %s AND args_kwargs -> 'args' ->> 0 = %s "
        "ORDER BY enqueued_at DESC LIMIT 1",
        [f"%.{name}", str(pk)],
    )
    return rows[0] if rows else (None, None)


def kill_worker_while(deployment, pk: int, status: str, task: str) -> float:
    """kill -9 the worker as soon as it is working on the batch (its task taken, the batch
    in `status`), and check that it really was in the middle of it."""
    cluster, worker = deployment.cluster, deployment.worker
    wait_for(
        lambda: (
            task_of(cluster, pk, task) == ("RUNNING", worker.worker_id)
            and batch_status(cluster, pk) == status
        ),
        timeout=60,
        every=0.02,
        what=f"the worker to start {task} of batch {pk}",
    )
    time.sleep(0.1)  # into the work
    worker.kill()  # SIGKILL to its process group: no clean-up of any kind
    worker.popen.wait(timeout=10)
    assert batch_status(cluster, pk) == status, f"the {task} ended before the kill: no drill"
    assert task_of(cluster, pk, task)[0] == "RUNNING"  # nobody will ever finish it
    return time.monotonic()


def stopped_page(browser, pk: int, offer: str) -> str:
    """The batch page once the lost work is found: the reason, retry and cancel."""
    page = wait_for(
        lambda: (
            (reply := browser.get(f"/imports/{pk}/")).status == 200
            and offer in reply.text
            and reply.text
        ),
        timeout=60,
        every=0.5,
        what=f"batch {pk} to be found stopped",
    )
    assert "the background worker doing it was lost" in page
    assert f'action="/imports/{pk}/retry/"' in page
    assert f'action="/imports/{pk}/cancel/"' in page
    return page


def drill_projects(cluster) -> tuple[int, int, int]:
    return cluster.sql(
        "SELECT (SELECT count(*) FROM projects_project WHERE code LIKE 'DRILL-P%%'), "
        "(SELECT count(DISTINCT code) FROM projects_project WHERE code LIKE 'DRILL-P%%'), "
        "(SELECT count(*) FROM projects_historicalproject WHERE code LIKE 'DRILL-P%%')"
    )[0]


def test_a_worker_killed_mid_check_and_mid_import_loses_nothing_and_writes_once(deployment):
    cluster = deployment.cluster
    deployment.ensure_worker()
    browser = deployment.browser(STAFF[2], server=0)
    other_server = deployment.browser(STAFF[2], server=1)

    # 1. Killed while checking the file.
    content = projects_file()
    pk = upload(browser, content, "projects-drill.csv")
    killed = kill_worker_while(deployment, pk, "checking", "preview_task")
    deployment.start_worker()
    stopped_page(other_server, pk, "Check the file again")
    found = {"checking": time.monotonic() - killed}
    # The upload is in the bucket, where the new worker finds it.
    key = cluster.value("SELECT file FROM imports_importbatch WHERE id = %s", [pk])
    in_bucket = {key: hashlib.sha256(content).hexdigest()}
    assert deployment.store.objects(key) == in_bucket
    assert cluster.sql(
        "SELECT status, failed_during FROM imports_importbatch WHERE id = %s", [pk]
    ) == [("failed", "checking")]
    assert task_of(cluster, pk, "preview_task")[0] == "FAILED"
    assert drill_projects(cluster) == (0, 0, 0)

    assert other_server.post(f"/imports/{pk}/retry/", {}).status == 302
    wait_for(lambda: batch_status(cluster, pk) == "preview", timeout=120, what="the new check")
    assert cluster.value("SELECT rows_new FROM imports_importbatch WHERE id = %s", [pk]) == ROWS

    # 2. Killed while writing it (one transaction: nothing of it may stay).
    asked = browser.post(f"/imports/{pk}/commit/", {"mode": "all"})
    assert asked.status == 200  # "Write 5000 new records?"
    confirmed = browser.post(f"/imports/{pk}/commit/", form_data(asked.text, "confirm"))
    assert confirmed.status == 302
    killed = kill_worker_while(deployment, pk, "importing", "commit_task")
    deployment.start_worker()
    stopped_page(browser, pk, "Import again")
    found["importing"] = time.monotonic() - killed
    assert drill_projects(cluster) == (0, 0, 0)

    assert browser.post(f"/imports/{pk}/retry/", {}).status == 302
    wait_for(lambda: batch_status(cluster, pk) == "imported", timeout=120, what="the import")

    # Every row once: the records, their codes, one history entry each.
    assert drill_projects(cluster) == (ROWS, ROWS, ROWS)
    lost = cluster.value(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult "
        "WHERE args_kwargs -> 'args' ->> 0 = %s AND exception_class_path LIKE %s",
        [str(pk), "%WorkerLost"],
    )
    assert lost == 2
    assert deployment.worker.alive()
    # Checked twice and imported by three workers, from the bucket: the file is kept there
    # unchanged (for the undo), and nothing was written to a local media folder.
    assert deployment.store.objects(key) == in_bucket
    assert not [path for path in deployment.media.rglob("*") if path.is_file()]
    print(
        f"worker drill: {ROWS} rows; killed while checking, found stopped "
        f"{found['checking']:.1f} s later; killed while importing, found {found['importing']:.1f}"
        " s later (new worker started and WORKER_STALE_SECONDS=5 included); imported once,"
        f" the file read from the bucket ({key})"
    )
