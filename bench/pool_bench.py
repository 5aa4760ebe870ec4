"""Connection pooling measured: the same gunicorn (2 workers x 4 threads) and the same load
(8 client threads asking for a signed-in page for a few seconds), with connections

- opened for each request and closed after it (`CONN_MAX_AGE=0`, no pool),
- kept by each worker thread (`CONN_MAX_AGE=60`, the portal's default without a pool),
- lent by psycopg's pool (`DATABASE_POOL=true`, Django's OPTIONS["pool"]),
- and, when Debian's pgbouncer is installed, through pgbouncer in transaction mode
  (`PGBOUNCER=true`, a connection to it per request),

side by side in one run: requests a second, median and 95th-percentile latency, the
connections PostgreSQL held meanwhile, and the ratios to "connect per request". Before that,
what a request pays to get its connection: psycopg.connect() against a checkout from a
psycopg_pool.ConnectionPool.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pool_bench .venv/bin/python bench/pool_bench.py

PostgreSQL only. It creates the database named in DATABASE_URL if it is missing, migrates
it, and keeps it for the next run (drop it by hand). Nothing else is touched.
"""

import argparse
import contextlib
import http.client
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import psycopg_pool

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pool_bench")
# Signed in, four queries, a small answer: what is measured is the request, not the page.
PAGE = "/councils/choices/?q=x"
CONFIGS = {
    "connect per request": {"CONN_MAX_AGE": "0", "DATABASE_POOL": "false"},
    "persistent (60 s)": {"CONN_MAX_AGE": "60", "DATABASE_POOL": "false"},
    "psycopg pool": {
        "DATABASE_POOL": "true",
        "DATABASE_POOL_MIN_SIZE": "2",
        "DATABASE_POOL_MAX_SIZE": "4",
    },
}


def libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def database_name() -> str:
    return urlsplit(DATABASE_URL).path.lstrip("/")


def ensure_database(environment: dict) -> None:
    server = libpq(DATABASE_URL).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database_name()]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{database_name()}"')
    print("migrating (the first run takes a minute)...", flush=True)
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )


def signed_in_session(environment: dict) -> str:
    """A session of a viewer, made by the portal's own code: its cookie value."""
    script = (
        "import django; django.setup()\n"
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from accounts.models import User\n"
        "user, _ = User.objects.get_or_create(username='pool-bench', defaults={'role': 'viewer'})\n"
        "session = SessionStore()\n"
        "session[SESSION_KEY] = str(user.pk)\n"
        "session[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "session[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
        "session.set_expiry(24 * 3600)\n"
        "session.create()\n"
        "print(session.session_key)\n"
    )
    completed = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip().splitlines()[-1]


def connection_cost(count: int) -> tuple[float, float]:
    """Median milliseconds to get a connection: a new one, and one from a pool."""
    opened = []
    for _ in range(count):
        started = time.perf_counter()
        psycopg.connect(libpq(DATABASE_URL)).close()
        opened.append(time.perf_counter() - started)
    lent = []
    with psycopg_pool.ConnectionPool(libpq(DATABASE_URL), min_size=2, max_size=2) as pool:
        pool.wait()
        for _ in range(count):
            started = time.perf_counter()
            with pool.connection():
                lent.append(time.perf_counter() - started)
    return statistics.median(opened) * 1000, statistics.median(lent) * 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def backends() -> int:
    with psycopg.connect(libpq(DATABASE_URL), autocommit=True) as connection:
        return connection.execute(
            "SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = %s", [database_name()]
        ).fetchone()[0]


def held_connections_after(delay: float) -> tuple[threading.Timer, list[int]]:
    """PostgreSQL's connections to the database, counted once, `delay` seconds from now."""
    counted: list[int] = []
    timer = threading.Timer(delay, lambda: counted.append(backends()))
    timer.start()
    return timer, counted


def load(port: int, cookie: str, seconds: float, page: str, clients: int) -> tuple[list, int]:
    """`clients` threads, each on a kept-alive HTTP connection, asking for the page."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client():
        nonlocal errors
        http_connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                http_connection.request("GET", page, headers={"Cookie": f"sessionid={cookie}"})
                response = http_connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                http_connection.close()
                ok = False
            if ok:
                mine.append(time.perf_counter() - started)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def serve(environment: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 - gunicorn from our own virtualenv
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env={
            **environment,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "4",
            "GUNICORN_ACCESS_LOG": "/dev/null",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("gunicorn did not answer")


PGBOUNCER = Path("/usr/sbin/pgbouncer")


@contextlib.contextmanager
def pgbouncer(directory: str):
    """pgbouncer in transaction mode in front of DATABASE_URL's server, on a free port, run
    as the user postgres (it refuses root); yields its DATABASE_URL, or None if absent."""
    if not PGBOUNCER.exists():
        yield None
        return
    server = urlsplit(DATABASE_URL)
    port, root = free_port(), Path(directory)
    (root / "userlist.txt").write_text(f'"{server.username}" ""\n')
    (root / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={server.hostname} port={server.port or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {root / 'userlist.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 8\nmax_client_conn = 200\n"
        f"logfile = {root / 'pgbouncer.log'}\n"
    )
    shutil.chown(root, "postgres")
    command = [str(PGBOUNCER), str(root / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command = ["/usr/sbin/runuser", "-u", "postgres", "--", *command]
    bouncer = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        for _ in range(50):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.1)
        yield DATABASE_URL.replace(f"{server.hostname}:{server.port}", f"127.0.0.1:{port}")
    finally:
        bouncer.terminate()
        bouncer.wait(timeout=10)


def main() -> None:
    media = tempfile.mkdtemp(prefix="pool-bench-media-")
    try:
        run(media)
    finally:
        shutil.rmtree(media, ignore_errors=True)


def run(media: str) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="of load per configuration")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--page", default=PAGE, help=f"a signed-in GET (default {PAGE})")
    arguments = parser.parse_args()
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("GUNICORN_")},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "false",
        "SECRET_KEY": "pool-bench-" + secrets.token_urlsafe(48),
        "TWO_FACTOR_REQUIRED": "false",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "MEDIA_ROOT": media,
        "LOG_LEVEL": "ERROR",
    }
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    environment.pop("REPLICA_DATABASE_URL", None)
    ensure_database(environment)
    cookie = signed_in_session(environment)
    opened, lent = connection_cost(50)
    print(f"\nload: {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs")
    print(
        f"getting a connection (median of 50): connect {opened:.2f} ms, "
        f"from a pool {lent:.3f} ms (x{opened / lent:.0f})"
    )
    print(
        f"\ngunicorn 2 workers x 4 threads, {arguments.clients} clients, "
        f"{arguments.seconds:.0f} s each, GET {arguments.page} signed in\n"
    )
    print(
        f"{'connections':22} {'requests/s':>10} {'median ms':>10} {'p95 ms':>8} "
        f"{'held':>5} {'errors':>6} {'÷ per request':>14}"
    )
    with pgbouncer(media) as bouncer_url:
        configs = dict(CONFIGS)
        if bouncer_url:
            configs["pgbouncer (transaction)"] = {
                "DATABASE_URL": bouncer_url,
                "PGBOUNCER": "true",
                "DATABASE_POOL": "false",
            }
        measure(environment, configs, cookie, arguments)


def measure(environment: dict, configs: dict, cookie: str, arguments) -> None:
    baseline = None
    for name, config in configs.items():
        port = free_port()
        server = serve({**environment, **config}, port)
        try:
            # Warm up: imports, templates, the pool.
            load(port, cookie, 2, arguments.page, arguments.clients)
            sampler, sampled = held_connections_after(arguments.seconds / 2)
            started = time.perf_counter()
            latencies, errors = load(
                port, cookie, arguments.seconds, arguments.page, arguments.clients
            )
            elapsed = time.perf_counter() - started
            sampler.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
        rate = len(latencies) / elapsed
        baseline = baseline or rate
        latencies.sort()
        p95 = latencies[int(len(latencies) * 0.95)] * 1000
        print(
            f"{name:22} {rate:10.1f} {statistics.median(latencies) * 1000:10.1f} "
            f"{p95:8.1f} {sampled[0] if sampled else '?':>5} {errors:6} {rate / baseline:14.2f}"
        )


if __name__ == "__main__":
    main()
