"""Hiding personal data (Thai PDPA) from those who may not see it, and from logs."""

import re

from portal.lib.thai_text import national_id_is_valid  # noqa: F401 - kept for its callers

NATIONAL_ID = re.compile(r"(?<!\d)(\d)[\s-]?(\d{4})[\s-]?(\d{5})[\s-]?(\d{2})[\s-]?(\d)(?!\d)")
PHONE = re.compile(r"(?<![\d])(?:\+66[\s-]?|0)\d{1,2}[\s-]?\d{3}[\s-]?\d{3,4}(?![\d])")


def mask_national_id(value: str) -> str:
    """`1234567890121` → `x-xxxx-xxxxx-12-1`: enough to tell two people apart, not to use."""
    if not value:
        return ""
    return f"x-xxxx-xxxxx-{value[-3:-1]}-{value[-1]}" if len(value) == 13 else "x" * len(value)


def mask_phone(value: str) -> str:
    """`081-234-5678` → `xxx-xxx-5678`."""
    if not value:
        return ""
    digits = re.sub(r"\D", "", value)
    return f"xxx-xxx-{digits[-4:]}" if len(digits) >= 4 else "xxx"


def redact(text: str) -> str:
    """Remove national IDs and phone numbers from free text (log lines, error reports)."""
    text = NATIONAL_ID.sub("[national-id]", text)
    return PHONE.sub("[phone]", text)
