"""Cells for the spreadsheets users download: safe to open, readable in the user's language."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.lib.dates import to_buddhist_year

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); some
# read the full-width forms a Thai keyboard's input methods type as formulas too.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def escape_formula(text: str) -> str:
    """Make a text cell inert: a leading apostrophe tells the spreadsheet it is text."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def unescape_formula(text: str) -> str:
    """Undo exactly what `escape_formula` did, so an export imported again changes nothing.
    An apostrophe before anything that is not formula-like is the user's own and stays."""
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def format_date_cell(day: datetime.date, language: str) -> str:
    """`21/12/2565` for a Thai reader, `21/12/2022` for an English one."""
    year = to_buddhist_year(day.year) if language.startswith("th") else day.year
    return f"{day.day:02}/{day.month:02}/{year}"


def cell(value, language: str):
    """One exported value: numbers stay numbers, dates follow the reader's era, text is escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{format_date_cell(value.date(), language)} {value:%H:%M}"
    if isinstance(value, datetime.date):
        return format_date_cell(value, language)
    return escape_formula(str(value))
