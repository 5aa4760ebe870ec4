"""With DEBUG off the portal refuses to start without a secret key of its own: a missing,
development or weak SECRET_KEY stops every start-up with a clear message, instead of signing
sessions and password-reset links with a public key."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from portal.lib.keys import DEVELOPMENT_KEY, secret_key_problem

ROOT = Path(__file__).resolve().parents[1]
GOOD_KEY = "k" * 20 + "production-secret-not-the-default-" + "z9" * 20


def manage(tmp_path, *args, **env):
    """manage.py in a fresh process with exactly these settings in its environment."""
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")
    }
    base.update(
        {
            "EMAIL_HOST": "smtp.example.org",
            "HTTPS": "true",
            "ALLOWED_HOSTS": "portal.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    base.update({key: value for key, value in env.items() if value is not None})
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (None, "SECRET_KEY is not set"),
        ("", "SECRET_KEY is not set"),
        (DEVELOPMENT_KEY, "development key"),
        ("insecure-" + "a1b2c3d4e5" * 6, "development key"),
        ("django-insecure-" + "a1b2c3d4e5" * 6, "development key"),
        ("short-but-random-Q9x!", "too short"),
        ("ab" * 40, "too short or too simple"),
    ],
)
def test_check_deploy_stops_with_a_clear_message_without_a_real_key(tmp_path, key, reason):
    result = manage(tmp_path, "check", "--deploy", DEBUG="false", SECRET_KEY=key)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert reason in result.stderr
    assert "With DEBUG off the portal needs a secret key of its own" in result.stderr


def test_without_debug_setting_no_debug_at_all_still_needs_a_key(tmp_path):
    result = manage(tmp_path, "migrate", "--noinput")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()


def test_a_real_key_passes_the_deploy_check(tmp_path):
    result = manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", DEBUG="false", SECRET_KEY=GOOD_KEY
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_local_checkout_with_debug_on_starts_with_the_development_key(tmp_path):
    """`make run`, `make migrate`, `make demo` and `make worker` set DEBUG=true."""
    result = manage(tmp_path, "migrate", "--noinput", DEBUG="true")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "db.sqlite3").exists()


def test_the_makefile_runs_every_local_command_with_debug_on():
    makefile = (ROOT / "Makefile").read_text()
    assert "MANAGE := DEBUG=$${DEBUG:-true} $(PY) manage.py" in makefile
    commands = [line.strip() for line in makefile.splitlines() if "manage.py" in line]
    assert commands == ["MANAGE := DEBUG=$${DEBUG:-true} $(PY) manage.py"]


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        DEVELOPMENT_KEY,
        "insecure-x" * 10,
        "django-insecure-" + "q" * 50,
        "x" * 49,
        "abcd" * 20,
    ],
)
def test_weak_keys_are_named(key):
    assert secret_key_problem(key)


@pytest.mark.parametrize("key", [GOOD_KEY, secrets.token_urlsafe(50)])
def test_long_random_keys_are_fit(key):
    assert secret_key_problem(key) is None
