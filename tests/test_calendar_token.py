"""The calendar address's token is stored only as its SHA-256: the address is shown once,
when it is made, a new password cuts it off, and the tokens stored in clear before are
hashed in place (their addresses keep working)."""

import hashlib
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from accounts.models import User
from tests.conftest import PASSWORD
from tests.factories import MeetingFactory, UserFactory
from tests.helpers import EN

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "ก้าวหน้า-ศรีสะเกษ-2569"


@pytest.fixture
def user(sisaket):
    user = UserFactory(username="staff33", role="staff")
    user.provinces.add(sisaket)
    return user


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def feed(token):
    return Client().get(f"/meetings/calendar/{token}.ics")


def shown_token(response) -> str:
    return re.search(r"/meetings/calendar/([\w-]+)\.ics", response.text).group(1)


def test_only_the_hash_of_the_token_is_stored(user):
    token = user.reset_calendar_token()
    user.refresh_from_db()
    assert user.calendar_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not any(field.name == "calendar_token" for field in User._meta.get_fields())
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_user")
        assert token not in repr(cursor.fetchall())
    assert feed(token).status_code == 200


def test_the_address_is_shown_once_when_it_is_made(logged_in, user):
    made = logged_in.post("/meetings/calendar/token/", headers=EN)
    assert made.status_code == 200
    assert made["Cache-Control"] == "no-store"
    token = shown_token(made)
    assert "shown only this once" in made.text
    assert feed(token).status_code == 200

    page = logged_in.get("/meetings/calendar/", headers=EN)
    assert token not in page.text
    assert "You have a calendar address" in page.text
    assert "Make a new address" in page.text


def test_the_page_offers_to_make_an_address_when_there_is_none(logged_in):
    page = logged_in.get("/meetings/calendar/")
    assert "สร้างที่อยู่ปฏิทินของฉัน" in page.text
    assert "คุณมีที่อยู่ปฏิทินแล้ว" not in page.text
    assert not re.search(r"/meetings/calendar/[\w-]+\.ics", page.text)


def test_a_new_address_in_thai_says_the_old_one_stopped(logged_in):
    logged_in.post("/meetings/calendar/token/")
    again = logged_in.post("/meetings/calendar/token/")
    assert "ที่อยู่เดิมใช้ไม่ได้อีกต่อไป" in again.text
    assert "คัดลอกไว้ตอนนี้" in again.text


@pytest.mark.parametrize(
    "token", ["", "x", "not-the-token", "a" * 43, "../../etc/passwd", "%00", "ก" * 10]
)
def test_unknown_tokens_are_not_found(user, token):
    user.reset_calendar_token()
    assert Client().get(f"/meetings/calendar/{token}.ics").status_code == 404


def test_the_hash_itself_does_not_open_the_feed(user):
    user.reset_calendar_token()
    user.refresh_from_db()
    assert feed(user.calendar_token_hash).status_code == 404


def test_changing_the_password_cuts_off_the_calendar_address(logged_in, user):
    token = shown_token(logged_in.post("/meetings/calendar/token/"))
    response = logged_in.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert feed(token).status_code == 404
    user.refresh_from_db()
    assert user.calendar_token_hash is None
    # A new address can be made at once, and it works.
    assert feed(shown_token(logged_in.post("/meetings/calendar/token/"))).status_code == 200


def test_a_password_reset_or_set_by_an_administrator_cuts_it_off_too(user):
    token = user.reset_calendar_token()
    user.set_password(NEW_PASSWORD)
    user.save()
    assert feed(token).status_code == 404


def test_a_login_that_upgrades_the_password_hash_keeps_the_address(user, settings):
    from django.contrib.auth.hashers import PBKDF2SHA1PasswordHasher

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ]
    hasher = PBKDF2SHA1PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    token = user.reset_calendar_token()
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert feed(token).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_tokens_stored_in_clear_are_hashed_and_their_addresses_keep_working(sisaket):
    executor = MigrationExecutor(connection)
    before = [("accounts", "0003_calendar_token")]
    after = [("accounts", "0004_calendar_token_stored_as_hash")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldUser = old_apps.get_model("accounts", "User")
    OldUser.objects.create(username="subscribed", calendar_token="old-clear-token-" + "x" * 27)
    OldUser.objects.create(username="never-subscribed", calendar_token=None)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new_apps = executor.loader.project_state(after).apps
    NewUser = new_apps.get_model("accounts", "User")
    stored = dict(NewUser.objects.values_list("username", "calendar_token_hash"))
    token = "old-clear-token-" + "x" * 27
    assert stored == {
        "subscribed": hashlib.sha256(token.encode()).hexdigest(),
        "never-subscribed": None,
    }

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    subscribed = User.objects.get(username="subscribed")
    subscribed.provinces.add(sisaket)
    MeetingFactory(province=sisaket)
    assert feed(token).status_code == 200
