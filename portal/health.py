"""What `/healthz` checks: each part the portal needs, reported on its own.

Required (a failure makes the answer 503, so a load balancer stops sending users here): the
database (reachable, every migration applied, every table present) and the media storage (a
tiny file written, read and deleted). Reported but not required (pages work without them):
the cache (a value written is read back; without it the dashboard computes its figures
afresh — a required cache took every app server out of the balancer at once when Redis
went away); the background queue, with its oldest waiting task and the workers seen in the
last minute; and, when one is configured, the read replica with its replay lag (pages read
from the primary while it is down or behind). Parts reported but not ok are listed under
"degraded"."""

import functools
import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from portal import db_router, workers

OK = "ok"


@functools.cache
def _migrations_on_disk() -> dict:
    """The migrations this code ships, each with those it replaces (a squashed one stands for
    them): read once a process, the code does not change under it."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {key: set(migration.replaces or ()) for key, migration in loader.graph.nodes.items()}


def _unapplied(applied: set) -> list[str]:
    return sorted(
        f"{app}.{name}"
        for (app, name), replaces in _migrations_on_disk().items()
        if (app, name) not in applied and not (replaces and replaces <= applied)
    )


def _expected_tables() -> set:
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        applied = set(MigrationRecorder(connection).applied_migrations())
        missing_tables = _expected_tables() - set(connection.introspection.table_names())
    except DatabaseError:
        return {"status": "unavailable"}
    unapplied = _unapplied(applied)
    if unapplied:
        return {"status": "unmigrated", "unapplied": unapplied[:20]}
    if missing_tables:
        return {"status": "tables missing", "missing": sorted(missing_tables)[:20]}
    return {"status": OK, "vendor": connection.vendor}


def check_cache() -> dict:
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=30)
        read = cache.get(key)
        cache.delete(key)
    except Exception:  # noqa: BLE001 - any backend's failure (Redis down, …) is the answer
        return {"status": "failing"}
    return {"status": OK if read == value else "failing"}


def check_storage() -> dict:
    content = uuid.uuid4().hex.encode()
    try:
        name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(content))
        try:
            with default_storage.open(name, "rb") as stored:
                read = stored.read()
        finally:
            default_storage.delete(name)
    except Exception:  # noqa: BLE001 - a full disk, a lost mount, a refused bucket
        return {"status": "failing"}
    return {"status": OK if read == content else "failing"}


def check_queue() -> dict:
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415 - app registry ready

    now = timezone.now()
    try:
        waiting = DBTaskResult.objects.ready()
        oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        seen = (
            workers.WorkerHeartbeat.objects.order_by("-seen_at")
            .values_list("seen_at", flat=True)
            .first()
        )
        live = workers.live_workers(now).count()
        count = waiting.count()
    except DatabaseError:
        return {"status": "unavailable"}
    return {
        "status": OK if live else "no worker",
        "waiting": count,
        "oldest_waiting_seconds": round((now - oldest).total_seconds()) if oldest else None,
        "workers": live,
        "last_worker_seen_seconds": round((now - seen).total_seconds()) if seen else None,
    }


def check_replica() -> dict:
    return db_router.replica_health(fresh=True).as_dict()


REQUIRED = {"database": check_database, "storage": check_storage}
REPORTED = {"cache": check_cache, "queue": check_queue}


def _reported() -> dict:
    if db_router.REPLICA in settings.DATABASES:
        return {**REPORTED, "replica": check_replica}
    return REPORTED


def report() -> tuple[bool, dict]:
    """(healthy, the report): healthy when every required part is ok."""
    parts = {name: check() for name, check in REQUIRED.items()}
    database_ok = parts["database"]["status"] == OK
    for name, check in _reported().items():
        parts[name] = check() if database_ok else {"status": "unknown"}
    failing = [name for name in REQUIRED if parts[name]["status"] != OK]
    degraded = [name for name in _reported() if parts[name]["status"] != OK]
    return not failing, {
        "status": "error" if failing else OK,
        "failing": failing,
        "degraded": degraded,
        # Kept flat for monitors that read it so: "ok" or what is wrong.
        "database": "ok" if database_ok else parts["database"]["status"],
        "checks": parts,
    }
