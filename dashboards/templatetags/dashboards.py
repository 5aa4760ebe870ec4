from django import template
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from portal.lib.thai_text import thai_digits

register = template.Library()


@register.filter
def thainum(value) -> str:
    """Thai digits for the numbering of a Thai government document (3 -> ๓); Arabic digits
    for a reader of English."""
    if (translation.get_language() or "th").startswith("th"):
        return thai_digits(str(value))
    return str(value)


@register.filter
def percent_of(value, total) -> int:
    return round(100 * value / total) if total else 0


@register.filter
def num(value) -> str:
    """A whole number with thousands separators (1,234,567), as `intcomma` prints it in Thai
    and English, without the locale machinery: charts and tables print thousands of them."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value


@register.filter
def days_ago(moment) -> str:
    """How long since a record was last updated, in whole days of Asia/Bangkok: "today",
    "3 days ago". (Django's Thai catalogue has no words for `timesince`.)"""
    if not moment:
        return ""
    days = (timezone.localdate() - timezone.localtime(moment).date()).days
    if days <= 0:
        return gettext("today")
    return ngettext("%(days)s day ago", "%(days)s days ago", days) % {"days": f"{days:,}"}
