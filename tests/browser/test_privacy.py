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


def test_an_admin_finds_downloads_and_erases_a_person_without_the_id_in_any_address(
    page, log_in, screenshot
):
    from tests.factories import CouncilMemberFactory

    national_id, name = "1101700203450", "นางสาวพิมพ์ใจ รักษ์ถิ่นเกิด"
    member = CouncilMemberFactory(full_name=name, national_id=national_id, phone="081-234-5678")
    addresses = []
    page.on("request", lambda request: addresses.append(request.url))
    log_in("boss", role="admin", is_staff=True, is_superuser=True)
    page.goto("/privacy/person/")
    page.get_by_label("เลขประจำตัวประชาชนหรือชื่อ-สกุล").fill(national_id)
    page.get_by_role("button", name="ค้นหา").click()
    expect(page.locator("#found-heading")).to_be_visible()
    expect(page.locator("main")).to_contain_text(name)
    with page.expect_download() as download:
        page.get_by_role("button", name="ดาวน์โหลดสำเนา (JSON)").click()
    assert national_id in download.value.path().read_text()
    page.get_by_label("เลขที่คำขอ (ไม่ใช่ชื่อบุคคล)").fill("REQ-2569-07")
    page.locator("#erase-confirm").check()
    screenshot("privacy-erase")
    page.get_by_role("button", name="ลบข้อมูลของบุคคล").click()
    expect(page.locator(".alert-success, .alert")).to_contain_text("ลบข้อมูล")
    member.refresh_from_db()
    assert (member.national_id, member.phone) == ("", "")
    assert addresses and not [url for url in addresses if national_id in url or "q=" in url]
