"""A throwaway PostgreSQL primary and its streaming replica, each on a port of its own.

Both clusters live in a temporary directory, run as the system user `postgres` (the tests
run as root: `runuser -u postgres --`), and are stopped and deleted at the end. The main
cluster on port 5432 is never touched."""

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PROJECT = Path(__file__).resolve().parents[2]
DATABASE = "portal"
ANSWER = "probe-answer: "  # as tests/infrastructure/probe.py prefixes its answers


def missing_prerequisite() -> str | None:
    """Why a real replica cannot be built on this machine, or None."""
    for tool in ("initdb", "pg_ctl", "pg_basebackup", "psql"):
        if not (PG_BIN / tool).exists():
            return f"PostgreSQL binaries not found in {PG_BIN} (set PG_BIN)"
    if os.geteuid() != 0 or not Path("/usr/sbin/runuser").exists():
        return "building the clusters needs root (to run them as the user postgres)"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_postgres(*command, timeout: float = 60) -> str:
    completed = subprocess.run(  # noqa: S603 - PostgreSQL's own tools, our arguments
        ["/usr/sbin/runuser", "-u", "postgres", "--", *map(str, command)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode:
        raise RuntimeError(f"{command[0]} failed: {completed.stderr[-2000:]}")
    return completed.stdout


class Cluster:
    def __init__(self, directory: Path, port: int):
        self.directory, self.port = directory, port

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def configure(self, **settings) -> None:
        with (self.directory / "postgresql.conf").open("a") as conf:
            for name, value in settings.items():
                conf.write(f"{name} = {value}\n")

    def start(self) -> None:
        log = self.directory.parent / f"{self.directory.name}.log"
        as_postgres(PG_BIN / "pg_ctl", "-D", self.directory, "-l", log, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            as_postgres(PG_BIN / "pg_ctl", "-D", self.directory, "-m", mode, "-w", "stop")

    @property
    def running(self) -> bool:
        return (self.directory / "postmaster.pid").exists()

    def sql(self, statement: str, database: str = DATABASE) -> str:
        return as_postgres(
            PG_BIN / "psql",
            "-h",
            "127.0.0.1",
            "-p",
            self.port,
            "-U",
            "postgres",
            "-d",
            database,
            "-XAtq",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            statement,
        ).strip()


class ReplicaPair:
    """initdb a primary, migrate the portal's schema into it, pg_basebackup -R a replica."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="portal-replica-test-"))
        shutil.chown(self.root, "postgres", "postgres")
        self.primary = Cluster(self.root / "primary", free_port())
        self.replica = Cluster(self.root / "replica", free_port())
        self.prober: subprocess.Popen | None = None

    def build(self) -> "ReplicaPair":
        as_postgres(
            PG_BIN / "initdb",
            "-D",
            self.primary.directory,
            "-U",
            "postgres",
            "--auth=trust",  # local and host lines, replication included
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        # Speed over durability: nothing here outlives the test session.
        self.primary.configure(
            port=self.primary.port,
            listen_addresses="'127.0.0.1'",
            unix_socket_directories=f"'{self.root}'",
            wal_level="replica",
            max_wal_senders=4,
            hot_standby="on",
            fsync="off",
            synchronous_commit="off",
            full_page_writes="off",
            shared_buffers="32MB",
            max_connections=40,
        )
        self.primary.start()
        self.primary.sql(f"CREATE DATABASE {DATABASE}", database="postgres")
        self.start_probe()
        self.probe(["migrate"])
        as_postgres(
            PG_BIN / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            self.primary.port,
            "-U",
            "postgres",
            "-D",
            self.replica.directory,
            "-R",  # standby.signal and primary_conninfo: a streaming standby
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
        )
        self.replica.configure(port=self.replica.port)
        self.replica.start()
        self.wait_caught_up()
        return self

    def destroy(self) -> None:
        if self.prober is not None:
            self.prober.stdin.close()
            try:
                self.prober.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.prober.kill()
                self.prober.wait()
        self.replica.stop("immediate")  # throwaway: no checkpoint needed
        self.primary.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def environment(self, **extra) -> dict:
        return {
            **os.environ,
            # The portal's own settings (the suite's leave the replica out).
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "SECRET_KEY": "replica-test-" + secrets.token_urlsafe(48),
            "DATABASE_URL": self.primary.url,
            "REPLICA_DATABASE_URL": self.replica.url,
            "TWO_FACTOR_REQUIRED": "false",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "REPLICA_HEALTH_SECONDS": "0",
            "LOG_LEVEL": "ERROR",
            **{name: str(value) for name, value in extra.items()},
        }

    def wait_caught_up(self, timeout: float = 30) -> None:
        target = self.primary.sql("SELECT pg_current_wal_lsn()")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(RuntimeError):
                if self.replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'") == "t":
                    return
            time.sleep(0.2)
        raise RuntimeError("the replica did not catch up with the primary")

    def start_probe(self) -> None:
        """tests/infrastructure/probe.py, one process for the session: Django starts once."""
        self.prober = subprocess.Popen(  # noqa: S603 - our own probe
            [sys.executable, "-m", "tests.infrastructure.probe"],
            cwd=PROJECT,
            env=self.environment(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(self.root / "probe.log").open("w"),
            text=True,
        )

    def probe(self, *steps, **settings) -> list:
        """The probe's answers to these steps, with these settings overridden meanwhile."""
        self.prober.stdin.write(json.dumps({"steps": steps, "settings": settings}) + "\n")
        self.prober.stdin.flush()
        for line in self.prober.stdout:
            if line.startswith(ANSWER):
                answer = json.loads(line.removeprefix(ANSWER))
                if "error" in answer:
                    raise RuntimeError(f"probe failed: {answer['error'][-3000:]}")
                return answer["answers"]
        log = (self.root / "probe.log").read_text()
        raise RuntimeError(f"the probe stopped: {log[-3000:]}")
