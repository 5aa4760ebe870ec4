"""The systemd units and the nginx site in deploy/ run what the portal ships: the units restart
their service, name real commands and files, and nginx never serves photos past the
permission check."""

import configparser
import runpy
from pathlib import Path

import pytest
from django.core.management import get_commands

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / name)
    return parser


@pytest.mark.parametrize("name", ["portal-web.service", "portal-worker@.service"])
def test_each_unit_restarts_its_service_without_looping_forever(name):
    service = unit(name)
    assert service["Service"]["Restart"] == "always"
    assert int(service["Unit"]["StartLimitBurst"]) > 1
    assert service["Service"]["EnvironmentFile"] == "/etc/portal/portal.env"


def test_the_worker_unit_runs_the_worker_that_survives_outages():
    command = unit("portal-worker@.service")["Service"]["ExecStart"].split()
    assert command[1:3] == ["manage.py", "run_worker"]
    assert "run_worker" in get_commands()


def test_the_web_unit_runs_gunicorn_with_the_shipped_config(monkeypatch, tmp_path):
    command = unit("portal-web.service")["Service"]["ExecStart"].split()
    assert command[0].endswith("/gunicorn") and command[-1] == "portal.wsgi"
    config = DEPLOY.parent / command[command.index("--config") + 1]
    environment = dict(
        pair.split("=", 1) for pair in unit("portal-web.service")["Service"]["Environment"].split()
    )
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    values = runpy.run_path(str(config))
    assert values["control_socket"] == "/run/portal/gunicorn.ctl"
    assert values["workers"] >= 1 and values["timeout"] == 120


def test_nginx_proxies_everything_but_static_files():
    site = (DEPLOY / "nginx-portal.conf").read_text()
    assert "location /static/" in site and "location = /healthz" in site
    assert "/media" not in site  # photos are served by the portal, after its check
    assert "X-Forwarded-Proto $scheme" in site
