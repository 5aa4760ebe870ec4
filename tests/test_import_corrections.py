"""Rows with errors corrected in the preview (imports.service.correct_row and its page): the
row is checked again on its own, the batch keeps the corrected values and the file's ones
for audit, and the commit reads the file with the corrections and checks them once more."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from councils.models import Council
from imports import service
from imports.models import ImportBatch
from tests.factories import UserFactory
from tests.helpers import content_of

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def sisaket(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_geography", "--province", "33", verbosity=0)


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def upload(user, name="councils_with_errors.xlsx", content=None, kind="councils"):
    content = content if content is not None else (DATA / name).read_bytes()
    return service.store_upload(SimpleUploadedFile(name, content), kind, user)


def entry(batch, number):
    batch.refresh_from_db()
    return next(row for row in batch.preview["rows"] if row["row"] == number)


def messages_of(row) -> list[str]:
    return [service.render_message(error) for error in row.get("errors", [])]


def agencies(*lines) -> bytes:
    return ("code,name_th,sector,province\n" + "".join(f"{line}\n" for line in lines)).encode()


def test_two_corrected_rows_are_checked_again_and_imported_with_their_new_values(staff_user):
    batch = upload(staff_user)
    assert (batch.rows_new, batch.rows_error) == (3, 3)
    service.correct_row(batch, staff_user, 7, {"households": "1200"})
    service.correct_row(batch, staff_user, 8, {"registered_on": "28/02/2556"})
    assert entry(batch, 7)["outcome"] == entry(batch, 8)["outcome"] == "new"
    assert (batch.rows_new, batch.rows_error, batch.rows_total) == (5, 1, 6)
    assert service.error_rows(batch) == {6}
    # The file's values are kept beside the corrected ones, with who corrected them and when.
    record = batch.corrections["7"]
    assert record["values"] == {"households": "1200"}
    assert record["original"] == {"households": "many"}
    assert record["edits"][0]["by"] == staff_user.pk and record["edits"][0]["at"]

    service.commit(batch, staff_user, ImportBatch.Mode.VALID)
    assert Council.objects.count() == 5
    assert Council.objects.get(name_th="สภาองค์กรชุมชนตำบลโคกเพชร").households == 1200
    assert str(Council.objects.get(name_th="สภาองค์กรชุมชนตำบลศรีสะอาด").registered_on) == (
        "2013-02-28"
    )
    batch.refresh_from_db()
    assert batch.corrections["7"]["original"] == {"households": "many"}  # audit stays


def test_a_corrected_row_that_still_has_errors_shows_its_new_errors(staff_user):
    batch = upload(staff_user)
    service.correct_row(batch, staff_user, 7, {"households": "lots"})
    row = entry(batch, 7)
    assert row["outcome"] == "error"
    assert messages_of(row) == ['"lots" is not a whole number.']
    assert row["cells"][4] == "lots"  # the rejected-rows download has the value as corrected
    assert batch.rows_error == 3
    assert batch.corrections["7"]["original"] == {"households": "many"}
    # Corrected again, and back to the file's value: the original is still the file's.
    service.correct_row(batch, staff_user, 7, {"households": "many"})
    batch.refresh_from_db()
    assert batch.corrections["7"]["values"] == {}
    assert batch.corrections["7"]["original"] == {"households": "many"}
    assert len(batch.corrections["7"]["edits"]) == 2


@pytest.mark.parametrize(
    ("number", "values", "message"),
    [
        (7, {"colour": "red"}, "The file has no column for “colour”; nothing was changed."),
        (99, {"households": "1"}, "Row 99 is not one of this file's rows; nothing was changed."),
        (4, {"households": "1"}, "Row 4 has no error: only rows with errors are corrected here."),
        # A column the file has but does not import ("No.") is not a field either.
        (7, {"__ignored__": "1"}, "The file has no column for “__ignored__”; nothing was changed."),
    ],
)
def test_bad_corrections_are_refused_and_change_nothing(staff_user, number, values, message):
    batch = upload(staff_user)
    before = ImportBatch.objects.values().get(pk=batch.pk)
    with pytest.raises(service.CorrectionRefused) as refused:
        service.correct_row(batch, staff_user, number, values)
    assert str(refused.value) == message
    assert ImportBatch.objects.values().get(pk=batch.pk) == before


@pytest.mark.parametrize("status", ["cancelled", "imported", "importing", "queued"])
def test_only_a_batch_waiting_for_confirmation_is_corrected(staff_user, status):
    batch = upload(staff_user)
    ImportBatch.objects.filter(pk=batch.pk).update(status=status)
    with pytest.raises(service.CorrectionRefused):
        service.correct_row(batch, staff_user, 7, {"households": "1200"})
    batch.refresh_from_db()
    assert batch.corrections == {} and entry(batch, 7)["outcome"] == "error"


def test_the_commit_checks_the_corrected_values_again(staff_user):
    """The commit reads the file and the corrections anew: a corrected value that is no longer
    valid when the batch is written is refused there, and the renewed preview shows it."""
    batch = upload(staff_user)
    service.correct_row(batch, staff_user, 7, {"households": "1200"})
    batch.refresh_from_db()
    batch.corrections["7"]["values"]["households"] = "twelve hundred"
    ImportBatch.objects.filter(pk=batch.pk).update(corrections=batch.corrections)
    with pytest.raises(service.CommitRefused):
        service.commit(batch, staff_user, ImportBatch.Mode.VALID)
    assert not Council.objects.exists()
    assert messages_of(entry(batch, 7)) == ['"twelve hundred" is not a whole number.']


def test_correcting_one_of_two_duplicate_rows_frees_both(staff_user):
    batch = upload(
        staff_user,
        "agencies.csv",
        agencies("A1,หน่วยงานหนึ่ง,provincial,ศรีสะเกษ", "A1,หน่วยงานสอง,provincial,ศรีสะเกษ"),
        kind="agencies",
    )
    assert batch.rows_error == 2
    service.correct_row(batch, staff_user, 3, {"code": "A2"})
    assert [entry(batch, 2)["outcome"], entry(batch, 3)["outcome"]] == ["new", "new"]
    assert batch.rows_new == 2 and batch.rows_error == 0
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    from councils.models import Agency

    assert sorted(Agency.objects.values_list("code", flat=True)) == ["A1", "A2"]


def test_a_correction_that_repeats_another_row_is_refused_at_the_commit(staff_user):
    """Checked on its own, a corrected row cannot see that another row names the same
    record: the commit does, writes nothing and renews the preview with both rows refused."""
    from councils.models import Agency

    batch = upload(
        staff_user,
        "agencies.csv",
        agencies("A1,หน่วยงานหนึ่ง,provincial,ศรีสะเกษ", "A2,หน่วยงานสอง,nowhere,ศรีสะเกษ"),
        kind="agencies",
    )
    service.correct_row(batch, staff_user, 3, {"code": "A1", "sector": "provincial"})
    assert entry(batch, 3)["outcome"] == "new"
    with pytest.raises(service.CommitRefused):
        service.commit(batch, staff_user, ImportBatch.Mode.VALID)
    assert not Agency.objects.exists()
    assert [entry(batch, 2)["outcome"], entry(batch, 3)["outcome"]] == ["error", "error"]
    assert messages_of(entry(batch, 3)) == ["The same record is on row 2 of the file too."]


def test_a_correction_checks_one_row_whatever_the_size_of_the_file(staff_user):
    """The queries of a correction do not grow with the file: one row is checked."""

    def queries(count):
        lines = [f"B{n},หน่วยงาน {n},provincial,ศรีสะเกษ" for n in range(count)]
        batch = upload(staff_user, "a.csv", agencies("B0,,nowhere,ศรีสะเกษ", *lines), "agencies")
        assert entry(batch, 2)["outcome"] == "error"
        with CaptureQueriesContext(connection) as captured:
            service.correct_row(batch, staff_user, 2, {"code": "X1", "name_th": "ใหม่"})
        return len(captured)

    assert queries(5) == queries(300)


def test_a_large_file_checked_in_the_background_is_corrected_at_once(staff_user, settings):
    settings.IMPORT_BACKGROUND_BYTES = 1000  # the file (7 KB) is checked by the worker
    batch = upload(staff_user)
    assert batch.size > settings.IMPORT_BACKGROUND_BYTES
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW and batch.rows_error == 3
    service.correct_row(batch, staff_user, 7, {"households": "1200"})
    assert entry(batch, 7)["outcome"] == "new"
    assert service.request_commit(batch, staff_user, ImportBatch.Mode.VALID) is True
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED and batch.rows_new == 4
    assert Council.objects.get(name_th="สภาองค์กรชุมชนตำบลโคกเพชร").households == 1200


def test_a_correction_asks_the_commit_to_be_confirmed_again(staff_user):
    batch = upload(staff_user)
    shown = batch.commit_confirmation("valid")
    service.correct_row(batch, staff_user, 7, {"households": "lots"})  # still an error
    batch.refresh_from_db()
    assert batch.rows_new == 3 and batch.commit_confirmation("valid") != shown


# The page ---------------------------------------------------------------------------------


def test_an_error_row_opens_as_a_form_and_is_corrected_from_the_page(staff_client, staff_user):
    batch = upload(staff_user)
    page = staff_client.get(f"/imports/{batch.pk}/?show=error")
    html = page.content.decode()
    assert html.count("Correct this row") == 3 and page.context["editing"] is None
    assert 'href="?show=error&amp;edit=7#row-7"' in html

    form = staff_client.get(f"/imports/{batch.pk}/?show=error&edit=7").content.decode()
    assert f'action="/imports/{batch.pk}/rows/7/"' in form
    assert 'name="cell-households" id="cell-7-households" value="many"' in form
    assert "is-invalid" in form and 'name="cell-__ignored__"' not in form
    assert form.count("Correct this row") == 2  # the open row has its form instead

    response = staff_client.post(
        f"/imports/{batch.pk}/rows/7/",
        {"cell-households": "1200", "cell-name_th": "สภาองค์กรชุมชนตำบลโคกเพชร", "show": "error"},
    )
    assert response.status_code == 302
    assert response.url == f"/imports/{batch.pk}/?show=error#row-7"
    assert "Row 7 is corrected and checked again: new." in (
        staff_client.get(response.url).content.decode()
    )
    done = staff_client.get(f"/imports/{batch.pk}/?show=new").content.decode()
    assert "Corrected in the browser by สมชาย" in done
    assert "Households covered “many” → “1200”" in done
    assert entry(batch, 7)["outcome"] == "new"

    # The rejected rows are the rows still wrong.
    sheet = load_workbook(
        io.BytesIO(content_of(staff_client.get(f"/imports/{batch.pk}/rejected-rows.xlsx")))
    ).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [6, 8]


def test_a_row_still_wrong_stays_open_with_its_new_errors(staff_client, staff_user):
    batch = upload(staff_user)
    response = staff_client.post(f"/imports/{batch.pk}/rows/7/", {"cell-households": "lots"})
    assert response.url == f"/imports/{batch.pk}/?edit=7#row-7"
    page = staff_client.get(response.url).content.decode()
    assert "Row 7 was checked again and still has errors" in page
    assert "&quot;lots&quot; is not a whole number." in page
    assert 'name="cell-households" id="cell-7-households" value="lots"' in page


def test_a_refused_correction_is_told_on_the_page(staff_client, staff_user):
    batch = upload(staff_user)
    response = staff_client.post(
        f"/imports/{batch.pk}/rows/7/", {"cell-colour": "red"}, follow=True
    )
    assert "The file has no column for “colour”; nothing was changed." in (
        response.content.decode()
    )
    batch.refresh_from_db()
    assert batch.corrections == {}


def test_no_correction_once_imported_and_no_form(staff_client, staff_user):
    batch = upload(staff_user)
    service.commit(batch, staff_user, ImportBatch.Mode.VALID)
    page = staff_client.get(f"/imports/{batch.pk}/?edit=7").content.decode()
    assert "Correct this row" not in page and "cell-households" not in page
    response = staff_client.post(f"/imports/{batch.pk}/rows/7/", {"cell-households": "1"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.corrections == {}


def test_another_importer_cannot_correct_someone_elses_batch(client, staff_user):
    batch = upload(staff_user)
    other = UserFactory(role="staff")
    client.force_login(other)
    response = client.post(f"/imports/{batch.pk}/rows/7/", {"cell-households": "1"})
    assert response.status_code == 404
    batch.refresh_from_db()
    assert batch.corrections == {}


def test_the_correction_form_in_thai(staff_client, staff_user, settings):
    batch = upload(staff_user)
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    page = staff_client.get(f"/imports/{batch.pk}/?edit=7").content.decode()
    for english in ("Correct this row", "Save and check again", "Correct row 7"):
        assert english not in page


def test_a_national_id_is_masked_in_the_form_and_kept_when_left_empty(staff_client, staff_user):
    from councils.models import CouncilMember
    from tests.factories import CouncilFactory
    from tests.test_imports import xlsx

    CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")
    rows = [
        ["สภา", "ชื่อ-สกุล", "ตำแหน่ง", "เลขประจำตัวประชาชน", "เบอร์โทร"],
        ["C330401", "นางสมศรี ใจดี", "กรรมการ", "1100100000018", "12345"],
        ["C330401", "นายผิด เลขบัตร", "กรรมการ", "1100100000017", ""],
    ]
    batch = upload(staff_user, "m.xlsx", xlsx(rows), kind="members")
    assert entry(batch, 2)["outcome"] == entry(batch, 3)["outcome"] == "error"
    form = staff_client.get(f"/imports/{batch.pk}/?edit=2").content.decode()
    assert "1100100000018" not in form  # a valid number is masked
    assert 'id="cell-2-national_id" value="" placeholder="' in form
    assert '<input type="hidden" name="keep" value="national_id">' in form
    # Left empty, the file's number is kept.
    staff_client.post(
        f"/imports/{batch.pk}/rows/2/",
        {"cell-national_id": "", "cell-phone": "", "keep": "national_id"},
    )
    assert entry(batch, 2)["outcome"] == "new"
    assert batch.corrections["2"]["values"] == {"phone": ""}
    # A wrong number, which its error names, is shown to be corrected.
    form = staff_client.get(f"/imports/{batch.pk}/?edit=3").content.decode()
    assert 'id="cell-3-national_id" value="1100100000017"' in form
    assert 'name="keep"' not in form
    staff_client.post(f"/imports/{batch.pk}/rows/3/", {"cell-national_id": "1100100000034"})
    assert entry(batch, 3)["outcome"] == "new"
    page = staff_client.get(f"/imports/{batch.pk}/").content.decode()
    assert "1100100000034" not in page and "1100100000018" not in page
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    assert CouncilMember.objects.get(full_name="นายผิด เลขบัตร").national_id == "1100100000034"
    assert CouncilMember.objects.get(full_name="นางสมศรี ใจดี").national_id == "1100100000018"


def test_a_person_typed_into_a_correction_is_erased_and_the_batch_cancelled(
    staff_user, admin_client
):
    """Erasure scrubs the corrections (every JSON column) and cancels a batch waiting for
    confirmation whose corrections held the person, though its file does not."""
    from councils.models import CouncilMember
    from tests.factories import CouncilFactory, CouncilMemberFactory
    from tests.test_imports import xlsx

    name = "นางสาวพิมพ์ใจ รักษ์ถิ่นเกิด"
    council = CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")
    CouncilMemberFactory(council=council, full_name=name, national_id="1101700203450")
    rows = [["สภา", "ชื่อ-สกุล", "ตำแหน่ง"], ["C330401", "", "กรรมการ"]]
    batch = upload(staff_user, "m.xlsx", xlsx(rows), kind="members")
    assert batch.rows_error == 1
    service.correct_row(batch, staff_user, 2, {"full_name": name})
    admin_client.post("/privacy/person/erase/", {"q": name, "confirm": "yes"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CANCELLED and batch.file
    assert name not in str(batch.corrections) and name not in str(batch.preview)
    assert "corrected rows was erased" in service.render_message(batch.notice)
    assert not CouncilMember.objects.filter(full_name=name).exists()


def test_a_corrected_batch_is_checked_in_full_at_commit(staff_user):
    """The commit's fast path (cells not checked again after an unchanged preview) is for a
    file as it was read: once a row is corrected, the preview no longer vouches for the rows
    (test_the_commit_checks_the_corrected_values_again shows the full check at work)."""
    batch = upload(staff_user)
    assert "checked_as" in batch.preview
    service.correct_row(batch, staff_user, 7, {"households": "1200"})
    batch.refresh_from_db()
    assert "checked_as" not in batch.preview
