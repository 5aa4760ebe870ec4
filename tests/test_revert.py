"""Restoring an earlier version goes through the edit page's own form for the user: the
fields it locks stay as they are (and the page says so), a value outside the user's scope
refuses the whole revert, and nothing is written when refused."""

import pytest

from accounts.models import User
from councils.models import Council
from meetings.models import Meeting
from projects.models import Project
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    CouncilMemberFactory,
    DistrictFactory,
    MeetingFactory,
    ProjectFactory,
    ProvinceFactory,
    SubdistrictFactory,
    UserFactory,
)
from tests.helpers import EN

pytestmark = pytest.mark.django_db


@pytest.fixture
def bangkok_council(db):
    bangkok = ProvinceFactory(code="10", name_th="กรุงเทพมหานคร", name_en="Bangkok")
    district = DistrictFactory(province=bangkok, code="1001", name_th="พระนคร")
    return CouncilFactory(subdistrict=SubdistrictFactory(district=district, code="100101"))


@pytest.fixture
def editor(client, db):
    council = CouncilFactory(status=Council.Status.ACTIVE, households=100)
    user = UserFactory(username="sec", role=User.Role.COUNCIL_EDITOR, council=council)
    client.force_login(user)
    return council


def revert(client, record, version_row, **headers):
    kind = {"agency": "agencies"}.get(record._meta.model_name, record._meta.model_name + "s")
    url = f"/{kind}/{record.pk}/history/{version_row.history_id}/revert/"
    return client.post(url, follow=True, headers=headers)


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def first_version(record):
    return record.history.order_by("history_id").first()


def test_a_council_editor_reverting_keeps_the_status_its_form_locks(client, editor):
    editor.status, editor.households = Council.Status.DORMANT, 200
    editor.save()
    response = revert(client, editor, first_version(editor))
    editor.refresh_from_db()
    assert editor.status == Council.Status.DORMANT
    assert editor.households == 100
    assert any("สถานะ" in message and "บทบาท" in message for message in shown_messages(response))


def test_the_fields_left_as_they_are_are_named_in_english_too(client, editor):
    editor.status, editor.code = Council.Status.DISSOLVED, "C-NEW"
    editor.save()
    response = revert(client, editor, first_version(editor), **EN)
    editor.refresh_from_db()
    assert (editor.status, editor.code) == (Council.Status.DISSOLVED, "C-NEW")
    kept = [message for message in shown_messages(response) if "left as they are" in message]
    assert kept and "Status (your role may not change it)" in kept[0]
    assert "Registration code (your role may not change it)" in kept[0]


def test_a_council_editor_cannot_revert_its_council_into_another_district(client, editor):
    moved_from = editor.district
    other = SubdistrictFactory()
    Council.objects.filter(pk=editor.pk).update(district=other.district, subdistrict=other)
    editor.refresh_from_db()
    editor.save()
    revert(client, editor, first_version(editor))
    editor.refresh_from_db()
    assert editor.district_id == other.district_id != moved_from.pk


def test_staff_cannot_revert_a_project_into_a_council_of_another_province(
    staff_client, bangkok_council
):
    project = ProjectFactory(council=bangkok_council, budget_requested=1000)
    project.council = CouncilFactory()
    project.budget_requested = 2000
    project.save()
    version, entries = project.version, project.history.count()
    response = revert(staff_client, project, first_version(project))
    project.refresh_from_db()
    assert project.council != bangkok_council
    assert project.budget_requested == 2000  # nothing was written, not even the budget
    assert (project.version, project.history.count()) == (version, entries)
    assert any("ไม่มีการเปลี่ยนแปลง" in message for message in shown_messages(response))
    assert response.redirect_chain[-1][0] == f"/projects/{project.pk}/history/"


def test_staff_cannot_revert_a_meeting_into_another_province(staff_client, bangkok_council):
    meeting = MeetingFactory(province=bangkok_council.district.province, title="เดิม")
    meeting.province = ProvinceFactory()
    meeting.title = "ใหม่"
    meeting.save()
    response = revert(staff_client, meeting, first_version(meeting), **EN)
    meeting.refresh_from_db()
    assert (meeting.province_id, meeting.title) == ("33", "ใหม่")
    assert (
        Meeting.objects.visible_to(User.objects.get(username="somchai"))
        .filter(pk=meeting.pk)
        .exists()
    )
    refused = [message for message in shown_messages(response) if "cannot be restored" in message]
    assert refused and "Province" in refused[0] and "outside what you may choose" in refused[0]


def test_staff_cannot_revert_a_provincial_agency_to_a_national_one(staff_client):
    agency = AgencyFactory(province=None, name_th="เดิม")
    agency.province = ProvinceFactory()
    agency.name_th = "ใหม่"
    agency.save()
    revert(staff_client, agency.__class__.objects.get(pk=agency.pk), first_version(agency))
    agency.refresh_from_db()
    assert (agency.province_id, agency.name_th) == ("33", "ใหม่")


def test_a_valid_revert_restores_every_field_the_form_allows(staff_client):
    project = ProjectFactory(title_th="ชื่อเดิม", budget_requested=1000, status="proposed")
    project.title_th, project.budget_requested, project.status = "ชื่อใหม่", 5000, "approved"
    project.save()
    response = revert(staff_client, project, first_version(project))
    project.refresh_from_db()
    assert (project.title_th, project.budget_requested, project.status) == (
        "ชื่อเดิม",
        1000,
        "proposed",
    )
    assert project.history.first().history_change_reason == "revert:v1"
    assert not [m for m in shown_messages(response) if "ไม่ได้ย้อนกลับ" in m]


def test_a_council_editor_reverts_a_project_its_council_owns(client, editor):
    project = ProjectFactory(council=editor, title_th="ชื่อเดิม")
    project.title_th = "ชื่อใหม่"
    project.save()
    revert(client, project, first_version(project))
    project.refresh_from_db()
    assert project.title_th == "ชื่อเดิม"


def test_reverting_a_council_leaves_the_rows_it_owns_alone(staff_client):
    council = CouncilFactory(households=100)
    member = CouncilMemberFactory(council=council, full_name="นางบัวผัน ทองดี")
    council.households = 200
    council.save()
    member.full_name = "นางบัวผัน ใจดี"
    member.save()
    revert(staff_client, council, first_version(council))
    council.refresh_from_db()
    member.refresh_from_db()
    assert (council.households, member.full_name) == (100, "นางบัวผัน ใจดี")


def test_an_archived_record_is_restored_before_an_earlier_version(staff_client):
    project = ProjectFactory(title_th="ชื่อเดิม")
    project.title_th = "ชื่อใหม่"
    project.save()
    project.archive()
    response = revert(staff_client, project, first_version(project), **EN)
    project = Project.objects.get(pk=project.pk)
    assert project.is_archived and project.title_th == "ชื่อใหม่"
    assert any("restore it before" in message for message in shown_messages(response))


def test_the_invited_councils_of_a_meeting_survive_a_revert(staff_client, bangkok_council):
    meeting = MeetingFactory(title="เดิม")
    # Invited by an administrator: a council this staff member cannot see.
    meeting.invited_councils.add(bangkok_council, CouncilFactory())
    meeting.title = "ใหม่"
    meeting.save()
    revert(staff_client, meeting, first_version(meeting))
    meeting.refresh_from_db()
    assert meeting.title == "เดิม"
    assert meeting.invited_councils.count() == 2


def test_a_revert_that_would_leave_disbursements_above_the_approved_budget_is_refused(
    staff_client,
):
    project = ProjectFactory(budget_approved=10000)
    project.budget_approved = 90000
    project.save()
    project.disbursements.create(paid_on="2023-01-15", amount=50000)
    response = revert(staff_client, project, first_version(project), **EN)
    project.refresh_from_db()
    assert project.budget_approved == 90000
    refused = [message for message in shown_messages(response) if "cannot be restored" in message]
    assert refused and "more than the 10,000.00 approved" in refused[0]


def test_a_meeting_with_its_rows_reverts_when_the_rows_still_hold(staff_client):
    meeting = MeetingFactory(title="เดิม")
    meeting.objectives.create(position=1, text="เพื่อทดสอบ")
    meeting.resolutions.create(position=1, text="ติดตาม", owner_agency=AgencyFactory())
    meeting.title = "ใหม่"
    meeting.save()
    revert(staff_client, meeting, first_version(meeting))
    meeting.refresh_from_db()
    assert meeting.title == "เดิม"


# --- confirming with what will change --------------------------------------------------------


def test_only_earlier_versions_offer_a_restore_and_the_current_one_says_so(client, editor):
    editor.households = 200
    editor.save()
    page = client.get(f"/councils/{editor.pk}/history/").content.decode()
    latest = editor.history.order_by("-history_id").first()
    assert page.count("ย้อนกลับเป็นฉบับนี้") == 1
    assert f"/history/{first_version(editor).history_id}/revert/" in page
    assert f"/history/{latest.history_id}/revert/" not in page
    assert "ฉบับปัจจุบัน" in page


def test_the_restore_shows_what_changes_field_by_field_and_changes_nothing_yet(client, editor):
    editor.households = 200
    editor.save()
    version = first_version(editor)
    url = f"/councils/{editor.pk}/history/{version.history_id}/revert/"
    page = client.get(url).content.decode()
    assert "การย้อนกลับจะเปลี่ยน 1 ช่อง" in page
    assert "200" in page and "100" in page  # households: now 200, restored 100
    editor.refresh_from_db()
    assert editor.households == 200 and editor.history.count() == 2
    english = client.get(url, headers=EN).content.decode()
    assert "Restoring it changes 1 field" in english and "Restored" in english
    client.post(url)
    editor.refresh_from_db()
    assert editor.households == 100


def test_restoring_the_current_version_changes_nothing(client, editor):
    current = editor.history.order_by("-history_id").first()
    url = f"/councils/{editor.pk}/history/{current.history_id}/revert/"
    assert "ย้อนกลับแล้วจะไม่มีอะไรเปลี่ยน" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "คือข้อมูลปัจจุบัน" in " ".join(shown_messages(response))
    assert editor.history.count() == 1


def test_changes_made_by_the_system_can_be_left_out_of_the_history(client, editor):
    # The fixture's council was created outside any request: a system change.
    editor.households = 300
    editor.save()  # also outside a request: system
    client.post(
        f"/councils/{editor.pk}/history/{first_version(editor).history_id}/revert/"
    )  # a person's change
    people = client.get(f"/councils/{editor.pk}/history/?changes=people").content.decode()
    assert "ซ่อนการเปลี่ยนแปลงโดยระบบ 2 รายการ" in people
    assert people.count('class="card mb-2') == 1
    everything = client.get(f"/councils/{editor.pk}/history/").content.decode()
    assert everything.count('class="card mb-2') == 3
