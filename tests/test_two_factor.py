"""Two-step sign-in: admins and whoever may reveal personal data must use it, others may;
a code (or a one-time recovery code) after the password, before any page; wrong codes are
throttled; an admin resets a user's lost phone."""

import datetime
import logging

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts import twofactor
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.helpers import EN

ENROL = "/accounts/two-factor/enrol/"
VERIFY = "/accounts/two-factor/verify/"
PAGE = "/accounts/two-factor/"


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


@pytest.fixture
def admin(db):
    return UserFactory(username="boss", role="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def staff(db):
    return UserFactory(username="nipa", role="staff")


def sign_in(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password was refused"
    return response


def code(key: str, drift: int = 0) -> str:
    return f"{totp(bytes.fromhex(key), drift=drift):06d}"


def turn_on(user) -> tuple[str, list[str]]:
    key = random_hex(20)
    TOTPDevice.objects.create(user=user, name="authenticator", key=key, confirmed=True)
    return key, twofactor.new_recovery_codes(user)


def verified(client, user, key):
    sign_in(client, user)
    response = client.post(VERIFY, {"code": code(key)})
    assert response.status_code == 302 and response["Location"] == "/"
    return client


# --- who must, who may --------------------------------------------------------------------


def test_an_admin_without_two_step_sign_in_is_sent_to_enrolment_before_any_page(
    client, required, admin
):
    sign_in(client, admin)
    for path in ("/", "/councils/", "/admin/", PAGE, "/privacy/person/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(ENROL), path
    assert client.get("/").url == f"{ENROL}?next=%2F"
    assert client.get(ENROL).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.post("/accounts/logout/").url == "/accounts/login/"


def test_a_post_of_an_admin_without_it_changes_nothing(client, required, admin):
    from tests.factories import CouncilFactory

    council = CouncilFactory(name_th="เดิม")
    sign_in(client, admin)
    response = client.post(f"/councils/{council.pk}/edit/", {"name_th": "ใหม่"})
    assert response.status_code == 302 and response["Location"] == ENROL
    council.refresh_from_db()
    assert council.name_th == "เดิม"


def test_whoever_may_reveal_personal_data_must_enrol(client, required, staff):
    staff.user_permissions.add(Permission.objects.get(codename="reveal_personal_data"))
    sign_in(client, staff)
    assert client.get("/councils/")["Location"].startswith(ENROL)


@pytest.mark.parametrize("role", ["staff", "council_editor", "viewer"])
def test_other_roles_are_not_asked_for_a_second_step(client, db, required, role):
    from tests.factories import CouncilFactory

    council = CouncilFactory() if role == "council_editor" else None
    user = UserFactory(username="someone", role=role, council=council)
    sign_in(client, user)
    assert client.get("/").status_code == 200
    assert client.get(PAGE).status_code == 200


def test_when_not_required_an_admin_signs_in_with_the_password_alone(client, admin):
    sign_in(client, admin)
    assert client.get("/").status_code == 200


def test_a_user_who_turned_it_on_is_asked_for_the_code_even_when_optional(client, staff):
    key, _codes = turn_on(staff)
    response = sign_in(client, staff)
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == f"{VERIFY}?next=%2F"
    assert client.get("/councils/")["Location"].startswith(VERIFY)
    response = client.post(VERIFY, {"code": code(key), "next": "/councils/"})
    assert response["Location"] == "/councils/"
    assert client.get("/councils/").status_code == 200


def test_a_new_sign_in_asks_for_the_code_again(client, staff):
    key, _codes = turn_on(staff)
    verified(client, staff, key)
    client.post("/accounts/logout/")
    sign_in(client, staff)
    assert client.get("/")["Location"].startswith(VERIFY)


# --- enrolment ------------------------------------------------------------------------------


def secret_of(response) -> str:
    return response.context["secret"].replace(" ", "")


def key_of(secret: str) -> str:
    import base64

    padded = secret + "=" * (-len(secret) % 8)
    return base64.b32decode(padded).hex()


def test_enrolment_shows_a_qr_code_and_the_secret_and_confirms_with_a_code(client, required, admin):
    sign_in(client, admin)
    response = client.get(f"{ENROL}?next=/councils/")
    assert b"<svg" in response.content and response["Cache-Control"].startswith("max-age=0")
    key = key_of(secret_of(response))
    response = client.post(ENROL, {"code": code(key), "next": "/councils/"})
    assert response["Location"] == "/accounts/two-factor/recovery-codes/"
    device = TOTPDevice.objects.get(user=admin)
    assert device.confirmed and device.key == key
    page = client.get("/accounts/two-factor/recovery-codes/")
    codes = page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=admin).values_list("token", flat=True)
    )
    assert page.context["after"] == "/councils/"
    # Shown once: the page does not show them again.
    assert client.get("/accounts/two-factor/recovery-codes/")["Location"] == PAGE
    assert client.get("/councils/").status_code == 200


def test_the_secret_changes_when_the_enrolment_page_is_opened_again(client, admin):
    client.force_login(admin)
    first = secret_of(client.get(ENROL))
    second = secret_of(client.get(ENROL))
    assert first != second
    # Only the secret last shown is accepted.
    response = client.post(ENROL, {"code": code(key_of(first))})
    assert response.status_code == 200 and not TOTPDevice.objects.exists()


@pytest.mark.parametrize("wrong", ["000000", "12345", "1234567", "abcdef", "", "  "])
def test_enrolment_refuses_a_wrong_code_and_turns_nothing_on(client, required, admin, wrong):
    sign_in(client, admin)
    key = key_of(secret_of(client.get(ENROL)))
    if wrong == "000000" and code(key) == wrong:
        wrong = "000001"
    response = client.post(ENROL, {"code": wrong}, headers=EN)
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists()
    assert client.get("/")["Location"].startswith(ENROL)


def test_enrolment_without_a_secret_shown_starts_again(client, admin):
    client.force_login(admin)
    response = client.post(ENROL, {"code": "123456"})
    assert response["Location"] == ENROL
    assert not TOTPDevice.objects.exists()


def test_a_user_with_it_on_is_not_enrolled_twice(client, staff):
    key, _codes = turn_on(staff)
    verified(client, staff, key)
    assert client.get(ENROL)["Location"] == PAGE
    assert TOTPDevice.objects.filter(user=staff).count() == 1


# --- wrong codes, throttling, recovery codes --------------------------------------------------


@pytest.mark.parametrize("wrong", ["000000", "999999", "12 34 56", "abcdefgh", "x" * 40])
def test_a_wrong_code_is_refused(client, staff, wrong):
    key, _codes = turn_on(staff)
    sign_in(client, staff)
    if "".join(wrong.split()) == code(key):
        wrong = "000001"
    response = client.post(VERIFY, {"code": wrong}, headers=EN)
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert client.get("/councils/")["Location"].startswith(VERIFY)


def test_after_a_wrong_code_even_the_right_one_waits(client, staff):
    key, _codes = turn_on(staff)
    sign_in(client, staff)
    client.post(VERIFY, {"code": "000000" if code(key) != "000000" else "111111"})
    response = client.post(VERIFY, {"code": code(key)}, headers=EN)
    assert response.status_code == 200
    assert "Too many wrong codes" in response.context["form"].errors["code"][0]
    device = TOTPDevice.objects.get(user=staff)
    assert device.throttling_failure_count == 1
    # Once the wait is over, the right code is taken.
    device.throttling_failure_timestamp = timezone.now() - datetime.timedelta(seconds=2)
    device.save()
    response = client.post(VERIFY, {"code": code(key)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=staff).throttling_failure_count == 0


def test_the_wait_doubles_with_each_wrong_code(staff):
    key, _codes = turn_on(staff)
    device = TOTPDevice.objects.get(user=staff)
    device.throttling_failure_count = 5
    device.throttling_failure_timestamp = timezone.now() - datetime.timedelta(seconds=10)
    device.save()
    check = twofactor.check_code(staff, code(key))
    assert check.device is None and "6" in check.error  # 16 seconds, 10 gone


def test_the_throttle_message_is_in_thai(client, staff):
    key, _codes = turn_on(staff)
    sign_in(client, staff)
    client.post(VERIFY, {"code": "000000" if code(key) != "000000" else "111111"})
    response = client.post(VERIFY, {"code": code(key)})
    assert "รหัสผิดหลายครั้ง" in response.context["form"].errors["code"][0]


def test_a_code_is_not_taken_twice(client, staff):
    key, _codes = turn_on(staff)
    verified(client, staff, key)
    client.post("/accounts/logout/")
    sign_in(client, staff)
    response = client.post(VERIFY, {"code": code(key)})
    assert response.status_code == 200


def test_a_recovery_code_works_once(client, staff):
    key, codes = turn_on(staff)
    sign_in(client, staff)
    response = client.post(VERIFY, {"code": codes[0].upper()}, headers=EN)
    assert response.status_code == 302
    assert twofactor.recovery_codes_left(staff) == 9
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    sign_in(client, staff)
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200 and response.context["form"].errors["code"]
    StaticDevice.objects.filter(user=staff).update(throttling_failure_count=0)
    assert client.post(VERIFY, {"code": codes[1]}).status_code == 302


def test_another_users_code_is_refused(client, staff):
    key, _codes = turn_on(staff)
    other = UserFactory(username="other", role="staff")
    other_key, other_codes = turn_on(other)
    sign_in(client, staff)
    assert client.post(VERIFY, {"code": other_codes[0]}).status_code == 200
    assert StaticToken.objects.filter(token=other_codes[0]).exists()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_after_the_code_the_user_stays_on_this_site(client, staff, target):
    key, _codes = turn_on(staff)
    sign_in(client, staff)
    response = client.post(VERIFY, {"code": code(key), "next": target})
    assert response["Location"] == "/"


# --- the user's own page --------------------------------------------------------------------


def test_the_page_says_how_many_recovery_codes_are_left(client, staff):
    key, codes = turn_on(staff)
    StaticToken.objects.filter(token__in=codes[:3]).delete()
    verified(client, staff, key)
    response = client.get(PAGE, headers=EN)
    assert response.context["codes_left"] == 7
    assert "You have 7 recovery codes left." in response.content.decode()


def test_new_recovery_codes_replace_the_old_ones(client, staff):
    key, codes = turn_on(staff)
    verified(client, staff, key)
    response = client.post("/accounts/two-factor/recovery-codes/")
    assert response["Location"] == "/accounts/two-factor/recovery-codes/"
    new = client.get("/accounts/two-factor/recovery-codes/").context["codes"]
    assert len(new) == 10 and not set(new) & set(codes)
    assert twofactor.check_code(staff, codes[0]).device is None


def test_recovery_codes_are_not_made_for_a_user_with_it_off(client, staff):
    client.force_login(staff)
    assert client.post("/accounts/two-factor/recovery-codes/")["Location"] == PAGE
    assert not StaticDevice.objects.exists()


def test_an_optional_user_turns_it_off_with_a_code(client, required, staff):
    key, _codes = turn_on(staff)
    verified(client, staff, key)
    response = client.post("/accounts/two-factor/disable/", {"code": code(key, drift=1)})
    assert response["Location"] == PAGE
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists()
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("wrong", ["", "000000", "nonsense"])
def test_turning_it_off_needs_a_right_code(client, staff, wrong):
    key, _codes = turn_on(staff)
    verified(client, staff, key)
    if wrong == code(key, drift=1):
        wrong = "000001"
    response = client.post("/accounts/two-factor/disable/", {"code": wrong})
    assert response.status_code == 200 and response.context["disable_form"].errors
    assert TOTPDevice.objects.filter(user=staff).exists()


def test_an_admin_cannot_turn_it_off(client, required, admin):
    key, _codes = turn_on(admin)
    verified(client, admin, key)
    assert "Turn off" not in client.get(PAGE, headers=EN).content.decode()
    response = client.post(
        "/accounts/two-factor/disable/", {"code": code(key, drift=1)}, headers=EN
    )
    assert response["Location"] == PAGE
    assert TOTPDevice.objects.filter(user=admin).exists()
    messages = [str(m) for m in client.get(PAGE, headers=EN).context["messages"]]
    assert any("cannot be turned off" in m for m in messages)


def test_the_pages_speak_thai(client, staff):
    key, _codes = turn_on(staff)
    sign_in(client, staff)
    assert "ยืนยันตัวตนสองขั้นตอน" in client.get(VERIFY).content.decode()
    client.post(VERIFY, {"code": code(key)})
    page = client.get(PAGE).content.decode()
    assert "เปิดใช้" in page and "Two-step" not in page


# --- an admin resets a lost phone -----------------------------------------------------------


def reset(client, *users):
    return client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [u.pk for u in users]},
    )


def test_an_admin_resets_another_users_two_step_sign_in_and_it_is_logged(
    client, admin, staff, caplog
):
    turn_on(staff)
    client.force_login(admin)
    with caplog.at_level(logging.WARNING, logger="accounts.twofactor"):
        response = reset(client, staff)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticDevice.objects.filter(user=staff).exists()
    assert LogEntry.objects.filter(object_id=str(staff.pk), user=admin).exists()
    assert f"user {staff.pk} reset by admin {admin.pk}" in caplog.text


def test_after_a_reset_a_signed_in_admin_must_enrol_again(client, required, admin):
    other_admin = UserFactory(username="boss2", role="admin", is_staff=True, is_superuser=True)
    key, _codes = turn_on(admin)
    verified(client, admin, key)
    twofactor.reset(admin, by=other_admin)
    assert client.get("/")["Location"].startswith(ENROL)


def test_only_an_admin_may_reset(client, admin):
    key, _codes = turn_on(admin)
    # CODI staff given the admin site (is_staff) and every permission on users.
    staff = UserFactory(username="clerk", role="staff", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="accounts"))
    client.force_login(staff)
    page = client.get("/admin/accounts/user/")
    assert page.status_code == 200
    assert "reset_two_factor" not in page.content.decode()
    reset(client, admin)
    assert TOTPDevice.objects.filter(user=admin).exists()


def test_the_admin_shows_who_has_it_and_hides_the_secrets(client, admin, staff):
    turn_on(staff)
    client.force_login(admin)
    page = client.get("/admin/accounts/user/")
    assert page.status_code == 200
    users = {u.username: u.has_two_factor for u in page.context["cl"].result_list}
    assert users["nipa"] is True and users["boss"] is False
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_the_deploy_check_warns_when_it_is_not_required(settings):
    from accounts.checks import two_factor_required

    assert [w.id for w in two_factor_required(None)] == ["accounts.W001"]
    settings.TWO_FACTOR_REQUIRED = True
    assert two_factor_required(None) == []
