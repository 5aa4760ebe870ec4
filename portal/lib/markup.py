"""Minutes and other long texts written with a little Markdown (headings, lists, bold), shown
as HTML that can hold nothing a user typed as HTML.

Two locks: the Markdown parser escapes any HTML in the text (`html=False`), and what it
produces goes through an allow-list sanitiser (nh3) that keeps only plain formatting tags
and http(s)/mailto links.
"""

import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "blockquote",
    "hr",
    "code",
    "pre",
    "a",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}

# Images would load from anywhere (and break the content security policy); links stay.
_parser = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable("image")
_HEADING = re.compile(r"<(/?)h([1-6])>")


def _lower_headings(html: str) -> str:
    """`# Title` in the minutes is a heading inside the page's "Minutes" section (an h2), so
    the minutes' headings start at h3."""
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 2, 6)}>", html)


def render_markup(text: str) -> SafeString:
    if not text:
        return mark_safe("")  # noqa: S308 - an empty string
    html = _lower_headings(_parser.render(text))
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - escaped by the parser, then allow-listed by nh3
