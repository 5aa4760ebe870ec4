"""The import centre's pages: upload, preview, column mapping, commit, downloads, undo."""

import html
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

from councils.models import Council
from imports.models import HeaderMapping, ImportBatch
from tests.factories import CouncilFactory, UserFactory
from tests.helpers import content_of

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def sisaket(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_geography", "--province", "33", verbosity=0)


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def file(name, content=None):
    return SimpleUploadedFile(name, content if content is not None else (DATA / name).read_bytes())


def upload(client, name, kind="councils", content=None, language="en"):
    return client.post(
        "/imports/",
        {"kind": kind, "file": file(name, content)},
        headers={"accept-language": language},
    )


def test_upload_shows_the_preview_with_row_numbers_columns_and_reasons(staff_client):
    response = upload(staff_client, "councils_with_errors.xlsx")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == f"/imports/{batch.pk}/"
    page = staff_client.get(response.url, headers={"accept-language": "en"})
    html = page.content.decode()
    assert "Households</strong>: &quot;many&quot; is not a whole number." in html
    assert "header in row 3" in html
    assert "Row 11 (a totals row) was skipped." in html
    assert "Columns read but not imported: No., หมายเหตุ" in html
    rows = page.context["rows"]
    assert [(row["row"], row["outcome"]) for row in rows] == [
        (4, "new"),
        (5, "new"),
        (6, "error"),
        (7, "error"),
        (8, "error"),
        (10, "new"),
    ]
    assert 'id="mode-all" disabled' in html  # all or nothing is not offered with errors
    assert not Council.objects.exists()


def test_the_preview_page_in_thai(staff_client, settings):
    upload(staff_client, "councils_with_errors.xlsx")
    batch = ImportBatch.objects.get()
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    html = staff_client.get(f"/imports/{batch.pk}/")
    text = html.content.decode()
    assert "ตัวอย่างก่อนนำเข้า" in text
    assert "ไม่ใช่จำนวนเต็ม" in text
    assert "นำเข้าเฉพาะแถวที่ถูกต้อง" in text


def test_only_errors_filter(staff_client):
    upload(staff_client, "councils_with_errors.xlsx")
    batch = ImportBatch.objects.get()
    page = staff_client.get(f"/imports/{batch.pk}/?show=error")
    assert [row["row"] for row in page.context["rows"]] == [6, 7, 8]


def test_a_bad_file_is_refused_on_the_page_and_nothing_is_kept(staff_client):
    response = upload(staff_client, "report.xlsx", content=b"%PDF-1.4")
    assert response.status_code == 400
    assert "This file is not an Excel workbook, though its name ends in .xlsx." in (
        response.content.decode()
    )
    assert not ImportBatch.objects.exists()


def test_valid_rows_only_then_download_the_rejected_rows_then_undo(staff_client, staff_user):
    upload(staff_client, "councils_with_errors.xlsx")
    batch = ImportBatch.objects.get()
    refused = staff_client.post(f"/imports/{batch.pk}/commit/", {"mode": "all"}, follow=True)
    assert "3 rows have errors" in refused.content.decode()
    assert not Council.objects.exists()

    confirm = batch.commit_confirmation("valid")
    done = staff_client.post(
        f"/imports/{batch.pk}/commit/", {"mode": "valid", "confirm": confirm}, follow=True
    )
    assert "Imported: 3 new, 0 changed, 0 unchanged." in done.content.decode()
    assert Council.objects.count() == 3
    batch.refresh_from_db()
    assert (batch.status, batch.mode) == ("imported", "valid")

    download = staff_client.get(f"/imports/{batch.pk}/rejected-rows.xlsx")
    assert download["Content-Disposition"].endswith('rejected-rows.xlsx"')
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [6, 7, 8]

    undone = staff_client.post(
        f"/imports/{batch.pk}/undo/", {"confirm": batch.undo_confirmation()}, follow=True
    )
    assert "Undone: 3 records archived" in undone.content.decode()
    assert Council.objects.active().count() == 0
    assert Council.objects.count() == 3  # archived, never deleted
    assert "3 records created by the import were archived." in undone.content.decode()


def test_unknown_columns_are_mapped_on_the_page_and_remembered(staff_client):
    from tests.test_imports import xlsx

    content = xlsx(
        [
            ["ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ", "ครัวเรือนปี 66"],
            ["สภาองค์กรชุมชนตำบลบึงมะลู", "บึงมะลู", "กันทรลักษ์", "1,704"],
        ]
    )
    upload(staff_client, "u.xlsx", content=content)
    batch = ImportBatch.objects.get()
    page = staff_client.get(f"/imports/{batch.pk}/")
    assert page.context["unknown"] == ["ครัวเรือนปี 66"]
    staff_client.post(f"/imports/{batch.pk}/columns/", {"column-0": "households"})
    batch.refresh_from_db()
    assert batch.preview["unknown"] == []
    assert ["households", None, 1704] in batch.preview["rows"][0]["changes"]
    assert HeaderMapping.objects.get().field == "households"
    upload(staff_client, "u.xlsx", content=content)  # the next file of the kind
    assert ImportBatch.objects.first().preview["unknown"] == []


def test_a_field_that_is_not_the_kinds_cannot_be_mapped(staff_client):
    from tests.test_imports import xlsx

    content = xlsx([["ชื่อสภาองค์กรชุมชน", "ตำบล", "อะไร"], ["สภาฯ", "บึงมะลู", "x"]])
    upload(staff_client, "u.xlsx", content=content)
    batch = ImportBatch.objects.get()
    staff_client.post(f"/imports/{batch.pk}/columns/", {"column-0": "is_demo"})
    assert not HeaderMapping.objects.filter(field="is_demo").exists()


def test_the_template_has_both_languages_instructions_and_valid_values(staff_client):
    response = staff_client.get(
        "/imports/template/councils.xlsx", headers={"accept-language": "en"}
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Data", "Instructions", "Valid values"]
    headers = [cell.value for cell in book["Data"][1]]
    assert "ตำบล / Subdistrict" in headers
    assert "รหัสทะเบียน / Registration code" in headers or "Registration code" in str(headers)
    values = [row[1] for row in book["Valid values"].iter_rows(values_only=True) if row[1]]
    assert "กันทรลักษ์" in values
    # Filled in, the template comes back in.
    sheet = book["Data"]
    row = {header: "" for header in headers}
    row.update(
        {
            next(h for h in headers if h.endswith("Name (Thai)")): "สภาองค์กรชุมชนตำบลบึงมะลู",
            "ตำบล / Subdistrict": "บึงมะลู",
            "อำเภอ / District": "กันทรลักษ์",
        }
    )
    sheet.append([row[header] for header in headers])
    output = io.BytesIO()
    book.save(output)
    upload(staff_client, "filled.xlsx", content=output.getvalue())
    batch = ImportBatch.objects.get()
    assert (batch.rows_new, batch.rows_error, batch.preview["unknown"]) == (1, 0, [])


def test_an_untouched_template_is_header_only(staff_client):
    response = staff_client.get("/imports/template/members.xlsx")
    refused = upload(staff_client, "t.xlsx", kind="members", content=response.content)
    assert "The file has a header row but no data rows." in refused.content.decode()


def test_viewers_cannot_import(client):
    client.force_login(UserFactory(role="viewer"))
    assert upload(client, "councils_utf8_bom.csv").status_code == 403
    assert client.get("/imports/").status_code == 403
    assert not ImportBatch.objects.exists()


def test_a_council_editor_is_offered_its_members_only(client):
    client.force_login(UserFactory(role="council_editor", council=CouncilFactory()))
    page = client.get("/imports/")
    assert [value for value, _label in page.context["kinds"]] == ["members"]
    refused = upload(client, "councils_utf8_bom.csv")
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    assert client.get("/imports/template/councils.xlsx").status_code == 403
    assert client.get("/imports/template/members.xlsx").status_code == 200
    assert not ImportBatch.objects.exists()


def test_another_users_batch_is_not_found_and_cannot_be_committed(client, staff_client):
    upload(staff_client, "councils_utf8_bom.csv")
    batch = ImportBatch.objects.get()
    colleague = UserFactory(role="staff")
    client.force_login(colleague)
    assert client.post(f"/imports/{batch.pk}/commit/", {"mode": "all"}).status_code == 404
    assert not Council.objects.exists()


def test_past_imports_page_lists_the_batches(staff_client):
    upload(staff_client, "councils_utf8_bom.csv")
    page = staff_client.get("/imports/batches/")
    assert "councils_utf8_bom.csv" in page.content.decode()


def test_cancel_leaves_nothing(staff_client):
    upload(staff_client, "councils_utf8_bom.csv")
    batch = ImportBatch.objects.get()
    staff_client.post(f"/imports/{batch.pk}/cancel/")
    batch.refresh_from_db()
    assert batch.status == "cancelled"
    assert staff_client.post(f"/imports/{batch.pk}/commit/", {"mode": "all"}).status_code == 302
    assert not Council.objects.exists()


@pytest.mark.parametrize("language", ["th", "en"])
def test_an_export_imports_back_unchanged_and_a_stale_one_shows_conflicts(
    staff_client, settings, language
):
    from tests.factories import CouncilMemberFactory

    councils = [
        CouncilFactory(code=f"C33040{n}", subdistrict_id=f"33040{n}", district_id="3304")
        for n in (1, 2, 3)
    ]
    CouncilMemberFactory(council=councils[0], role="chair")
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    exported = content_of(staff_client.get("/councils/?format=xlsx"))
    upload(staff_client, "export.xlsx", content=exported)
    batch = ImportBatch.objects.get()
    assert batch.preview["unknown"] == []
    assert (batch.rows_total, batch.rows_unchanged, batch.rows_error) == (3, 3, 0)

    councils[1].phone = "045-611-234"  # changed in the portal after the export
    councils[1].save()
    upload(staff_client, "export.xlsx", content=exported)
    stale = ImportBatch.objects.first()
    outcomes = {row["label"]: row["outcome"] for row in stale.preview["rows"]}
    assert outcomes[councils[1].name_th] == "conflict"
    assert list(outcomes.values()).count("unchanged") == 2


def test_an_unknown_column_cannot_take_the_field_of_a_known_one(staff_client):
    from tests.test_imports import xlsx

    content = xlsx(
        [["ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ", "ตำบล (เดิม)"], ["สภาฯ", "บึงมะลู", "กันทรลักษ์", "x"]]
    )
    upload(staff_client, "u.xlsx", content=content)
    batch = ImportBatch.objects.get()
    page = staff_client.post(
        f"/imports/{batch.pk}/columns/", {"column-0": "subdistrict"}, follow=True
    )
    assert '"ตำบล (เดิม)" cannot be Subdistrict: the column "ตำบล" already is.' in (
        html.unescape(page.content.decode())
    )
    assert not HeaderMapping.objects.exists()
