"""An import discloses nothing it should not: nothing about records outside the user's
provinces, no template of a kind that does not exist, no formula of a header run in a download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from imports import service
from tests.factories import CouncilFactory, CouncilMemberFactory, ProvinceFactory, UserFactory
from tests.test_imports import messages_of, xlsx

NATIONAL_ID = "1101700203450"
UNKNOWN_ID = "3100600158377"


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_geography", "--province", "33", verbosity=0)
    with translation.override("en"):
        yield


def test_a_version_column_does_not_reveal_whether_a_person_exists_in_another_province():
    council = CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")
    CouncilMemberFactory(council=council, full_name="นางสาวลับ ลับมาก", national_id=NATIONAL_ID)
    elsewhere = UserFactory(role="staff")
    elsewhere.provinces.add(ProvinceFactory(code="34", name_th="อุบลราชธานี"))
    rows = [
        ["Council", "Full name", "National ID", "version"],
        ["C330401", "ใครก็ได้", NATIONAL_ID, 99],
        ["C330401", "ใครก็ได้", UNKNOWN_ID, 99],
    ]
    batch = service.store_upload(SimpleUploadedFile("m.xlsx", xlsx(rows)), "members", elsewhere)
    known, unknown = batch.preview["rows"]
    # A member who exists and one who does not answer alike: the record is out of scope.
    assert known["outcome"] == unknown["outcome"] == "error"
    expected = ['No council has the code or name "C330401".']
    assert messages_of(known) == messages_of(unknown) == expected


def test_a_template_of_no_such_kind_is_not_found(staff_user, client):
    client.force_login(staff_user)
    assert client.get("/imports/template/nothing.xlsx").status_code == 404


def test_a_formula_in_a_header_stays_text_in_the_rejected_rows_download(staff_user):
    import io

    from openpyxl import load_workbook

    from imports.spreadsheets import errors_workbook

    formula = '=HYPERLINK("http://example.invalid/")'
    content = f"Name (Thai),Households,{formula}\nสภา,many,x\n".encode()
    batch = service.store_upload(SimpleUploadedFile("c.csv", content), "councils", staff_user)
    book = load_workbook(io.BytesIO(errors_workbook(batch, service.render_message)))
    header = [cell for cell in next(book.active.iter_rows(min_row=1, max_row=1))]
    assert all(cell.data_type != "f" for cell in header)
    assert "'" + formula in [cell.value for cell in header]
