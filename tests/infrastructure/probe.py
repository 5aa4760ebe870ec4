"""Browse the portal against a real primary and replica, and say which database answered.

Run by tests/infrastructure/test_replica.py in a process of its own (`python -m
tests.infrastructure.probe '<steps as JSON>'`), with DATABASE_URL and REPLICA_DATABASE_URL
naming the throwaway clusters. Each step is a list:

- ["setup"]: two administrators ("writer", "reader") and a council; answers its id;
- ["get" | "post", path, user]: the request, through the test client of that user (each user
  one browser, keeping its cookies; "anonymous" signs in as nobody); answers the status, the
  tables each database was asked about, and the body of /healthz;
- ["sleep", seconds].

Prints one JSON list, one answer a step, on its last line."""

import json
import os
import re
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()

from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts.models import User  # noqa: E402
from tests.factories import CouncilFactory, UserFactory  # noqa: E402

TABLE = re.compile(r'\b(?:FROM|JOIN|INTO|UPDATE)\s+"(\w+)"', re.IGNORECASE)
USERS = ("writer", "reader")


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
        "body": body.decode(errors="replace") if path.startswith("/healthz") else "",
    }


def main(steps: list) -> list:
    setup_test_environment()
    clients, answers = {}, []
    for step in steps:
        match step:
            case ["setup"]:
                answers.append(setup())
            case ["get" | "post" as method, path, user]:
                answers.append(request(clients, method, path, user))
            case ["sleep", seconds]:
                time.sleep(seconds)
                answers.append(None)
            case _:
                raise ValueError(f"unknown step {step!r}")
    return answers


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
