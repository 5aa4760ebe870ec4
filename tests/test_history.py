"""Every change is kept: who, when, by which path, what changed; and any version comes back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import Council
from tests.factories import (
    CouncilFactory,
    CouncilMemberFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    UserFactory,
)
from tests.test_forms import form_data

pytestmark = pytest.mark.django_db


def edit_council(client, council, **changes):
    url = f"/councils/{council.pk}/edit/"
    return client.post(url, form_data(client.get(url), **changes))


def test_a_form_edit_is_recorded_with_who_when_the_path_and_the_fields(staff_client, staff_user):
    council = CouncilFactory(households=1200)
    response = edit_council(staff_client, council, households="1,500")
    assert response.status_code == 302
    latest = council.history.first()
    assert latest.history_user == staff_user
    assert latest.history_change_reason == "form"
    assert latest.households == 1500

    page = staff_client.get(f"/councils/{council.pk}/history/")
    entry = page.context["entries"][0]
    assert entry.path == "แบบฟอร์ม"
    assert [(c.label, c.old, c.new) for c in entry.changes] == [
        ("จำนวนครัวเรือนในพื้นที่", "1200", "1500")
    ]
    assert "สมชาย" in page.text  # the staff member's name

    english = staff_client.get(
        f"/councils/{council.pk}/history/", headers={"accept-language": "en"}
    )
    assert ("Households covered", "1200", "1500") in [
        (c.label, c.old, c.new) for c in english.context["entries"][0].changes
    ]
    assert english.context["entries"][0].path == "form"


def test_a_change_in_the_admin_is_recorded_as_such(admin_client):
    council = CouncilFactory()
    url = f"/admin/councils/council/{council.pk}/change/"
    page = admin_client.get(url)
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None
    }
    data.update(
        {
            "name_th": "สภาองค์กรชุมชนตำบลใหม่",
            "district": council.district_id,
            "subdistrict": council.subdistrict_id,
            "established_on": "2015-03-01",
            "registered_on": "2015-06-01",
        }
    )
    for prefix in ("members", "organisations"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert council.history.first().history_change_reason == "admin"


def test_the_rows_a_council_owns_show_in_its_history(staff_client):
    council = CouncilFactory()
    member = CouncilMemberFactory(council=council, full_name="นางบัวผัน ทองดี")
    member.phone = "081-234-5678"
    member.save()
    entries = staff_client.get(f"/councils/{council.pk}/history/").context["entries"]
    owned = [entry for entry in entries if not entry.is_main]
    assert [entry.object_label for entry in owned] == ["นางบัวผัน ทองดี"] * 2
    assert ("โทรศัพท์", "–", "081-234-5678") in [(c.label, c.old, c.new) for c in owned[0].changes]


def test_a_project_partner_is_named_by_its_agency(staff_client):
    partner = ProjectPartnerFactory()
    entries = staff_client.get(f"/projects/{partner.project_id}/history/").context["entries"]
    assert str(partner.agency) in [entry.object_label for entry in entries]


def test_reverting_restores_an_earlier_version_as_a_new_entry(staff_client):
    council = CouncilFactory(households=1200, phone="")
    edit_council(staff_client, council, households="1,500", phone="0812345678")
    first = council.history.order_by("history_id").first()
    response = staff_client.post(f"/councils/{council.pk}/history/{first.history_id}/revert/")
    assert response.status_code == 302
    council.refresh_from_db()
    assert (council.households, council.phone) == (1200, "")
    assert council.version == 3
    latest = council.history.first()
    assert latest.history_change_reason == "revert:v1"
    assert council.history.count() == 3
    entries = staff_client.get(f"/councils/{council.pk}/history/").context["entries"]
    assert entries[0].path == "ย้อนกลับ v1"


def test_a_viewer_cannot_revert_and_a_stranger_does_not_see_the_history(client, staff_user):
    council = CouncilFactory()
    council.save()
    first = council.history.last()
    viewer = UserFactory(username="v", role="viewer")
    viewer.provinces.set(staff_user.provinces.all())
    client.force_login(viewer)
    assert client.get(f"/councils/{council.pk}/history/").status_code == 200
    assert (
        client.post(f"/councils/{council.pk}/history/{first.history_id}/revert/").status_code == 403
    )
    stranger = UserFactory(username="e", role="council_editor", council=CouncilFactory())
    client.force_login(stranger)
    assert client.get(f"/councils/{council.pk}/history/").status_code == 404


def test_the_history_page_runs_the_same_queries_for_a_long_history(staff_client):
    council = CouncilFactory()
    # With phones from the start: the page logs that it shows them, once, however long.
    members = CouncilMemberFactory.create_batch(3, council=council, phone="0812345678")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(f"/councils/{council.pk}/history/").status_code == 200
        return len(queries)

    short = count()
    for number in range(20):
        council.households = number
        council.save()
        for member in members:
            member.phone = f"08{number:08}"
            member.save()
    assert count() == short


def test_archiving_is_recorded_in_the_history(staff_client):
    project = ProjectFactory()
    project.archive()
    assert project.history.first().archived_at is not None
    assert Council.history.model.objects.exists()


def test_the_portal_app_runs_its_own_config():
    """portal/apps.py holds several app configs (the admin's, axes', the task queue's); the
    portal's own must stay the one Django picks, or its signal handlers are never connected
    (every change then lost its path: form, admin, import)."""
    from django.apps import apps

    from portal.apps import PortalConfig

    assert type(apps.get_app_config("portal")) is PortalConfig
