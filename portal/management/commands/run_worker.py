"""The background worker to run in production: django-tasks-db's `db_worker`, kept alive.

- It beats (portal.workers.Heartbeat) so that the health check sees it and its work is known
  to be alive; the same thread sweeps for work other workers left when they died.
- When the database goes away (a restart, a failover), the worker waits and starts its loop
  again instead of exiting; the task it was running is marked failed (its transaction was
  rolled back), and the apps mark their records (an import batch shows "stopped", with retry).
- Stopping it (SIGTERM, Ctrl+C) lets the running task finish, as `db_worker` does.
"""

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

from portal import workers

logger = logging.getLogger("django_tasks_db")


# A run this long without a database error counts as healthy: the next outage is a new one.
HEALTHY_RUN_SECONDS = 60


class Command(db_worker.Command):
    help = "Run a background worker that beats, sweeps stranded work, and survives outages"

    def handle(self, *args, worker_id: str, reload: bool, batch: bool, **options) -> None:
        self.configure_logging(options["verbosity"])
        heartbeat = workers.Heartbeat(worker_id)
        heartbeat.start()
        attempt = 0
        try:
            while True:
                started = time.monotonic()
                try:
                    # Whatever this worker had claimed before (re)starting, it runs no more.
                    workers.sweep(worker_id=worker_id)
                    super().handle(*args, worker_id=worker_id, reload=False, batch=batch, **options)
                    return  # --batch or --max-tasks: done
                except (OperationalError, InterfaceError) as error:
                    # An outage after a good run starts the back-off afresh (1 s, 2 s…):
                    # a worker that lived through many outages used to wait 30 s each time.
                    if time.monotonic() - started > HEALTHY_RUN_SECONDS:
                        attempt = 0
                    attempt += 1
                    connections.close_all()
                    delay = workers.wait_before_retrying(attempt)
                    logger.warning(
                        "database unavailable (%s); worker %s starts again after %ss",
                        type(error).__name__,
                        worker_id,
                        delay,
                    )
        finally:
            heartbeat.stop()
