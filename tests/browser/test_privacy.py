"""A provincial official reads a council's page with personal data masked, reveals it with the
permission, and the reveal is logged; a council editor cannot open another council."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from councils.models import Council
from privacy.models import AccessLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_viewer_sees_masked_phones_and_reveals_them_with_the_permission(page, log_in):
    call_command("seed_demo")
    council = Council.objects.get(code="C330401")
    phone = council.members.order_by("pk").first().phone
    log_in("official", role="viewer")
    page.goto(f"/councils/{council.pk}/")
    members = page.locator("section", has=page.get_by_role("heading", name="สมาชิก"))
    expect(members).to_contain_text("ปิดบังหมายเลขโทรศัพท์")
    expect(members).not_to_contain_text(phone)
    expect(members).to_contain_text(f"xxx-xxx-{phone[-4:]}")
    expect(page.get_by_role("link", name="แสดงข้อมูล")).to_have_count(0)

    official = User.objects.get(username="official")
    official.user_permissions.add(Permission.objects.get(codename="reveal_personal_data"))
    page.reload()
    page.get_by_role("link", name="แสดงข้อมูล (ระบบบันทึกการเข้าถึง)").click()
    expect(members).to_contain_text(phone)
    assert AccessLog.objects.filter(user=official, action="reveal").count() == 1


def test_a_council_editor_changing_the_id_in_the_url_gets_not_found(page, log_in):
    call_command("seed_demo")
    own, other = Council.objects.order_by("code")[:2]
    log_in("secretary", role="council_editor", council=own)
    page.goto(f"/councils/{own.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(own.name_th)
    response = page.goto(f"/councils/{other.pk}/")
    assert response.status == 404
    page.goto("/councils/")
    expect(page.locator("#result-count")).to_contain_text("1 รายการ")
