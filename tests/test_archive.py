"""Archive instead of delete: gone from lists, figures and exports; back exactly on restore."""

import pytest
from django.contrib import admin

from councils.models import CommunityOrganisation, Council, CouncilMember
from tests.factories import (
    CommunityOrganisationFactory,
    CouncilFactory,
    CouncilMemberFactory,
    ProjectFactory,
    UserFactory,
)
from tests.helpers import content_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def what_the_council_owns(council):
    """Two members and an organisation: archived and restored with the council."""
    CouncilMemberFactory.create_batch(2, council=council)
    CommunityOrganisationFactory(council=council)


def test_archiving_hides_a_council_and_what_it_owns_from_lists_figures_and_exports(
    staff_client, council
):
    kept = CouncilFactory()
    before = staff_client.get("/").context["summary"]
    response = staff_client.post(f"/councils/{council.pk}/archive/", follow=True)
    # Staff land back on the council's page, told what archiving did.
    assert response.redirect_chain == [(council.get_absolute_url(), 302)]
    assert response.status_code == 200
    assert f"เก็บ “{council}” เข้าคลังแล้ว จะไม่ปรากฏในรายการ ตัวเลขสรุป และการส่งออก" in response.text
    council.refresh_from_db()
    assert council.is_archived
    assert not CouncilMember.objects.active().filter(council=council).exists()
    assert not CommunityOrganisation.objects.active().filter(council=council).exists()

    listed = [c.pk for c in staff_client.get("/councils/").context["object_list"]]
    assert listed == [kept.pk]
    csv = content_of(staff_client.get("/councils/?format=csv")).decode("utf-8-sig")
    assert council.name_th not in csv
    after = staff_client.get("/").context["summary"]
    assert after["councils"]["total"] == before["councils"]["total"] - 1
    assert after["organisations"]["total"] == before["organisations"]["total"] - 1


def test_archived_records_are_shown_on_request(staff_client, council):
    staff_client.post(f"/councils/{council.pk}/archive/")
    archived = staff_client.get("/councils/?archived=on").context["object_list"]
    assert [c.pk for c in archived] == [council.pk]
    detail = staff_client.get(f"/councils/{council.pk}/")
    assert detail.status_code == 200
    assert "alert-secondary" in detail.text
    assert f"/councils/{council.pk}/restore/" in detail.text


def test_restore_brings_back_exactly_what_was_archived(staff_client, council):
    removed_before = CouncilMemberFactory(council=council)
    removed_before.archive()
    staff_client.post(f"/councils/{council.pk}/archive/")
    staff_client.post(f"/councils/{council.pk}/restore/")
    council.refresh_from_db()
    assert not council.is_archived
    assert council.members.active().count() == 2
    assert council.organisations.active().count() == 1
    removed_before.refresh_from_db()
    assert removed_before.is_archived  # it was removed before, and stays so
    assert council.history.first().history_change_reason == "restore"


def test_an_archived_record_cannot_be_edited_until_restored(staff_client, council):
    staff_client.post(f"/councils/{council.pk}/archive/")
    assert staff_client.get(f"/councils/{council.pk}/edit/").status_code == 404


def test_a_viewer_cannot_archive(client, staff_user, council):
    viewer = UserFactory(username="v", role="viewer")
    viewer.provinces.set(staff_user.provinces.all())
    client.force_login(viewer)
    assert client.post(f"/councils/{council.pk}/archive/").status_code == 403
    council.refresh_from_db()
    assert not council.is_archived


def test_projects_and_their_rows_archive_together(staff_client):
    project = ProjectFactory()
    project.disbursements.create(paid_on="2023-01-01", amount=10)
    staff_client.post(f"/projects/{project.pk}/archive/")
    project.refresh_from_db()
    assert project.is_archived
    assert not project.disbursements.active().exists()


def test_the_admin_never_deletes_and_archives_instead(admin_client, council):
    model_admin = admin.site.get_model_admin(Council)
    assert not model_admin.has_delete_permission(None)
    response = admin_client.post(
        "/admin/councils/council/",
        {"action": "archive_selected", "_selected_action": [council.pk]},
        follow=True,
    )
    assert response.status_code == 200
    council.refresh_from_db()
    assert council.is_archived
    assert Council.objects.filter(pk=council.pk).exists()
