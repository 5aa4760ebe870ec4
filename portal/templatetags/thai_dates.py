"""Template filters that print dates in the reader's era (B.E. in Thai, C.E. in English)."""

import datetime

from django import template
from django.utils import timezone, translation

from portal.lib import dates

register = template.Library()


@register.filter
def bedate(value: datetime.date | None, style: str = "") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return dates.format_date(value, translation.get_language() or "th", full_month=style == "full")


@register.filter
def bedatetime(value: datetime.datetime | None) -> str:
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dates.format_datetime(value, translation.get_language() or "th")


@register.filter
def fiscal_year(value: int | None) -> str:
    """A fiscal year stored in B.E., shown as `2566` in Thai and `FY2566 (2022–23)` in English."""
    if value in (None, ""):
        return ""
    if (translation.get_language() or "th").startswith("th"):
        return str(value)
    start, end = dates.fiscal_year_bounds(int(value))
    return f"{value} ({start.year}–{str(end.year)[-2:]})"
