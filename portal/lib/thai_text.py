"""Reading numbers and phone numbers as Thai users type them."""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.th import pin

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
ARABIC_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def arabic_digits(text: str) -> str:
    """`๒๕๖๕` → `2565`; other characters are kept."""
    return text.translate(THAI_DIGITS)


def thai_digits(text: str) -> str:
    """`2565` → `๒๕๖๕`; other characters are kept."""
    return text.translate(ARABIC_DIGITS)


def parse_amount(text: str) -> Decimal:
    """`1,234.50`, `๑,๒๓๔`, `1 234 บาท` → Decimal. Raises ValueError on anything else."""
    cleaned = arabic_digits(text).strip()
    cleaned = re.sub(r"\s*(บาท|baht|THB|฿)\.?\s*$", "", cleaned, flags=re.IGNORECASE)
    cleaned = cleaned.lstrip("฿").replace(",", "").replace(" ", "").replace("\u00a0", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        raise ValueError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above rules it out
        raise ValueError(text) from exc


def parse_integer(text: str) -> int:
    """`1,234`, `๑,๒๓๔`, `1,234 ครัวเรือน` → 1234. Raises ValueError on anything else."""
    cleaned = arabic_digits(text).strip()
    cleaned = re.sub(r"\s*[^\d\s,.\-]+\.?$", "", cleaned)  # a trailing unit: คน, ครัวเรือน…
    cleaned = cleaned.replace(",", "").replace(" ", "")
    if not re.fullmatch(r"-?\d+", cleaned):
        raise ValueError(text)
    return int(cleaned)


def normalise_phone(text: str) -> str:
    """A Thai phone number in its usual written form, or ValueError.

    Mobiles have ten digits (06, 08, 09: `081-234-5678`), fixed lines nine (`045-611-234`,
    Bangkok `02-123-4567`); `+66` and `66` prefixes, spaces, dots and dashes are accepted.
    """
    digits = re.sub(r"[\s\-.()]", "", arabic_digits(text).strip())
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    elif digits.startswith("66") and len(digits) in (11, 10):
        digits = "0" + digits[2:]
    if not digits.isdigit():
        raise ValueError(text)
    if len(digits) == 10 and digits[1] in "689":
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if len(digits) == 9 and digits[0] == "0" and digits[1] == "2":
        return f"{digits[:2]}-{digits[2:5]}-{digits[5:]}"
    if len(digits) == 9 and digits[0] == "0" and digits[1] in "34567":
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    raise ValueError(text)


class NationalIdError(ValueError):
    """Why a text is not a Thai national ID; `message` is a lazy translation to show."""

    def __init__(self, text: str, message) -> None:
        super().__init__(text)
        self.message = message


def normalise_national_id(text: str) -> str:
    """A Thai 13-digit national ID (`1-2345-67890-12-1`, `๑๒๓…`) as its 13 digits, checked by
    python-stdnum's rules (`stdnum.th.pin`): 13 digits, a first digit from 1 to 8 (no Thai ID
    starts with 0 or 9) and the check digit. Dashes, dots and spaces go. Raises
    NationalIdError (a ValueError) with a message in the reader's language otherwise."""
    digits = re.sub(r"[\s\-.]", "", arabic_digits(str(text)).strip())
    try:
        return pin.validate(digits)
    except InvalidLength as exc:
        raise NationalIdError(text, _("A national ID number has 13 digits.")) from exc
    except InvalidFormat as exc:
        raise NationalIdError(text, _("A national ID number has only digits.")) from exc
    except InvalidComponent as exc:
        raise NationalIdError(
            text, _("No Thai national ID number starts with 0 or 9: check the first digit.")
        ) from exc
    except ValidationError as exc:  # InvalidChecksum
        raise NationalIdError(
            text, _("This national ID number's check digit (the last digit) is wrong.")
        ) from exc


def national_id_is_valid(value: str) -> bool:
    """Whether `value` is a Thai national ID as stored: its 13 digits, nothing else."""
    return bool(re.fullmatch(r"\d{13}", value or "")) and pin.is_valid(value)


def whole_baht(value) -> int:
    """An amount in baht rounded to the baht, for figures and tables; none is 0."""
    return int((value or Decimal(0)).quantize(Decimal(1)))
