"""A meeting's sign-in sheet typed into a spreadsheet, added to its attendance all at once.

Deliberately strict and small: the header is the first row, each column is one the portal
knows (in Thai or English), and one bad row refuses the whole file with every problem listed
by row and column, so the user fixes the sheet and uploads it again. Files are read with
django-import-export's formats (tablib, openpyxl).
"""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX

from councils.models import Agency
from meetings.forms import councils_for
from meetings.models import Attendance, Meeting
from portal.lib.thai_text import normalise_phone

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000

# Header as written (spaces and case ignored) -> the field it fills; None: read and ignored.
COLUMNS = {
    "ลำดับ": None,
    "ลำดับที่": None,
    "ที่": None,
    "no": None,
    "no.": None,
    "#": None,
    "ชื่อ": "person_name",
    "ชื่อ-สกุล": "person_name",
    "ชื่อ-นามสกุล": "person_name",
    "ชื่อสกุล": "person_name",
    "name": "person_name",
    "ตำแหน่ง": "position",
    "position": "position",
    "หน่วยงาน": "organisation",
    "องค์กร": "organisation",
    "หน่วยงาน/องค์กร": "organisation",
    "สังกัด": "organisation",
    "organisation": "organisation",
    "organization": "organisation",
    "โทรศัพท์": "phone",
    "เบอร์โทร": "phone",
    "เบอร์โทรศัพท์": "phone",
    "phone": "phone",
    "ลายมือชื่อ": None,
    "ลงชื่อ": None,
    "signature": None,
}
LIMITS = {"person_name": 200, "position": 255, "organisation": 255}


class AttendanceFileError(Exception):
    """The file as a whole cannot be read; nothing was added."""


@dataclass
class ImportResult:
    rows: list[Attendance] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _key(header) -> str:
    return re.sub(r"\s+", "", str(header or "")).lower()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def read_rows(upload) -> list[dict]:
    """The rows of an uploaded .xlsx or .csv as {field: text}, or AttendanceFileError."""
    name = (upload.name or "").lower()
    if upload.size > MAX_BYTES:
        raise AttendanceFileError(_("The file is larger than 2 MB."))
    content = upload.read()
    try:
        if name.endswith(".xlsx"):
            dataset = XLSX().create_dataset(content)
        elif name.endswith(".csv"):
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                # Excel in Thai Windows saves CSV as Windows-874.
                text = content.decode("cp874")
            dataset = CSV().create_dataset(text)
        else:
            raise AttendanceFileError(_("Upload an .xlsx or .csv file."))
    except AttendanceFileError:
        raise
    except Exception as error:  # openpyxl, zipfile, csv and tablib each raise their own
        raise AttendanceFileError(
            _("The file could not be read as a spreadsheet. Save it again as .xlsx or .csv.")
        ) from error
    headers = [_key(header) for header in dataset.headers or []]
    unknown = [
        str(original)
        for original, key in zip(dataset.headers or [], headers, strict=True)
        if key and key not in COLUMNS
    ]
    if unknown:
        raise AttendanceFileError(
            _("Unknown column(s): %(columns)s. Use ชื่อ-สกุล, ตำแหน่ง, หน่วยงาน, โทรศัพท์.")
            % {"columns": ", ".join(unknown)}
        )
    fields = [COLUMNS.get(key) for key in headers]
    if "person_name" not in fields and "position" not in fields:
        raise AttendanceFileError(
            _("The first row must be the header, with at least a ชื่อ-สกุล (name) column.")
        )
    if len(dataset) > MAX_ROWS:
        raise AttendanceFileError(_("A sheet may have at most 1,000 rows."))
    rows = []
    for values in dataset:
        row = {}
        for name_, value in zip(fields, values, strict=False):
            if name_:
                row[name_] = _text(value)
        rows.append(row)
    return rows


def _organisations(meeting: Meeting, user) -> tuple[dict, dict]:
    """The councils and agencies a row may name: the attendance form's choices (a council of
    the meeting's province). Any other name is kept as the organisation's text, as an unknown
    one is: nothing tells that a council of another province exists."""
    councils = {council.name_th: council for council in councils_for(meeting, None, user)}
    agencies = {}
    for agency in Agency.objects.active():
        for label in (agency.name_th, agency.name_en, agency.short_name):
            if label:
                agencies.setdefault(label, agency)
    return councils, agencies


def check_rows(rows: list[dict], meeting: Meeting, user) -> ImportResult:
    """Attendance rows ready to save, or every problem found (row numbers as in the sheet);
    AttendanceFileError for a sheet with no one on it."""
    result = ImportResult()
    councils, agencies = _organisations(meeting, user)
    for number, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue  # a blank line
        name, position = row.get("person_name", ""), row.get("position", "")
        problems = []
        if not name and not position:
            problems.append(_("give the person's name or position"))
        for key, limit in LIMITS.items():
            if len(row.get(key, "")) > limit:
                problems.append(
                    _("%(column)s is longer than %(limit)s characters")
                    % {"column": _column_label(key), "limit": limit}
                )
        phone = row.get("phone", "")
        if phone:
            try:
                phone = normalise_phone(phone)
            except ValueError:
                problems.append(
                    _("“%(phone)s” is not a Thai phone number (e.g. 081-234-5678)")
                    % {"phone": phone}
                )
        if problems:
            result.errors.append(
                _("Row %(row)s: %(problems)s.") % {"row": number, "problems": "; ".join(problems)}
            )
            continue
        organisation = row.get("organisation", "")
        result.rows.append(
            Attendance(
                person_name=name,
                position=position,
                council=councils.get(organisation),
                agency=agencies.get(organisation) if organisation not in councils else None,
                organisation_text=""
                if organisation in councils or organisation in agencies
                else organisation,
                phone=phone,
            )
        )
    if not result.rows and not result.errors:
        raise AttendanceFileError(_("The sheet has no names below its header."))
    return result


def _column_label(key: str) -> str:
    return {
        "person_name": _("name"),
        "position": _("position"),
        "organisation": _("organisation"),
    }[key]


@transaction.atomic
def add_attendance(meeting: Meeting, rows: list[Attendance]) -> int:
    """Append the rows after the meeting's attendance, in the sheet's order."""
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    last = meeting.attendance.aggregate(top=Max("order"))["top"] or 0
    for offset, row in enumerate(rows, start=1):
        row.meeting = meeting
        row.order = last + offset
        # One save per row, not bulk_create: each row gets its history entry.
        row.save()
    return len(rows)
