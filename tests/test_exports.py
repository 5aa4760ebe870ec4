"""Downloads of a list as CSV and XLSX: exactly the filtered rows, readable in the user's
language and era, numbers kept as numbers, formula-like text made inert, within scope."""

import codecs
import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from councils.models import Council
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    CouncilFactory,
    DisbursementFactory,
    DistrictFactory,
    MeetingFactory,
    ProjectFactory,
    ProvinceFactory,
    ResolutionFactory,
    SubdistrictFactory,
    UserFactory,
)
from tests.helpers import EN, content_of

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://evil")',
    "+66812345678",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def ubon(db):
    return ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")


def place(province, district_code, name_th="อำเภอทดสอบ", name_en="Test district"):
    """A made-up district with one subdistrict; codes given so they keep DOPA's lengths."""
    district = DistrictFactory(
        province=province, code=district_code, name_th=name_th, name_en=name_en
    )
    return SubdistrictFactory(
        district=district, code=f"{district_code}01", name_th="ตำบลทดสอบ", name_en="Test"
    )


@pytest.fixture
def area(sisaket):
    return place(sisaket, "3390", name_th="กันทรลักษ์", name_en="Kantharalak")


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = content_of(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(content_of(response)))
    return list(workbook.active.iter_rows())


def column(rows, header) -> list:
    """The values under a heading (CSV rows of strings, or XLSX rows of cells)."""
    headers = [getattr(value, "value", value) for value in rows[0]]
    index = headers.index(header)
    return [row[index] for row in rows[1:]]


# --- exactly the filtered rows --------------------------------------------------------------


def test_a_csv_export_holds_every_filtered_row_not_just_the_first_page(staff, area):
    CouncilFactory.create_batch(30, subdistrict=area, status=Council.Status.ACTIVE)
    CouncilFactory.create_batch(3, subdistrict=area, status=Council.Status.DORMANT)
    listed = staff.get("/councils/", {"status": "active"})
    assert len(listed.context["object_list"]) == 25
    rows = csv_rows(staff.get("/councils/", {"status": "active", "format": "csv"}))
    assert len(rows) == 1 + 30
    assert set(column(rows, "สถานะ")) == {"ดำเนินงาน"}


def test_an_export_asked_for_from_page_two_still_holds_every_row(staff, area):
    CouncilFactory.create_batch(30, subdistrict=area)
    rows = csv_rows(staff.get("/councils/", {"page": "2", "format": "csv"}))
    assert len(rows) == 31


def test_an_export_follows_the_search_and_the_sort(staff, area):
    for households in (700, 3000, 1500):
        CouncilFactory(subdistrict=area, households=households, name_th=f"สภาบ้าน{households}")
    CouncilFactory(subdistrict=area, households=9999, name_th="สภาอื่น")
    response = staff.get("/councils/", {"q": "สภาบ้าน", "sort": "-households", "format": "csv"})
    assert column(csv_rows(response), "จำนวนครัวเรือนในพื้นที่") == ["3000", "1500", "700"]


def test_archived_records_are_not_exported(staff, area):
    kept = CouncilFactory(subdistrict=area)
    CouncilFactory(subdistrict=area).archive()
    rows = csv_rows(staff.get("/councils/", {"format": "csv"}))
    assert column(rows, "รหัสจดแจ้ง") == [kept.code]


def test_an_unknown_format_shows_the_list_page(staff, area):
    CouncilFactory(subdistrict=area)
    response = staff.get("/councils/", {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_the_download_is_an_attachment_named_after_the_list(staff, area):
    CouncilFactory(subdistrict=area)
    response = staff.get("/projects/", {"format": "xlsx"})
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="projects-')
    assert disposition.endswith('.xlsx"')


# --- CSV: encoding, headers, dates ----------------------------------------------------------


def test_the_csv_starts_with_a_bom_and_keeps_thai_text_intact(staff, area):
    CouncilFactory(subdistrict=area, name_th="สภาองค์กรชุมชนตำบลบึงมะลู")
    response = staff.get("/councils/", {"format": "csv"})
    assert content_of(response).startswith(codecs.BOM_UTF8)
    assert "สภาองค์กรชุมชนตำบลบึงมะลู".encode() in content_of(response)
    assert column(csv_rows(response), "ชื่อ (ภาษาไทย)") == ["สภาองค์กรชุมชนตำบลบึงมะลู"]
    assert column(csv_rows(response), "อำเภอ") == ["กันทรลักษ์"]


def test_csv_headers_are_the_field_labels_in_thai(staff, area):
    CouncilFactory(subdistrict=area)
    headers = csv_rows(staff.get("/councils/", {"format": "csv"}))[0]
    assert headers[:3] == ["รหัสจดแจ้ง", "ชื่อ (ภาษาไทย)", "ชื่อ (ภาษาอังกฤษ)"]
    assert "วันที่จดแจ้ง" in headers
    assert "จำนวนครัวเรือนในพื้นที่" in headers
    assert "อำเภอ" in headers and "ตำบล" in headers


def test_csv_headers_are_the_field_labels_in_english(staff, area):
    CouncilFactory(subdistrict=area)
    headers = csv_rows(staff.get("/councils/", {"format": "csv"}, headers=EN))[0]
    assert headers[:3] == ["Registration code", "Name (Thai)", "Name (English)"]
    assert "Registered" in headers
    assert "Households covered" in headers
    assert all(header.isascii() for header in headers)


def test_english_headers_are_all_capitalised_like_the_field_labels(staff, area):
    CouncilFactory(subdistrict=area)
    headers = csv_rows(staff.get("/councils/", {"format": "csv"}, headers=EN))[0]
    assert "District" in headers and "Subdistrict" in headers


def test_choices_are_exported_by_their_label_in_the_readers_language(staff, area):
    CouncilFactory(subdistrict=area, status=Council.Status.DORMANT)
    thai = csv_rows(staff.get("/councils/", {"format": "csv"}))
    english = csv_rows(staff.get("/councils/", {"format": "csv"}, headers=EN))
    assert column(english, "Status") == ["dormant"]
    assert column(thai, "สถานะ") != ["dormant"]
    assert column(thai, "สถานะ")[0] != ""


def test_dates_are_exported_in_the_buddhist_era_in_thai(staff, area):
    CouncilFactory(
        subdistrict=area,
        established_on=datetime.date(2021, 12, 21),
        registered_on=datetime.date(2022, 6, 1),
    )
    rows = csv_rows(staff.get("/councils/", {"format": "csv"}))
    assert column(rows, "วันที่จดแจ้ง") == ["01/06/2565"]
    assert column(rows, "วันที่จัดตั้ง") == ["21/12/2564"]


def test_dates_are_exported_in_the_christian_era_in_english(staff, area):
    CouncilFactory(subdistrict=area, registered_on=datetime.date(2022, 6, 1))
    rows = csv_rows(staff.get("/councils/", {"format": "csv"}, headers=EN))
    assert column(rows, "Registered") == ["01/06/2022"]


def test_an_empty_date_is_an_empty_cell(staff, area):
    CouncilFactory(subdistrict=area, established_on=None, registered_on=None)
    rows = csv_rows(staff.get("/councils/", {"format": "csv"}))
    assert column(rows, "วันที่จดแจ้ง") == [""]


def test_meeting_times_are_exported_in_bangkok_time_and_the_readers_era(staff, sisaket):
    MeetingFactory(
        province=sisaket,
        starts_at=timezone.make_aware(datetime.datetime(2022, 12, 21, 13, 0)),
        ends_at=timezone.make_aware(datetime.datetime(2022, 12, 21, 16, 30)),
    )
    thai = csv_rows(staff.get("/meetings/", {"format": "csv"}))
    english = csv_rows(staff.get("/meetings/", {"format": "csv"}, headers=EN))
    assert column(thai, "เริ่ม") == ["21/12/2565 13:00"]
    assert column(thai, "สิ้นสุด") == ["21/12/2565 16:30"]
    assert column(english, "Starts") == ["21/12/2022 13:00"]


def test_a_municipal_council_without_subdistrict_exports_an_empty_subdistrict(staff, area):
    CouncilFactory(
        subdistrict=None,
        district=area.district,
        area_type=Council.AreaType.MUNICIPALITY,
        municipality_name="เทศบาลตำบลกันทรลักษ์",
        name_th="สภาองค์กรชุมชนเทศบาลตำบลกันทรลักษ์",
        name_en="Kantharalak Municipality Council",
    )
    rows = csv_rows(staff.get("/councils/", {"format": "csv"}))
    assert column(rows, "ตำบล") == [""]
    assert column(rows, "เทศบาล") == ["เทศบาลตำบลกันทรลักษ์"]


def test_the_project_export_has_the_disbursed_sum_without_archived_payments(staff, area):
    project = ProjectFactory(council=CouncilFactory(subdistrict=area), budget_approved=90000)
    DisbursementFactory(project=project, amount=Decimal("30000"))
    DisbursementFactory(project=project, amount=Decimal("12500.50"))
    DisbursementFactory(project=project, amount=Decimal("40000")).archive()
    rows = csv_rows(staff.get("/projects/", {"format": "csv"}))
    assert [Decimal(value) for value in column(rows, "งบประมาณที่อนุมัติ (บาท)")] == [90000]
    assert [Decimal(value) for value in column(rows, "เบิกจ่ายแล้ว (บาท)")] == [Decimal("42500.50")]


def test_the_meeting_export_counts_attendance_and_open_resolutions(staff, sisaket):
    meeting = MeetingFactory(province=sisaket)
    AttendanceFactory.create_batch(3, meeting=meeting)
    AttendanceFactory(meeting=meeting).archive()
    ResolutionFactory(meeting=meeting, status="open")
    ResolutionFactory(meeting=meeting, status="done")
    rows = xlsx_rows(staff.get("/meetings/", {"format": "xlsx"}))
    assert [cell.value for cell in column(rows, "ผู้เข้าร่วมประชุม")] == [3]
    assert [cell.value for cell in column(rows, "มติที่ยังค้าง")] == [1]


# --- XLSX -----------------------------------------------------------------------------------


def test_the_xlsx_opens_with_thai_headers_and_every_filtered_row(staff, area):
    CouncilFactory.create_batch(30, subdistrict=area)
    CouncilFactory(subdistrict=area, status=Council.Status.DISSOLVED)
    rows = xlsx_rows(staff.get("/councils/", {"status": "active", "format": "xlsx"}))
    assert [cell.value for cell in rows[0][:2]] == ["รหัสจดแจ้ง", "ชื่อ (ภาษาไทย)"]
    assert len(rows) == 31


def test_xlsx_numbers_are_numeric_cells(staff, area):
    council = CouncilFactory(subdistrict=area, households=1234, population=4321)
    ProjectFactory(
        council=council,
        budget_requested=Decimal("150000.00"),
        budget_approved=Decimal("125000.50"),
        fiscal_year=2566,
    )
    councils = xlsx_rows(staff.get("/councils/", {"format": "xlsx"}))
    (households,) = column(councils, "จำนวนครัวเรือนในพื้นที่")
    assert households.data_type == "n"
    assert households.value == 1234 and isinstance(households.value, int)
    projects = xlsx_rows(staff.get("/projects/", {"format": "xlsx"}))
    (approved,) = column(projects, "งบประมาณที่อนุมัติ (บาท)")
    assert approved.data_type == "n"
    assert isinstance(approved.value, int | float | Decimal)
    assert Decimal(str(approved.value)) == Decimal("125000.5")
    (year,) = column(projects, "ปีงบประมาณ (พ.ศ.)")
    assert year.value == 2566


def test_xlsx_dates_are_text_in_the_readers_era(staff, area):
    CouncilFactory(subdistrict=area, registered_on=datetime.date(2022, 6, 1))
    thai = xlsx_rows(staff.get("/councils/", {"format": "xlsx"}))
    english = xlsx_rows(staff.get("/councils/", {"format": "xlsx"}, headers=EN))
    assert [cell.value for cell in column(thai, "วันที่จดแจ้ง")] == ["01/06/2565"]
    assert [cell.value for cell in column(english, "Registered")] == ["01/06/2022"]


# --- formula injection ----------------------------------------------------------------------


@pytest.mark.parametrize("name", FORMULAS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_a_formula_like_name_is_exported_as_text_in_csv(staff, area, name):
    CouncilFactory(subdistrict=area, name_th=name)
    rows = csv_rows(staff.get("/councils/", {"format": "csv"}))
    assert column(rows, "ชื่อ (ภาษาไทย)") == [f"'{name}"]


@pytest.mark.parametrize("name", FORMULAS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_a_formula_like_name_is_exported_as_text_in_xlsx(staff, area, name):
    CouncilFactory(subdistrict=area, name_th=name)
    rows = xlsx_rows(staff.get("/councils/", {"format": "xlsx"}))
    (cell,) = column(rows, "ชื่อ (ภาษาไทย)")
    assert cell.data_type != "f"
    assert isinstance(cell.value, str)
    assert cell.value.startswith("'")
    assert cell.value[1:].replace("\r\n", "\r").replace("\n", "\r") == name.replace("\n", "\r")


def test_formula_like_text_reached_through_a_relation_is_escaped_too(staff, area):
    council = CouncilFactory(subdistrict=area, name_th='=HYPERLINK("http://evil")')
    ProjectFactory(council=council)
    rows = csv_rows(staff.get("/projects/", {"format": "csv"}))
    assert column(rows, "สภาองค์กรชุมชนผู้รับผิดชอบ") == ['\'=HYPERLINK("http://evil")']


def test_formula_like_text_in_an_agency_export_is_escaped(staff, sisaket):
    AgencyFactory(name_th="@cmd", short_name="=1+1", province=sisaket)
    rows = csv_rows(staff.get("/agencies/", {"format": "csv"}))
    assert column(rows, "ชื่อ (ภาษาไทย)") == ["'@cmd"]
    assert column(rows, "ชื่อย่อ") == ["'=1+1"]


def test_ordinary_text_and_negative_looking_codes_inside_text_are_left_alone(staff, area):
    CouncilFactory(subdistrict=area, name_th="สภา-องค์กร=ชุมชน", code="SSK-0001")
    rows = csv_rows(staff.get("/councils/", {"format": "csv"}))
    assert column(rows, "ชื่อ (ภาษาไทย)") == ["สภา-องค์กร=ชุมชน"]
    assert column(rows, "รหัสจดแจ้ง") == ["SSK-0001"]


# --- scope ----------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_staff_of_sisaket_never_export_another_provinces_rows(staff, area, ubon, file_format):
    mine = CouncilFactory(subdistrict=area, code="SSK-MINE")
    other = CouncilFactory(subdistrict=place(ubon, "3490"), code="UBN-OTHER")
    ProjectFactory(council=mine, code="P-MINE")
    ProjectFactory(council=other, code="P-OTHER")
    MeetingFactory(title="ประชุมศรีสะเกษ")
    MeetingFactory(title="ประชุมอุบล", province=ubon)

    def codes(path, header):
        response = staff.get(path, {"format": file_format})
        rows = csv_rows(response) if file_format == "csv" else xlsx_rows(response)
        return [getattr(value, "value", value) for value in column(rows, header)]

    assert codes("/councils/", "รหัสจดแจ้ง") == ["SSK-MINE"]
    assert codes("/projects/", "รหัสโครงการ") == ["P-MINE"]
    assert codes("/meetings/", "ชื่อเรื่อง") == ["ประชุมศรีสะเกษ"]
    # Even a search naming the other province's record exports nothing of it.
    response = staff.get("/councils/", {"q": "UBN", "format": "csv"})
    assert len(csv_rows(response)) == 1


def test_a_council_editor_exports_only_its_own_council(client, area):
    mine = CouncilFactory(subdistrict=area, code="SSK-MINE")
    CouncilFactory(subdistrict=area, code="SSK-NEIGHBOUR")
    user = UserFactory(username="editor", role="council_editor", council=mine)
    client.force_login(user)
    rows = csv_rows(client.get("/councils/", {"format": "csv"}))
    assert column(rows, "รหัสจดแจ้ง") == ["SSK-MINE"]


def test_an_export_needs_a_login(client, area):
    CouncilFactory(subdistrict=area)
    response = client.get("/councils/", {"format": "csv"})
    assert response.status_code == 302
    assert b"T0" not in content_of(response)


# --- cost -----------------------------------------------------------------------------------


def add_rows(path, count, area):
    council = CouncilFactory(subdistrict=area)
    if path == "/councils/":
        CouncilFactory.create_batch(count, subdistrict=area)
    elif path == "/agencies/":
        AgencyFactory.create_batch(count, province=area.district.province)
    elif path == "/projects/":
        for project in ProjectFactory.create_batch(count, council=council):
            DisbursementFactory(project=project)
    else:
        for meeting in MeetingFactory.create_batch(count, district=area.district):
            AttendanceFactory(meeting=meeting)
            ResolutionFactory(meeting=meeting)


@pytest.mark.parametrize("path", ["/councils/", "/agencies/", "/projects/", "/meetings/"])
def test_an_export_runs_as_many_queries_for_60_rows_as_for_3(
    staff, area, path, django_assert_num_queries
):
    add_rows(path, 3, area)
    # A streamed export reads its rows as it is sent: the body is read inside the count.
    with CaptureQueriesContext(connection) as small:
        content_of(staff.get(path, {"format": "xlsx"}))
    add_rows(path, 57, area)
    with django_assert_num_queries(len(small.captured_queries)):
        response = staff.get(path, {"format": "csv"})
        content_of(response)
    assert len(csv_rows(response)) > 60
