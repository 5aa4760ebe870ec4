"""PDF documents rendered from templates with WeasyPrint (Pango shapes Thai correctly).

Documents may load only the portal's own static files (the vendored Sarabun font, print CSS,
photos passed as data): nothing is fetched from the network or from elsewhere on disk.
"""

import functools
import io
import logging
import mimetypes
import posixpath
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.template.loader import render_to_string
from fontTools.ttLib import TTFont
from weasyprint import HTML
from weasyprint.pdf import fonts as weasyprint_fonts
from weasyprint.pdf import stream as weasyprint_stream
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# --- The text layer of Thai ---------------------------------------------------------------
# A PDF maps each glyph to one text (ToUnicode), so copying and searching work only if every
# glyph has a text of its own. WeasyPrint 70 (draw/text.py, draw_first_line) gives a glyph the
# text of the first cluster it is seen in, all of it to the cluster's last glyph and "" to the
# others. HarfBuzz shapes "ำ" as NIKHAHIT + SARA AA glyphs, so "ตำบล" came out as "ตาบล" once a
# plain "า" had been printed, and "น้ำ" as "นำ" (the tone mark was not the cluster's last glyph).
# The PDF-only Sarabun (scripts/make_pdf_fonts.py) draws the SARA AA of "ำ" with a glyph of its
# own, `uni0E32.am`; here every glyph of that font gets its own character instead: the one the
# font's cmap gives it, or the one it is substituted from (GSUB single substitutions and
# ligatures), with NIKHAHIT as "" and `uni0E32.am` as "ำ". A NIKHAHIT typed on its own (Pali)
# is therefore not copied; Thai documents do not use it. Other fonts keep WeasyPrint's rule.
NIKHAHIT, SARA_AM, SARA_AA_AM = "\u0e4d", "\u0e33", "uni0E32.am"


@functools.lru_cache(maxsize=8)
def glyph_texts(font_data: bytes) -> dict[int, str] | None:
    """Glyph id -> text for the PDF-only Sarabun, None for any other font."""
    font = TTFont(io.BytesIO(font_data), lazy=True)
    if SARA_AA_AM not in font.getGlyphOrder():
        return None
    texts = {name: chr(code) for code, name in sorted(font.getBestCmap().items(), reverse=True)}
    substitutions = []  # (source glyphs, result glyph)
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for subtable in lookup.SubTable:
            if lookup.LookupType == 7:
                subtable = subtable.ExtSubTable
            if subtable.LookupType == 1:
                substitutions += [((src,), target) for src, target in subtable.mapping.items()]
            elif subtable.LookupType == 4:
                for first, ligatures in subtable.ligatures.items():
                    substitutions += [((first, *lig.Component), lig.LigGlyph) for lig in ligatures]
    changed = True
    while changed:
        changed = False
        for sources, target in substitutions:
            if target not in texts and all(source in texts for source in sources):
                texts[target] = "".join(texts[source] for source in sources)
                changed = True
    texts = {name: text.replace(NIKHAHIT, "") for name, text in texts.items()}
    texts[SARA_AA_AM] = SARA_AM
    return {font.getGlyphID(name): text for name, text in texts.items()}


class GlyphTextMap(dict):
    """WeasyPrint's `Font.to_unicode`, but a glyph of ours is stored with its own text."""

    def __init__(self, texts: dict[int, str]):
        super().__init__()
        self.texts = texts

    def __setitem__(self, glyph_id, text):
        super().__setitem__(glyph_id, self.texts.get(glyph_id, text))


class PdfFont(weasyprint_fonts.Font):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        texts = glyph_texts(self.file_content)
        if texts is not None:
            self.to_unicode = GlyphTextMap(texts)


def use_own_glyph_texts() -> bool:
    """Make WeasyPrint build its fonts as PdfFont. Checked by tests/test_pdf_text.py: if a
    WeasyPrint upgrade moves these internals, the fix is off and those tests fail."""
    if weasyprint_stream.Font not in (weasyprint_fonts.Font, PdfFont):
        logger.warning("WeasyPrint's fonts changed: the PDF text layer will lose SARA AM")
        return False
    weasyprint_stream.Font = PdfFont
    return True


GLYPH_TEXTS_ACTIVE = use_own_glyph_texts()


class StaticOnlyFetcher(URLFetcher):
    """Serves `/static/...` from the staticfiles finders and refuses every other URL."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        prefix = "file://" + settings.STATIC_URL
        if not url.startswith(prefix):
            raise ValueError(f"PDF documents may not load {url}")
        name = posixpath.normpath(url.removeprefix(prefix).split("?")[0])
        if name.startswith(("..", "/")):
            raise ValueError(f"PDF documents may not load {url}")
        # Collected (and hashed, in production) files first, then the source tree.
        path = staticfiles_storage.path(name) if staticfiles_storage.exists(name) else None
        path = path or finders.find(name)
        if not path:
            raise ValueError(f"no static file {name}")
        mime, _ = mimetypes.guess_type(path)
        return URLFetcherResponse(
            url,
            body=Path(path).read_bytes(),
            headers={"Content-Type": mime or "application/octet-stream"},
        )


def render_pdf_bytes(template_name: str, context: dict, request=None) -> bytes:
    html = render_to_string(template_name, context, request=request)
    # Templates link static files with {% static %} ("/static/..."): against the base URL
    # "file:///" they become file:///static/..., which the fetcher resolves.
    document = HTML(string=html, base_url="file:///", url_fetcher=StaticOnlyFetcher())
    return document.write_pdf()


def pdf_response(template_name: str, context: dict, request, filename: str) -> HttpResponse:
    response = HttpResponse(
        render_pdf_bytes(template_name, context, request), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
