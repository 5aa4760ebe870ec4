"""A sheet is as long as the rows it holds, not as long as its <dimension> claims: a workbook
that claims 1,048,576 rows and holds 8 is read, and the row limit counts the real rows."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from imports import service
from imports.reading import FileRejected
from tests.test_imports import xlsx

HEADER = ["ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ"]
PLACES = ["บึงมะลู", "กุดเสลา", "เสาธงชัย", "ขนุน", "สวนกล้วย", "เวียงเหนือ", "ทุ่งใหญ่", "ภูผาหมอก"]


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_geography", "--province", "33", verbosity=0)
    with translation.override("en"):
        yield


def claiming(rows, claimed: str) -> bytes:
    """A workbook of `rows` whose sheet's <dimension> claims the range `claimed`."""
    source = io.BytesIO(xlsx(rows))
    output = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(output, "w") as archive:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<dimension ref=")
                end = data.index(b"/>", start) + 2
                data = data[:start] + f'<dimension ref="{claimed}"/>'.encode() + data[end:]
                assert claimed.encode() in data
            archive.writestr(item, data)
    return output.getvalue()


def council_rows(count: int) -> list[list]:
    return [[f"สภาองค์กรชุมชนตำบล{place}", place, "กันทรลักษ์"] for place in (PLACES * 20)[:count]]


def test_a_sheet_claiming_a_million_rows_and_holding_eight_is_read(staff_user):
    content = claiming([HEADER, *council_rows(8)], "A1:C1048576")
    started = time.monotonic()
    batch = service.store_upload(SimpleUploadedFile("roster.xlsx", content), "councils", staff_user)
    assert time.monotonic() - started < 30
    assert batch.rows_total == 8
    assert [row["row"] for row in batch.preview["rows"]] == list(range(2, 10))


@pytest.mark.parametrize("claimed", ["A1:C1048576", "A1:C2", "A1", "A1:XFD1048576"])
def test_the_row_limit_counts_the_rows_the_sheet_holds(staff_user, settings, claimed):
    settings.IMPORT_MAX_ROWS = 8
    fits = claiming([HEADER, *council_rows(8)], claimed)
    batch = service.store_upload(SimpleUploadedFile("fits.xlsx", fits), "councils", staff_user)
    assert batch.rows_total == 8
    too_many = claiming([HEADER, *council_rows(9)], claimed)
    with pytest.raises(FileRejected, match="more than 8 rows"):
        service.store_upload(SimpleUploadedFile("big.xlsx", too_many), "councils", staff_user)


def test_a_sheet_claiming_fewer_rows_than_it_holds_is_read_whole(staff_user):
    content = claiming([HEADER, *council_rows(8)], "A1:C3")
    batch = service.store_upload(SimpleUploadedFile("short.xlsx", content), "councils", staff_user)
    assert batch.rows_total == 8
