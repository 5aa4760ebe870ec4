"""Template helpers of the list pages."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str) -> str:
    """A column heading that sorts by `key`, toggling the direction on a second click."""
    request = context["request"]
    current = context.get("sort", "")
    query = request.GET.copy()
    query.pop("page", None)
    if current == key:
        query["sort"] = f"-{key}"
        arrow, state = " ▲", "ascending"
    elif current == f"-{key}":
        query["sort"] = key
        arrow, state = " ▼", "descending"
    else:
        query["sort"] = key
        arrow, state = "", "none"
    return format_html(
        '<a href="?{}" class="sort-link" data-sort="{}" data-state="{}">{}{}</a>',
        query.urlencode(),
        key,
        state,
        label,
        arrow,
    )
