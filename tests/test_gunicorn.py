"""The gunicorn configuration in the repository: the app preloaded, workers and threads sized
from the CPUs, timeouts, a control socket of the instance's own in the project, and an access
log without query strings; and gunicorn really serves the portal with it."""

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "gunicorn.conf.py"


def load_config(monkeypatch, **env):
    for name in [key for key in os.environ if key.startswith("GUNICORN_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", CONFIG)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_app_is_preloaded_and_sized_from_the_cpus(monkeypatch):
    config = load_config(monkeypatch)
    cpus = len(os.sched_getaffinity(0))
    assert config.preload_app is True
    assert config.wsgi_app == "portal.wsgi:application"
    assert config.workers == 2 * cpus + 1
    assert config.threads == 4
    assert config.worker_class == "gthread"
    assert config.timeout == 60
    assert config.graceful_timeout == 30
    assert config.max_requests_jitter > 0


def test_sizes_and_timeouts_come_from_the_environment(monkeypatch):
    config = load_config(
        monkeypatch, GUNICORN_WORKERS="3", GUNICORN_THREADS="8", GUNICORN_TIMEOUT="90"
    )
    assert (config.workers, config.threads, config.timeout) == (3, 8, 90)


def test_the_access_log_keeps_no_query_string_nor_referrer(monkeypatch):
    config = load_config(monkeypatch)
    assert "%(U)s" in config.access_log_format
    for field in ("%(q)s", "%(r)s", "%(f)s"):
        assert field not in config.access_log_format


def test_each_instance_has_its_own_control_socket_in_the_project(monkeypatch):
    config = load_config(monkeypatch)
    home = str(Path.home() / ".gunicorn")
    assert not config.control_socket.startswith(home)
    assert Path(config.control_socket).is_relative_to(ROOT)
    first = config.control_socket_for("127.0.0.1:8000")
    second = config.control_socket_for("127.0.0.1:8001")
    assert first != second
    assert Path(first).parent == ROOT / "var" / "run"
    assert load_config(monkeypatch, GUNICORN_CONTROL_SOCKET="/run/portal/ctl").control_socket == (
        "/run/portal/ctl"
    )


def test_secrets_in_paths_are_masked_in_the_access_log(monkeypatch):
    config = load_config(monkeypatch)
    mask = config.mask_secret_paths
    assert mask("/meetings/calendar/Abc-123_xyz.ics") == "/meetings/calendar/[token].ics"
    assert mask("/accounts/password/reset/MQ/cx7-abc123/") == "/accounts/password/reset/MQ/[token]/"
    assert mask("/accounts/password/reset/MQ/set-password/") == (
        "/accounts/password/reset/MQ/set-password/"
    )
    assert mask("/meetings/calendar/") == "/meetings/calendar/"
    assert mask("/councils/12/") == "/councils/12/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_serves_healthz_with_this_configuration(tmp_path):
    port = free_port()
    log = tmp_path / "access.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")},
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "1",
        "GUNICORN_ACCESS_LOG": str(log),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        # No collectstatic here: serve static files from the source tree.
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # /healthz answers 200 only for a database with every migration applied.
    subprocess.run(  # noqa: S603 - manage.py from our own virtualenv
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env={**env, "DEBUG": "true"},
        check=True,
    )
    server = subprocess.Popen(  # noqa: S603 - gunicorn from our own virtualenv
        [sys.executable, "-m", "gunicorn", "-c", str(CONFIG)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        for _ in range(120):
            try:
                url = f"http://127.0.0.1:{port}/healthz?secret=1101700203450"
                with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                    body = response.read().decode()
                    status = response.status
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.5)
        assert body is not None, server.stdout.read().decode() if server.poll() else "no answer"
        assert status == 200
        assert '"status": "ok"' in body
        socket_path = ROOT / "var" / "run" / f"gunicorn-127.0.0.1-{port}.ctl"
        for _ in range(20):
            if socket_path.exists():
                break
            time.sleep(0.25)
        assert socket_path.exists()
        secret_feed = f"http://127.0.0.1:{port}/meetings/calendar/secret-token-123.ics"
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(secret_feed, timeout=5)  # noqa: S310
    finally:
        server.terminate()
        server.wait(timeout=30)
    logged = log.read_text()
    assert "GET /healthz HTTP/1.1" in logged
    assert "secret" not in logged
    assert "1101700203450" not in logged
    assert "GET /meetings/calendar/[token].ics HTTP/1.1" in logged
    assert "secret-token-123" not in logged
