"""gunicorn's configuration for the portal (gunicorn reads `gunicorn.conf.py` from the
directory it starts in; `gunicorn -c gunicorn.conf.py` names it explicitly).

Every value can be changed from the environment (GUNICORN_*), as the portal's settings are.
"""

import os
import re
from pathlib import Path

from gunicorn.glogging import Logger

PROJECT = Path(__file__).resolve().parent


def _cpu_count() -> int:
    """The CPUs this process may run on (a container's share, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


CPUS = _cpu_count()

wsgi_app = "portal.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# The app is loaded once in the master, before the workers are forked: a worker answers its
# first request at once (loading Django and the URLconf took 3-5 s per worker on first use)
# and the workers share the loaded code's memory.
preload_app = True

# Two processes a CPU plus one (a request waits on the database part of the time), each with
# a few threads; every thread may hold a database connection (workers x threads in all).
workers = _env_int("GUNICORN_WORKERS", 2 * CPUS + 1)
threads = _env_int("GUNICORN_THREADS", 4)
worker_class = "gthread"

# A request that takes longer than this is stuck: its worker is restarted. Long work (large
# imports and exports, undo) runs in the background worker, not in a request.
timeout = _env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# A worker is replaced after this many requests (with some jitter), which bounds the slow
# growth of a long-lived process's memory.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# The access log never carries a query string or a referrer: they may hold a person's name,
# phone or national ID (a search). %(U)s is the path without its query string, and
# PortalLogger masks the secrets some paths carry.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

# Secrets that live in a path are masked too: a calendar feed's token, a password-reset link's.
SECRET_PATHS = [
    (re.compile(r"^(/meetings/calendar/)[^/]+(\.ics)$"), r"\1[token]\2"),
    (re.compile(r"^(/accounts/password/reset/[^/]+/)(?!set-password/)[^/]+/$"), r"\1[token]/"),
]


def mask_secret_paths(path: str) -> str:
    for pattern, replacement in SECRET_PATHS:
        path = pattern.sub(replacement, path)
    return path


class PortalLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = mask_secret_paths(atoms.get("U") or "")
        return atoms


logger_class = PortalLogger

# gunicorn 27 opens a control socket (for `gunicornc`) at ~/.gunicorn/gunicorn.ctl by default,
# one path for every instance the same user runs: a second portal (another checkout, or a
# second port) would take over the first one's. Each instance gets its own in the project,
# named after the address it listens on (see on_starting).
RUN_DIR = PROJECT / "var" / "run"
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or str(RUN_DIR / "gunicorn.ctl")
control_socket_mode = 0o600


def control_socket_for(address: str) -> str:
    """`127.0.0.1:8000` → `<project>/var/run/gunicorn-127.0.0.1-8000.ctl`."""
    name = "".join(char if char.isalnum() or char in ".-" else "-" for char in address)
    return str(RUN_DIR / f"gunicorn-{name.strip('-')}.ctl")


def on_starting(server) -> None:
    """Name the control socket after the address this instance really listens on (bind may
    also come from the command line), unless GUNICORN_CONTROL_SOCKET names one."""
    if not os.environ.get("GUNICORN_CONTROL_SOCKET"):
        server.cfg.set("control_socket", control_socket_for(server.cfg.bind[0]))
    Path(server.cfg.control_socket).parent.mkdir(parents=True, exist_ok=True, mode=0o700)


def when_ready(server) -> None:
    """With the app preloaded, also import what Django otherwise loads on the first request
    (every URLconf and view module, the Thai and English catalogues), once, in the master:
    the workers inherit it, and their first request is as fast as any other."""
    if not server.cfg.preload_app:
        return
    from django.urls import get_resolver  # noqa: PLC0415 - the app is loaded by now
    from django.utils import translation  # noqa: PLC0415

    get_resolver().reverse_dict  # noqa: B018 - populating it imports every view
    for language in ("th", "en"):
        with translation.override(language):
            translation.gettext("Home")


def pre_fork(server, worker) -> None:
    """A connection the master opened while loading the app must not be shared by the
    workers it forks: close it in the master, each worker opens its own."""
    if not server.cfg.preload_app:
        return
    from django.db import connections  # noqa: PLC0415 - the app is loaded by now

    for connection in connections.all(initialized_only=True):
        connection.close()
