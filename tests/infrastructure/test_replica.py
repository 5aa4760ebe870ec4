"""The read-replica router against a real streaming replica built on this machine.

A session fixture initdb's a throwaway primary, migrates the portal into it, pg_basebackup's
a streaming standby from it, and starts both on ports of their own (tests/infrastructure/
replica.py). Each test browses the portal in a process configured to those two databases
(tests/infrastructure/probe.py) and looks at which database each page's queries reached."""

import json
import time

import pytest
from django.conf import settings

from tests.infrastructure.replica import ReplicaPair, missing_prerequisite

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.infrastructure,
    pytest.mark.skipif(not ON_POSTGRESQL, reason="a PostgreSQL replica: run with DATABASE_URL"),
]


@pytest.fixture(scope="module")
def pair():
    if reason := missing_prerequisite():
        pytest.skip(reason)
    pair = ReplicaPair()
    try:
        pair.build()
        [created] = pair.probe(["setup"])
        pair.council = created["council"]
        pair.wait_caught_up()
        yield pair
    finally:
        pair.destroy()


def health(answer: dict) -> dict:
    return json.loads(answer["body"])["checks"]["replica"]


def test_a_read_only_page_reads_from_the_replica(pair):
    listing, detail, profile, healthz = pair.probe(
        ["get", "/councils/", "reader"],
        ["get", f"/councils/{pair.council}/", "reader"],
        ["get", "/", "reader"],
        ["get", "/healthz", "anonymous"],
    )
    for page in (listing, detail):
        assert page["status"] == 200
        assert "councils_council" in page["replica"]
        assert "councils_council" not in page["primary"]
        # Who the user is, and the session, always come from the primary.
        assert "django_session" in page["primary"]
        assert "accounts_user" in page["primary"]
        assert {"django_session", "accounts_user"}.isdisjoint(page["replica"])
    assert profile["status"] == 200 and profile["replica"]
    assert healthz["status"] == 200
    # Caught up, or a fraction of a second behind the session the probe has just written: on
    # a loaded machine, with the drills' deployment still running beside it, replay takes
    # longer than the router's 0.1 s settle (0.3-0.4 s seen in full runs of this folder).
    replica = health(healthz)
    assert replica["status"] == "ok" and replica["lag_seconds"] < 2, replica


def test_a_page_that_edits_reads_from_the_primary(pair):
    [edit] = pair.probe(["get", f"/councils/{pair.council}/edit/", "reader"])
    assert edit["status"] == 200
    assert "councils_council" in edit["primary"]
    assert edit["replica"] == []


def test_after_a_write_the_writer_reads_from_the_primary_for_a_while(pair):
    archived, writer_now, reader_now, _, writer_later = pair.probe(
        ["post", f"/councils/{pair.council}/archive/", "writer"],
        ["get", "/councils/", "writer"],
        ["get", "/councils/", "reader"],
        ["sleep", 5],
        ["get", "/councils/", "writer"],
        REPLICA_STICKY_SECONDS=4,
    )
    assert archived["status"] == 302
    # The writer sees their own write at once: read from the primary.
    assert "councils_council" in writer_now["primary"], writer_now
    assert writer_now["replica"] == [], writer_now
    # Others, and the writer once the window has passed, read from the replica.
    assert "councils_council" in reader_now["replica"], reader_now
    assert "councils_council" in writer_later["replica"], writer_later
    assert "councils_council" not in writer_later["primary"]


def test_a_lagging_replica_is_left_for_the_primary(pair):
    pair.replica.sql("SELECT pg_wal_replay_pause()")
    try:
        pair.primary.sql("CREATE TABLE replica_lag_probe (id int); DROP TABLE replica_lag_probe")
        wait_for_lag(pair, seconds=1)
        listing, healthz = pair.probe(
            ["get", "/councils/", "reader"],
            ["get", "/healthz", "anonymous"],
            REPLICA_MAX_LAG_SECONDS=1,
        )
    finally:
        pair.replica.sql("SELECT pg_wal_replay_resume()")
    assert listing["status"] == 200
    assert "councils_council" in listing["primary"]
    assert listing["replica"] == []
    # The replica is reported, behind, but the portal stays healthy.
    assert healthz["status"] == 200
    assert health(healthz)["status"] == "lagging"
    assert health(healthz)["lag_seconds"] >= 1
    pair.wait_caught_up()


def test_a_stopped_replica_is_left_for_the_primary(pair):
    pair.replica.stop()
    try:
        listing, healthz = pair.probe(
            ["get", "/councils/", "reader"], ["get", "/healthz", "anonymous"]
        )
    finally:
        pair.replica.start()
        pair.wait_caught_up()
    assert listing["status"] == 200
    assert "councils_council" in listing["primary"]
    assert listing["replica"] == []
    assert healthz["status"] == 200
    assert health(healthz) == {"status": "unavailable", "lag_seconds": None}


def test_a_replica_lost_between_two_checks_is_left_in_the_middle_of_the_page(pair):
    # Checked once a minute: the replica was well at the first page, and is gone at the second.
    pair.probe(["get", "/healthz", "anonymous"])  # a check now: well
    [before] = pair.probe(["get", "/councils/", "reader"], REPLICA_HEALTH_SECONDS=60)
    pair.replica.stop()
    try:
        [after] = pair.probe(["get", "/councils/", "reader"], REPLICA_HEALTH_SECONDS=60)
    finally:
        pair.replica.start()
        pair.wait_caught_up()
    assert "councils_council" in before["replica"], before
    assert after["status"] == 200
    assert "councils_council" in after["primary"]
    assert after["health"]["status"] == "unavailable"


def wait_for_lag(pair, seconds: float, timeout: float = 20) -> None:
    """Until the replica has received WAL it does not replay, from `seconds` ago or more."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        behind = pair.replica.sql(
            "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn() AND "
            f"now() - pg_last_xact_replay_timestamp() > interval '{seconds} seconds'"
        )
        if behind == "t":
            return
        time.sleep(0.2)
    raise AssertionError("the paused replica never fell behind")
