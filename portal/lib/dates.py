"""Buddhist-era dates and Thai fiscal years.

Django's `th` locale prints Christian-era years; everything a Thai reader sees goes
through here instead. The Buddhist era (พ.ศ.) is the Christian era plus 543, and the
Thai government fiscal year N (B.E.) runs from 1 October of N-1 to 30 September of N.
"""

import datetime
import re

from portal.lib.thai_text import arabic_digits

BE_OFFSET = 543

THAI_MONTHS_ABBR = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
THAI_MONTHS_FULL = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
ENGLISH_MONTHS_ABBR = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def to_buddhist_year(year: int) -> int:
    return year + BE_OFFSET


def to_christian_year(year_be: int) -> int:
    return year_be - BE_OFFSET


def fiscal_year_of(day: datetime.date) -> int:
    """The Thai fiscal year (B.E.) a day falls in: 21 Dec 2022 is in FY 2566."""
    year = day.year + 1 if day.month >= 10 else day.year
    return to_buddhist_year(year)


def fiscal_year_bounds(fiscal_year_be: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a fiscal year: FY 2566 runs 1 Oct 2022 – 30 Sep 2023."""
    end_year = to_christian_year(fiscal_year_be)
    return datetime.date(end_year - 1, 10, 1), datetime.date(end_year, 9, 30)


def format_date(day: datetime.date | None, language: str, *, full_month: bool = False) -> str:
    """`21 ธ.ค. 2565` in Thai, `21 Dec 2022` in English, empty for no date."""
    if day is None:
        return ""
    if language.startswith("th"):
        months = THAI_MONTHS_FULL if full_month else THAI_MONTHS_ABBR
        return f"{day.day} {months[day.month - 1]} {to_buddhist_year(day.year)}"
    return f"{day.day} {ENGLISH_MONTHS_ABBR[day.month - 1]} {day.year}"


def format_datetime(moment: datetime.datetime | None, language: str) -> str:
    """`21 ธ.ค. 2565 13:00 น.` in Thai, `21 Dec 2022 13:00` in English (local time)."""
    if moment is None:
        return ""
    text = f"{format_date(moment.date(), language)} {moment:%H:%M}"
    return f"{text} น." if language.startswith("th") else text


# Years from this one on are Buddhist-era: nobody writes a Christian-era year past 2400.
BE_THRESHOLD = 2400

_MONTHS_BY_NAME = {
    **{name: number for number, name in enumerate(THAI_MONTHS_ABBR, start=1)},
    **{name.rstrip("."): number for number, name in enumerate(THAI_MONTHS_ABBR, start=1)},
    **{name: number for number, name in enumerate(THAI_MONTHS_FULL, start=1)},
    **{name.lower(): number for number, name in enumerate(ENGLISH_MONTHS_ABBR, start=1)},
}


_NAMED_MONTH = re.compile(r"(\d{1,2})\s*([^\d\s]+\.?(?:\s?[^\d\s]+\.?)?)\s*(?:พ\.ศ\.)?\s*(\d{4})")


def buddhist_era_year(year: int) -> int:
    """A year as people write it, in the Buddhist era: 2566 stays, 2023 becomes 2566. A year
    of BE_THRESHOLD (2400) or more is already B.E. (the one rule for forms, imports and
    filters; earlier there were three, with different bounds)."""
    return year if year >= BE_THRESHOLD else to_buddhist_year(year)


def _christian(year: int) -> int:
    return to_christian_year(year) if year >= BE_THRESHOLD else year


def parse_date(text: str) -> datetime.date:
    """Read a date as people write it: `21/12/2565`, `21-12-2022`, `2565-12-21`, `๒๑/๑๒/๒๕๖๕`,
    `21122565` (a numeric keypad), `21 ธ.ค. 2565`, `21 ธันวาคม 2565`, `21 Dec 2022`. A year of
    2400 or more is Buddhist-era. Raises ValueError for anything else, including days that do
    not exist."""
    cleaned = " ".join(arabic_digits(text).strip().split())
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", cleaned):
        year, month, day = (int(part) for part in match.groups())
    elif match := re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", cleaned):
        day, month, year = (int(part) for part in match.groups())
    elif match := re.fullmatch(r"(\d{2})(\d{2})(\d{4})", cleaned):
        # Typed on a phone's numeric keypad, with no "/": 21122565.
        day, month, year = (int(part) for part in match.groups())
        if not 1 <= month <= 12 and int(cleaned[:4]) >= 1900:  # 25651221: year first
            year, month, day = int(cleaned[:4]), int(cleaned[4:6]), int(cleaned[6:])
    elif match := _NAMED_MONTH.fullmatch(cleaned):
        day, name, year = int(match[1]), match[2].replace(" ", "").lower(), int(match[3])
        month = _MONTHS_BY_NAME.get(name) or _MONTHS_BY_NAME.get(name[:3])
        if month is None:
            raise ValueError(text)
    else:
        raise ValueError(text)
    return datetime.date(_christian(year), month, day)


def format_date_input(day: datetime.date | None, language: str) -> str:
    """How a date is shown in a form field: `21/12/2565` in Thai, `21/12/2022` in English."""
    if day is None:
        return ""
    year = to_buddhist_year(day.year) if language.startswith("th") else day.year
    return f"{day.day:02}/{day.month:02}/{year}"


# Excel counts days from 30 December 1899 (its 1900 leap-year bug included).
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def date_from_excel_serial(serial: float) -> datetime.date:
    """Excel's day number (`44916` is 21 Dec 2022) → date; ValueError outside 1900–2199."""
    if not 1 <= serial < 109574:
        raise ValueError(serial)
    return EXCEL_EPOCH + datetime.timedelta(days=int(serial))
