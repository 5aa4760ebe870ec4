"""Workbooks the import centre hands out: the template of a kind, and a batch's rejected rows."""

import io

from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from councils.models import Agency, Council
from geo.models import District, Province, Subdistrict
from imports.models import ImportBatch
from imports.reading import CLEAR_MARKER
from meetings.models import Meeting
from portal.lib.spreadsheets import escape_formula
from portal.roles import scope_of
from projects.models import Programme, Project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
BOLD = Font(bold=True)

# What each column of a kind takes: (key, required, how to write it, example).
COLUMN_HELP = {
    "code": (
        False,
        gettext_noop(
            "Leave empty for a new subdistrict council: the portal gives C + the subdistrict code."
        ),
        "C330401",
    ),
    "name_th": (True, gettext_noop("The council's name in Thai."), "สภาองค์กรชุมชนตำบลบึงมะลู"),
    "name_en": (False, gettext_noop("The name in English."), "Bueng Malu Community Council"),
    "area_type": (False, gettext_noop("subdistrict or municipality (see Valid values)."), "ตำบล"),
    "province": (False, gettext_noop("Only needed when a name fits several provinces."), "ศรีสะเกษ"),
    "district": (True, gettext_noop("อ.… , อำเภอ… or the English name."), "อ.กันทรลักษ์"),
    "subdistrict": (
        True,
        gettext_noop("ต.… , ตำบล… or the English name; empty for a municipal council."),
        "ต.บึงมะลู",
    ),
    "municipality_name": (False, gettext_noop("For a municipal council only."), ""),
    "established_on": (
        False,
        gettext_noop("A date: 21/12/2565, 21 ธ.ค. 2565 or a date cell."),
        "7/8/2552",
    ),
    "registered_on": (
        False,
        gettext_noop("A date: 21/12/2565, 21 ธ.ค. 2565 or a date cell."),
        "15/9/2552",
    ),
    "status": (
        False,
        gettext_noop("See Valid values; empty keeps the stored value (a new record: active)."),
        "active",
    ),
    "phone": (False, gettext_noop("081-234-5678, 045-611-234, +66 81 234 5678."), "045-611-234"),
    "email": (False, gettext_noop("An e-mail address."), ""),
    "address": (False, gettext_noop("Free text."), ""),
    "households": (
        False,
        gettext_noop("A whole number; 1,234 and 1,234 ครัวเรือน are read."),
        "1,704",
    ),
    "population": (False, gettext_noop("A whole number."), "5,200"),
    "chair": (
        False,
        gettext_noop("The chair's full name: the portal makes them the council's chair."),
        "นายทองใบ ใจดี",
    ),
    "version": (
        False,
        gettext_noop(
            "Filled in by the portal's export: leave it as it is. A file exported "
            "before the record changed is refused for that row."
        ),
        "",
    ),
    "council": (True, gettext_noop("The council's code (best) or its exact name."), "C330401"),
    "full_name": (True, gettext_noop("Full name with title."), "นางสมศรี ใจดี"),
    "role": (
        False,
        gettext_noop("See Valid values; empty keeps the stored value (a new record: member)."),
        "กรรมการ",
    ),
    "national_id": (
        False,
        gettext_noop("13 digits, dashes allowed; the check digit is verified."),
        "1-3399-00123-45-1",
    ),
    "term_start": (False, gettext_noop("A date."), "1/10/2566"),
    "term_end": (False, gettext_noop("A date."), "30/9/2570"),
    ("agencies", "code"): (
        True,
        gettext_noop("A short code of Latin letters, digits and dashes; it identifies the agency."),
        "sisaket-pao",
    ),
    ("agencies", "name_th"): (
        True,
        gettext_noop("The agency's name in Thai."),
        "องค์การบริหารส่วนจังหวัดศรีสะเกษ",
    ),
    ("agencies", "province"): (
        False,
        gettext_noop("Where the agency is based; empty or ทั่วประเทศ for a national agency."),
        "ศรีสะเกษ",
    ),
    ("projects", "code"): (
        True,
        gettext_noop("The project's code; it identifies the project."),
        "SSK-2567-001",
    ),
    ("projects", "council"): (
        True,
        gettext_noop("The lead council's code or exact name."),
        "C330401",
    ),
    "meeting": (
        True,
        gettext_noop("The meeting's number (as in its page's address) or its exact title."),
        "12",
    ),
    "person_name": (
        False,
        gettext_noop("Full name with title; or leave it and give the position."),
        "นางสมศรี ใจดี",
    ),
    "position": (False, gettext_noop("Position, e.g. for an official named by post."), "ปลัดจังหวัด"),
    "organisation_text": (
        False,
        gettext_noop("When the person comes from neither a council nor a listed agency."),
        "",
    ),
    "order": (False, gettext_noop("A whole number: the order on the attendance list."), "1"),
    ("attendance", "organisation"): (
        False,
        gettext_noop(
            "The organisation as written on the sign-in sheet: a council of the meeting's "
            "province or an agency named exactly is linked to it; any other name is kept as "
            "written."
        ),
        "อบจ.ศรีสะเกษ",
    ),
    ("attendance", "council"): (
        False,
        gettext_noop("The council's code or exact name, if the person comes from one."),
        "C330401",
    ),
    ("attendance", "agency"): (
        False,
        gettext_noop("The agency's code, name or short name, if the person comes from one."),
        "",
    ),
    ("attendance", "role"): (
        False,
        gettext_noop("See Valid values; empty keeps the stored value (a new record: participant)."),
        "",
    ),
    ("partners", "role"): (
        False,
        gettext_noop("See Valid values; empty keeps the stored value (a new record: other)."),
        "funder",
    ),
    "name": (
        True,
        gettext_noop("The organisation's name, as the council knows it."),
        "กลุ่มออมทรัพย์บ้านโนน",
    ),
    "kind": (
        False,
        gettext_noop("See Valid values; empty keeps the stored value (a new record: other)."),
        "กลุ่มออมทรัพย์",
    ),
    "member_count": (False, gettext_noop("A whole number."), "45"),
    "short_name": (False, gettext_noop("The usual abbreviation."), "อบจ.ศก."),
    "sector": (True, gettext_noop("See Valid values."), "local"),
    "website": (False, gettext_noop("The full address, https://…"), ""),
    "title_th": (True, gettext_noop("The project's title in Thai."), "โครงการบ้านมั่นคงชนบท"),
    "title_en": (False, gettext_noop("The title in English."), ""),
    "programme": (True, gettext_noop("The programme's code or name (see Valid values)."), ""),
    "fiscal_year": (True, gettext_noop("Buddhist-era fiscal year; 2023 is read as 2566."), "2567"),
    "budget_requested": (False, gettext_noop("Baht; 150,000 and ๑๕๐,๐๐๐ บาท are read."), "150,000"),
    "budget_approved": (False, gettext_noop("Baht."), "120,000"),
    "target_households": (False, gettext_noop("A whole number."), "50"),
    "reached_households": (False, gettext_noop("A whole number."), "0"),
    "target_persons": (False, gettext_noop("A whole number."), "200"),
    "reached_persons": (False, gettext_noop("A whole number."), "0"),
    "start_date": (False, gettext_noop("A date."), "1/11/2566"),
    "end_date": (False, gettext_noop("A date."), "30/9/2567"),
    "description": (False, gettext_noop("Free text."), ""),
    "project": (True, gettext_noop("The project's code."), "SSK-2567-001"),
    "agency": (True, gettext_noop("The agency's code, name or short name."), "sisaket-pao"),
    "contribution": (False, gettext_noop("Baht."), "20,000"),
    "contribution_note": (False, gettext_noop("Support in kind, in words."), ""),
    "paid_on": (True, gettext_noop("A date."), "15/1/2567"),
    "amount": (True, gettext_noop("Baht, more than zero."), "50,000"),
    "reference": (
        False,
        gettext_noop("The transfer's reference; the same reference is the same payment."),
        "",
    ),
    "note": (False, gettext_noop("Free text."), ""),
}


def _header(resource_class, key: str) -> str:
    with translation.override("th"):
        thai = str(capfirst(resource_class.field_label(key)))
    with translation.override("en"):
        english = str(capfirst(resource_class.field_label(key)))
    return thai if thai == english else f"{thai} / {english}"


def _style_header(sheet) -> None:
    for cell in sheet[1]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


def _choices(model, name) -> list[list[str]]:
    field = model._meta.get_field(name)
    with translation.override("th"):
        thai = {value: str(label) for value, label in field.flatchoices}
    with translation.override("en"):
        english = {value: str(label) for value, label in field.flatchoices}
    return [[value, thai[value], english[value]] for value, _label in field.flatchoices]


def _valid_values(resource_class, user) -> list[tuple[str, list[list[str]]]]:
    """(title, rows) blocks for the Valid values sheet: the choices of the kind's fields and
    the records its reference columns name, within the user's scope."""
    model = resource_class._meta.model
    keys = resource_class.field_keys()
    blocks = []
    for key in keys:
        try:
            model_field = model._meta.get_field(key)
        except FieldDoesNotExist:
            continue
        if model_field.choices:
            blocks.append((str(capfirst(model_field.verbose_name)), _choices(model, key)))
    provinces = scope_of(user).province_codes()
    if "subdistrict" in keys:
        districts = District.objects.order_by("code")
        subdistricts = Subdistrict.objects.select_related("district").order_by("code")
        if provinces is not None:
            districts = districts.filter(province__in=provinces)
            subdistricts = subdistricts.filter(district__province__in=provinces)
        blocks.append((_("Districts"), [[d.code, d.name_th, d.name_en] for d in districts[:2000]]))
        blocks.append(
            (
                _("Subdistricts"),
                [
                    [s.code, f"{s.name_th} ({s.district.name_th})", s.name_en]
                    for s in subdistricts[:10000]
                ],
            )
        )
    if "province" in keys and model is Agency:
        blocks.append(
            (_("Provinces"), [[p.code, p.name_th, p.name_en] for p in Province.objects.all()])
        )
    if "council" in keys:
        councils = Council.objects.editable_by(user).active().order_by("code")
        blocks.append((_("Councils"), [[c.code, c.name_th, c.name_en] for c in councils[:5000]]))
    if "programme" in keys:
        blocks.append(
            (
                _("Programmes"),
                [[p.code, p.name_th, p.name_en] for p in Programme.objects.active()],
            )
        )
    if "agency" in keys:
        agencies = Agency.objects.active().order_by("code")
        blocks.append((_("Agencies"), [[a.code, a.name_th, a.name_en] for a in agencies[:5000]]))
    if "meeting" in keys:
        meetings = Meeting.objects.editable_by(user).active().order_by("-starts_at")
        blocks.append(
            (
                _("Meetings"),
                [[m.pk, m.title, f"{m.starts_at:%Y-%m-%d}"] for m in meetings[:1000]],
            )
        )
    if "project" in keys:
        projects = Project.objects.editable_by(user).active().order_by("-fiscal_year", "code")
        blocks.append((_("Projects"), [[p.code, p.title_th, p.title_en] for p in projects[:5000]]))
    return blocks


def template_workbook(resource_class, user) -> bytes:
    workbook = Workbook()
    data = workbook.active
    data.title = _("Data")
    keys = resource_class.field_keys()
    data.append([_header(resource_class, key) for key in keys])
    for index, _key in enumerate(keys, start=1):
        data.column_dimensions[data.cell(row=1, column=index).column_letter].width = 24
    _style_header(data)

    help_sheet = workbook.create_sheet(_("Instructions"))
    help_sheet.append([_("How to fill in this file")])
    help_sheet["A1"].font = Font(bold=True, size=14)
    for line in (
        _("One row per record, under the header row of the Data sheet."),
        _(
            "Headers may be in Thai or in English, in any order; columns you leave out are not "
            "changed."
        ),
        _(
            "An empty cell changes nothing: the record keeps the value it has (a new record "
            "gets the usual default)."
        ),
        _(
            "To empty a stored value, write - (a single dash) in the cell. A column that always "
            "needs a value cannot be emptied."
        ),
        _("Dates may be Buddhist-era (21/12/2565, 21 ธ.ค. 2565) or Christian-era, or date cells."),
        _("Thai digits, thousands separators and units (บาท, ครัวเรือน) are read."),
        _(
            "A row that matches an existing record (by its code, or a person by council and ID or "
            "name) updates it; importing the same file twice changes nothing."
        ),
        _("Nothing is written until you confirm the preview; an import can be undone."),
    ):
        help_sheet.append([line])
    help_sheet.append([])
    help_sheet.append([_("Column"), _("Required"), _("How to write it"), _("Example")])
    for cell in help_sheet[help_sheet.max_row]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
    for key in keys:
        required, how, example = COLUMN_HELP.get(
            (resource_class.kind_code, key), COLUMN_HELP.get(key, (False, "", ""))
        )
        required = resource_class.column_required(key, user, required)
        help_sheet.append(
            [
                _header(resource_class, key),
                _("yes") if required else "",
                _(how) if how else "",
                escape_formula(example),
            ]
        )
    help_sheet.column_dimensions["A"].width = 34
    help_sheet.column_dimensions["C"].width = 80
    help_sheet.column_dimensions["D"].width = 30

    values = workbook.create_sheet(_("Valid values"))
    for title, rows in _valid_values(resource_class, user):
        values.append([title])
        values.cell(row=values.max_row, column=1).font = Font(bold=True, size=12)
        values.append([_("Value"), _("Thai"), _("English")])
        for cell in values[values.max_row]:
            cell.font = BOLD
            cell.fill = HEADER_FILL
        for row in rows:
            values.append([escape_formula(str(value)) for value in row])
        values.append([])
    for letter in "ABC":
        values.column_dimensions[letter].width = 36
    workbook.active = 0
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _rejected_cell(text: str) -> str:
    """A rejected row's cell as the user wrote it, made inert; the dash that empties a value
    stays a dash (a lone "-" is no formula), so the fixed file means what the first did."""
    return text if text == CLEAR_MARKER else escape_formula(text)


def _reason(error: dict, render_message, label) -> str:
    column = error["column"] or (str(label(error["key"])) if label and error["key"] else "")
    message = render_message(error)
    return f"{column}: {message}" if column else message


def errors_workbook(batch: ImportBatch, render_message, label=None) -> bytes:
    """The rejected rows as they were in the file, a column with the reasons at the end, and
    the original row number first: fix them and upload the file again. A reason about a field
    the file has no column for is named by `label(key)`, as the preview names it."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Rejected rows")
    columns = batch.preview.get("columns", [])
    width = max((column["index"] for column in columns), default=-1) + 1
    headers = [""] * width
    for column in columns:
        headers[column["index"]] = column["header"]
    # The headers are the uploader's text too: a formula there must stay text.
    sheet.append(
        [_("Row in the original file"), *(escape_formula(str(h)) for h in headers), _("Reasons")]
    )
    _style_header(sheet)
    for row in batch.preview.get("rows", []):
        if row["outcome"] not in ("error", "conflict"):
            continue
        cells = list(row.get("cells", []))[:width]
        cells += [""] * (width - len(cells))
        reasons = "\n".join(_reason(error, render_message, label) for error in row["errors"])
        sheet.append(
            [row["row"], *(_rejected_cell(str(value)) for value in cells), escape_formula(reasons)]
        )
    sheet.column_dimensions[sheet.cell(row=1, column=width + 2).column_letter].width = 80
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
