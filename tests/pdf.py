"""Reading the portal's PDFs in tests."""

import io

from pypdf import PdfReader


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page. A PDF text layer drops the nikhahit of SARA AM (ำ comes out as
    า), so compare Thai with `loose()`."""
    reader = PdfReader(io.BytesIO(content))
    return [loose(page.extract_text()) for page in reader.pages]


def loose(text: str) -> str:
    return text.replace("\u0e33", "\u0e32").replace("\u0e4d", "")


def pdf_fonts(content: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(content))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return fonts
