import os

import pytest

from tests.factories import ProvinceFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from
# the same thread (fixtures, assertions) are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing takes half a second a user; tests do not need it to be slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests serve static files from the source tree: no collectstatic manifest needed."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached dashboard figures must not leak from one test's database into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Background tasks run at once, in the test's own transaction."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _two_factor_not_required(settings):
    """Clients log in with `force_login`, which no second step follows: the portal's rule
    that admins must use two-step sign-in is tested on its own (tests/test_two_factor.py).
    A user who turned it on is still asked for a code."""
    settings.TWO_FACTOR_REQUIRED = False


@pytest.fixture
def sisaket(db):
    return ProvinceFactory()


@pytest.fixture
def staff(client, sisaket):
    """A client logged in as CODI staff of Sisaket."""
    user = UserFactory(username="staff33", role="staff")
    user.provinces.add(sisaket)
    client.force_login(user)
    return client


@pytest.fixture
def staff_user(db):
    """CODI staff working in Sisaket (province 33, the factories' default province)."""
    user = UserFactory(username="somchai", first_name="สมชาย", role="staff")
    user.provinces.add(ProvinceFactory())
    return user


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client
