"""Exports stream in constant memory: a CSV leaves row by row as it is read, a workbook is
written row by row (openpyxl's write-only mode) and then streamed; the columns, their
order, the masking and the formula escaping are those of the lists' exports as before."""

import datetime
import io
import tracemalloc
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from projects.models import Project
from projects.resources import ProjectResource
from projects.views import with_disbursed
from tests.factories import (
    CouncilFactory,
    DisbursementFactory,
    ProgrammeFactory,
    ProjectFactory,
    SubdistrictFactory,
)
from tests.helpers import EN, content_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(sisaket):
    return CouncilFactory(
        subdistrict=SubdistrictFactory(district__province=sisaket, name_th="บึงมะลู"),
        name_th="สภาองค์กรชุมชนตำบลบึงมะลู",
    )


def add_projects(council, count: int, start: int = 0) -> None:
    programme = ProgrammeFactory()
    Project.objects.bulk_create(
        (
            Project(
                code=f"P-{n:06}",
                title_th=f"โครงการพัฒนาอาชีพกลุ่มที่ {n}",
                programme=programme,
                council=council,
                fiscal_year=2566,
                budget_requested=Decimal("100000"),
                budget_approved=Decimal("90000"),
                start_date=datetime.date(2023, 1, 15),
            )
            for n in range(start, start + count)
        ),
        batch_size=1000,
    )


def legacy_dataset():
    """What the export was built from before: a tablib Dataset of the same rows."""
    queryset = with_disbursed(
        Project.objects.active().select_related("programme", "council__district")
    ).order_by("-fiscal_year", "-pk")
    return ProjectResource().export(queryset)


@pytest.fixture
def a_few_projects(council):
    for title in ('=HYPERLINK("http://x")', "+66 81 234 5678", "@SUM(A1)", "ปกติ\nสองบรรทัด"):
        DisbursementFactory(project=ProjectFactory(council=council, title_th=title))
    ProjectFactory(council=council, title_th="ไม่มีวันเริ่ม", budget_approved=None)


@pytest.mark.parametrize("headers", [{}, EN])
def test_the_csv_is_byte_for_byte_what_it_was(admin_client, a_few_projects, headers):
    response = admin_client.get("/projects/", {"format": "csv"}, headers=headers)
    with translation.override("en" if headers else "th"):
        before = legacy_dataset().export("csv").encode("utf-8-sig")
    assert content_of(response) == before
    assert b"'=HYPERLINK" in before and b"'+66 81" in before and b"'@SUM" in before


@pytest.mark.parametrize("headers", [{}, EN])
def test_the_workbook_holds_the_same_cells_as_before(admin_client, a_few_projects, headers):
    response = admin_client.get("/projects/", {"format": "xlsx"}, headers=headers)
    with translation.override("en" if headers else "th"):
        before = legacy_dataset().export("xlsx")

    def cells(content: bytes) -> list[tuple]:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        return list(sheet.iter_rows(values_only=True))

    now = cells(content_of(response))
    assert now == cells(before)
    assert now[1:] and all(cell is None or cell != "=" for row in now for cell in row)
    sheet = openpyxl.load_workbook(io.BytesIO(content_of(response))).active
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_is_a_streaming_response(admin_client, council, file_format):
    add_projects(council, 30)
    response = admin_client.get("/projects/", {"format": file_format})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="projects-')


def test_the_csv_sends_its_first_rows_before_reading_the_last(admin_client, council):
    add_projects(council, 3000)
    chunks = iter(admin_client.get("/projects/", {"format": "csv"}).streaming_content)
    assert next(chunks).startswith(b"\xef\xbb\xbf")
    first = next(chunks)
    assert first.count(b"\r\n") <= 501  # a header and some rows, not the whole file
    assert sum(1 for _ in chunks) >= 5  # the rest follows (read: the test client then closes)


def peak_memory_of_export(client, file_format: str) -> int:
    tracemalloc.start()
    try:
        response = client.get("/projects/", {"format": file_format})
        # Read to the end (the test client then closes the response and its file).
        assert sum(len(chunk) for chunk in response.streaming_content) > 0
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# Fewer rows for workbooks: openpyxl under tracemalloc is slow, and ten times is ten times.
@pytest.mark.parametrize(("file_format", "rows"), [("csv", 600), ("xlsx", 200)])
def test_an_exports_memory_does_not_grow_with_its_rows(admin_client, council, file_format, rows):
    add_projects(council, rows)
    content_of(admin_client.get("/projects/", {"format": file_format}))  # warm up
    small = peak_memory_of_export(admin_client, file_format)
    add_projects(council, rows * 9, start=rows)
    large = peak_memory_of_export(admin_client, file_format)
    # Ten times the rows; built in memory, the peak grew about ten times too.
    assert large < small * 1.5, (small, large)


def test_the_workbook_writer_escapes_what_xml_and_spreadsheets_refuse():
    from portal.lib.xlsx import write_workbook

    handle = io.BytesIO()
    rows = [['<b>&"x"</b>', "bell\x07gone", "  spaced  ", Decimal("1.50"), 7, None, "two\nlines"]]
    write_workbook(handle, title="a & <b>", headers=["h1", "h2"], rows=rows, widths=[12, 40])
    workbook = openpyxl.load_workbook(io.BytesIO(handle.getvalue()))
    sheet = workbook.active
    assert sheet.title == "a & <b>"
    assert [cell.value for cell in sheet[2]] == [
        '<b>&"x"</b>',
        "bellgone",
        "  spaced  ",
        1.5,
        7,
        None,
        "two\nlines",
    ]
    assert sheet["G2"].alignment.wrap_text and not sheet["A2"].alignment.wrap_text
    assert sheet.column_dimensions["B"].width == 40
