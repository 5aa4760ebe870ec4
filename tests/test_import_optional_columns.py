"""What a kind's template calls optional is optional: the template filled in with only its
required columns (every optional cell left empty) imports without an error, for every kind,
and an empty number cell keeps the stored value of an existing record."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from imports import service
from imports.models import ImportBatch
from imports.spreadsheets import COLUMN_HELP, template_workbook
from projects.models import Project
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    MeetingFactory,
    ProgrammeFactory,
    ProjectFactory,
)
from tests.test_imports import messages_of, xlsx

# What a required cell holds in each kind (the template's example where it fits the world
# below); person_name stands for the "name or position" pair of an attendance row.
REQUIRED = {
    "councils": {
        "name_th": "สภาองค์กรชุมชนตำบลบึงมะลู",
        "district": "อ.กันทรลักษ์",
        "subdistrict": "ต.กุดเสลา",
    },
    "members": {"council": "C330401", "full_name": "นางสมศรี ใจดี"},
    "organisations": {"council": "C330401", "name": "กลุ่มออมทรัพย์บ้านโนน"},
    "agencies": {
        "code": "sisaket-new",
        "name_th": "หน่วยงานใหม่",
        "sector": "local",
        "province": "ศรีสะเกษ",
    },
    "projects": {
        "code": "SSK-2567-009",
        "title_th": "โครงการบ้านมั่นคงชนบท",
        "programme": "community-welfare",
        "council": "C330401",
        "fiscal_year": "2567",
    },
    "partners": {"project": "SSK-2567-001", "agency": "sisaket-pao"},
    "disbursements": {"project": "SSK-2567-001", "paid_on": "15/1/2567", "amount": "50,000"},
    "attendance": {"meeting": "{meeting}", "person_name": "นางสมศรี ใจดี"},
}


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_geography", "--province", "33", verbosity=0)
    with translation.override("en"):
        yield


@pytest.fixture
def world(sisaket):
    council = CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")
    ProgrammeFactory()
    ProjectFactory(code="SSK-2567-001", council=council, budget_approved=Decimal("100000"))
    AgencyFactory(code="sisaket-pao")
    return MeetingFactory(province=sisaket)


def required(kind: str, key: str, user) -> bool:
    resource = service.KINDS[kind]
    told = COLUMN_HELP.get((resource.kind_code, key), COLUMN_HELP.get(key, (False,)))[0]
    return resource.column_required(key, user, told)


@pytest.mark.parametrize("kind", list(service.KINDS))
def test_the_template_with_every_optional_cell_empty_imports(staff_user, world, kind):
    resource = service.KINDS[kind]
    book = load_workbook(io.BytesIO(template_workbook(resource, staff_user)))
    keys = resource.field_keys()
    filled = {
        key: value.replace("{meeting}", str(world.pk)) for key, value in REQUIRED[kind].items()
    }
    for key in keys:
        if required(kind, key, staff_user):
            assert key in filled, f"{kind}: give a value for the required column {key}"
    optional = [key for key in keys if not required(kind, key, staff_user)]
    assert optional and not set(optional) & set(filled) - {"person_name"}, kind
    book["Data"].append([filled.get(key, "") for key in keys])
    output = io.BytesIO()
    book.save(output)
    batch = service.store_upload(SimpleUploadedFile("t.xlsx", output.getvalue()), kind, staff_user)
    row = batch.preview["rows"][0]
    assert row["outcome"] == "new", messages_of(row)
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)


def test_empty_households_and_persons_give_a_new_project_zero(staff_user, world):
    rows = [
        [
            "รหัสโครงการ",
            "ชื่อโครงการ",
            "แผนงาน",
            "สภา",
            "ปีงบประมาณ",
            "ครัวเรือนเป้าหมาย",
            "ครัวเรือนที่ได้รับประโยชน์",
            "คนเป้าหมาย",
            "ผู้ได้รับประโยชน์",
            "งบประมาณที่ขอ",
        ],
        ["SSK-1", "ก", "community-welfare", "C330401", "2567", None, None, None, None, None],
        ["SSK-2", "ข", "community-welfare", "C330401", "2567", "", " ", "", "", ""],
    ]
    batch = service.store_upload(SimpleUploadedFile("p.xlsx", xlsx(rows)), "projects", staff_user)
    assert (batch.rows_new, batch.rows_error) == (2, 0)
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    project = Project.objects.get(code="SSK-2")
    assert (project.target_households, project.reached_persons) == (0, 0)
    assert project.budget_requested == 0


def test_an_empty_number_cell_keeps_the_stored_number(staff_user, world):
    project = Project.objects.get(code="SSK-2567-001")
    project.target_households = 40
    project.save()
    rows = [["รหัสโครงการ", "ครัวเรือนเป้าหมาย", "คนเป้าหมาย"], ["SSK-2567-001", "", "120"]]
    batch = service.store_upload(SimpleUploadedFile("p.xlsx", xlsx(rows)), "projects", staff_user)
    assert batch.preview["rows"][0]["changes"] == [["target_persons", 0, 120]]
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    project.refresh_from_db()
    assert (project.target_households, project.target_persons) == (40, 120)


@pytest.mark.parametrize(
    "kind, rows",
    [
        ("organisations", [["สภา", "ชื่อกลุ่ม", "จำนวนสมาชิก"], ["C330401", "กลุ่มใหม่", ""]]),
        ("partners", [["รหัสโครงการ", "หน่วยงาน", "งบสมทบ"], ["SSK-2567-001", "sisaket-pao", ""]]),
        ("attendance", [["การประชุม", "ชื่อ-สกุล", "ลำดับการแสดง"], ["{meeting}", "นายก", ""]]),
    ],
)
def test_other_optional_numbers_left_empty_are_not_errors(staff_user, world, kind, rows):
    rows = [[str(cell).replace("{meeting}", str(world.pk)) for cell in row] for row in rows]
    batch = service.store_upload(SimpleUploadedFile("f.xlsx", xlsx(rows)), kind, staff_user)
    assert batch.preview["rows"][0]["outcome"] == "new", messages_of(batch.preview["rows"][0])


def test_the_agency_template_tells_staff_that_the_province_is_required(staff_user, admin_user):
    resource = service.KINDS["agencies"]
    assert required("agencies", "province", staff_user)
    assert not required("agencies", "province", admin_user)
    book = load_workbook(io.BytesIO(template_workbook(resource, staff_user)))
    rows = {row[0]: row[1] for row in book["Instructions"].iter_rows(values_only=True) if row[0]}
    assert rows["จังหวัด / Province"] == "yes"
