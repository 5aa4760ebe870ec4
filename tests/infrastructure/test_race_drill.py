"""Drill: two colleagues save the same council at the same instant, each through a different
app server, forty times over in CI (`RACE_DRILL_PAIRS=100` for the hundred of the runbook's
results; each pair is four full page requests). Every time one save is written and the other
gets the conflict page; no update is lost, and the council's history has each version once.
The same race with threads, a hundred pairs, runs in tests/test_lost_updates.py."""

import os
import threading
from functools import partial

from tests.infrastructure.scenario import RACED_COUNCIL, STAFF
from tests.infrastructure.web import form_data

PAIRS = int(os.environ.get("RACE_DRILL_PAIRS", "40"))


def _stored(cluster, council_id):
    return cluster.sql(
        "SELECT households, population, version FROM councils_council WHERE id = %s",
        [council_id],
    )[0]


def together(*calls):
    """Run the calls at once, one thread each, released together by a barrier; their
    results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait(timeout=30)
        results[index] = call()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_pairs_of_simultaneous_saves_through_two_servers_lose_no_update(deployment):
    cluster = deployment.cluster
    council_id = cluster.value("SELECT id FROM councils_council WHERE code = %s", [RACED_COUNCIL])
    path = f"/councils/{council_id}/edit/"
    first = deployment.browser(STAFF[0], server=0)
    second = deployment.browser(STAFF[1], server=1)
    history_before = cluster.value(
        "SELECT count(*) FROM councils_historicalcouncil WHERE id = %s", [council_id]
    )
    wins = {"first": 0, "second": 0}

    for pair in range(PAIRS):
        households, population, version = _stored(cluster, council_id)
        pages = together(partial(first.get, path), partial(second.get, path))
        assert [page.status for page in pages] == [200, 200], f"pair {pair}"
        mine = form_data(pages[0].text, "opened_version", households=str(2000 + pair))
        theirs = form_data(pages[1].text, "opened_version", population=str(5000 + pair))
        assert mine["opened_version"] == theirs["opened_version"] == str(version)

        replies = together(partial(first.post, path, mine), partial(second.post, path, theirs))

        codes = [reply.status for reply in replies]
        assert sorted(codes) == [200, 302], f"pair {pair}: {codes}"
        refused = replies[codes.index(200)]
        assert 'id="conflict-heading"' in refused.text, f"pair {pair}: no conflict page"
        stored = _stored(cluster, council_id)
        if codes[0] == 302:
            wins["first"] += 1
            assert stored == (2000 + pair, population, version + 1), f"pair {pair}"
        else:
            wins["second"] += 1
            assert stored == (households, 5000 + pair, version + 1), f"pair {pair}"

    duplicated = cluster.sql(
        "SELECT version, count(*) FROM councils_historicalcouncil WHERE id = %s "
        "GROUP BY version HAVING count(*) > 1",
        [council_id],
    )
    assert duplicated == []
    history = cluster.value(
        "SELECT count(*) FROM councils_historicalcouncil WHERE id = %s", [council_id]
    )
    assert history == history_before + PAIRS
    print(f"race drill: {PAIRS} pairs, first server won {wins['first']}, second {wins['second']}")
