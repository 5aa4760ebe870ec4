"""Every refusal of an import row is told in the user's words: every constraint of every
imported model, triggered through an import, is a message naming the file's column (as its
header says it) and, where it compares values, the values; never the constraint's name or the
database's text. The rejected-rows download carries the same reasons."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import translation
from openpyxl import load_workbook

from imports import service
from imports.models import ImportBatch
from imports.spreadsheets import errors_workbook
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    MeetingFactory,
    ProgrammeFactory,
    ProjectFactory,
)
from tests.helpers import EN
from tests.test_imports import xlsx

IMPORTED_MODELS = {resource._meta.model: kind for kind, resource in service.KINDS.items()}

PROJECT = ["รหัสโครงการ", "ชื่อโครงการ", "แผนงาน", "สภา", "ปีงบประมาณ"]
PROJECT_ROW = ["SSK-9", "โครงการใหม่", "community-welfare", "C330401", "2567"]

# constraint name → (kind, header row, data rows, header(s) the reason must name). The row
# refused is the last one. A constraint that a cell reader or a form-like check catches first
# (an unknown status, a bad ID) is refused by that check, on the same column.
CASES = {
    "council_subdistrict_area_has_subdistrict": (
        "councils",
        ["รหัสสภา", "ชื่อสภาองค์กรชุมชน", "ประเภทพื้นที่", "อำเภอ"],
        [["C339901", "สภาองค์กรชุมชนตำบลใหม่", "subdistrict", "กันทรลักษ์"]],
        ["ประเภทพื้นที่"],
    ),
    "council_municipal_area_is_named": (
        "councils",
        ["รหัสสภา", "ชื่อสภาองค์กรชุมชน", "ประเภทพื้นที่", "อำเภอ"],
        [["M339901", "สภาองค์กรชุมชนเทศบาล", "municipality", "กันทรลักษ์"]],
        ["ประเภทพื้นที่"],
    ),
    "council_registered_not_before_established": (
        "councils",
        ["ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ", "วันที่จัดตั้ง", "วันที่จดแจ้ง"],
        [["สภาองค์กรชุมชนตำบลบึงมะลู", "บึงมะลู", "กันทรลักษ์", "9/10/2557", "1/4/2556"]],
        ["วันที่จดแจ้ง", "วันที่จัดตั้ง"],
    ),
    "council_status_valid": (
        "councils",
        ["รหัสสภา", "ชื่อสภาองค์กรชุมชน", "สถานะ"],
        [["C330401", "สภาองค์กรชุมชนตำบลบึงมะลู", "ไม่รู้"]],
        ["สถานะ"],
    ),
    "community_organisation_unique_in_council": (
        "organisations",
        ["สภา", "ชื่อกลุ่ม"],
        [["C330401", "กลุ่มออมทรัพย์"], ["C330401", "กลุ่มออมทรัพย์"]],
        ["ชื่อกลุ่ม"],
    ),
    "council_member_term_end_not_before_start": (
        "members",
        ["รหัสสภา", "ชื่อ-สกุล", "วันเริ่มวาระ", "วันสิ้นสุดวาระ"],
        [["C330401", "นายสมหมาย ใจดี", "1/10/2566", "30/9/2565"]],
        ["วันสิ้นสุดวาระ", "วันเริ่มวาระ"],
    ),
    "council_member_national_id_13_digits": (
        "members",
        ["รหัสสภา", "ชื่อ-สกุล", "เลขประจำตัวประชาชน"],
        [["C330401", "นายสมหมาย ใจดี", "12345"]],
        ["เลขประจำตัวประชาชน"],
    ),
    "agency_sector_valid": (
        "agencies",
        ["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "ภาคส่วน", "จังหวัด"],
        [["ssk-new", "หน่วยงานใหม่", "ไม่มีภาคนี้", "ศรีสะเกษ"]],
        ["ภาคส่วน"],
    ),
    "project_budget_requested_not_negative": (
        "projects",
        [*PROJECT, "งบประมาณที่ขอ"],
        [[*PROJECT_ROW, "-5,000"]],
        ["งบประมาณที่ขอ"],
    ),
    "project_budget_approved_not_negative": (
        "projects",
        [*PROJECT, "งบประมาณที่อนุมัติ"],
        [[*PROJECT_ROW, "-5,000"]],
        ["งบประมาณที่อนุมัติ"],
    ),
    "project_end_not_before_start": (
        "projects",
        [*PROJECT, "วันเริ่ม", "วันสิ้นสุด"],
        [[*PROJECT_ROW, "1/11/2566", "1/1/2566"]],
        ["วันสิ้นสุด", "วันเริ่ม"],
    ),
    "project_fiscal_year_buddhist_era": (
        "projects",
        PROJECT,
        [[*PROJECT_ROW[:4], "3000"]],
        ["ปีงบประมาณ"],
    ),
    "project_status_valid": (
        "projects",
        [*PROJECT, "สถานะ"],
        [[*PROJECT_ROW, "ไม่รู้"]],
        ["สถานะ"],
    ),
    "project_partner_unique": (
        "partners",
        ["รหัสโครงการ", "หน่วยงาน"],
        [["SSK-1", "pao"], ["SSK-1", "pao"]],
        ["หน่วยงาน"],
    ),
    "project_partner_contribution_not_negative": (
        "partners",
        ["รหัสโครงการ", "หน่วยงาน", "งบสมทบ"],
        [["SSK-1", "pao", "-1,000 บาท"]],
        ["งบสมทบ"],
    ),
    "disbursement_amount_positive": (
        "disbursements",
        ["รหัสโครงการ", "วันที่โอน", "จำนวนเงิน"],
        [["SSK-1", "1/2/2567", "0"]],
        ["จำนวนเงิน"],
    ),
    "attendance_names_a_person_or_position": (
        "attendance",
        ["การประชุม", "ชื่อ-สกุล", "ตำแหน่ง", "สังกัด"],
        [["{meeting}", "", "", "เครือข่ายป่าชุมชน"]],
        ["ชื่อ-สกุล", "ตำแหน่ง"],
    ),
    "attendance_one_organisation_at_most": (
        "attendance",
        ["การประชุม", "ชื่อ-สกุล", "สภาองค์กรชุมชน", "หน่วยงาน"],
        [["{meeting}", "นายสมหมาย ใจดี", "C330401", "pao"]],
        ["หน่วยงาน"],
    ),
}


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_geography", "--province", "33", verbosity=0)


@pytest.fixture
def world(sisaket):
    council = CouncilFactory(
        code="C330401", name_th="สภาองค์กรชุมชนตำบลบึงมะลู", subdistrict_id="330401", district_id="3304"
    )
    ProgrammeFactory()
    ProjectFactory(code="SSK-1", council=council)
    AgencyFactory(code="pao", name_th="องค์การบริหารส่วนจังหวัดศรีสะเกษ")
    return MeetingFactory(province=sisaket)


def constraint_names(model) -> set[str]:
    return {constraint.name for constraint in model._meta.constraints}


ALL_CONSTRAINTS = {name for model in IMPORTED_MODELS for name in constraint_names(model)}


def test_every_constraint_of_every_imported_model_has_a_case_here():
    assert set(CASES) == ALL_CONSTRAINTS


@pytest.mark.parametrize("model", IMPORTED_MODELS, ids=lambda model: model.__name__)
def test_every_constraint_of_an_imported_model_is_explained_next_to_it(model):
    for constraint in model._meta.constraints:
        explained = model.explained_constraints[constraint.name]
        message = str(explained.message)
        for name in explained.fields:
            model._meta.get_field(name)
            assert f"%({name})s" in message
        assert constraint.violation_error_message != constraint.default_violation_error_message


def reasons(batch) -> list[str]:
    """The rejected rows' reasons as the download writes them, one list entry per row."""
    book = load_workbook(io.BytesIO(errors_workbook(batch, service.render_message)))
    sheet = book.active
    return [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("constraint", sorted(ALL_CONSTRAINTS))
def test_a_broken_constraint_is_told_on_the_files_column_without_its_name(
    staff_user, world, constraint, language
):
    kind, header, rows, columns = CASES[constraint]
    rows = [[str(cell).replace("{meeting}", str(world.pk)) for cell in row] for row in rows]
    with translation.override(language):
        batch = service.store_upload(
            SimpleUploadedFile("file.xlsx", xlsx([header, *rows])), kind, staff_user
        )
        refused = batch.preview["rows"][-1]
        assert refused["outcome"] == "error"
        shown = [
            f"{error['column']}: {service.render_message(error)}"
            if error["column"]
            else service.render_message(error)
            for error in refused["errors"]
        ]
        text = "\n".join(shown)
        for column in columns:
            assert column in text
        for name in ALL_CONSTRAINTS:
            assert name not in text
        assert "Constraint" not in text and "violated" not in text and "null" not in text
        assert reasons(batch)[-1] == text


def test_the_dates_of_a_council_are_compared_in_the_readers_words(staff_user, world):
    kind, header, rows, _columns = CASES["council_registered_not_before_established"]
    batch = service.store_upload(
        SimpleUploadedFile("roster.xlsx", xlsx([header, *rows])), kind, staff_user
    )
    error = batch.preview["rows"][0]["errors"][0]
    assert error["column"] == "วันที่จดแจ้ง"
    with translation.override("th"):
        assert service.render_message(error) == "วันที่จดแจ้ง 1 เม.ย. 2556 ต้องไม่ก่อนวันที่จัดตั้ง 9 ต.ค. 2557"
    with translation.override("en"):
        assert (
            service.render_message(error)
            == "วันที่จดแจ้ง 1 Apr 2013 cannot be before วันที่จัดตั้ง 9 Oct 2014."
        )


def test_a_column_the_file_lacks_is_named_by_the_fields_label(staff_user, world):
    kind, header, rows, _columns = CASES["council_subdistrict_area_has_subdistrict"]
    batch = service.store_upload(
        SimpleUploadedFile("c.xlsx", xlsx([header, *rows])), kind, staff_user
    )
    error = batch.preview["rows"][0]["errors"][0]
    with translation.override("en"):
        assert service.render_message(error) == (
            "With ประเภทพื้นที่ “subdistrict”, subdistrict cannot be empty."
        )
    with translation.override("th"):
        assert service.render_message(error) == "เมื่อประเภทพื้นที่ “ตำบล” ต้องกรอกตำบล"


def test_what_the_database_refuses_is_told_without_its_text(staff_user, world, monkeypatch):
    """A row the database refuses despite the checks gets the constraint's own words, or a
    plain refusal; the database's text goes to the log only."""
    from imports.resources import CouncilImportResource

    def refuse(self, instance, *args, **kwargs):
        raise IntegrityError(
            'new row for relation "councils_council" violates check constraint '
            '"council_registered_not_before_established"'
        )

    # Row by row (import-export's loop, for a kind that is not bulk_capable): the preview
    # saves each row in a rolled-back savepoint, so the database's refusal comes then.
    monkeypatch.setattr(CouncilImportResource, "bulk_capable", False)
    monkeypatch.setattr(CouncilImportResource, "save_instance", refuse)
    header = ["รหัสสภา", "ชื่อสภาองค์กรชุมชน"]
    batch = service.store_upload(
        SimpleUploadedFile("c.xlsx", xlsx([header, ["C330401", "ชื่อใหม่"]])), "councils", staff_user
    )
    error = batch.preview["rows"][0]["errors"][0]
    with translation.override("en"):
        message = service.render_message(error)
    assert message == "The date registered cannot be before the date established."
    assert "relation" not in message and "council_registered" not in message


FIELD_ERRORS = {
    "too long": (
        "members",
        ["รหัสสภา", "ชื่อ-สกุล"],
        ["C330401", "ก" * 250],
        "ชื่อ-สกุล",
        "ยาวได้ไม่เกิน 200 ตัวอักษร ช่องนี้มี 250 ตัวอักษร",
    ),
    "too large an amount": (
        "projects",
        [*PROJECT, "งบประมาณที่ขอ"],
        [*PROJECT_ROW, "99999999999999"],
        "งบประมาณที่ขอ",
        "มากเกินไป",
    ),
    "negative households": (
        "projects",
        [*PROJECT, "ครัวเรือนเป้าหมาย"],
        [*PROJECT_ROW, "-4"],
        "ครัวเรือนเป้าหมาย",
        "0",
    ),
    "not an e-mail": (
        "agencies",
        ["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "ภาคส่วน", "จังหวัด", "อีเมล"],
        ["ssk-x", "หน่วยงาน", "local", "ศรีสะเกษ", "notmail"],
        "อีเมล",
        "อีเมล",
    ),
}


@pytest.mark.parametrize("case", FIELD_ERRORS)
def test_a_field_error_names_the_column_and_reads_in_thai(staff_user, world, case):
    kind, header, row, column, words = FIELD_ERRORS[case]
    batch = service.store_upload(
        SimpleUploadedFile("f.xlsx", xlsx([header, row])), kind, staff_user
    )
    refused = batch.preview["rows"][-1]
    assert refused["outcome"] == "error"
    with translation.override("th"):
        messages = [service.render_message(error) for error in refused["errors"]]
        assert [error["column"] for error in refused["errors"]] == [column]
        assert words in messages[0]
        assert not re.search(r"[A-Za-z]{3,}", messages[0].replace("notmail", ""))
        assert reasons(batch)[-1] == f"{column}: {messages[0]}"


@pytest.mark.parametrize(
    "language, totals, expected",
    [
        ("en", [26], "Row 26 (a totals row) was skipped."),
        ("th", [26], "ข้ามแถวที่ 26 เพราะเป็นแถวผลรวม"),
        ("en", [26, 40], "Rows 26, 40 (totals rows) were skipped."),
        ("th", [26, 40], "ข้ามแถวที่ 26, 40 เพราะเป็นแถวผลรวม"),
    ],
)
def test_a_skipped_totals_row_is_told_as_a_row_not_a_count(
    staff_user, client, world, language, totals, expected
):
    header = ["รหัสสภา", "ชื่อสภาองค์กรชุมชน"]
    rows = [header, ["C330401", "สภาองค์กรชุมชนตำบลบึงมะลู"]]
    batch = service.store_upload(SimpleUploadedFile("c.xlsx", xlsx(rows)), "councils", staff_user)
    batch.preview["totals_rows"] = totals
    batch.save()
    client.force_login(staff_user)
    page = client.get(f"/imports/{batch.pk}/", headers={"accept-language": language})
    shown = page.content.decode()
    assert expected in " ".join(shown.split())
    assert "ข้ามแถวผลรวม:" not in shown


def test_the_download_names_a_field_the_file_has_no_column_for(staff_client, world):
    header = ["รหัสสภา", "ชื่อสภาองค์กรชุมชน"]
    rows = [header, ["C339901", "สภาองค์กรชุมชนใหม่"]]  # no district, no subdistrict
    staff_client.post(
        "/imports/", {"kind": "councils", "file": SimpleUploadedFile("c.xlsx", xlsx(rows))}
    )
    batch = ImportBatch.objects.get()
    download = staff_client.get(f"/imports/{batch.pk}/rejected-rows.xlsx", headers=EN)
    sheet = load_workbook(io.BytesIO(download.content)).active
    reason = list(sheet.iter_rows(min_row=2, values_only=True))[0][-1]
    assert reason.startswith("Subdistrict: Say where the council is")
