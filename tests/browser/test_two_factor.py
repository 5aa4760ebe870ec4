"""An administrator sets up two-step sign-in in a real browser: the password, the QR code
and its secret, the first code, the recovery codes; then signs in again with a code."""

import base64

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(secret: str, drift: int = 0) -> str:
    """What the phone's app would show for the secret read from the page."""
    secret = "".join(secret.split())
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, drift=drift):06d}"


def test_an_admin_sets_up_two_step_sign_in_and_signs_in_with_a_code(
    page, log_in, screenshot, settings
):
    settings.TWO_FACTOR_REQUIRED = True
    log_in("boss", role="admin", is_staff=True, is_superuser=True)

    # Nothing but the set-up until it is done.
    expect(page).to_have_url("/accounts/two-factor/enrol/?next=%2F")
    page.goto("/councils/")
    expect(page).to_have_url("/accounts/two-factor/enrol/?next=%2Fcouncils%2F")
    expect(page.get_by_role("heading", name="เปิดใช้การยืนยันตัวตนสองขั้นตอน")).to_be_visible()
    expect(page.locator("figure.two-factor-qr svg")).to_be_visible()
    screenshot("two-factor-enrol")

    # "Scanning": the secret as the app would read it.
    secret = page.locator("[data-secret]").inner_text()
    page.get_by_label("รหัสจากแอป").fill("000000" if code_for(secret) != "000000" else "111111")
    page.get_by_role("button", name="เปิดใช้", exact=True).click()
    expect(page.get_by_text("รหัสไม่ถูกต้อง")).to_be_visible()
    page.get_by_label("รหัสจากแอป").fill(code_for(secret))
    page.get_by_role("button", name="เปิดใช้", exact=True).click()

    expect(page).to_have_url("/accounts/two-factor/recovery-codes/")
    codes = page.locator("[data-recovery-codes] li")
    expect(codes).to_have_count(10)
    shown = sorted(codes.all_inner_texts())
    assert shown == sorted(StaticToken.objects.values_list("token", flat=True))
    screenshot("two-factor-recovery-codes")
    page.get_by_role("link", name="เก็บรหัสไว้แล้ว").click()
    expect(page).to_have_url("/councils/")

    # The codes are shown once: the page does not show them again.
    page.goto("/accounts/two-factor/recovery-codes/")
    expect(page).to_have_url("/accounts/two-factor/")
    expect(page.get_by_text("คุณเหลือรหัสกู้คืน 10 รหัส")).to_be_visible()
    expect(page.get_by_role("button", name="ปิดใช้")).to_have_count(0)

    page.get_by_role("button", name="ออกจากระบบ").click()
    expect(page).to_have_url("/accounts/login/")

    page.get_by_label("ชื่อผู้ใช้").fill("boss")
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    expect(page).to_have_url("/accounts/two-factor/verify/?next=%2F")
    screenshot("two-factor-verify")
    # The code just used is not taken twice; the app's next one is.
    page.get_by_label("รหัส").fill(code_for(secret, drift=1))
    page.get_by_role("button", name="ดำเนินการต่อ").click()
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", name="ภาพรวมความร่วมมือ")).to_be_visible()
