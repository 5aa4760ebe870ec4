"""Django's SQLite backend, except that a request that only reads never takes the lock.

With `ATOMIC_REQUESTS` and `transaction_mode = "IMMEDIATE"`, every request began with
`BEGIN IMMEDIATE`: the database's one write lock, held until the view returned. A slow page
(16 seconds, or minutes) then kept every other user from writing, and after the busy timeout
they got the "cannot reach the database" page. Writes still begin IMMEDIATE, so two writers
queue for the lock instead of failing half-way; a GET, HEAD or OPTIONS request runs its
statements in autocommit (in WAL mode a read sees the last committed data and blocks no one),
as PostgreSQL's READ COMMITTED does statement by statement. A write such a request makes
anyway (an access-log line) is its own short transaction, waiting for the lock within the
busy timeout; an explicit `transaction.atomic()` inside it still groups its writes.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.backends.sqlite3 import base

_reading = ContextVar("portal_sqlite_reading", default=False)


@contextmanager
def reading_only() -> Iterator[None]:
    """Within this block, the request's transaction on SQLite takes no lock."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def is_reading_only() -> bool:
    return _reading.get()


class DatabaseWrapper(base.DatabaseWrapper):
    def _start_transaction_under_autocommit(self) -> None:
        if _reading.get():
            # Django counts this as a transaction (its savepoints and on-commit hooks work as
            # usual); SQLite stays in autocommit, so nothing is locked between statements.
            return
        super()._start_transaction_under_autocommit()
