"""The text layer of the PDFs keeps Thai as typed, "ำ" included, so that they can be searched
and copied (portal/pdf.py, scripts/make_pdf_fonts.py)."""

import importlib.util
import io
import shutil
from pathlib import Path

import pytest
import weasyprint
from fontTools.ttLib import TTFont

from portal import pdf
from tests.factories import CouncilFactory, DistrictFactory, MeetingFactory, ResolutionFactory
from tests.helpers import bangkok
from tests.pdf import pdf_pages

WORDS = ["ตำบล", "นายก", "น้ำ", "กำหนด", "ผู้นำ"]
ROOT = Path(__file__).resolve().parent.parent
FONTS = str(ROOT / "static/vendor/sarabun/files/sarabun-thai-{}-normal{}.woff2")


def one_line(pages: list[str]) -> str:
    return " ".join(" ".join(pages).split())


def test_the_fix_is_in_place_for_this_weasyprint():
    """portal/pdf.py replaces WeasyPrint 70's glyph-to-text rule (draw/text.py). On another
    version check that draw_first_line still fills `font.to_unicode[glyph_id]` once per glyph,
    then raise this pin."""
    assert weasyprint.__version__.split(".")[0] == "70"
    assert pdf.GLYPH_TEXTS_ACTIVE
    assert weasyprint.pdf.stream.Font is pdf.PdfFont


@pytest.mark.parametrize("weight", ["400", "700"])
def test_the_pdf_font_draws_sara_am_as_the_font_does(weight):
    """The added glyph is SARA AA's outline and advance, and nothing else positions SARA AA
    (the rendering was compared with pdftoppm: the pages are pixel for pixel the same)."""
    font = TTFont(FONTS.format(weight, "-pdf"))
    original = TTFont(FONTS.format(weight, ""))
    glyf = font["glyf"]
    assert glyf["uni0E32.am"].getCoordinates(glyf) == glyf["uni0E32"].getCoordinates(glyf)
    assert font["hmtx"]["uni0E32.am"] == font["hmtx"]["uni0E32"]
    assert font.getGlyphOrder()[:-1] == original.getGlyphOrder()
    data = io.BytesIO()
    font.flavor = None  # WeasyPrint hands over the font's data as TrueType
    font.save(data)
    texts = pdf.glyph_texts(data.getvalue())
    by_name = {font.getGlyphName(glyph): text for glyph, text in texts.items()}
    assert by_name["uni0E32.am"] == "ำ" and by_name["uni0E32"] == "า"
    assert by_name["uni0E4D"] == "" and by_name["uni0E4D0E49"] == "้"
    assert by_name["yoYingthai.less"] == "ญ" and by_name["uni0E49.small"] == "้"
    data = io.BytesIO()
    original.flavor = None
    original.save(data)
    assert pdf.glyph_texts(data.getvalue()) is None  # other fonts keep WeasyPrint's rule


@pytest.mark.parametrize("words", [WORDS, WORDS[::-1], ["นายก", *WORDS]])
def test_the_sign_in_sheet_keeps_sara_am(staff, sisaket, words):
    """With a plain "า" printed before "ำ" or after it, in the regular and the bold font."""
    meeting = MeetingFactory(province=sisaket, title=" ".join(words))
    district = DistrictFactory(province=sisaket, name_th="น้ำเกลี้ยง")
    for word in words:
        council = CouncilFactory(subdistrict__district=district, name_th=f"สภาองค์กรชุมชน{word}")
        meeting.invited_councils.add(council)
    response = staff.get(f"/meetings/{meeting.pk}/sign-in.pdf")
    text = one_line(pdf_pages(response.content))
    assert " ".join(words) in text
    for word in words:
        assert f"สภาองค์กรชุมชน{word} น้ำเกลี้ยง" in text
    for heading in ("ใบลงทะเบียนผู้เข้าร่วมประชุม", "ลำดับ", "ตำแหน่ง", "อำเภอ", "ลายมือชื่อ"):
        assert heading in text


def test_the_briefing_pack_keeps_sara_am(world, staff_client, sisaket):
    DistrictFactory(province=sisaket, code="3320", name_th="น้ำเกลี้ยง")
    meeting = MeetingFactory(
        province=sisaket, starts_at=bangkok(2023, 1, 15, 9, 0), title=" ".join(WORDS[::-1])
    )
    ResolutionFactory(meeting=meeting, text=" ".join(WORDS))
    response = staff_client.get("/reports/", {"fiscal_year": 2566, "format": "pdf"})
    text = one_line(pdf_pages(response.content))
    assert "น้ำเกลี้ยง" in text
    assert " ".join(WORDS[::-1]) in text and " ".join(WORDS) in text
    assert "ข้อมูลรายอำเภอ" in text and "การประชุมในรอบปีและมติที่ประชุม" in text


def test_the_committed_pdf_fonts_are_what_the_script_makes(tmp_path):
    """static/vendor is rebuilt by scripts/vendor_static.sh: the PDF fonts must come out the
    same from scripts/make_pdf_fonts.py."""
    script = ROOT / "scripts/make_pdf_fonts.py"
    spec = importlib.util.spec_from_file_location("make_pdf_fonts", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for weight in ("400", "700"):
        shutil.copy(FONTS.format(weight, ""), tmp_path)
    module.main(str(tmp_path))
    for weight in ("400", "700"):
        made = tmp_path / f"sarabun-thai-{weight}-normal-pdf.woff2"
        assert made.read_bytes() == Path(FONTS.format(weight, "-pdf")).read_bytes()
