"""Buddhist-era dates and Thai fiscal years.

Django's `th` locale prints Christian-era years; everything a Thai reader sees goes
through here instead. The Buddhist era (พ.ศ.) is the Christian era plus 543, and the
Thai government fiscal year N (B.E.) runs from 1 October of N-1 to 30 September of N.
"""

import datetime

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
