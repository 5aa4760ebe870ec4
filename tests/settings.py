"""The test suite's settings: the portal's own, with DEBUG off as in production, and a key
of the suite's own (the portal refuses to start without DEBUG and without a real key)."""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "test-suite-" + secrets.token_urlsafe(48))

from portal.settings import *  # noqa: E402, F403
