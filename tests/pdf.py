"""Reading the portal's PDFs in tests."""

import io

from pypdf import PdfReader


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page, as copied from a PDF viewer (Thai exactly: see portal/pdf.py)."""
    reader = PdfReader(io.BytesIO(content))
    return [page.extract_text() for page in reader.pages]


def pdf_fonts(content: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(content))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return fonts
