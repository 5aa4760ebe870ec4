"""The test suite's settings: the portal's own, with DEBUG off as in production, and a key
of the suite's own (the portal refuses to start without DEBUG and without a real key)."""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "test-suite-" + secrets.token_urlsafe(48))

from portal.settings import *  # noqa: E402, F403

# A replica in the environment (REPLICA_DATABASE_URL) is left out of the suite: as a test
# mirror it is the same database through a connection of its own, which cannot see a test's
# data (kept in the test's transaction), and pytest-django refuses queries to a database a
# test did not ask for. The router is tested on its own (tests/test_db_router.py) and against
# a real replica (tests/infrastructure/test_replica.py).
if DATABASES.pop("replica", None):  # noqa: F405
    DATABASE_ROUTERS = []
    MIDDLEWARE = [name for name in MIDDLEWARE if name != "portal.db_router.ReplicaMiddleware"]  # noqa: F405
