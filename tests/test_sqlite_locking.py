"""SQLite, the default database, never locks everyone out: a request that only reads takes no
lock, so one user's slow page does not keep another user from saving (nor give them the
"cannot reach the database" page), and a writer waits for the lock instead of failing."""

import threading
import time

import pytest
from django.db import OperationalError, connection
from django.db.utils import ConnectionHandler
from django.http import HttpResponse
from django.test import RequestFactory

from portal.sqlite.base import is_reading_only, reading_only
from portal.sqlite.middleware import ReadRequestsTakeNoLockMiddleware


@pytest.fixture
def shared_file(tmp_path, django_db_blocker):
    """Two connections to one database file, as two app workers have. The writer's busy
    timeout is short, so that it fails fast where it would have to wait."""
    options = {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    database = {"ENGINE": "portal.sqlite", "NAME": str(tmp_path / "shared.sqlite3")}
    handler = ConnectionHandler(
        {
            "default": {**database, "OPTIONS": {**options, "timeout": 10}},
            "writer": {**database, "OPTIONS": {**options, "timeout": 0.5}},
        }
    )
    with django_db_blocker.unblock():  # files of the test's own, not the test database
        with handler["writer"].cursor() as cursor:
            cursor.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)")
            cursor.execute("INSERT INTO note (text) VALUES ('first')")
        yield handler["default"], handler["writer"]
        handler.close_all()


def begin_request(conn) -> None:
    """What Django's atomic request does as the view starts."""
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def end_request(conn) -> None:
    conn.commit()
    conn.set_autocommit(True)


def write_a_note(conn, text: str) -> None:
    begin_request(conn)
    with conn.cursor() as cursor:
        cursor.execute("INSERT INTO note (text) VALUES (%s)", [text])
    end_request(conn)


def test_a_slow_page_does_not_keep_another_user_from_saving(shared_file):
    reader, writer = shared_file
    with reading_only():
        begin_request(reader)
        with reader.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM note")
            assert cursor.fetchone() == (1,)
        # The page is still being built when someone else saves.
        write_a_note(writer, "saved while the page was read")
        with reader.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM note")
            assert cursor.fetchone() == (2,)
        end_request(reader)


def test_a_request_that_writes_holds_the_lock_and_others_wait_for_it(shared_file):
    # The contrast that shows the test above measures something: a writing request takes
    # the lock at its start, and a second writer gives up after the busy timeout.
    first, second = shared_file  # the second gives up after half a second
    begin_request(first)
    with first.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM note")
    with pytest.raises(OperationalError, match="locked"):
        write_a_note(second, "too late")
    second.rollback()
    second.set_autocommit(True)
    end_request(first)


def test_a_write_made_while_reading_waits_for_the_lock_instead_of_failing(shared_file):
    reader, writer = shared_file
    begin_request(writer)
    with writer.cursor() as cursor:
        cursor.execute("INSERT INTO note (text) VALUES ('a long save')")

    def finish_the_save():
        time.sleep(0.2)
        end_request(writer)

    writer.inc_thread_sharing()
    saving = threading.Thread(target=finish_the_save)
    with reading_only():
        begin_request(reader)
        saving.start()
        with reader.cursor() as cursor:  # an access-log line, say
            cursor.execute("INSERT INTO note (text) VALUES ('page shown')")
        end_request(reader)
    saving.join()
    writer.dec_thread_sharing()
    with reader.cursor() as cursor:
        cursor.execute("SELECT text FROM note ORDER BY id")
        assert [row[0] for row in cursor.fetchall()] == ["first", "a long save", "page shown"]


@pytest.mark.parametrize(
    ("method", "reading"),
    [("get", True), ("head", True), ("options", True), ("post", False), ("put", False)],
)
def test_only_requests_that_change_nothing_are_marked_as_reading(method, reading):
    seen = []

    def view(request):
        seen.append(is_reading_only())
        return HttpResponse()

    ReadRequestsTakeNoLockMiddleware(view)(getattr(RequestFactory(), method)("/councils/"))
    assert seen == [reading]
    assert is_reading_only() is False


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings")
def test_sqlite_waits_twenty_seconds_for_the_lock_in_wal_mode(db):
    assert connection.settings_dict["ENGINE"] == "portal.sqlite"
    assert connection.settings_dict["OPTIONS"]["timeout"] == 20
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone() == (20000,)
