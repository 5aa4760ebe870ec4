import pytest
from django.test import override_settings
from django.utils import translation

from portal.pdf import StaticOnlyFetcher, render_pdf_bytes
from tests.pdf import pdf_fonts, pdf_pages


def test_document_embeds_sarabun_and_numbers_pages_in_thai(settings, tmp_path):
    settings.TEMPLATES[0]["DIRS"] = [tmp_path, *settings.TEMPLATES[0]["DIRS"]]
    (tmp_path / "page.html").write_text(
        '{% extends "documents/base.html" %}{% block body %}'
        "<h1>สภาองค์กรชุมชนตำบลกันทรลักษ์</h1>"
        '<div style="break-before: page">second</div>{% endblock %}'
    )
    with override_settings(TEMPLATES=settings.TEMPLATES), translation.override("th"):
        content = render_pdf_bytes("page.html", {})
    pages = pdf_pages(content)
    assert len(pages) == 2
    assert "สภาองค์กรชุมชนตำบลกันทรลักษ์" in pages[0]
    assert "- ๒ -" in pages[1]
    assert {"Sarabun-Thai", "Sarabun-Thai-Bold"} & pdf_fonts(content)


def test_latin_letters_and_digits_are_printed_with_their_own_font(settings, tmp_path):
    """One family for both Sarabun subsets made WeasyPrint merge them into one font whose
    glyphs collided: digits printed as stray Thai marks though the text layer was right."""
    settings.TEMPLATES[0]["DIRS"] = [tmp_path, *settings.TEMPLATES[0]["DIRS"]]
    (tmp_path / "page.html").write_text(
        '{% extends "documents/base.html" %}{% block body %}'
        "<h1>ใบลงทะเบียน 21/12/2565</h1><p>ชื่อ-สกุล 09:30 น.</p>{% endblock %}"
    )
    with override_settings(TEMPLATES=settings.TEMPLATES):
        content = render_pdf_bytes("page.html", {})
    assert {"Sarabun-Latin", "Sarabun-Latin-Bold", "Sarabun-Thai", "Sarabun-Thai-Bold"} <= (
        pdf_fonts(content)
    )


@pytest.mark.parametrize(
    "url", ["http://example.com/x.png", "file:///etc/passwd", "file:///static/../../etc/passwd"]
)
def test_documents_load_nothing_but_static_files(url):
    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(url)


@pytest.mark.parametrize("spacer_mm", [146, 148, 150, 152])
def test_a_total_row_is_not_left_alone_at_the_top_of_a_page(settings, tmp_path, spacer_mm):
    """Where the last row ends a page, the total goes over with it (spacer heights that put
    the last of 45 rows at the foot of the second page)."""
    settings.TEMPLATES[0]["DIRS"] = [tmp_path, *settings.TEMPLATES[0]["DIRS"]]
    rows = "".join(f"<tr><th>แถว{n}</th><td>{n}</td></tr>" for n in range(45))
    (tmp_path / "page.html").write_text(
        '{% extends "documents/base.html" %}{% block body %}'
        f'<div style="height: {spacer_mm}mm"></div><table><thead><tr><th>ชื่อ</th><th>จำนวน</th>'
        f"</tr></thead><tbody>{rows}</tbody><tfoot><tr><th>รวม</th><td>990</td></tr></tfoot>"
        "</table>{% endblock %}"
    )
    with override_settings(TEMPLATES=settings.TEMPLATES), translation.override("th"):
        pages = pdf_pages(render_pdf_bytes("page.html", {}))
    assert [i for i, page in enumerate(pages) if "รวม" in page] == [
        i for i, page in enumerate(pages) if "แถว44" in page
    ]
