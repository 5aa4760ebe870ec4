"""The import centre's reading rules, preview, commit and undo (imports.service)."""

import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import geothai
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from councils.models import Council, CouncilMember
from imports import service
from imports.models import HeaderMapping, ImportBatch
from imports.reading import FileRejected
from imports.resources import CouncilImportResource
from imports.widgets import (
    AmountWidget,
    CellError,
    DateWidget,
    IntegerWidget,
    NationalIdWidget,
    PhoneWidget,
)
from portal.lib.thai_text import normalise_national_id
from tests.factories import CouncilFactory, CouncilMemberFactory, ProvinceFactory, UserFactory

DATA = Path(__file__).parent / "data"


@pytest.fixture
def sisaket(db):
    call_command("load_geography", "--province", "33", verbosity=0)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English here; one test reads them in Thai."""
    with translation.override("en"):
        yield


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    if content is None:
        content = (DATA / name).read_bytes()
    return SimpleUploadedFile(name, content)


def rows_by_number(batch) -> dict:
    return {row["row"]: row for row in batch.preview["rows"]}


def messages_of(row) -> list[str]:
    return [service.render_message(error) for error in row.get("errors", [])]


def xlsx(rows, title=None) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.title = title
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


# Cell readers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("21/12/2565", datetime.date(2022, 12, 21)),
        ("2565-12-21", datetime.date(2022, 12, 21)),
        ("21 ธ.ค. 2565", datetime.date(2022, 12, 21)),
        ("21 ธันวาคม 2565", datetime.date(2022, 12, 21)),
        ("๒๑/๑๒/๒๕๖๕", datetime.date(2022, 12, 21)),
        ("21/12/2022", datetime.date(2022, 12, 21)),
        ("21 Dec 2022", datetime.date(2022, 12, 21)),
        (44916, datetime.date(2022, 12, 21)),
        ("44916", datetime.date(2022, 12, 21)),
        (datetime.datetime(2022, 12, 21, 0, 0), datetime.date(2022, 12, 21)),
        (None, None),
    ],
)
def test_dates_are_read_in_every_usual_form(value, expected):
    assert DateWidget().clean(value) == expected


@pytest.mark.parametrize("value", ["31/02/2566", "yesterday", "21/13/2565", 0])
def test_a_date_that_is_not_one_is_a_cell_error(value):
    with pytest.raises(CellError):
        DateWidget().clean(value)


def test_numbers_amounts_phones_and_ids_as_thai_offices_type_them():
    assert IntegerWidget().clean("1,234 ครัวเรือน") == 1234
    assert IntegerWidget().clean("๘๙๙") == 899
    assert IntegerWidget().clean(1771.0) == 1771
    assert AmountWidget().clean("๑,๒๓๔.๕๐ บาท") == Decimal("1234.50")
    assert AmountWidget().clean("฿15,000") == Decimal("15000")
    assert PhoneWidget().clean("๐๘๗๓๗๘๗๐๕๕") == "087-378-7055"
    assert PhoneWidget().clean("08 24987346") == "082-498-7346"
    assert PhoneWidget().clean(873978110) == "087-397-8110"  # Excel dropped the leading 0
    assert NationalIdWidget().clean("๑-๑๐๐๑-๐๐๐๐๐-๐๑-๘") == "1100100000018"
    assert normalise_national_id("3-1006-00445-63-5") == "3100600445635"
    for bad in ("many", "1.5"):
        with pytest.raises(CellError):
            IntegerWidget().clean(bad)
    with pytest.raises(CellError):
        PhoneWidget().clean("12345")
    with pytest.raises(CellError):
        NationalIdWidget().clean("1100100000017")  # wrong check digit


# Reading files --------------------------------------------------------------------------------


def test_the_district_roster_imports_as_sent(sisaket, staff_user):
    """A merged title and a date line above the headers, a running-number column, dates in
    four styles, Thai digits, "1,234 ครัวเรือน", hand-written areas, blank and totals rows."""
    batch = service.store_upload(upload("kantharalak_council_roster.xlsx"), "councils", staff_user)
    assert batch.preview["header_row"] == 4
    assert batch.preview["totals_rows"] == [26]
    assert (batch.rows_total, batch.rows_new, batch.rows_error) == (20, 20, 0)
    ignored = [c["header"] for c in batch.preview["columns"] if c["key"] == "__ignored__"]
    assert ignored == ["ลำดับ", "จำนวนองค์กรชุมชน (กลุ่ม)", "หมายเหตุ"]
    assert batch.preview["unknown"] == []
    assert not Council.objects.exists()  # nothing is written before the commit

    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    assert Council.objects.count() == 20
    bueng_malu = Council.objects.get(code="C330401")
    assert bueng_malu.subdistrict.name_th == "บึงมะลู"
    assert bueng_malu.district.name_th == "กันทรลักษ์"
    assert bueng_malu.registered_on == datetime.date(2009, 8, 7)  # ๗/๘/๒๕๕๒
    assert bueng_malu.households == 1704  # "1,704"
    assert bueng_malu.phone == "087-397-8110"
    kut_salao = Council.objects.get(subdistrict__name_th="กุดเสลา")
    assert kut_salao.registered_on == datetime.date(2012, 2, 25)  # 25 ก.พ. 2555
    assert kut_salao.households == 899  # ๘๙๙
    mueang = Council.objects.get(subdistrict_id="330403")  # " เมือง " in Kantharalak
    assert mueang.registered_on == datetime.date(2011, 10, 4)  # a date cell
    assert mueang.households == 886  # "886 ครัวเรือน"
    assert Council.objects.get(subdistrict__name_th="สังเม็ก").registered_on == datetime.date(
        2013, 4, 1
    )
    chair = CouncilMember.objects.get(council=bueng_malu)
    assert (chair.full_name, chair.role) == ("นายทองใบ ใจดี", "chair")
    history = bueng_malu.history.get()
    assert history.history_change_reason == f"import:{batch.pk}"
    assert history.history_user == staff_user


def test_reimporting_the_same_file_changes_nothing(sisaket, staff_user):
    first = service.store_upload(upload("kantharalak_council_roster.xlsx"), "councils", staff_user)
    service.commit(first, staff_user, ImportBatch.Mode.ALL)
    versions = dict(Council.objects.values_list("pk", "version"))
    again = service.store_upload(upload("kantharalak_council_roster.xlsx"), "councils", staff_user)
    assert (again.rows_new, again.rows_changed, again.rows_unchanged) == (0, 0, 20)
    service.commit(again, staff_user, ImportBatch.Mode.ALL)
    assert Council.objects.count() == 20
    assert CouncilMember.objects.count() == 20
    assert dict(Council.objects.values_list("pk", "version")) == versions
    assert again.sha256 == first.sha256


@pytest.mark.parametrize(
    "name", ["councils_windows874.csv", "councils_utf8_bom.csv"], ids=["windows-874", "utf-8-bom"]
)
def test_thai_csv_in_either_encoding(sisaket, staff_user, name):
    batch = service.store_upload(upload(name), "councils", staff_user)
    assert (batch.rows_new, batch.rows_error) == (2, 0)
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    council = Council.objects.get(code="C330402")
    assert council.registered_on == datetime.date(2012, 2, 25)
    assert council.households == 899
    assert council.phone == "087-378-7055"


def test_english_headers_in_another_order_update_by_code(sisaket, staff_user):
    council = CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")
    batch = service.store_upload(upload("councils_english_semicolon.csv"), "councils", staff_user)
    row = batch.preview["rows"][0]
    assert row["outcome"] == "changed"
    changed = {key: (old, new) for key, old, new in row["changes"]}
    assert changed["status"] == ("active", "dormant")
    assert changed["population"] == (3900, 5120)
    assert "households" not in changed  # a column the file does not have is left alone
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    council.refresh_from_db()
    assert (council.status, council.population, council.households) == ("dormant", 5120, 1200)


def test_each_error_names_the_row_the_column_and_the_reason(sisaket, staff_user):
    batch = service.store_upload(upload("councils_with_errors.xlsx"), "councils", staff_user)
    rows = rows_by_number(batch)
    assert batch.preview["header_row"] == 3
    assert batch.preview["totals_rows"] == [11]
    assert rows[4]["outcome"] == rows[5]["outcome"] == rows[10]["outcome"] == "new"
    assert rows[6]["outcome"] == "error"
    assert rows[6]["errors"][0]["column"] == "Subdistrict"
    assert 'No subdistrict is called "Sao Thong Chai Khukhan"' in messages_of(rows[6])[0]
    assert rows[7]["errors"][0]["column"] == "Households"
    assert messages_of(rows[7]) == ['"many" is not a whole number.']
    assert rows[8]["errors"][0]["column"] == "Registered"
    assert "is not a date" in messages_of(rows[8])[0]
    assert (batch.rows_new, batch.rows_error) == (3, 3)
    new = {key: value for key, _old, value in rows[10]["changes"]}
    assert new["registered_on"] == "2012-04-01"  # Excel serial 41000


def test_errors_are_shown_in_the_readers_language(sisaket, staff_user):
    batch = service.store_upload(upload("councils_with_errors.xlsx"), "councils", staff_user)
    row = rows_by_number(batch)[7]
    with translation.override("th"):
        assert messages_of(row) == ['"many" ไม่ใช่จำนวนเต็ม']
    with translation.override("en"):
        assert messages_of(row) == ['"many" is not a whole number.']


def test_an_ambiguous_area_lists_the_candidates(sisaket, staff_user):
    content = xlsx([["ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ"], ["สภาองค์กรชุมชนตำบลโพธิ์", "ต.โพธิ์", ""]])
    batch = service.store_upload(upload("ambiguous.xlsx", content), "councils", staff_user)
    (message,) = messages_of(batch.preview["rows"][0])
    candidates = [
        f"ต.โพธิ์ อ.{address.district.name_th} จ.ศรีสะเกษ"
        for address in geothai.match("โพธิ์", province="ศรีสะเกษ")
    ]
    assert len(candidates) > 1
    assert f"fits {len(candidates)} places: {'; '.join(candidates)}" in message
    assert "Add the district or province" in message


def test_a_place_in_another_province_is_an_error_for_staff(sisaket, staff_user):
    call_command("load_geography", "--province", "34", verbosity=0)
    content = xlsx([["ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ"], ["สภาฯ", "ในเมือง", "เมืองอุบลราชธานี"]])
    batch = service.store_upload(upload("other.xlsx", content), "councils", staff_user)
    row = batch.preview["rows"][0]
    assert row["outcome"] == "error"
    assert messages_of(row) == ["This record is outside your provinces."]


def test_a_row_for_a_record_outside_the_users_scope_is_an_error(sisaket, db):
    elsewhere = UserFactory(role="staff")
    elsewhere.provinces.add(ProvinceFactory(code="34", name_th="อุบลราชธานี"))
    CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")
    content = xlsx([["Registration code", "Name (Thai)"], ["C330401", "ชื่อใหม่"]])
    batch = service.store_upload(upload("scope.xlsx", content), "councils", elsewhere)
    assert messages_of(batch.preview["rows"][0]) == ["This record is outside your provinces."]


def test_a_stale_export_shows_a_conflict(sisaket, staff_user):
    council = CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")
    content = xlsx(
        [["Registration code", "Name (Thai)", "Version"], ["C330401", "ชื่อจากไฟล์", council.version]]
    )
    council.name_en = "Edited in the portal"
    council.save()
    batch = service.store_upload(upload("export.xlsx", content), "councils", staff_user)
    row = batch.preview["rows"][0]
    assert row["outcome"] == "conflict"
    assert "Changed in the portal since this file was exported" in messages_of(row)[0]


def test_unknown_headers_are_mapped_and_remembered(sisaket, staff_user):
    content = xlsx(
        [
            ["ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ", "ครัวเรือนทั้งหมด (ปี 66)"],
            ["สภาองค์กรชุมชนตำบลบึงมะลู", "บึงมะลู", "กันทรลักษ์", "1,704"],
        ]
    )
    batch = service.store_upload(upload("unknown.xlsx", content), "councils", staff_user)
    assert batch.preview["unknown"] == ["ครัวเรือนทั้งหมด (ปี 66)"]
    HeaderMapping.objects.create(
        user=staff_user, kind="councils", header="ครัวเรือนทั้งหมด (ปี 66)", field="households"
    )
    again = service.store_upload(upload("unknown.xlsx", content), "councils", staff_user)
    assert again.preview["unknown"] == []
    changes = {key: new for key, _old, new in again.preview["rows"][0]["changes"]}
    assert changes["households"] == 1704


# Bad files: a clear message, nothing written -------------------------------------------------


def zip_bomb() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    return output.getvalue()


def entity_bomb() -> bytes:
    source = io.BytesIO(xlsx([["ชื่อสภาองค์กรชุมชน", "ตำบล"], ["ก", "ข"]]))
    output = io.BytesIO()
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(output, "w") as archive:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = bomb.encode()
            archive.writestr(item, data)
    return output.getvalue()


BAD_FILES = {
    "empty": ("empty.csv", b"", "The file is empty."),
    "header only": (
        "header.xlsx",
        xlsx([["ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ"]]),
        "The file has a header row but no data rows.",
    ),
    "renamed pdf": (
        "report.xlsx",
        b"%PDF-1.4 not a spreadsheet",
        "This file is not an Excel workbook, though its name ends in .xlsx.",
    ),
    "other zip": (
        "photos.xlsx",
        (
            lambda: (lambda b: (zipfile.ZipFile(b, "w").writestr("a.txt", "x"), b.getvalue())[1])(
                io.BytesIO()
            )
        )(),
        "This file is not an Excel workbook, though its name ends in .xlsx.",
    ),
    "old xls": (
        "old.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        "This is an old Excel file (.xls). Open it in Excel and save it as .xlsx.",
    ),
    "image": (
        "photo.png",
        b"\x89PNG\r\n\x1a\n",
        "Upload an Excel workbook (.xlsx) or a CSV file (.csv).",
    ),
    "binary csv": ("data.csv", b"a,b\x00\x00\x01", "This file is not a CSV text file."),
    "no header": (
        "numbers.csv",
        b"1,2,3\n4,5,6\n",
        "No header row found: the first rows of the sheet should name the columns "
        "(download the template to see the names).",
    ),
    "zip bomb": (
        "bomb.xlsx",
        zip_bomb(),
        "The workbook unpacks to far more than its size (a zip bomb); refused.",
    ),
    "entity bomb": (
        "lol.xlsx",
        entity_bomb(),
        "The workbook contains XML that is not allowed (an entity bomb); refused.",
    ),
    "missing required column": (
        "missing.csv",
        "ตำบล,อำเภอ\nบึงมะลู,กันทรลักษ์\n".encode(),
        "The file has no column for: Registration code or Name (Thai).",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_is_refused_clearly_and_nothing_is_written(sisaket, staff_user, case):
    name, content, message = BAD_FILES[case]
    with translation.override("en"), pytest.raises(FileRejected) as refused:
        service.store_upload(upload(name, content), "councils", staff_user)
    with translation.override("en"):
        assert str(refused.value) == message
    assert not ImportBatch.objects.exists()
    assert not Council.objects.exists()
    assert not default_storage.exists("imports") or default_storage.listdir("imports")[1] == []


def test_too_many_rows_and_too_big_files_are_refused(sisaket, staff_user, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [["ชื่อสภาองค์กรชุมชน", "ตำบล"]] + [["ก", "ข"]] * 4
    with pytest.raises(FileRejected, match="more than 3 rows"):
        service.store_upload(upload("rows.xlsx", xlsx(rows)), "councils", staff_user)
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(FileRejected, match="the limit is"):
        service.store_upload(upload("big.csv", b"x" * 101), "councils", staff_user)
    assert not ImportBatch.objects.exists()


# Commit and undo ------------------------------------------------------------------------------


def test_all_or_nothing_is_refused_while_rows_have_errors(sisaket, staff_user):
    batch = service.store_upload(upload("councils_with_errors.xlsx"), "councils", staff_user)
    with pytest.raises(service.CommitRefused, match="3 rows have errors"):
        service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    assert not Council.objects.exists()
    service.commit(batch, staff_user, ImportBatch.Mode.VALID)
    assert Council.objects.count() == 3
    batch.refresh_from_db()
    assert (batch.status, batch.rows_new, batch.rows_error) == ("imported", 3, 3)


def test_the_rejected_rows_download_with_their_reasons(sisaket, staff_user):
    from imports.spreadsheets import errors_workbook

    batch = service.store_upload(upload("councils_with_errors.xlsx"), "councils", staff_user)
    sheet = load_workbook(io.BytesIO(errors_workbook(batch, service.render_message))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Row in the original file", "No.", "District", "Subdistrict")
    assert rows[0][-1] == "Reasons"
    assert [row[0] for row in rows[1:]] == [6, 7, 8]
    assert rows[2][5] == "many"
    assert rows[2][-1] == 'Households: "many" is not a whole number.'
    # Sent back as it is, the file is read again: the added columns are ignored.
    back = service.store_upload(
        upload("fixed.xlsx", errors_workbook(batch, service.render_message)), "councils", staff_user
    )
    assert back.preview["unknown"] == []
    assert back.rows_error == 3


def test_a_commit_rechecks_and_writes_nothing_when_the_records_moved_on(sisaket, staff_user):
    council = CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")
    content = xlsx(
        [["Registration code", "Name (Thai)", "Version"], ["C330401", "ชื่อใหม่", council.version]]
    )
    batch = service.store_upload(upload("export.xlsx", content), "councils", staff_user)
    assert batch.rows_changed == 1
    council.name_en = "Edited meanwhile"
    council.save()
    with pytest.raises(service.CommitRefused, match="changed since the preview"):
        service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    council.refresh_from_db()
    assert council.name_th != "ชื่อใหม่"
    batch.refresh_from_db()
    assert batch.status == "preview" and batch.preview["rows"][0]["outcome"] == "conflict"


def test_undo_archives_what_was_created_and_restores_what_was_changed(sisaket, staff_user):
    kept = CouncilFactory(code="C330402", subdistrict_id="330402", district_id="3304")
    changed = CouncilFactory(code="C330403", subdistrict_id="330403", district_id="3304")
    old_households = changed.households
    content = xlsx(
        [
            ["Registration code", "Name (Thai)", "Subdistrict", "District", "Households"],
            ["", "สภาฯ บึงมะลู", "บึงมะลู", "กันทรลักษ์", 100],
            ["C330402", kept.name_th, "กุดเสลา", "กันทรลักษ์", 200],
            ["C330403", changed.name_th, "เมือง", "กันทรลักษ์", 300],
        ]
    )
    batch = service.store_upload(upload("undo.xlsx", content), "councils", staff_user)
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    kept.refresh_from_db()
    kept.phone = "045-611-234"  # edited after the import
    kept.save()

    report = service.undo(batch, staff_user)
    assert [line["label"] for line in report["removed"]] == ["สภาฯ บึงมะลู"]
    assert [line["id"] for line in report["restored"]] == [changed.pk]
    assert [line["id"] for line in report["kept"]] == [kept.pk]
    created = Council.objects.get(code="C330401")
    assert created.is_archived
    changed.refresh_from_db()
    assert changed.households == old_households
    assert changed.history.first().history_change_reason == f"undo:{batch.pk}"
    kept.refresh_from_db()
    assert (kept.households, kept.phone) == (200, "045-611-234")
    batch.refresh_from_db()
    assert batch.status == "undone" and batch.undone_by == staff_user
    with pytest.raises(service.CommitRefused):
        service.undo(batch, staff_user)

    # The same file again brings the archived council back instead of duplicating it.
    again = service.store_upload(upload("undo.xlsx", content), "councils", staff_user)
    assert rows_by_number(again)[2]["outcome"] == "changed"
    service.commit(again, staff_user, ImportBatch.Mode.ALL)
    assert not Council.objects.get(code="C330401").is_archived


def test_undo_gives_the_previous_chair_back(sisaket, staff_user):
    council = CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")
    old_chair = CouncilMemberFactory(council=council, full_name="นางเดิม ประธาน", role="chair")
    content = xlsx([["Registration code", "ประธานสภา"], ["C330401", "นายใหม่ ประธาน"]])
    batch = service.store_upload(upload("chair.xlsx", content), "councils", staff_user)
    (change,) = batch.preview["rows"][0]["changes"]
    assert change == ["chair", "นางเดิม ประธาน", "นายใหม่ ประธาน"]
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    old_chair.refresh_from_db()
    assert old_chair.role == "member"
    assert CouncilMember.objects.get(full_name="นายใหม่ ประธาน").role == "chair"
    service.undo(batch, staff_user)
    old_chair.refresh_from_db()
    assert old_chair.role == "chair"
    assert CouncilMember.objects.get(full_name="นายใหม่ ประธาน").is_archived


# Council members ------------------------------------------------------------------------------


def test_council_members_from_a_messy_roster(sisaket, staff_user):
    council = CouncilFactory(
        code="C330401",
        name_th="สภาองค์กรชุมชนตำบลบึงมะลู",
        subdistrict_id="330401",
        district_id="3304",
    )
    batch = service.store_upload(upload("members_messy.xlsx"), "members", staff_user)
    rows = rows_by_number(batch)
    assert rows[3]["outcome"] == rows[4]["outcome"] == "new"
    assert rows[5]["errors"][0]["column"] == "เลขประจำตัวประชาชน"
    assert "check digit" in messages_of(rows[5])[0]
    assert messages_of(rows[6]) == ['No council has the code or name "ไม่มีสภานี้".']
    assert "not a Thai phone number" in messages_of(rows[7])[0]
    assert "not one of the allowed values" in messages_of(rows[8])[0]
    service.commit(batch, staff_user, ImportBatch.Mode.VALID)
    somsri = CouncilMember.objects.get(full_name="นางสมศรี ใจดี")
    assert (somsri.council, somsri.role, somsri.national_id) == (
        council,
        "secretary",
        "1100100000018",
    )
    assert somsri.phone == "081-234-5678"
    assert somsri.term_start == datetime.date(2023, 10, 1)
    assert CouncilMember.objects.get(full_name="นายบุญมี มีสุข").national_id == "1100100000026"
    again = service.store_upload(upload("members_messy.xlsx"), "members", staff_user)
    assert (again.rows_new, again.rows_changed, again.rows_unchanged) == (0, 0, 2)


def test_a_council_editor_imports_its_own_councils_members_only(sisaket):
    own = CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")
    CouncilFactory(code="C330402", subdistrict_id="330402", district_id="3304")
    editor = UserFactory(role="council_editor", council=own)
    rows = [
        ["สภา", "ชื่อ-สกุล", "ตำแหน่ง"],
        ["C330401", "นางสาวใจดี มีสุข", "กรรมการ"],
        ["C330402", "นายข้าม เขต", "กรรมการ"],
    ]
    batch = service.store_upload(SimpleUploadedFile("m.xlsx", xlsx(rows)), "members", editor)
    outcome = rows_by_number(batch)
    assert outcome[2]["outcome"] == "new"
    assert messages_of(outcome[3]) == ['No council has the code or name "C330402".']
    service.commit(batch, editor, ImportBatch.Mode.VALID)
    assert list(CouncilMember.objects.values_list("council__code", "full_name")) == [
        ("C330401", "นางสาวใจดี มีสุข")
    ]
    assert service.kinds_for(editor) == [ImportBatch.Kind.MEMBERS]


# Queries --------------------------------------------------------------------------------------


def test_the_preview_runs_a_bounded_number_of_queries_per_row(
    sisaket, staff_user, django_assert_max_num_queries
):
    rows = [["ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ", "ครัวเรือน"]]
    subdistricts = list(
        __import__("geo.models", fromlist=["Subdistrict"])
        .Subdistrict.objects.filter(district_id="3304")
        .values_list("name_th", flat=True)
    )
    for name in subdistricts:
        rows.append([f"สภาฯ {name}", name, "กันทรลักษ์", 100])
    content = xlsx(rows)
    # Row by row (import-export's loop): per row the area, the natural key, the unique code,
    # the model's four constraints (a savepoint each), the save and its history; nothing that
    # grows with the file. The bulk path of large files is a later step.
    with django_assert_max_num_queries(20 * len(subdistricts) + 10):
        service.store_upload(upload("many.xlsx", content), "councils", staff_user)


def test_header_names_cover_both_languages():
    names = CouncilImportResource.header_names()
    for header in ("ตำบล", "subdistrict", "registration code", "รหัสทะเบียน", "households"):
        assert header in names
