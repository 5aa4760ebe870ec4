"""Drills against real processes: a PostgreSQL cluster of the drills' own (so that it can be
stopped and restarted without touching the one other tests and people use), a Redis of
their own for the shared cache, an S3-protocol server (moto's, `python -m moto.server`) with
the bucket that holds every photo and import file (MEDIA_STORAGE=s3), two gunicorn app
servers started with the repository's gunicorn.conf.py, and `manage.py run_worker`.

Every test here is marked `infrastructure` and runs only on PostgreSQL (`make test` with
DATABASE_URL set, as CI does); on SQLite it is skipped with the reason. Every process is
started in a process group of its own and the whole group is killed at the end, whatever
happened; the cluster's folder is removed.

Shared here for every drill module: `postgres_cluster` (a throwaway cluster: `url()`,
`stop()`, `start()`, `sql()`), `redis_server`, `object_store` (the S3 server, started at once;
`ready()` waits for it and makes the bucket; `client()`, `objects()`, `put()`, `delete()`),
`deployment` (the cluster, Redis and the bucket with the scenario loaded, two app servers
and a worker; `browser()`, `start_worker()`, `manage()`, `env`, `store`), `Process` (a child
in its own process group, killed with it) and `wait_for`. Settings an app server needs go
into `Deployment.env` before `start_servers()`; the gunicorns, the workers and `manage()`
(backup, restore) all run with that environment, MEDIA_STORAGE=s3 and the AWS_* variables
of `object_store` included (MEDIA_ROOT is set too, and the drills check it stays empty).

Where each part is drilled: the app servers, the worker, PostgreSQL, Redis and the bucket in
the four drills of this folder against `deployment`; the read replica in `test_replica.py`,
against a primary and a streaming standby of its own (replica.py, probe.py), because
building a standby with pg_basebackup costs more than it would prove beside these drills;
the storage's behaviour one request at a time in tests/test_object_storage.py."""

import atexit
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests.infrastructure.web import Browser

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
POSTGRES_BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


def pytest_collection_modifyitems(config, items):
    from django.db import connection  # noqa: PLC0415 - settings are configured by now

    reason = None
    if connection.vendor != "postgresql":
        reason = (
            "infrastructure drills run on PostgreSQL only (set DATABASE_URL, as CI does): "
            "they stop and restart a PostgreSQL cluster of their own"
        )
    elif not POSTGRES_BINARIES:
        reason = "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.infrastructure)
            # So that pytest-django creates the test database, whose schema the drills copy.
            item.add_marker(pytest.mark.django_db)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, *, timeout: float, every: float = 0.1, what: str = "it"):
    """Poll until `predicate()` is truthy; its value, or a failure naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout} s for {what}")
        time.sleep(every)


class Process:
    """A child in a process group of its own, its output in a log file; `kill()` sends a
    signal to the whole group (gunicorn's master and its workers alike)."""

    running: list["Process"] = []

    def __init__(self, name: str, command: list[str], *, env: dict, log: Path, user=None):
        self.name = name
        self.log = log
        self.user = user
        with log.open("ab") as output:
            self.popen = subprocess.Popen(  # noqa: S603 - our own command lines
                command,
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        Process.running.append(self)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig=signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM to the group, SIGKILL if it is not gone in time; the group is reaped."""
        if self.alive():
            self.kill(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)
        self.kill(signal.SIGKILL)  # stragglers of the group, even when the leader exited
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)
        if self in Process.running:
            Process.running.remove(self)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    @classmethod
    def stop_all(cls, processes=None) -> None:
        """Stop several at once: SIGTERM to every group first, then wait for each."""
        processes = [p for p in (cls.running if processes is None else processes) if p]
        for process in processes:
            if process.alive():
                process.kill(signal.SIGTERM)
        for process in processes:
            process.stop(timeout=5)  # then SIGKILL: a drill's processes hold nothing to keep


# Whatever ends the test run (an error in a fixture, Ctrl+C), no process is left behind.
atexit.register(Process.stop_all)


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Cluster:
    """A PostgreSQL cluster in a temporary folder, on a free port of 127.0.0.1."""

    def __init__(self, folder: Path):
        self.bin = POSTGRES_BINARIES[-1].parent
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.log = folder / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        subprocess.run(  # noqa: S603
            _as_postgres(
                [str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"]
                + ["-E", "UTF8", "--locale", "C.UTF-8", "--no-sync"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def _pg_ctl(self, *args: str) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            # A throwaway cluster: durability against a machine crash is not drilled here
            # (a restart is: a fast shutdown writes everything out first).
            "-c fsync=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(  # noqa: S603
            _as_postgres(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log)]
                + ["-o", options, "-w", "-t", "60", *args]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, query: str, params=None, *, database: str = "portal") -> list[tuple]:
        with (
            psycopg.connect(self.url(database), autocommit=True, connect_timeout=10) as conn,
            conn.cursor() as cursor,
        ):
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def value(self, query: str, params=None, **kwargs):
        rows = self.sql(query, params, **kwargs)
        return rows[0][0] if rows else None


@pytest.fixture(scope="package")
def postgres_cluster():
    folder = Path(tempfile.mkdtemp(prefix="portal-drills-pg-"))
    cluster = Cluster(folder)
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="package")
def redis_server(tmp_path_factory):
    """A Redis of the drills' own (the restore drill empties it), or skip without one."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (Debian's redis-server package)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = Process(
        "redis",
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        + ["--dir", str(folder)],
        env=dict(os.environ),
        log=folder / "redis.log",
    )
    try:
        wait_for(lambda: _answers(port), timeout=20, what="Redis to answer")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.stop()


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


class ObjectStore:
    """moto's S3-protocol server in a process of its own, with the portal's bucket: what the
    app servers, the workers and backup/restore reach with MEDIA_STORAGE=s3."""

    BUCKET = "portal-drills"
    REGION = "us-east-1"
    KEYS = {"AWS_ACCESS_KEY_ID": "drills-access-key", "AWS_SECRET_ACCESS_KEY": "drills-secret"}

    def __init__(self, folder: Path):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.server = Process(
            "s3",
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
            log=folder / "s3.log",
        )
        self._bucket = False

    def ready(self) -> "ObjectStore":
        """Wait for the server (it starts while the rest is set up) and create the bucket."""
        if not self._bucket:
            wait_for(lambda: _answers(self.port), timeout=30, what="the S3 server to answer")
            self.client().create_bucket(Bucket=self.BUCKET)
            self._bucket = True
        return self

    def env(self) -> dict:
        """The settings that put the portal's media in the bucket (README, Configuration)."""
        return {
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": self.BUCKET,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": self.REGION,
            **self.KEYS,
        }

    def client(self):
        import boto3  # noqa: PLC0415 - only with a deployment

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.REGION,
            aws_access_key_id=self.KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.KEYS["AWS_SECRET_ACCESS_KEY"],
        )

    def objects(self, prefix: str = "") -> dict[str, str]:
        """Every object of the bucket (under `prefix`): its key and the SHA-256 of its bytes,
        read back from the server (not its ETag)."""
        client = self.client()
        keys = [
            item["Key"]
            for page in client.get_paginator("list_objects_v2").paginate(
                Bucket=self.BUCKET, Prefix=prefix
            )
            for item in page.get("Contents", [])
        ]
        return {
            key: hashlib.sha256(
                client.get_object(Bucket=self.BUCKET, Key=key)["Body"].read()
            ).hexdigest()
            for key in sorted(keys)
        }

    def put(self, key: str, content: bytes) -> None:
        self.client().put_object(Bucket=self.BUCKET, Key=key, Body=content)

    def delete(self, key: str) -> None:
        self.client().delete_object(Bucket=self.BUCKET, Key=key)


@pytest.fixture(scope="package")
def object_store(tmp_path_factory):
    store = ObjectStore(tmp_path_factory.mktemp("s3"))
    try:
        yield store
    finally:
        store.server.stop()


def copy_schema(source: dict, cluster: Cluster, database: str) -> None:
    """The test database's schema and its record of applied migrations, into `database` of
    the cluster: what `migrate` makes, in two seconds instead of thirty on this machine."""
    cluster.sql(f'CREATE DATABASE "{database}"', database="postgres")
    dump = [
        str(cluster.bin / "pg_dump"),
        "--no-owner",
        "--format=custom",
        f"--host={source['HOST'] or '127.0.0.1'}",
        f"--port={source['PORT'] or 5432}",
    ] + ([f"--username={source['USER']}"] if source.get("USER") else [])
    env = {**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""}
    schema = subprocess.run(  # noqa: S603
        [*dump, "--schema-only", source["NAME"]], env=env, check=True, capture_output=True
    ).stdout
    applied = subprocess.run(  # noqa: S603
        [*dump, "--data-only", "--table=django_migrations", source["NAME"]],
        env=env,
        check=True,
        capture_output=True,
    ).stdout
    for archive in (schema, applied):
        subprocess.run(  # noqa: S603
            [cluster.bin / "pg_restore", "--no-owner", f"--dbname={cluster.url(database)}"],
            input=archive,
            check=True,
            capture_output=True,
        )


class Deployment:
    """What runs in production, on one machine: app servers, workers, PostgreSQL, Redis."""

    def __init__(self, cluster: Cluster, cache_url: str, folder: Path):
        self.cluster = cluster
        self.cache_url = cache_url
        self.folder = folder
        self.media = folder / "media"
        self.media.mkdir()
        self.servers: list[Process] = []
        self.ports: list[int] = []
        self.worker: Process | None = None
        self.worker_count = 0
        self.store: ObjectStore | None = None
        self.env = {
            **{
                key: value
                for key, value in os.environ.items()
                if not key.startswith(("GUNICORN_", "DJANGO_", "PYTEST", "AWS_", "MEDIA_"))
            },
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "false",
            "SECRET_KEY": "drills-" + secrets.token_urlsafe(48),
            "DATABASE_URL": cluster.url("portal"),
            "CACHE_URL": cache_url,
            # Stays empty: the drills' media are in the bucket (see `deployment`).
            "MEDIA_ROOT": str(self.media),
            "TWO_FACTOR_REQUIRED": "false",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            # Every upload of the drills is "large": checked and imported by the worker.
            "IMPORT_BACKGROUND_BYTES": "1000",
            # A worker beats every second and is taken for dead after five silent seconds.
            "WORKER_BEAT_SECONDS": "1",
            "WORKER_STALE_SECONDS": "5",
            "LOG_LEVEL": "WARNING",
        }

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - manage.py from our own virtualenv
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=check,
            capture_output=True,
            text=True,
        )

    def start_servers(self, count: int = 2) -> None:
        for _ in range(count):
            port = free_port()
            server = Process(
                f"gunicorn:{port}",
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
                env={
                    **self.env,
                    "GUNICORN_BIND": f"127.0.0.1:{port}",
                    "GUNICORN_WORKERS": "2",
                    "GUNICORN_THREADS": "4",
                    "GUNICORN_CONTROL_SOCKET": str(self.folder / f"gunicorn-{port}.ctl"),
                },
                log=self.folder / f"gunicorn-{port}.log",
            )
            self.servers.append(server)
            self.ports.append(port)
        for port, server in zip(self.ports, self.servers, strict=True):
            wait_for(
                lambda port=port, server=server: self._healthy(port, server),
                timeout=90,
                every=0.3,
                what=f"gunicorn on {port} to answer /healthz",
            )

    def _healthy(self, port: int, server: Process) -> bool:
        if not server.alive():
            pytest.fail(f"{server.name} exited:\n{server.tail()}")
        try:
            with urllib.request.urlopen(  # noqa: S310 - loopback
                f"http://127.0.0.1:{port}/healthz", timeout=5
            ) as response:
                return response.status in (200, 503) and bool(json.load(response))
        except urllib.error.HTTPError as error:
            return error.code == 503  # up: it answers, whatever the queue says
        except OSError:
            return False

    def start_worker(self) -> Process:
        """A new `manage.py run_worker` (the previous one must be stopped or killed)."""
        self.worker_count += 1
        worker_id = f"drill-worker-{self.worker_count}"
        self.worker = Process(
            worker_id,
            [sys.executable, "manage.py", "run_worker", "--no-startup-delay", "--no-reload"]
            + ["--interval", "0.2", "--worker-id", worker_id],
            env=self.env,
            log=self.folder / f"{worker_id}.log",
        )
        self.worker.worker_id = worker_id
        wait_for(
            lambda: self.cluster.value(
                "SELECT count(*) FROM portal_workerheartbeat WHERE worker_id = %s", [worker_id]
            ),
            timeout=60,
            what=f"{worker_id} to beat",
        )
        return self.worker

    def ensure_worker(self) -> Process:
        if self.worker is None or not self.worker.alive():
            return self.start_worker()
        return self.worker

    def url(self, server: int = 0) -> str:
        return f"http://127.0.0.1:{self.ports[server]}"

    def browser(self, username: str, server: int = 0) -> Browser:
        return Browser(self.url(server)).login(username)

    def logs(self) -> str:
        processes = [*self.servers, self.worker, self.store.server if self.store else None]
        return "\n".join(f"--- {p.name}\n{p.tail()}" for p in processes if p)


@pytest.fixture(scope="package")
def deployment(django_db_setup, django_db_blocker, postgres_cluster, redis_server, object_store):
    """Two app servers and a worker on the drills' own PostgreSQL, Redis and bucket, with
    the scenario (tests/infrastructure/scenario.py) loaded."""
    from django.db import connection  # noqa: PLC0415

    with django_db_blocker.unblock():
        copy_schema(connection.settings_dict, postgres_cluster, "portal")
    folder = Path(tempfile.mkdtemp(prefix="portal-drills-"))
    setup = Deployment(postgres_cluster, redis_server, folder)
    setup.store = object_store
    setup.env.update(object_store.env())
    try:
        seeded = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "tests.infrastructure.scenario"],
            cwd=ROOT,
            env=setup.env,
            capture_output=True,
            text=True,
        )
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        object_store.ready()
        setup.start_servers(2)
        setup.start_worker()
        yield setup
    finally:
        Process.stop_all([*setup.servers, setup.worker])
        Process.stop_all()
        shutil.rmtree(folder, ignore_errors=True)


def pytest_runtest_makereport(item, call):
    """A failed drill shows the end of each process's log."""
    if call.when == "call" and call.excinfo is not None and "deployment" in item.fixturenames:
        deployment = item.funcargs.get("deployment")
        if deployment is not None:
            item.add_report_section("call", "process logs", deployment.logs())
