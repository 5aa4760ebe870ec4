"""Drill: a backup is taken with the project's command, the data and the uploaded files are
damaged (records gone, names overwritten, objects of the bucket deleted, changed and added,
damaged figures cached), and the backup is restored with the project's command. Every table,
sequence and object of the bucket (its name and the digest of its bytes) is as it was, the
shared cache is empty, the planner has statistics again, and the app servers serve the
restored records. The media are in the S3-protocol server's bucket (MEDIA_STORAGE=s3); the
damage is done beside the portal, with boto3, as a mistaken script or person would."""

import datetime
import hashlib
import re
import tarfile
from pathlib import Path

import redis

from tests.infrastructure.scenario import RACED_COUNCIL, STAFF
from tests.infrastructure.test_worker_drill import projects_file, upload


def tables(cluster) -> dict:
    """Every table's row count and a digest of its rows (in a fixed order), and every
    sequence's position."""
    names = [row[0] for row in cluster.sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )]  # fmt: skip
    digest = {
        name: cluster.sql(
            f"SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) FROM \"{name}\" t"  # noqa: S608, E501 - names from the catalogue
        )[0]
        for name in names
    }
    for name, position in cluster.sql(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
    ):
        digest[f"sequence {name}"] = position
    return digest


def test_a_backup_restored_over_damaged_data_brings_back_every_record_and_file(deployment):
    cluster, store = deployment.cluster, deployment.store
    # As the runbook says: the workers are stopped before a restore (the app servers may
    # stay up; nobody uses them meanwhile here).
    if deployment.worker is not None:
        deployment.worker.stop()
    photos = "photos/meetingphoto"
    for number in range(3):
        store.put(f"{photos}/forum-{number}.jpg", hashlib.sha512(bytes(number)).digest() * 64)
    browser = deployment.browser(STAFF[0], server=0)
    # An import file, uploaded through the app into the bucket (not checked: no worker).
    batch = upload(browser, projects_file(40, prefix="DRILL-B"), "before-backup.csv")
    import_file = cluster.value("SELECT file FROM imports_importbatch WHERE id = %s", [batch])
    assert browser.get("/").status == 200  # the dashboard's figures are cached in Redis
    cache = redis.Redis.from_url(deployment.cache_url)
    assert cache.dbsize() > 0

    data_before, files_before = tables(cluster), store.objects()
    assert {f"{photos}/forum-{n}.jpg" for n in range(3)} | {import_file} <= files_before.keys()
    made = deployment.manage("backup", "--dir", str(deployment.folder / "backups"))
    folder = Path(re.search(r"backup written to (\S+)", made.stdout).group(1))
    assert {path.name for path in folder.iterdir()} == {
        "database.dump",
        "media.tar.gz",
        "manifest.json",
    }
    with tarfile.open(folder / "media.tar.gz") as archive:
        assert sorted(archive.getnames()) == [f"media/{key}" for key in files_before]

    # The damage.
    cluster.sql("TRUNCATE projects_project CASCADE")
    cluster.sql("UPDATE councils_council SET name_th = 'ชื่อเสีย', version = version + 7")
    cluster.sql("DELETE FROM councils_historicalcouncil WHERE code = %s", [RACED_COUNCIL])
    store.delete(f"{photos}/forum-0.jpg")
    store.put(f"{photos}/forum-1.jpg", b"overwritten")
    store.put(f"{photos}/stray.jpg", b"not in the backup")
    store.put(import_file, b"a damaged import file")
    cache.set("damaged-figures", b"stale")
    assert browser.get("/").status == 200  # figures of the damaged data, cached
    assert tables(cluster) != data_before and store.objects() != files_before

    restore_started = cluster.value("SELECT now()")
    restored = deployment.manage("restore", str(folder), "--yes")
    assert "restored from" in restored.stdout

    assert tables(cluster) == data_before
    assert store.objects() == files_before  # names and bytes; the stray one deleted
    assert not [path for path in deployment.media.rglob("*") if path.is_file()]
    assert cache.dbsize() == 0  # nothing cached from the damaged data survives
    analyzed = dict(cluster.sql(
        "SELECT relname, last_analyze FROM pg_stat_user_tables "
        "WHERE relname IN ('councils_council', 'projects_project', 'projects_historicalproject')"
    ))  # fmt: skip
    assert len(analyzed) == 3
    assert all(when is not None and when >= restore_started for when in analyzed.values())

    # The app servers serve the restored records at once (same sessions, no restart).
    council_id = cluster.value("SELECT id FROM councils_council WHERE code = %s", [RACED_COUNCIL])
    name = cluster.value("SELECT name_th FROM councils_council WHERE id = %s", [council_id])
    for server in (0, 1):
        page = deployment.browser(STAFF[1], server=server).get(f"/councils/{council_id}/")
        assert page.status == 200 and name in page.text and "ชื่อเสีย" not in page.text
    deployment.start_worker()
    print(
        f"backup drill: {len(data_before)} tables and sequences, {len(files_before)} objects "
        f"of the bucket equal after restore; "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
    )
