"""Logins, sessions and the hardening of every response."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD
from tests.factories import CouncilFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


def login(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_failed_logins_lock_out_the_account_with_the_same_message_whether_it_exists(client):
    UserFactory(username="somchai")
    for _ in range(4):
        assert login(client, "somchai", "wrong").status_code == 200
    assert login(client, "somchai", "wrong").status_code == 429  # the fifth failure
    locked = login(client, "somchai")  # now even the right password is refused
    assert locked.status_code == 429
    assert not locked.wsgi_request.user.is_authenticated
    assert "ลองใหม่" in locked.text

    other = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(5):
        other.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    ghost = other.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert ghost.status_code == 429
    assert without_tokens(ghost.text) == without_tokens(locked.text)


def test_the_lockout_is_kept_in_the_database_for_every_app_process(client):
    from axes.models import AccessAttempt

    UserFactory(username="somchai")
    login(client, "somchai", "wrong")
    assert AccessAttempt.objects.filter(username="somchai").exists()


def test_a_wrong_password_gives_the_same_answer_as_an_unknown_user(client):
    UserFactory(username="somchai")
    known = without_tokens(login(client, "somchai", "wrong").text)
    unknown = without_tokens(login(client, "nobody", "wrong").text)
    assert known.replace("somchai", "nobody") == unknown


def test_the_session_is_rotated_at_login(client):
    UserFactory(username="somchai")
    client.get("/accounts/login/")
    client.session["probe"] = 1
    before = client.session.session_key
    login(client, "somchai")
    assert client.session.session_key != before


def test_sessions_expire_after_an_idle_hour(settings):
    assert settings.SESSION_COOKIE_AGE == 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST


@pytest.mark.parametrize("password", ["12345678", "password", "short1"])
def test_weak_passwords_are_refused(password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password(password)


def test_login_refuses_to_redirect_to_another_site(client):
    UserFactory(username="somchai")
    response = client.post(
        "/accounts/login/?next=https://elsewhere.example/steal",
        {"username": "somchai", "password": PASSWORD, "next": "https://elsewhere.example/steal"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_every_post_needs_the_csrf_token(staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    council = CouncilFactory()
    response = client.post(f"/councils/{council.pk}/edit/", {"name_th": "x"})
    assert response.status_code == 403
    assert client.post("/accounts/logout/").status_code == 403


def test_password_reset_sends_a_link_by_email_and_says_the_same_for_unknown_addresses(client):
    UserFactory(username="somchai", email="somchai@example.org")
    known = client.post("/accounts/password/reset/", {"email": "somchai@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "ก้าวหน้า-ศรีสะเกษ-2569", "new_password2": "ก้าวหน้า-ศรีสะเกษ-2569"},
    )
    assert response.status_code == 302
    assert login(Client(), "somchai", "ก้าวหน้า-ศรีสะเกษ-2569").status_code == 302


def test_responses_carry_the_security_headers(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(staff_client):
    CouncilFactory()
    for path in ["/", "/councils/", "/accounts/password/change/"]:
        text = staff_client.get(path).text
        for tag in text.split("<script")[1:]:
            assert tag.lstrip().startswith("src="), f"inline script on {path}"
        assert " onclick=" not in text and " onload=" not in text


HOSTILE = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'


def test_user_text_is_escaped_on_every_page(staff_client):
    council = CouncilFactory(name_th=f"สภา{HOSTILE}", address=HOSTILE)
    for path in ["/councils/", f"/councils/{council.pk}/", f"/councils/{council.pk}/edit/"]:
        text = staff_client.get(path).text
        assert HOSTILE not in text
        assert "<img src=x" not in text
        assert "&lt;script&gt;" in text


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "EMAIL_HOST": "smtp.example.org",
        "HTTPS": "true",
        "SECRET_KEY": "k" * 20 + "production-secret-not-the-default-" + "z9" * 20,
        "ALLOWED_HOSTS": "portal.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
