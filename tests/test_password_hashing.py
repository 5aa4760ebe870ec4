"""Passwords are hashed with Argon2; a password stored with an older hasher is re-hashed
with Argon2 at the user's next successful login (and only then)."""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher

import portal.settings as portal_settings
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class QuickPBKDF2(PBKDF2PasswordHasher):
    iterations = 1000


@pytest.fixture
def portal_hashers(settings):
    """The portal's own hashers (the suite swaps in a fast one for every other test)."""
    settings.PASSWORD_HASHERS = portal_settings.PASSWORD_HASHERS


def login(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_argon2_is_the_portals_first_hasher():
    assert portal_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_a_new_password_is_hashed_with_argon2(portal_hashers):
    user = UserFactory(username="somchai")
    user.set_password(PASSWORD)
    user.save()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("old_hasher", [QuickPBKDF2, PBKDF2SHA1PasswordHasher])
def test_an_older_hash_is_upgraded_to_argon2_at_the_next_login(client, portal_hashers, old_hasher):
    hasher = old_hasher()
    user = UserFactory(username="somchai")
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    old = user.password

    assert login(client, "somchai").status_code == 302
    user.refresh_from_db()
    assert user.password != old
    assert user.password.startswith("argon2$argon2id$")
    # The new hash works for the next login too.
    client.logout()
    assert login(client, "somchai").status_code == 302


def test_a_failed_login_leaves_the_stored_hash_as_it_was(client, portal_hashers):
    hasher = PBKDF2SHA1PasswordHasher()
    user = UserFactory(username="somchai")
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    old = user.password

    assert login(client, "somchai", "wrong password").status_code == 200
    user.refresh_from_db()
    assert user.password == old
