"""A full address typed in the subdistrict cell (`ต.หนองครก อ.เมือง จ.ศรีสะเกษ`) is split and
matched with geothai; a name that fits none lists the nearest subdistricts; a place whose name
is itself dotted like a short form (ต.จ.ป.ร., Kra Buri, Ranong) is found inside such text."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from councils.models import Council
from imports import service
from imports.areas import address_readings
from imports.models import ImportBatch
from tests.test_imports import messages_of, xlsx


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_geography", "--province", "33", verbosity=0)
    with translation.override("en"):
        yield


def import_councils(user, *cells, header=("ชื่อสภาองค์กรชุมชน", "ตำบล")):
    rows = [list(header)] + [[f"สภาองค์กรชุมชน {index}", *row] for index, row in enumerate(cells)]
    return service.store_upload(SimpleUploadedFile("c.xlsx", xlsx(rows)), "councils", user)


@pytest.mark.parametrize(
    "cell",
    [
        "ต.หนองครก อ.เมือง จ.ศรีสะเกษ",
        "ตำบลหนองครก อำเภอเมืองศรีสะเกษ จังหวัดศรีสะเกษ",
        "ต.หนองครก อ.เมืองศรีสะเกษ จ.ศรีสะเกษ 33000",
        "ต.หนองครกอ.เมืองจ.ศรีสะเกษ",
        "  ต. หนองครก   อ. เมือง  ",
        "Nong Khrok",
    ],
)
def test_a_full_address_in_the_subdistrict_cell_is_split_and_matched(staff_user, cell):
    batch = import_councils(staff_user, [cell])
    row = batch.preview["rows"][0]
    assert row["outcome"] == "new", messages_of(row)
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    council = Council.objects.get()
    assert (council.subdistrict_id, council.district_id, council.code) == (
        "330107",
        "3301",
        "C330107",
    )


def test_the_cells_own_district_wins_over_an_empty_district_column(staff_user):
    batch = import_councils(
        staff_user, ["ต.หนองครก อ.เมือง", ""], header=("ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ")
    )
    assert batch.preview["rows"][0]["outcome"] == "new"


def test_a_name_that_fits_none_lists_the_nearest_subdistricts(staff_user):
    batch = import_councils(staff_user, ["ต.หนองคลก อ.เมือง จ.ศรีสะเกษ"])
    [message] = messages_of(batch.preview["rows"][0])
    assert message.startswith(
        'No subdistrict is called "ต.หนองคลก อ.เมือง จ.ศรีสะเกษ". Did you mean:'
    )
    assert "ต.หนองครก อ.เมืองศรีสะเกษ จ.ศรีสะเกษ" in message
    # Nearest within the district written: no other district's subdistricts.
    assert "อ.กันทรลักษ์" not in message


def test_a_misspelt_name_alone_lists_the_nearest_in_the_users_provinces(staff_user):
    batch = import_councils(staff_user, ["บึงมะลุ"])
    [message] = messages_of(batch.preview["rows"][0])
    assert "ต.บึงมะลู อ.กันทรลักษ์ จ.ศรีสะเกษ" in message
    assert "จ.ศรีสะเกษ" in message and "นครราชสีมา" not in message


@pytest.mark.parametrize("cell", ["ต.จ.ป.ร. อ.กระบุรี จ.ระนอง", "จ.ป.ร.", "ตำบล จ.ป.ร. จังหวัดระนอง"])
def test_a_dotted_name_like_jo_po_ro_is_found_inside_a_full_address(admin_user, cell):
    call_command("load_geography", "--province", "85", verbosity=0)
    batch = import_councils(admin_user, [cell])
    assert batch.preview["rows"][0]["outcome"] == "new", messages_of(batch.preview["rows"][0])
    service.commit(batch, admin_user, ImportBatch.Mode.ALL)
    assert Council.objects.get().subdistrict_id == "850406"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ต.หนองครก อ.เมือง จ.ศรีสะเกษ", ("หนองครก", "เมือง", "ศรีสะเกษ", "")),
        ("ต.จ.ป.ร. อ.กระบุรี จ.ระนอง", ("จ.ป.ร.", "กระบุรี", "ระนอง", "")),
        ("ตำบลเกาะพะงัน 84280", ("เกาะพะงัน", "", "", "84280")),
        ("Nong Khrok", ("Nong Khrok", "", "", "")),
    ],
)
def test_the_first_reading_of_an_address(text, expected):
    first = address_readings(text)[0]
    assert (first["subdistrict"], first["district"], first["province"], first["postal_code"]) == (
        expected
    )


def test_a_short_form_inside_a_word_is_read_both_ways():
    readings = address_readings("ต.หนองครกอ.เมือง")
    assert {(r["subdistrict"], r["district"]) for r in readings} == {
        ("หนองครกอ.เมือง", ""),
        ("หนองครก", "เมือง"),
    }
