"""Cells as Thai offices type them, read by import-export widgets.

Every widget reuses the portal's parsers (portal.lib) and raises `CellError`, whose message is
a lazy translation with parameters: the preview shows it in the reader's language, whichever
language the file was checked in.
"""

import datetime
import decimal
import re

from django.utils.translation import gettext_lazy as _
from import_export import widgets

from portal.lib.dates import date_from_excel_serial, parse_date
from portal.lib.thai_text import (
    NationalIdError,
    arabic_digits,
    normalise_national_id,
    normalise_phone,
    parse_amount,
    parse_integer,
)


class CellError(ValueError):
    def __init__(self, message, **params):
        super().__init__(message)
        self.message = message
        self.params = params


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


class TextWidget(widgets.Widget):
    """Text with stray spaces removed; a number typed in a text column loses its `.0`."""

    def clean(self, value, row=None, **kwargs):
        return _text(value)


class DateWidget(widgets.Widget):
    """`21/12/2565`, `2565-12-21`, `21 ธ.ค. 2565`, `21 ธันวาคม 2565`, Christian-era years,
    Excel's date cells and serial numbers (`44916`), Thai digits."""

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            if isinstance(value, int | float):
                return date_from_excel_serial(value)
            text = arabic_digits(str(value)).strip()
            if re.fullmatch(r"\d{5}", text):
                return date_from_excel_serial(int(text))
            return parse_date(text)
        except (ValueError, OverflowError) as exc:
            raise CellError(
                _('"%(value)s" is not a date; write it as 21/12/2565 or 21 ธ.ค. 2565.'),
                value=_text(value),
            ) from exc


class IntegerWidget(widgets.Widget):
    """`1,234`, `๑,๒๓๔`, `1,234 ครัวเรือน`, or a number cell."""

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return parse_integer(str(value))
        except ValueError as exc:
            raise CellError(_('"%(value)s" is not a whole number.'), value=_text(value)) from exc


class AmountWidget(widgets.Widget):
    """`1,234.50`, `๑,๒๓๔ บาท`, `฿1,234`, or a number cell."""

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, int | float | decimal.Decimal):
            return decimal.Decimal(str(value))
        try:
            return parse_amount(str(value))
        except ValueError as exc:
            raise CellError(_('"%(value)s" is not an amount in baht.'), value=_text(value)) from exc


class PhoneWidget(widgets.Widget):
    """Thai phone numbers in their usual forms; a number cell that lost its leading 0 gets it
    back."""

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return ""
        text = _text(value)
        if isinstance(value, int | float) and len(text) in (8, 9):
            text = "0" + text
        try:
            return normalise_phone(text)
        except ValueError as exc:
            raise CellError(
                _('"%(value)s" is not a Thai phone number (e.g. 081-234-5678 or 045-611-234).'),
                value=text,
            ) from exc


class NationalIdWidget(widgets.Widget):
    """13 digits, dashes allowed, checked by python-stdnum's rules (first digit, check digit).
    A number cell that lost leading zeros is padded back, so it is refused for its first digit
    rather than for its length."""

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return ""
        text = f"{int(value):013d}" if isinstance(value, int | float) else _text(value)
        try:
            return normalise_national_id(text)
        except NationalIdError as exc:
            raise CellError(
                _('"%(value)s" is not a valid national ID number: %(reason)s'),
                value=text,
                reason=exc.message,
            ) from exc


class ChoiceWidget(widgets.Widget):
    """A choice by its stored value or its label, in Thai or in English."""

    def __init__(self, choices, labels_th: dict, default=None, synonyms=None):
        super().__init__()
        self.default = default
        self.lookup = {}
        for value, label in choices:
            for name in (value, str(label), labels_th.get(value, "")):
                if name:
                    self.lookup[" ".join(str(name).lower().split())] = value
        for name, value in (synonyms or {}).items():
            self.lookup.setdefault(name, value)
        self.allowed = [value for value, _label in choices]

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return self.default
        key = " ".join(str(value).lower().split())
        if key in self.lookup:
            return self.lookup[key]
        raise CellError(
            _('"%(value)s" is not one of the allowed values (see the template\'s list).'),
            value=_text(value),
        )


class MultilineTextWidget(widgets.Widget):
    """Text of several lines (an address, a description): the lines are kept as they are,
    only the spaces around the whole text go, so an exported text comes back the same."""

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()
