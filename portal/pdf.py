"""PDF documents rendered from templates with WeasyPrint (Pango shapes Thai correctly).

Documents may load only the portal's own static files (the vendored Sarabun font, print CSS,
photos passed as data): nothing is fetched from the network or from elsewhere on disk.
"""

import mimetypes
import posixpath
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


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
