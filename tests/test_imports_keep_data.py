"""An import never damages what is stored: an empty cell keeps the stored value (only "-"
empties it), a record named twice in one file refuses both rows, and a council row without a
code matches a council of its own area type or names the councils it could be."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from councils.models import Council, CouncilMember
from geo.models import Province, Subdistrict
from imports import service
from imports.models import ImportBatch
from meetings.models import Attendance
from projects.models import Project, ProjectPartner
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    CommunityOrganisationFactory,
    CouncilFactory,
    CouncilMemberFactory,
    DisbursementFactory,
    MeetingFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)
from tests.test_imports import messages_of, rows_by_number, xlsx

ID = "1100100000018"


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_geography", "--province", "33", verbosity=0)
    with translation.override("en"):
        yield


@pytest.fixture
def council():
    place = Subdistrict.objects.get(code="330401")
    return CouncilFactory(
        code="C330401",
        subdistrict=place,
        district=place.district,
        name_th="สภาองค์กรชุมชนตำบลบึงมะลู",
        name_en="Bueng Malu Council",
        status=Council.Status.DORMANT,
        phone="045-611-234",
        email="council@example.org",
        address="หมู่ 1 บ้านบึงมะลู",
        households=1704,
        population=5200,
        municipality_name="",
    )


def run(user, kind, rows):
    return service.store_upload(SimpleUploadedFile("file.xlsx", xlsx(rows)), kind, user)


def snapshot(record) -> dict:
    record.refresh_from_db()
    return {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}


# Every kind: a row naming an existing record, with every other column left empty ----------


def _council(council):
    headers = [
        "code",
        "name_th",
        "name_en",
        "area_type",
        "subdistrict",
        "district",
        "municipality_name",
        "established_on",
        "registered_on",
        "status",
        "phone",
        "email",
        "address",
        "households",
        "population",
        "chair",
    ]
    return council, [headers, [council.code, council.name_th] + [""] * (len(headers) - 2)]


def _member(council):
    member = CouncilMemberFactory(
        council=council,
        full_name="นางสมศรี ใจดี",
        role=CouncilMember.Role.SECRETARY,
        national_id=ID,
        phone="081-234-5678",
        term_start=datetime.date(2023, 10, 1),
    )
    headers = ["council", "full_name", "role", "national_id", "phone", "term_start", "term_end"]
    return member, [headers, [council.code, member.full_name, "", "", "", "", ""]]


def _organisation(council):
    organisation = CommunityOrganisationFactory(
        council=council, name="กลุ่มออมทรัพย์บ้านโนน", established_on=datetime.date(2017, 6, 1)
    )
    headers = ["council", "name", "kind", "member_count", "established_on"]
    return organisation, [headers, [council.code, organisation.name, "", "", ""]]


def _agency(council):
    agency = AgencyFactory(
        code="sisaket-pao",
        province=Province.objects.get(code="33"),
        phone="045-611-234",
        email="pao@example.org",
        website="https://example.org",
        address="ถนนหลักเมือง",
        short_name="อบจ.ศก.",
    )
    headers = ["code", "name_th", "name_en", "short_name", "sector", "province", "phone"]
    return agency, [headers, [agency.code, agency.name_th, "", "", "", "", ""]]


def _project(council):
    project = ProjectFactory(
        code="SSK-2567-001",
        council=council,
        status=Project.Status.APPROVED,
        target_households=50,
        reached_households=20,
        start_date=datetime.date(2023, 11, 1),
        description="บ้านมั่นคง",
    )
    headers = [
        "code",
        "title_th",
        "title_en",
        "programme",
        "council",
        "fiscal_year",
        "status",
        "budget_requested",
        "budget_approved",
        "target_households",
        "reached_households",
        "start_date",
        "description",
    ]
    return project, [headers, [project.code] + [""] * (len(headers) - 1)]


def _partner(council):
    partner = ProjectPartnerFactory(
        project=ProjectFactory(council=council),
        role=ProjectPartner.Role.FUNDER,
        contribution_note="เต็นท์ 2 หลัง",
    )
    headers = ["project", "agency", "role", "contribution", "contribution_note"]
    return partner, [headers, [partner.project.code, partner.agency.code, "", "", ""]]


def _disbursement(council):
    disbursement = DisbursementFactory(
        project=ProjectFactory(council=council), reference="KTB-001", note="งวดแรก"
    )
    headers = ["project", "paid_on", "amount", "reference", "note"]
    return disbursement, [headers, [disbursement.project.code, "", "", "KTB-001", ""]]


def _attendance(council):
    attendance = AttendanceFactory(
        meeting=MeetingFactory(province=Province.objects.get(code="33")),
        person_name="นายทองใบ ใจดี",
        position="ประธาน",
        council=council,
        phone="081-234-5678",
        role=Attendance.Role.CHAIR,
    )
    headers = ["meeting", "person_name", "position", "council", "agency", "phone", "role"]
    return attendance, [headers, [attendance.meeting.pk, attendance.person_name] + [""] * 5]


KINDS = {
    "councils": _council,
    "members": _member,
    "organisations": _organisation,
    "agencies": _agency,
    "projects": _project,
    "partners": _partner,
    "disbursements": _disbursement,
    "attendance": _attendance,
}


@pytest.mark.parametrize("kind", KINDS)
def test_empty_cells_leave_every_stored_value_as_it_is(staff_user, council, kind):
    record, rows = KINDS[kind](council)
    before = snapshot(record)
    batch = run(staff_user, kind, rows)
    (row,) = batch.preview["rows"]
    assert (row["outcome"], messages_of(row)) == ("unchanged", [])
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    assert snapshot(record) == before


def test_the_reported_council_file_no_longer_wipes_a_dormant_council(staff_user, council):
    """The template filled in with the code and names only: English name, phone, address and
    population stayed, and the dormant council stayed dormant."""
    rows = [
        ["รหัสจดแจ้ง", "ชื่อ (ภาษาไทย)", "ชื่อ (ภาษาอังกฤษ)", "สถานะ", "โทรศัพท์", "ที่อยู่", "ประชากร"],
        ["C330401", "สภาองค์กรชุมชนตำบลบึงมะลู ", None, None, None, "  ", None],
    ]
    batch = run(staff_user, "councils", rows)
    assert (batch.rows_unchanged, batch.rows_changed) == (1, 0)
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    council.refresh_from_db()
    assert (council.name_en, council.phone, council.address, council.population) == (
        "Bueng Malu Council",
        "045-611-234",
        "หมู่ 1 บ้านบึงมะลู",
        5200,
    )
    assert council.status == Council.Status.DORMANT and council.version == 1


def test_a_dash_empties_a_stored_value_and_the_preview_shows_it(staff_user, council):
    rows = [
        ["code", "name_en", "phone", "address", "population", "registered_on"],
        ["C330401", "-", " - ", "-", "-", "-"],
    ]
    batch = run(staff_user, "councils", rows)
    changes = {key: (old, new) for key, old, new in batch.preview["rows"][0]["changes"]}
    assert changes == {
        "name_en": ("Bueng Malu Council", ""),
        "phone": ("045-611-234", ""),
        "address": ("หมู่ 1 บ้านบึงมะลู", ""),
        "population": (5200, None),
        "registered_on": ("2015-06-01", None),
    }
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    council.refresh_from_db()
    assert (council.name_en, council.phone, council.population, council.registered_on) == (
        "",
        "",
        None,
        None,
    )
    assert council.households == 1704  # not in the file


@pytest.mark.parametrize(
    "column, label",
    [("name_th", "Name (Thai)"), ("status", "Status"), ("code", "Registration code")],
)
def test_a_dash_in_a_column_that_always_needs_a_value_is_an_error(
    staff_user, council, column, label
):
    headers = ["code", "name_th", "status"]
    cells = {"code": "C330401", "name_th": council.name_th, "status": "dormant"}
    cells[column] = "-"
    if column == "code":
        headers += ["subdistrict", "district"]
        cells.update(subdistrict="บึงมะลู", district="กันทรลักษ์")
    batch = run(staff_user, "councils", [headers, [cells[key] for key in headers]])
    (message,) = messages_of(batch.preview["rows"][0])
    assert message.startswith(f"{label} cannot be emptied")
    with translation.override("th"):
        assert "ล้างค่า" in messages_of(batch.preview["rows"][0])[0]
    assert snapshot(council)["status"] == Council.Status.DORMANT


def test_a_dash_empties_a_members_phone_and_id_and_an_agencys_province(
    staff_user, admin_user, council
):
    member = CouncilMemberFactory(council=council, full_name="นายบุญมี มีสุข", national_id=ID)
    member.phone = "081-234-5678"
    member.save()
    batch = run(
        staff_user,
        "members",
        [["council", "full_name", "national_id", "phone"], ["C330401", member.full_name, "-", "-"]],
    )
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    member.refresh_from_db()
    assert (member.national_id, member.phone) == ("", "")
    agency = AgencyFactory(code="pao", province=Province.objects.get(code="33"))
    batch = run(
        admin_user, "agencies", [["code", "name_th", "province"], ["pao", agency.name_th, "-"]]
    )
    service.commit(batch, admin_user, ImportBatch.Mode.ALL)
    agency.refresh_from_db()
    assert agency.province is None  # national now: an administrator's choice, said with "-"


def test_new_records_still_get_the_defaults_for_empty_cells(staff_user, council):
    ProgrammeFactory(code="housing")
    batch = run(
        staff_user,
        "projects",
        [
            [
                "code",
                "title_th",
                "programme",
                "council",
                "fiscal_year",
                "status",
                "target_households",
            ],
            ["NEW-1", "โครงการใหม่", "housing", "C330401", "2567", "", ""],
        ],
    )
    assert batch.rows_new == 1, messages_of(batch.preview["rows"][0])
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    project = Project.objects.get(code="NEW-1")
    assert (project.status, project.target_households, project.budget_requested) == (
        Project.Status.PROPOSED,
        0,
        Decimal("0"),
    )
    batch = run(
        staff_user,
        "councils",
        [
            ["name_th", "subdistrict", "district", "status"],
            ["สภาฯ กุดเสลา", "กุดเสลา", "กันทรลักษ์", ""],
        ],
    )
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    assert Council.objects.get(code="C330402").status == Council.Status.ACTIVE


def test_an_empty_council_or_programme_cell_keeps_a_projects_own(staff_user, council):
    project = ProjectFactory(code="P-1", council=council)
    batch = run(staff_user, "projects", [["code", "council", "programme"], ["P-1", "", ""]])
    assert batch.rows_unchanged == 1
    batch = run(staff_user, "projects", [["code", "council"], ["P-1", "-"]])
    assert messages_of(batch.preview["rows"][0]) == [
        "Lead council cannot be emptied (“-”): it always needs a value. Leave the cell empty "
        "to keep the stored value."
    ]
    assert snapshot(project)["council_id"] == council.pk


def test_a_dash_in_the_chair_column_leaves_the_council_without_a_chair(staff_user, council):
    chair = CouncilMemberFactory(council=council, full_name="นางเดิม ประธาน", role="chair")
    batch = run(staff_user, "councils", [["code", "chair"], ["C330401", "-"]])
    assert batch.preview["rows"][0]["changes"] == [["chair", "นางเดิม ประธาน", None]]
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    chair.refresh_from_db()
    assert chair.role == CouncilMember.Role.MEMBER and not chair.is_archived
    empty = run(staff_user, "councils", [["code", "chair"], ["C330401", ""]])
    assert empty.rows_unchanged == 1


def test_the_template_names_the_dash_in_thai_and_in_english(staff_user):
    import io

    from openpyxl import load_workbook

    from imports.spreadsheets import template_workbook

    for language, words in (("en", "write - (a single dash)"), ("th", "ใส่ - (ขีดเดียว)")):
        with translation.override(language):
            book = load_workbook(
                io.BytesIO(template_workbook(service.KINDS["councils"], staff_user))
            )
        text = " ".join(
            str(c.value) for row in book.worksheets[1].iter_rows() for c in row if c.value
        )
        assert words in text


# A record named twice in one file ------------------------------------------------------------


def _twice(kind, council):
    """Two rows about one record (the second named another way where the kind allows)."""
    AgencyFactory(
        code="pao",
        name_th="อบจ.ศรีสะเกษ",
        short_name="อบจ.ศก.",
        province=Province.objects.get(code="33"),
    )
    project = ProjectFactory(code="P-1", council=council)
    meeting = MeetingFactory(province=Province.objects.get(code="33"))
    ProgrammeFactory(code="housing")
    return {
        "councils by code": (
            "councils",
            [["code", "name_th"], ["C330401", "ชื่อแรก"], ["C330401", "ชื่อที่สอง"]],
        ),
        "councils by subdistrict": (
            "councils",
            [
                ["code", "name_th", "subdistrict", "district"],
                ["", "สภาฯ กุดเสลา", "กุดเสลา", "กันทรลักษ์"],
                ["C330402", "สภาฯ กุดเสลา (2)", "กุดเสลา", "กันทรลักษ์"],
            ],
        ),
        "members by id": (
            "members",
            [
                ["council", "full_name", "national_id"],
                ["C330401", "นาง ก", ID],
                ["C330401", "นาง ข", ID],
            ],
        ),
        "members by name": (
            "members",
            [
                ["council", "full_name", "national_id"],
                ["C330401", "นาง ก", ID],
                ["C330401", "นาง ก", ""],
            ],
        ),
        "organisations": (
            "organisations",
            [
                ["council", "name", "member_count"],
                ["C330401", "กลุ่ม ก", 10],
                [council.name_th, "กลุ่ม ก", 20],
            ],
        ),
        "agencies": (
            "agencies",
            [["code", "name_th", "sector"], ["pao", "ก", "local"], ["pao", "ข", "local"]],
        ),
        "projects": (
            "projects",
            [["code", "title_th"], ["P-1", "ชื่อแรก"], ["P-1", "ชื่อที่สอง"]],
        ),
        "partners by code and short name": (
            "partners",
            [
                ["project", "agency", "contribution"],
                [project.code, "pao", 10],
                [project.code, "อบจ.ศก.", 20],
            ],
        ),
        "disbursements by reference": (
            "disbursements",
            [
                ["project", "paid_on", "amount", "reference"],
                [project.code, "1/1/2567", 100, "KTB-1"],
                [project.code, "2/1/2567", 200, "KTB-1"],
            ],
        ),
        "attendance by name": (
            "attendance",
            [
                ["meeting", "person_name", "phone"],
                [meeting.pk, "นาย ก", "0812345678"],
                [meeting.pk, "นาย ก", ""],
            ],
        ),
    }


CASES = [
    "councils by code",
    "councils by subdistrict",
    "members by id",
    "members by name",
    "organisations",
    "agencies",
    "projects",
    "partners by code and short name",
    "disbursements by reference",
    "attendance by name",
]


@pytest.mark.parametrize("case", CASES)
def test_a_record_named_twice_in_one_file_refuses_both_rows(staff_user, council, case):
    kind, rows = _twice(case, council)[case]
    model = service.KINDS[kind]._meta.model
    history = model.history.count()
    versions = dict(model.objects.values_list("pk", "version"))
    batch = run(staff_user, kind, rows + [[""] * len(rows[0])])
    found = rows_by_number(batch)
    assert messages_of(found[2]) == ["The same record is on row 3 of the file too."]
    assert messages_of(found[3]) == ["The same record is on row 2 of the file too."]
    assert (batch.rows_error, batch.rows_new, batch.rows_changed) == (2, 0, 0)
    with translation.override("th"):
        assert messages_of(found[3]) == ["ข้อมูลเดียวกันนี้อยู่ในแถวที่ 2 ของไฟล์ด้วย"]
    with pytest.raises(service.CommitRefused):
        service.commit(batch, staff_user, ImportBatch.Mode.VALID)
    assert model.history.count() == history
    assert dict(model.objects.values_list("pk", "version")) == versions


def test_the_other_rows_of_a_file_with_a_repeated_record_are_imported(staff_user, council):
    rows = [
        ["code", "name_th", "phone"],
        ["C330401", "ชื่อแรก", "045-000-001"],
        ["C330401", "ชื่อที่สอง", "045-000-002"],
        ["C330401", "ชื่อที่สาม", ""],
    ]
    batch = run(staff_user, "councils", rows + [["", "", ""]])
    found = rows_by_number(batch)
    assert messages_of(found[2]) == [
        "The same record is on row 3 of the file too.",
        "The same record is on row 4 of the file too.",
    ]
    assert batch.rows_error == 3
    assert snapshot(council)["name_th"] == "สภาองค์กรชุมชนตำบลบึงมะลู"


def test_two_people_of_one_name_with_different_ids_are_two_members(staff_user, council):
    rows = [
        ["council", "full_name", "national_id"],
        ["C330401", "นาง ก", ID],
        ["C330401", "นาง ก", "1100100000026"],
    ]
    batch = run(staff_user, "members", rows)
    assert (batch.rows_new, batch.rows_error) == (2, 0)


def test_a_repeated_record_across_chunks_is_found_too(staff_user, council, monkeypatch):
    monkeypatch.setattr(service, "CHUNK_ROWS", 2)
    rows = [["code", "name_th"], ["C330401", "ก"], ["X-1", "ข"], ["C330401", "ค"]]
    batch = run(staff_user, "councils", rows)
    found = rows_by_number(batch)
    assert messages_of(found[4]) == ["The same record is on row 2 of the file too."]
    assert messages_of(found[2]) == ["The same record is on row 4 of the file too."]


# A council row without a code ----------------------------------------------------------------

MUNICIPAL = ["ชื่อสภาองค์กรชุมชน", "ประเภทพื้นที่", "ตำบล", "อำเภอ", "ชื่อเทศบาล"]


def test_a_municipal_row_without_a_code_never_takes_the_subdistrict_council(staff_user, council):
    before = snapshot(council)
    rows = [
        MUNICIPAL,
        ["สภาองค์กรชุมชนเทศบาลตำบลบึงมะลู", "เทศบาล", "บึงมะลู", "กันทรลักษ์", "เทศบาลตำบลบึงมะลู"],
    ]
    batch = run(staff_user, "councils", rows)
    assert messages_of(batch.preview["rows"][0]) == [
        "A new municipal council needs its registration code."
    ]
    coded = run(staff_user, "councils", [["code", *MUNICIPAL], ["M-1", *rows[1]]])
    assert coded.rows_new == 1
    service.commit(coded, staff_user, ImportBatch.Mode.ALL)
    assert snapshot(council) == before
    municipal = Council.objects.get(code="M-1")
    assert municipal.area_type == Council.AreaType.MUNICIPALITY


def test_a_municipal_row_without_a_code_finds_its_municipal_council(staff_user, council):
    municipal = CouncilFactory(
        code="M-1",
        area_type=Council.AreaType.MUNICIPALITY,
        municipality_name="เทศบาลตำบลบึงมะลู",
        subdistrict=council.subdistrict,
        district=council.district,
    )
    rows = [
        MUNICIPAL + ["ครัวเรือน"],
        [municipal.name_th, "เทศบาล", "บึงมะลู", "กันทรลักษ์", "เทศบาลตำบลบึงมะลู", 99],
    ]
    batch = run(staff_user, "councils", rows)
    assert batch.rows_changed == 1
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    assert snapshot(municipal)["households"] == 99
    assert snapshot(council)["households"] == 1704


def test_a_row_that_could_be_several_councils_names_them(staff_user, council):
    municipal = CouncilFactory(
        code="M-1",
        name_th="สภาฯ เทศบาลบึงมะลู",
        area_type=Council.AreaType.MUNICIPALITY,
        municipality_name="เทศบาลตำบลบึงมะลู",
        subdistrict=council.subdistrict,
        district=council.district,
    )
    rows = [["ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ", "ครัวเรือน"], ["สภาฯ", "บึงมะลู", "กันทรลักษ์", 5]]
    batch = run(staff_user, "councils", rows)
    row = batch.preview["rows"][0]
    assert row["outcome"] == "error"
    assert messages_of(row) == [
        "This row could be any of these councils: C330401 สภาองค์กรชุมชนตำบลบึงมะลู "
        f"(อ.กันทรลักษ์); M-1 {municipal.name_th} (อ.กันทรลักษ์). Write the council's "
        "registration code in the row."
    ]
    # Saying the area type settles it.
    typed = run(staff_user, "councils", [rows[0] + ["ประเภทพื้นที่"], rows[1] + ["ตำบล"]])
    assert typed.rows_changed == 1
    assert ["name_th", council.name_th, "สภาฯ"] in typed.preview["rows"][0]["changes"]


def test_the_rejected_rows_download_keeps_the_dash_that_empties_a_value(staff_user, council):
    import io

    from openpyxl import load_workbook

    from imports.spreadsheets import errors_workbook

    batch = run(
        staff_user,
        "councils",
        [["code", "phone", "households", "name_en"], ["C330401", "-", "many", "-5 'x"]],
    )
    assert batch.rows_error == 1
    content = errors_workbook(batch, service.render_message)
    sheet = load_workbook(io.BytesIO(content)).active
    assert list(sheet.iter_rows(values_only=True))[1][:5] == (2, "C330401", "-", "many", "'-5 'x")
    sheet.cell(row=2, column=4).value = 1800  # the households, fixed
    fixed = io.BytesIO()
    sheet.parent.save(fixed)
    again = service.store_upload(
        SimpleUploadedFile("fixed.xlsx", fixed.getvalue()), "councils", staff_user
    )
    changes = {key: (old, new) for key, old, new in again.preview["rows"][0]["changes"]}
    assert changes == {
        "phone": ("045-611-234", ""),
        "households": (1704, 1800),
        "name_en": ("Bueng Malu Council", "-5 'x"),
    }
