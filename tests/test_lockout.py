"""Login lockout (django-axes) by username and address together: others' failures on the
same address (one office behind one NAT) do not lock out a correct user, and nobody can lock
out a known username from another address. A locked-out user gets back in by resetting the
password, or an administrator unlocks them."""

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.helpers import EN

pytestmark = pytest.mark.django_db

OFFICE = "203.0.113.10"
ELSEWHERE = "198.51.100.7"
NEW_PASSWORD = "ก้าวหน้า-ศรีสะเกษ-2569"


def login(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def fail(client, username, times=5):
    for _ in range(times):
        login(client, username, "wrong")


@pytest.fixture
def somchai():
    return UserFactory(username="somchai", email="somchai@example.org")


def test_failures_of_others_on_the_same_address_do_not_lock_out_a_correct_user(somchai):
    office = Client(REMOTE_ADDR=OFFICE)
    for number in range(10):
        fail(office, f"colleague{number}")
    assert login(office, "colleague0").status_code == 429  # those usernames are locked here
    assert login(Client(REMOTE_ADDR=OFFICE), "somchai").status_code == 302


def test_nobody_can_lock_out_a_known_username_from_another_address(somchai):
    fail(Client(REMOTE_ADDR=ELSEWHERE), "somchai", times=20)
    assert login(Client(REMOTE_ADDR=ELSEWHERE), "somchai").status_code == 429
    assert login(Client(REMOTE_ADDR=OFFICE), "somchai").status_code == 302


def test_failures_for_one_username_from_one_address_lock_that_pair_out(somchai):
    office = Client(REMOTE_ADDR=OFFICE)
    fail(office, "somchai", times=4)
    assert login(office, "somchai", "wrong").status_code == 429  # the fifth failure
    locked = login(office, "somchai")
    assert locked.status_code == 429
    assert not locked.wsgi_request.user.is_authenticated
    assert 'href="/accounts/password/reset/"' in locked.text


def test_behind_a_proxy_the_address_is_read_from_x_forwarded_for(settings, somchai):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    proxy = "10.0.0.1"
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{ELSEWHERE}, {proxy}")
    fail(attacker, "somchai")
    assert AccessAttempt.objects.get().ip_address == ELSEWHERE
    owner = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{OFFICE}, {proxy}")
    assert login(owner, "somchai").status_code == 302


def test_a_locked_out_user_resets_the_password_and_is_unlocked(somchai):
    office = Client(REMOTE_ADDR=OFFICE)
    fail(office, "somchai")
    assert login(office, "somchai").status_code == 429

    # The reset pages work while the login is locked out.
    assert office.get("/accounts/password/reset/").status_code == 200
    assert office.post("/accounts/password/reset/", {"email": somchai.email}).status_code == 302
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    form = office.get(link.split("testserver", 1)[1], follow=True)
    assert form.status_code == 200
    done = office.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302

    assert not AccessAttempt.objects.filter(username="somchai").exists()
    assert login(office, "somchai", NEW_PASSWORD).status_code == 302


def test_changing_the_password_ends_the_lockouts_of_that_username_only(somchai):
    fail(Client(REMOTE_ADDR=ELSEWHERE), "somchai")
    fail(Client(REMOTE_ADDR=ELSEWHERE), "someone-else")
    somchai.set_password(NEW_PASSWORD)
    somchai.save()
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["someone-else"]


def test_an_upgrade_of_the_hash_at_login_is_not_a_password_change(somchai):
    fail(Client(REMOTE_ADDR=ELSEWHERE), "somchai")
    somchai.refresh_from_db()
    assert somchai.check_password(PASSWORD)
    assert AccessAttempt.objects.filter(username="somchai").exists()


def test_an_administrator_lists_current_lockouts_and_unlocks_one(admin_client, somchai):
    fail(Client(REMOTE_ADDR=OFFICE), "somchai")
    fail(Client(REMOTE_ADDR=ELSEWHERE), "mallory", times=2)  # not locked out: not listed
    page = admin_client.get("/accounts/lockouts/", headers=EN)
    assert page.status_code == 200
    assert "somchai" in page.text and OFFICE in page.text
    assert "mallory" not in page.text

    attempt = AccessAttempt.objects.get(username="somchai")
    response = admin_client.post(f"/accounts/lockouts/{attempt.pk}/unlock/", headers=EN)
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="somchai").exists()
    assert login(Client(REMOTE_ADDR=OFFICE), "somchai").status_code == 302
    assert "may log in again" in admin_client.get("/accounts/lockouts/", headers=EN).text


def test_a_lockout_spread_over_several_browsers_is_listed_and_lifted_whole(admin_client, somchai):
    for agent in ("Firefox", "Chrome", "Safari"):
        fail(Client(REMOTE_ADDR=OFFICE, HTTP_USER_AGENT=agent), "somchai", times=2)
    assert AccessAttempt.objects.filter(username="somchai").count() == 3
    assert login(Client(REMOTE_ADDR=OFFICE, HTTP_USER_AGENT="Edge"), "somchai").status_code == 429
    page = admin_client.get("/accounts/lockouts/", headers=EN)
    assert page.text.count("<td>somchai</td>") == 1
    latest = AccessAttempt.objects.filter(username="somchai").latest("attempt_time")
    assert admin_client.post(f"/accounts/lockouts/{latest.pk}/unlock/").status_code == 302
    assert not AccessAttempt.objects.filter(username="somchai").exists()
    assert login(Client(REMOTE_ADDR=OFFICE, HTTP_USER_AGENT="Edge"), "somchai").status_code == 302


def test_a_pair_that_is_not_locked_out_cannot_be_unlocked(admin_client, somchai):
    fail(Client(REMOTE_ADDR=OFFICE), "somchai", times=2)
    attempt = AccessAttempt.objects.get(username="somchai")
    assert admin_client.post(f"/accounts/lockouts/{attempt.pk}/unlock/").status_code == 404
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_the_lockouts_page_is_in_thai_for_thai_readers(admin_client, somchai):
    fail(Client(REMOTE_ADDR=OFFICE), "somchai")
    page = admin_client.get("/accounts/lockouts/")
    assert "ปลดล็อก" in page.text
    assert "ชั่วระยะหนึ่ง" in page.text
    assert "Unlock" not in page.text


@pytest.mark.parametrize("role", ["staff", "council_editor", "viewer"])
def test_only_administrators_see_or_unlock_lockouts(client, somchai, role):
    from tests.factories import CouncilFactory

    extra = {"council": CouncilFactory()} if role == "council_editor" else {}
    client.force_login(UserFactory(username=f"u-{role}", role=role, **extra))
    fail(Client(REMOTE_ADDR=OFFICE), "somchai")
    attempt = AccessAttempt.objects.get(username="somchai")
    assert client.get("/accounts/lockouts/").status_code == 403
    assert client.post(f"/accounts/lockouts/{attempt.pk}/unlock/").status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_an_expired_or_unknown_lockout_is_not_found(admin_client):
    assert admin_client.post("/accounts/lockouts/999999/unlock/").status_code == 404
