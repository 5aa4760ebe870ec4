"""Browse the portal against a real primary and replica, and say which database answered.

Run by tests/infrastructure/test_replica.py in one process of its own for the session
(`python -m tests.infrastructure.probe`: Django starts once), with DATABASE_URL and
REPLICA_DATABASE_URL naming the throwaway clusters. Each step is a list:

- ["migrate"]: the portal's schema into the primary;
- ["setup"]: two administrators ("writer", "reader") and a council; answers its id;
- ["get" | "post", path, user]: the request, through the test client of that user (each user
  one browser, keeping its cookies; "anonymous" signs in as nobody); answers the status, the
  tables each database was asked about, and the body of /healthz;
- ["sleep", seconds]."""

import json
import os
import re
import sys
import time
import traceback

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts.models import User  # noqa: E402
from portal import db_router  # noqa: E402
from tests.factories import CouncilFactory, UserFactory  # noqa: E402

TABLE = re.compile(r'\b(?:FROM|JOIN|INTO|UPDATE)\s+"(\w+)"', re.IGNORECASE)
USERS = ("writer", "reader")
ANSWER = "probe-answer: "
# Each user one browser for the whole session, keeping its cookies.
CLIENTS: dict[str, Client] = {}


def setup() -> dict:
    for name in USERS:
        UserFactory(username=name, role=User.Role.ADMIN)
    return {"council": CouncilFactory(name_th="สภาองค์กรชุมชนตำบลทดสอบ").pk}


class Recorder:
    def __init__(self):
        self.tables = {"default": set(), "replica": set()}

    def wrapper(self, alias):
        def record(execute, sql, params, many, context):
            self.tables[alias].update(TABLE.findall(sql))
            return execute(sql, params, many, context)

        return record


def request(clients: dict, method: str, path: str, user: str) -> dict:
    if user not in clients:
        clients[user] = Client()
        if user != "anonymous":
            clients[user].force_login(User.objects.get(username=user))
    recorder = Recorder()
    with (
        connections["default"].execute_wrapper(recorder.wrapper("default")),
        connections["replica"].execute_wrapper(recorder.wrapper("replica")),
    ):
        response = getattr(clients[user], method)(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return {
        "status": response.status_code,
        "primary": sorted(recorder.tables["default"]),
        "replica": sorted(recorder.tables["replica"]),
        # What the router last knew of the replica (a failed assertion shows it).
        "health": db_router._health[1].as_dict() if db_router._health else None,
        "body": body.decode(errors="replace") if path.startswith("/healthz") else "",
    }


def run(steps: list) -> list:
    answers = []
    for step in steps:
        match step:
            case ["migrate"]:
                call_command("migrate", interactive=False, verbosity=0)
                answers.append(None)
            case ["setup"]:
                answers.append(setup())
            case ["get" | "post" as method, path, user]:
                answers.append(request(CLIENTS, method, path, user))
            case ["sleep", seconds]:
                time.sleep(seconds)
                answers.append(None)
            case _:
                raise ValueError(f"unknown step {step!r}")
    return answers


def main() -> None:
    """One request a line on stdin ({"steps": [...], "settings": {...}}), one answer a line
    on stdout, prefixed (nothing else Django prints is taken for an answer)."""
    setup_test_environment()
    for line in sys.stdin:
        asked = json.loads(line)
        try:
            with override_settings(**asked.get("settings", {})):
                answer = {"answers": run(asked["steps"])}
        except Exception:  # noqa: BLE001 - the test reports it
            answer = {"error": traceback.format_exc()}
        print(ANSWER + json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
