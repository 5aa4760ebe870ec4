"""The other kinds of the import centre: community organisations, agencies, projects, their
partners and their disbursements."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from councils.models import Agency, CommunityOrganisation
from imports import service
from imports.models import ImportBatch
from imports.spreadsheets import template_workbook
from projects.models import Disbursement, Project, ProjectPartner
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProvinceFactory,
    UserFactory,
)
from tests.test_imports import messages_of, rows_by_number, xlsx


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_geography", "--province", "33", verbosity=0)
    with translation.override("en"):
        yield


@pytest.fixture
def council(db):
    return CouncilFactory(
        code="C330401",
        name_th="สภาองค์กรชุมชนตำบลบึงมะลู",
        subdistrict_id="330401",
        district_id="3304",
    )


def run(user, kind, rows, name="file.xlsx"):
    return service.store_upload(SimpleUploadedFile(name, xlsx(rows)), kind, user)


def test_community_organisations(staff_user, council):
    rows = [
        ["รายชื่อองค์กรชุมชน ต.บึงมะลู"],
        ["ที่", "สภา", "ชื่อกลุ่ม", "ประเภท", "จำนวนสมาชิก", "วันที่จัดตั้ง"],
        [1, "สภาองค์กรชุมชนตำบลบึงมะลู", "กลุ่มออมทรัพย์บ้านโนน", "กลุ่มออมทรัพย์", "45 คน", "๑/๖/๒๕๖๐"],
        [2, "C330401", "ชมรมผู้สูงอายุ", "elderly club", "๑๒๐", ""],
        [3, "C330401", "กลุ่มแปลก", "ไม่มีประเภทนี้", 10, ""],
    ]
    batch = run(staff_user, "organisations", rows)
    found = rows_by_number(batch)
    assert (found[3]["outcome"], found[4]["outcome"], found[5]["outcome"]) == (
        "new",
        "new",
        "error",
    )
    assert "not one of the allowed values" in messages_of(found[5])[0]
    service.commit(batch, staff_user, ImportBatch.Mode.VALID)
    savings = CommunityOrganisation.objects.get(name="กลุ่มออมทรัพย์บ้านโนน")
    assert (savings.council, savings.kind, savings.member_count) == (council, "savings", 45)
    assert savings.established_on == datetime.date(2017, 6, 1)
    assert CommunityOrganisation.objects.get(name="ชมรมผู้สูงอายุ").kind == "elderly"
    again = run(staff_user, "organisations", rows[:4])
    assert (again.rows_new, again.rows_changed, again.rows_unchanged) == (0, 0, 2)


def test_agencies_staff_keep_their_provinces_and_admins_the_national_ones(staff_user, admin_user):
    rows = [
        ["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "ชื่อย่อ", "ภาคส่วน", "จังหวัด", "โทรศัพท์"],
        [
            "ssk-pao",
            "องค์การบริหารส่วนจังหวัดศรีสะเกษ",
            "อบจ.ศก.",
            "องค์กรปกครองส่วนท้องถิ่น",
            "จ.ศรีสะเกษ",
            "045611234",
        ],
        ["nhso", "สำนักงานหลักประกันสุขภาพแห่งชาติ", "สปสช.", "central", "ทั่วประเทศ", ""],
        ["x", "หน่วยงาน x", "", "central", "ไม่มีจังหวัดนี้", ""],
    ]
    with translation.override("th"):
        local_label = str(Agency.Sector.LOCAL.label)
    rows[1][3] = local_label
    batch = run(staff_user, "agencies", rows)
    found = rows_by_number(batch)
    assert found[2]["outcome"] == "new"
    assert messages_of(found[3]) == ["National agencies are kept by administrators."]
    assert messages_of(found[4]) == ['No province is called "ไม่มีจังหวัดนี้".']
    service.commit(batch, staff_user, ImportBatch.Mode.VALID)
    pao = Agency.objects.get(code="ssk-pao")
    assert (pao.sector, pao.province_id, pao.phone) == ("local", "33", "045-611-234")
    by_admin = run(admin_user, "agencies", rows[:3])
    assert (by_admin.rows_new, by_admin.rows_unchanged, by_admin.rows_error) == (1, 1, 0)


def test_projects_with_thai_amounts_christian_years_and_references(staff_user, council):
    ProgrammeFactory(code="housing", name_th="บ้านมั่นคงชนบท", name_en="Rural secure housing")
    rows = [
        ["รหัสโครงการ", "ชื่อโครงการ", "แผนงาน", "สภา", "ปีงบประมาณ", "งบประมาณที่ขอ", "วันเริ่ม", "สถานะ"],
        [
            "SSK-1",
            "ซ่อมบ้านผู้สูงอายุ",
            "บ้านมั่นคงชนบท",
            "C330401",
            "2566",
            "๑๕๐,๐๐๐ บาท",
            "1 พ.ย. 2565",
            "อนุมัติแล้ว",
        ],
        ["SSK-2", "ปรับปรุงที่อยู่", "housing", "C330401", 2023, "90,000", "2022-11-01", ""],
        ["SSK-3", "ผิดแผน", "ไม่มีแผนงาน", "C330401", 2566, "1", "", ""],
        ["SSK-4", "ผิดปี", "housing", "C330401", 2800, "1", "", ""],
    ]
    with translation.override("th"):
        rows[1][7] = str(Project.Status.APPROVED.label)
    batch = run(staff_user, "projects", rows)
    found = rows_by_number(batch)
    assert [found[n]["outcome"] for n in (2, 3, 4, 5)] == ["new", "new", "error", "error"]
    assert messages_of(found[4]) == ['No programme has the code or name "ไม่มีแผนงาน".']
    assert found[5]["errors"][0]["column"] == "ปีงบประมาณ"
    service.commit(batch, staff_user, ImportBatch.Mode.VALID)
    first = Project.objects.get(code="SSK-1")
    assert (first.fiscal_year, first.budget_requested, first.status) == (
        2566,
        Decimal("150000"),
        "approved",
    )
    assert first.start_date == datetime.date(2022, 11, 1)
    assert Project.objects.get(code="SSK-2").fiscal_year == 2566  # 2023 → B.E.
    again = run(staff_user, "projects", rows[:3])
    assert (again.rows_new, again.rows_changed, again.rows_unchanged) == (0, 0, 2)


def test_a_project_of_a_council_outside_the_users_provinces_is_an_error(council):
    elsewhere = UserFactory(role="staff")
    elsewhere.provinces.add(ProvinceFactory(code="34", name_th="อุบลราชธานี"))
    ProgrammeFactory()
    rows = [["Project code", "Title (Thai)", "Programme", "Lead council", "Fiscal year (B.E.)"]]
    rows.append(["X-1", "โครงการ", "community-welfare", "C330401", 2567])
    batch = run(elsewhere, "projects", rows)
    # Told as an unknown council is: nothing says that C330401 exists elsewhere.
    assert messages_of(batch.preview["rows"][0]) == ['No council has the code or name "C330401".']


def test_partners_and_disbursements(staff_user, council):
    project = ProjectFactory(code="SSK-9", council=council)
    agency = AgencyFactory(code="ssk-pao", short_name="อบจ.ศก.")
    partners = [
        ["รหัสโครงการ", "หน่วยงาน", "บทบาท", "งบสมทบ"],
        ["SSK-9", "อบจ.ศก.", "co-funder", "20,000 บาท"],
        ["SSK-9", "ไม่มีหน่วยงานนี้", "other", 0],
        ["NOPE", "ssk-pao", "other", 0],
    ]
    batch = run(staff_user, "partners", partners)
    found = rows_by_number(batch)
    assert found[2]["outcome"] == "new"
    assert messages_of(found[3]) == ['No agency has the code or name "ไม่มีหน่วยงานนี้".']
    assert messages_of(found[4]) == ['No project has the code "NOPE".']
    service.commit(batch, staff_user, ImportBatch.Mode.VALID)
    partner = ProjectPartner.objects.get()
    assert (partner.project, partner.agency, partner.role, partner.contribution) == (
        project,
        agency,
        "funder",
        Decimal("20000"),
    )

    payments = [
        ["รหัสโครงการ", "วันที่โอน", "จำนวนเงิน", "เลขที่อ้างอิง"],
        ["SSK-9", "15 ม.ค. 2566", "45,000", "TR-1"],
        ["SSK-9", "15/02/2566", "๒๕,๐๐๐", ""],
        ["SSK-9", "15/03/2566", "0", ""],
    ]
    batch = run(staff_user, "disbursements", payments)
    found = rows_by_number(batch)
    assert messages_of(found[4]) == ["The amount must be more than zero."]
    service.commit(batch, staff_user, ImportBatch.Mode.VALID)
    assert sorted(Disbursement.objects.values_list("amount", flat=True)) == [
        Decimal("25000"),
        Decimal("45000"),
    ]
    again = run(staff_user, "disbursements", payments[:3])
    assert (again.rows_new, again.rows_unchanged) == (0, 2)
    payments[1][2] = "46,000"  # a corrected amount, same reference
    fixed = run(staff_user, "disbursements", payments[:3])
    assert (fixed.rows_changed, fixed.rows_unchanged) == (1, 1)
    service.commit(fixed, staff_user, ImportBatch.Mode.ALL)
    assert Disbursement.objects.get(reference="TR-1").amount == Decimal("46000")
    service.undo(fixed, staff_user)
    assert Disbursement.objects.get(reference="TR-1").amount == Decimal("45000")


@pytest.mark.parametrize("kind", ImportBatch.Kind.values)
def test_every_kind_has_a_template_that_reads_back(staff_user, council, kind):
    ProgrammeFactory()
    content = template_workbook(service.KINDS[kind], staff_user)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Data", "Instructions", "Valid values"]
    headers = [cell.value for cell in book["Data"][1]]
    table = __import__("imports.reading", fromlist=["read_table"])
    try:
        table.read_table(io.BytesIO(content), "t.xlsx", service.KINDS[kind].match_header)
    except table.FileRejected as exc:
        assert str(exc) == "The file has a header row but no data rows."
    instructions = [row[0] for row in book["Instructions"].iter_rows(values_only=True)]
    assert all(header in instructions for header in headers)


def test_meeting_attendance(staff_user, council):
    from meetings.models import Attendance
    from tests.factories import MeetingFactory

    meeting = MeetingFactory(title="เวทีภาคีจังหวัด 2565")
    AgencyFactory(code="ssk-pao", short_name="อบจ.ศก.")
    rows = [
        ["รายชื่อผู้เข้าร่วมประชุม"],
        ["ลำดับ", "การประชุม", "ชื่อ-สกุล", "ตำแหน่ง", "สภา", "หน่วยงาน", "เบอร์โทร", "บทบาท"],
        [1, "เวทีภาคีจังหวัด 2565", "นายสมชาย ใจดี", "ประธานสภา", "C330401", "", "๐๘๑๒๓๔๕๖๗๘", "ประธาน"],
        [2, meeting.pk, "", "นายก อบจ.", "", "อบจ.ศก.", "", ""],
        [3, meeting.pk, "นางสองที่ มาจากไหน", "", "C330401", "อบจ.ศก.", "", ""],
        [4, "ไม่มีการประชุมนี้", "นายหลง", "", "", "", "", ""],
    ]
    batch = run(staff_user, "attendance", rows)
    found = rows_by_number(batch)
    assert (found[3]["outcome"], found[4]["outcome"]) == ("new", "new")
    assert messages_of(found[5]) == ["A person comes from a council or an agency, not both."]
    assert messages_of(found[6]) == ['No meeting has the number or title "ไม่มีการประชุมนี้".']
    service.commit(batch, staff_user, ImportBatch.Mode.VALID)
    chair = Attendance.objects.get(person_name="นายสมชาย ใจดี")
    assert (chair.meeting, chair.council, chair.role, chair.phone) == (
        meeting,
        council,
        "chair",
        "081-234-5678",
    )
    assert Attendance.objects.get(position="นายก อบจ.").agency.code == "ssk-pao"
    again = run(staff_user, "attendance", rows[:4])
    assert (again.rows_new, again.rows_unchanged) == (0, 2)
