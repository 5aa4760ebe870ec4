"""Drill: PostgreSQL is restarted while logged-in users read pages on both app servers and
one of them keeps saving a council. During the outage every answer is the 503 page with
Retry-After (never a 500 or a 400, and nobody is logged out); afterwards the pages answer
again by themselves, the worker is back at work, and every save that was answered as saved
is stored."""

import datetime
import threading
import time

from tests.infrastructure.conftest import wait_for
from tests.infrastructure.scenario import IMPORT_COUNCILS, STAFF
from tests.infrastructure.test_worker_drill import batch_status, projects_file, upload
from tests.infrastructure.web import form_data

OUTAGE_SECONDS = 4
COUNTED = ["councils_council", "projects_project", "meetings_meeting", "accounts_user",
           "imports_importbatch", "django_session"]  # fmt: skip


class Load:
    """Readers and a writer on both servers, each request logged with when it was sent and
    answered; they stop when told, or after two minutes whatever happens."""

    def __init__(self, deployment, council_id: int):
        self.stop = threading.Event()
        self.log: list[dict] = []
        self.saved: list[int] = []
        self.lock = threading.Lock()
        self.council_id = council_id
        readers = [deployment.browser(STAFF[n], server=n % 2) for n in range(4)]
        self.writer = deployment.browser(STAFF[3], server=1)
        paths = ["/", "/councils/", f"/councils/{council_id}/", "/projects/", "/meetings/"]
        self.threads = [
            threading.Thread(target=self._read, args=(browser, paths)) for browser in readers
        ] + [threading.Thread(target=self._write)]
        self.deadline = time.monotonic() + 120

    def _request(self, browser, method, path, data=None):
        sent = time.monotonic()
        try:
            reply = browser.get(path) if method == "GET" else browser.post(path, data)
            status, retry_after = reply.status, reply.headers.get("Retry-After")
        except OSError as error:  # no HTTP answer at all: the server itself failed
            reply, status, retry_after = None, f"no answer: {error}", None
        with self.lock:
            self.log.append(
                {
                    "sent": sent,
                    "answered": time.monotonic(),
                    "method": method,
                    "path": path,
                    "status": status,
                    "retry_after": retry_after,
                    "server": browser.base,
                }  # fmt: skip
            )
        return reply

    def _running(self) -> bool:
        return not self.stop.is_set() and time.monotonic() < self.deadline

    def _read(self, browser, paths):
        while self._running():
            for path in paths:
                self._request(browser, "GET", path)

    def _write(self):
        path = f"/councils/{self.council_id}/edit/"
        value = 10_000
        while self._running():
            page = self._request(self.writer, "GET", path)
            if page is None or page.status != 200:
                time.sleep(0.1)
                continue
            value += 1
            reply = self._request(
                self.writer, "POST", path, form_data(page.text, "opened_version", households=value)
            )
            if reply is not None and reply.status == 302:
                self.saved.append(value)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def between(self, start: float, end: float) -> list[dict]:
        with self.lock:
            return [
                entry for entry in self.log if entry["sent"] >= start and entry["answered"] <= end
            ]


def _counts(cluster) -> dict:
    return {table: cluster.value(f"SELECT count(*) FROM {table}") for table in COUNTED}  # noqa: S608


def test_postgresql_restarted_under_load_answers_503_then_serves_again_losing_nothing(
    deployment,
):
    cluster = deployment.cluster
    worker = deployment.ensure_worker()
    council_id = cluster.value(
        "SELECT id FROM councils_council WHERE code = %s", [IMPORT_COUNCILS[-1]]
    )
    with Load(deployment, council_id) as load:
        time.sleep(3)  # under load before the restart
        counts_before = _counts(cluster)
        before = time.monotonic()
        cluster.stop("fast")
        down = time.monotonic()
        time.sleep(OUTAGE_SECONDS)
        restarting = time.monotonic()
        cluster.start()
        up = time.monotonic()
        database_up_at = cluster.value("SELECT now()")

        def every_page_answers():
            recent = load.between(time.monotonic() - 1.5, time.monotonic())
            return len(recent) >= 5 and all(
                entry["status"] == 200 for entry in recent if entry["method"] == "GET"
            )

        wait_for(every_page_answers, timeout=60, every=0.5, what="the pages to answer again")
        recovered = time.monotonic()
        time.sleep(2)  # and they keep answering
    statuses = {}
    for entry in load.log:
        statuses[entry["status"]] = statuses.get(entry["status"], 0) + 1

    # No 500, no 400, no refused connection, nobody sent to the login page: 200, the saves'
    # 302, and 503 with Retry-After.
    assert set(statuses) <= {200, 302, 503}, statuses
    assert all(e["retry_after"] == "30" for e in load.log if e["status"] == 503)
    assert all(e["status"] != 302 for e in load.log if e["method"] == "GET")
    assert all(e["status"] == 200 for e in load.between(0, before) if e["method"] == "GET")
    outage = load.between(down, restarting)
    assert len(outage) >= 5, "no request met the outage"
    assert {e["status"] for e in outage} == {503}
    assert {e["server"] for e in outage} == {deployment.url(0), deployment.url(1)}
    assert all(e["status"] in (200, 302) for e in load.between(recovered, time.monotonic()))

    # Nothing lost: every save answered as saved is stored, and no record went missing.
    stored = {row[0] for row in cluster.sql(
        "SELECT households FROM councils_historicalcouncil WHERE id = %s", [council_id]
    )}  # fmt: skip
    assert load.saved and set(load.saved) <= stored
    counts_after = _counts(cluster)
    assert counts_after == counts_before

    # The worker reconnected by itself: same process, beating again, taking new work.
    assert worker.alive()
    wait_for(
        lambda: cluster.value(
            "SELECT seen_at > %s FROM portal_workerheartbeat WHERE worker_id = %s",
            [database_up_at, worker.worker_id],
        ),
        timeout=30,
        what="the worker to beat again",
    )
    browser = deployment.browser(STAFF[0], server=0)
    pk = upload(browser, projects_file(40, prefix="DRILL-Q"), "after-restart.csv")
    wait_for(lambda: batch_status(cluster, pk) == "preview", timeout=60, what="the worker")
    assert worker.alive() and deployment.worker is worker
    print(
        f"outage drill: PostgreSQL down {restarting - down:.1f} s (stop {down - before:.1f} s, "
        f"start {up - restarting:.1f} s), pages back {recovered - up:.1f} s after it was up; "
        f"answers {statuses}; {len(load.saved)} saves kept; "
        f"at {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
    )
