"""The briefing pack: a PDF in the style of a Thai government document and a workbook with the
same figures, for the user's scope."""

import io

import openpyxl
import pytest

from tests.factories import DistrictFactory, ProvinceFactory, UserFactory
from tests.pdf import pdf_pages


@pytest.fixture
def pdf_text(world, staff_client):
    response = staff_client.get("/reports/", {"fiscal_year": 2566, "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return pdf_pages(response.content)


def test_the_pdf_holds_the_figures_tables_and_meetings_in_thai(pdf_text):
    assert len(pdf_text) >= 3
    text = "\n".join(pdf_text)
    assert "เอกสารสรุปข้อมูลภาคีความร่วมมือการพัฒนาชุมชน" in text
    assert "จังหวัดศรีสะเกษ" in text
    assert "ปีงบประมาณ 2566 (1 ตุลาคม 2565 – 30 กันยายน 2566)" in text
    # Thai numbering of sections, Thai page numbers from the second page on.
    for heading in ("๑. สรุป", "๒. ข้อมูลรายอำเภอ", "๓. ข้อมูลรายแผนงาน", "๔. แผนภูมิ"):
        assert heading in text
    assert "- ๒ -" in pdf_text[1]
    assert "240,000" in text and "195,000" in text and "350,000" in text
    assert "การประชุมในรอบปีและมติที่ประชุม" in text
    assert "ติดตามผลการดำเนินงาน" in text  # a resolution
    assert "เลยกำหนด" in text
    assert "777,000" not in text and "อุบลราชธานี" not in text


def test_the_pdf_in_english(world, staff_client):
    response = staff_client.get(
        "/reports/", {"fiscal_year": 2566, "format": "pdf"}, headers={"accept-language": "en"}
    )
    pages = pdf_pages(response.content)
    text = " ".join(" ".join(pages).split())
    assert "Briefing pack of the community-development partnership" in text
    assert "Fiscal year 2566" in text and "1 Oct" in text
    assert "1. Summary" in text and "- 2 -" in pages[1]


def test_the_workbook_holds_the_same_figures(world, staff_client):
    response = staff_client.get("/reports/", {"fiscal_year": 2566, "format": "xlsx"})
    assert response.status_code == 200
    assert 'filename="briefing-fy2566.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "สรุป",
        "ข้อมูลรายอำเภอ",
        "ข้อมูลรายแผนงาน",
        "แนวโน้มตามปีงบประมาณ",
        "การประชุมและมติ",
    ]
    summary = {row[0]: row[1] for row in book["สรุป"].iter_rows(values_only=True) if row}
    assert summary["โครงการ"] == 3
    assert summary["งบประมาณที่อนุมัติ (บาท)"] == 240_000
    assert summary["งบประมาณที่เบิกจ่าย (บาท)"] == 195_000
    assert summary["มติที่เลยกำหนด"] == 1
    districts = list(book["ข้อมูลรายอำเภอ"].iter_rows(values_only=True))
    assert districts[0][0] == "อำเภอ"
    assert districts[-1][0] == "รวม" and districts[-1][3] == 240_000
    meetings = list(book["การประชุมและมติ"].iter_rows(values_only=True))
    assert len(meetings) == 1 + 3  # header, two resolutions of one meeting, one of the other


def test_text_cells_cannot_run_as_formulas(world, staff_client):
    from meetings.models import Meeting

    Meeting.objects.filter(starts_at__year=2022).update(title="=HYPERLINK(1)")
    response = staff_client.get("/reports/", {"fiscal_year": 2566, "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    titles = [row[1] for row in book["การประชุมและมติ"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(1)" in titles


def test_the_pack_follows_the_scope_of_its_reader(world, client):
    viewer = UserFactory(role="viewer")
    viewer.provinces.add(ProvinceFactory(code="34", name_th="อุบลราชธานี"))
    client.force_login(viewer)
    response = client.get("/reports/", {"fiscal_year": 2566, "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in book["สรุป"].iter_rows(values_only=True) if row}
    assert summary["งบประมาณที่อนุมัติ (บาท)"] == 777_000


def test_the_form_page_and_bad_choices(world, staff_client):
    page = staff_client.get("/reports/")
    assert page.status_code == 200 and "ดาวน์โหลด PDF" in page.text
    response = staff_client.get("/reports/", {"fiscal_year": "1999", "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "กรุณาเลือกจากรายการ" in response.text  # Django's "select a valid choice"


def test_the_district_table_prints_its_total_once_after_its_last_district(
    world, staff_client, sisaket
):
    """A table broken across pages printed its <tfoot> total at the foot of every page: in the
    middle of the table for anyone reading it."""
    for n in range(30):
        DistrictFactory(province=sisaket, code=f"33{n + 10:02}", name_th=f"อำเภอลำดับ{n + 10}")
    response = staff_client.get("/reports/", {"fiscal_year": 2566, "format": "pdf"})
    pages = pdf_pages(response.content)
    text = "\n".join(pages)
    section = text[text.index("๒. ข้อมูลรายอำเภอ") : text.index("๓. ข้อมูลรายแผนงาน")]
    # The table does run over a page, and its total comes once, after the last district.
    assert "- ๒ -" in section or "- ๓ -" in section
    lines = section.splitlines()
    totals = [i for i, line in enumerate(lines) if line.startswith("รวม")]
    last_district = max(i for i, line in enumerate(lines) if line.startswith("อำเภอ"))
    assert len(totals) == 1 and totals[0] > last_district, section
