"""Every reference a write path takes (a council, project, meeting, agency, subdistrict or
owner) is checked against the user's scope with the edit forms' rules, and a record outside
the scope is told exactly as an unknown one is: no message reveals that it exists."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from imports import service
from imports.models import ImportBatch
from meetings.forms import CarryForm
from meetings.models import Attendance, Resolution
from meetings.services import carry_over
from projects.models import Disbursement, Project, ProjectPartner
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    DistrictFactory,
    MeetingFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProvinceFactory,
    ResolutionFactory,
    SubdistrictFactory,
    UserFactory,
)
from tests.helpers import EN, bangkok
from tests.test_imports import messages_of, xlsx


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_geography", "--province", "33", verbosity=0)
    with translation.override("en"):
        yield


@pytest.fixture
def ubon(db):
    return ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")


@pytest.fixture
def home():
    """A Sisaket council, in the staff user's scope."""
    return CouncilFactory(
        code="C330401", name_th="สภาองค์กรชุมชนตำบลบึงมะลู", subdistrict_id="330401", district_id="3304"
    )


@pytest.fixture
def foreign(ubon):
    """A council of Ubon Ratchathani: outside a Sisaket user's scope."""
    district = DistrictFactory(province=ubon, code="3401", name_th="เมืองอุบลราชธานี")
    subdistrict = SubdistrictFactory(district=district, code="340101", name_th="ในเมือง")
    return CouncilFactory(code="C340101", name_th="สภาองค์กรชุมชนตำบลในเมือง", subdistrict=subdistrict)


def run(user, kind, rows):
    return service.store_upload(SimpleUploadedFile("file.xlsx", xlsx(rows)), kind, user)


def assert_told_alike(batch, foreign_text, unknown_text):
    """The row naming a foreign record and the row naming an unknown one are both errors,
    with the same message but for the name written."""
    foreign_row, unknown_row = batch.preview["rows"][-2:]
    assert foreign_row["outcome"] == unknown_row["outcome"] == "error"
    foreign_messages = messages_of(foreign_row)
    unknown_messages = messages_of(unknown_row)
    assert foreign_messages
    assert [m.replace(foreign_text, "…") for m in foreign_messages] == [
        m.replace(unknown_text, "…") for m in unknown_messages
    ]
    for message in foreign_messages:
        assert "outside" not in message and "province" not in message


# One test per kind of import ------------------------------------------------------------------


def test_a_member_of_a_foreign_council_is_told_as_an_unknown_council(staff_user, home, foreign):
    rows = [
        ["รหัสสภา", "ชื่อ-สกุล"],
        ["C330401", "นางสาวใจดี มีสุข"],
        ["C340101", "นายข้าม เขต"],
        ["C999999", "นายไม่มี สภา"],
    ]
    batch = run(staff_user, "members", rows)
    assert batch.preview["rows"][0]["outcome"] == "new"
    assert_told_alike(batch, "C340101", "C999999")
    assert messages_of(batch.preview["rows"][1]) == ['No council has the code or name "C340101".']


def test_a_foreign_council_named_by_its_name_is_not_found_either(staff_user, home, foreign):
    rows = [
        ["สภา", "ชื่อ-สกุล"],
        [foreign.name_th, "นายข้าม เขต"],
        ["สภาองค์กรชุมชนตำบลไม่มีจริง", "นายไม่มี สภา"],
    ]
    assert_told_alike(run(staff_user, "members", rows), foreign.name_th, "สภาองค์กรชุมชนตำบลไม่มีจริง")


def test_a_name_shared_with_a_foreign_council_is_not_ambiguous_and_lists_no_foreign_code(
    staff_user, home, foreign
):
    foreign.name_th = home.name_th
    foreign.save()
    batch = run(staff_user, "members", [["สภา", "ชื่อ-สกุล"], [home.name_th, "นางสาวใจดี มีสุข"]])
    assert batch.preview["rows"][0]["outcome"] == "new"


def test_a_community_organisation_of_a_foreign_council(staff_user, home, foreign):
    rows = [
        ["สภา", "ชื่อกลุ่ม"],
        ["C340101", "กลุ่มออมทรัพย์"],
        ["C999999", "กลุ่มออมทรัพย์"],
    ]
    assert_told_alike(run(staff_user, "organisations", rows), "C340101", "C999999")


def test_a_project_led_by_a_foreign_council(staff_user, home, foreign):
    ProgrammeFactory()
    rows = [
        ["Project code", "Title (Thai)", "Programme", "Lead council", "Fiscal year (B.E.)"],
        ["X-1", "โครงการ", "community-welfare", "C340101", 2567],
        ["X-2", "โครงการ", "community-welfare", "C999999", 2567],
    ]
    assert_told_alike(run(staff_user, "projects", rows), "C340101", "C999999")


def test_a_project_moved_to_a_foreign_council_is_refused(staff_user, home, foreign):
    ProgrammeFactory()
    ProjectFactory(code="SSK-1", council=home)
    rows = [["Project code", "Lead council"], ["SSK-1", "C340101"], ["SSK-1", "C999999"]]
    batch = run(staff_user, "projects", rows)
    assert_told_alike(batch, "C340101", "C999999")
    assert Project.objects.get(code="SSK-1").council == home


def test_a_partner_of_a_foreign_project(staff_user, home, foreign):
    ProjectFactory(code="UBN-1", council=foreign)
    AgencyFactory(code="pao")
    rows = [["รหัสโครงการ", "หน่วยงาน"], ["UBN-1", "pao"], ["NOPE-1", "pao"]]
    batch = run(staff_user, "partners", rows)
    assert_told_alike(batch, "UBN-1", "NOPE-1")
    assert not ProjectPartner.objects.exists()


def test_an_archived_agency_is_not_offered_to_a_partner_row(staff_user, home):
    ProjectFactory(code="SSK-1", council=home)
    gone = AgencyFactory(code="gone")
    gone.archive()
    rows = [["รหัสโครงการ", "หน่วยงาน"], ["SSK-1", "gone"], ["SSK-1", "never"]]
    assert_told_alike(run(staff_user, "partners", rows), "gone", "never")


def test_a_disbursement_of_a_foreign_project(staff_user, home, foreign):
    ProjectFactory(code="UBN-1", council=foreign)
    rows = [
        ["รหัสโครงการ", "วันที่โอน", "จำนวนเงิน"],
        ["UBN-1", "1/2/2567", "5,000"],
        ["NOPE-1", "1/2/2567", "5,000"],
    ]
    batch = run(staff_user, "disbursements", rows)
    assert_told_alike(batch, "UBN-1", "NOPE-1")
    assert not Disbursement.objects.exists()


def test_attendance_at_a_foreign_meeting_is_told_as_an_unknown_meeting(staff_user, ubon):
    meeting = MeetingFactory(province=ubon, title="ประชุมอุบล")
    rows = [["การประชุม", "ชื่อ-สกุล"], [meeting.pk, "นายข้าม เขต"], [meeting.pk + 100, "นายไม่มี"]]
    assert_told_alike(run(staff_user, "attendance", rows), str(meeting.pk), str(meeting.pk + 100))
    by_title = [["การประชุม", "ชื่อ-สกุล"], ["ประชุมอุบล", "นายข้าม เขต"], ["ไม่มี", "นายไม่มี"]]
    assert_told_alike(run(staff_user, "attendance", by_title), "ประชุมอุบล", "ไม่มี")


def test_attendance_from_a_foreign_council_on_a_sisaket_meeting_is_refused(
    staff_user, sisaket, home, foreign
):
    meeting = MeetingFactory(province=sisaket)
    rows = [
        ["การประชุม", "ชื่อ-สกุล", "สภาองค์กรชุมชน"],
        [meeting.pk, "นางสาวใจดี มีสุข", "C330401"],
        [meeting.pk, "นายข้าม เขต", "C340101"],
        [meeting.pk, "นายไม่มี สภา", "C999999"],
    ]
    batch = run(staff_user, "attendance", rows)
    assert batch.preview["rows"][0]["outcome"] == "new"
    assert_told_alike(batch, "C340101", "C999999")
    service.commit(batch, staff_user, ImportBatch.Mode.VALID)
    assert list(Attendance.objects.values_list("council__code", flat=True)) == ["C330401"]


def test_a_council_of_the_users_other_province_is_not_on_a_meeting_of_this_one(
    sisaket, ubon, home, foreign
):
    """The attendance form offers the councils of the meeting's province only; so does the
    import, even to a user who works in both provinces."""
    both = UserFactory(role="staff")
    both.provinces.add(sisaket, ubon)
    meeting = MeetingFactory(province=sisaket)
    rows = [["การประชุม", "ชื่อ-สกุล", "สภาองค์กรชุมชน"], [meeting.pk, "นายข้าม เขต", "C340101"]]
    batch = run(both, "attendance", rows)
    assert messages_of(batch.preview["rows"][0]) == [
        "สภาองค์กรชุมชนตำบลในเมือง is not in the meeting's province."
    ]


def test_a_council_of_another_province_is_refused_for_a_new_council(staff_user, ubon):
    call_command("load_geography", "--province", "34", verbosity=0)
    rows = [["ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ"], ["สภาฯ", "ในเมือง", "เมืองอุบลราชธานี"]]
    batch = run(staff_user, "councils", rows)
    assert messages_of(batch.preview["rows"][0]) == ["This record is outside your provinces."]


def test_an_agency_of_another_province_is_refused_for_staff(staff_user, ubon):
    rows = [["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "ภาคส่วน", "จังหวัด"], ["ubn", "อบจ.อุบล", "local", "34"]]
    batch = run(staff_user, "agencies", rows)
    assert messages_of(batch.preview["rows"][0]) == ["This record is outside your provinces."]


# Carrying a resolution over ---------------------------------------------------------------------


@pytest.fixture
def owned(sisaket, home):
    return ResolutionFactory(
        meeting=MeetingFactory(province=sisaket, starts_at=bangkok(2023, 1, 10, 9, 0)),
        owner_council=home,
        owner_agency=None,
    )


@pytest.fixture
def both_provinces(sisaket, ubon):
    user = UserFactory(role="staff")
    user.provinces.add(sisaket, ubon)
    return user


def test_a_councils_resolution_is_not_offered_for_a_meeting_of_another_province(
    both_provinces, owned, ubon, sisaket
):
    there = MeetingFactory(province=ubon, starts_at=bangkok(2023, 3, 1, 9, 0))
    here = MeetingFactory(province=sisaket, starts_at=bangkok(2023, 3, 2, 9, 0))
    form = CarryForm(resolution=owned, user=both_provinces)
    assert list(form.fields["meeting"].queryset) == [here]
    refused = CarryForm({"meeting": there.pk}, resolution=owned, user=both_provinces)
    assert not refused.is_valid()
    assert "meeting" in refused.errors


def test_carrying_over_checks_the_owners_province_again(owned, ubon):
    there = MeetingFactory(province=ubon, starts_at=bangkok(2023, 3, 1, 9, 0))
    with pytest.raises(ValidationError, match="it is carried to a meeting of its province"):
        carry_over(owned, there, datetime.date(2023, 6, 1), "en")
    assert not Resolution.objects.filter(meeting=there).exists()


def test_carrying_over_by_post_to_a_meeting_of_another_province_is_refused(
    client, both_provinces, owned, ubon
):
    there = MeetingFactory(province=ubon, starts_at=bangkok(2023, 3, 1, 9, 0))
    client.force_login(both_provinces)
    response = client.post(
        f"/meetings/resolutions/{owned.pk}/carry/", {"carry-meeting": there.pk}, headers=EN
    )
    assert response.status_code == 400
    assert not Resolution.objects.filter(meeting=there).exists()


def test_an_agencys_resolution_is_carried_to_any_meeting_the_user_edits(
    both_provinces, sisaket, ubon
):
    resolution = ResolutionFactory(
        meeting=MeetingFactory(province=sisaket, starts_at=bangkok(2023, 1, 10, 9, 0))
    )
    there = MeetingFactory(province=ubon, starts_at=bangkok(2023, 3, 1, 9, 0))
    form = CarryForm({"meeting": there.pk}, resolution=resolution, user=both_provinces)
    assert form.is_valid(), form.errors
