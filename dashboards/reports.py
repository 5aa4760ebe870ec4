"""The provincial briefing pack: the dashboard's figures for a fiscal year and a scope, with
the meetings of the period and their resolutions, as a PDF (a Thai government-style
document) and as an .xlsx workbook with the same figures."""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from councils.models import Council
from dashboards import presentation
from dashboards.cache import cached
from dashboards.figures import dashboard_data, scope_provinces
from dashboards.filters import Selection
from geo.models import Province
from meetings.models import Meeting, Resolution
from portal.lib.dates import fiscal_year_bounds
from portal.lib.spreadsheets import cell
from portal.pdf import pdf_response
from portal.roles import scope_of

MEETINGS_IN_PACK = 100


def scope_label(user, selection: Selection) -> str:
    if selection.district is not None:
        return _("District %(name)s, province %(province)s") % {
            "name": selection.district.name,
            "province": selection.district.province.name,
        }
    if selection.province is not None:
        return _("Province %(names)s") % {"names": selection.province.name}
    council_id = scope_of(user).council_id
    if council_id is not None:
        council = Council.objects.filter(pk=council_id).first()
        return str(council) if council else ""
    codes = scope_provinces(user)
    if codes is None:
        return _("the whole country")
    names = [p.name for p in Province.objects.filter(code__in=codes).order_by("code")]
    return _("Province %(names)s") % {"names": ", ".join(names)}


def meetings_of(user, selection: Selection):
    first, last = fiscal_year_bounds(selection.fiscal_year)
    meetings = (
        Meeting.objects.visible_to(user)
        .active()
        .filter(starts_at__date__gte=first, starts_at__date__lte=last)
    )
    if selection.district is not None:
        meetings = meetings.filter(district=selection.district)
    elif selection.province is not None:
        meetings = meetings.filter(province=selection.province)
    resolutions = (
        Resolution.objects.active()
        .select_related("owner_council", "owner_agency")
        .order_by("position")
    )
    total = meetings.count()
    shown = list(
        meetings.order_by("starts_at").prefetch_related(
            Prefetch("resolutions", queryset=resolutions, to_attr="active_resolutions")
        )[:MEETINGS_IN_PACK]
    )
    return shown, total


def briefing_pack(user, selection: Selection) -> dict:
    data = cached(user, selection, dashboard_data)
    meetings, meetings_total = meetings_of(user, selection)
    first, last = fiscal_year_bounds(selection.fiscal_year)
    return {
        **presentation.build(data, selection),
        "selection": selection,
        "scope": scope_label(user, selection),
        "period": (first, last),
        "printed_at": timezone.localtime(),
        "printed_by": user.get_full_name() or user.username,
        "meetings": meetings,
        "meetings_total": meetings_total,
        "meetings_more": max(0, meetings_total - len(meetings)),
        "today": data["today"],
    }


def _filename(pack: dict, extension: str) -> str:
    return f"briefing-fy{pack['selection'].fiscal_year}.{extension}"


def pdf(request, pack: dict) -> HttpResponse:
    return pdf_response("dashboards/briefing_pack.html", pack, request, _filename(pack, "pdf"))


def workbook(pack: dict) -> HttpResponse:
    language = translation.get_language() or "th"
    book = Workbook()
    sheet = book.active
    sheet.title = _("Summary")[:31]
    summary = pack["summary"]
    rows = [
        (_("Briefing pack"), pack["scope"]),
        (_("Fiscal year"), pack["selection"].fiscal_year),
        (_("Programme"), pack["selection"].programme or _("all programmes")),
        (_("Printed"), pack["printed_at"]),
        (),
        (_("Councils"), summary["councils"]["total"]),
        (_("Active councils"), summary["councils"]["active"]),
        (_("Dormant councils"), summary["councils"]["dormant"]),
        (_("Community organisations"), summary["organisations"]["total"]),
        (_("Members of community organisations"), summary["organisations"]["members"]),
        (_("Households covered"), summary["councils"]["households"]),
        (_("Population covered"), summary["councils"]["population"]),
        (_("Projects"), summary["projects"]["total"]),
        *[(row["label"], row["value"]) for row in pack["statuses"]],
        (_("Budget requested (baht)"), summary["budget"]["requested"]),
        (_("Budget approved (baht)"), summary["budget"]["approved"]),
        (_("Budget disbursed (baht)"), summary["budget"]["disbursed"]),
        (_("Households targeted"), summary["projects"]["target_households"]),
        (_("Households reached"), summary["projects"]["reached_households"]),
        (_("Persons targeted"), summary["projects"]["target_persons"]),
        (_("Persons reached"), summary["projects"]["reached_persons"]),
        (_("Meetings held"), summary["meetings_held"]),
        (_("Open resolutions"), summary["resolutions"]["open"]),
        (_("Overdue resolutions"), summary["resolutions"]["overdue"]),
    ]
    for row in rows:
        sheet.append([cell(value, language) for value in row])
    for table in (pack["tables"]["areas"], pack["tables"]["programmes"], pack["tables"]["years"]):
        _table_sheet(book, table, language)
    _meetings_sheet(book, pack, language)
    for each in book.worksheets:
        for column in range(1, each.max_column + 1):
            each.column_dimensions[get_column_letter(column)].width = 18 if column > 1 else 42
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(pack, "xlsx")}"'
    book.save(response)
    return response


def _table_sheet(book: Workbook, table: presentation.Table, language: str) -> None:
    sheet = book.create_sheet(table.caption[:31])
    sheet.append([cell(header, language) for header in table.headers])
    for row in table.rows:
        sheet.append([cell(row["label"], language), *row["cells"]])
    if table.footer:
        sheet.append([_("Total"), *table.footer])
    for header in sheet[1]:
        header.font = Font(bold=True)


def _meetings_sheet(book: Workbook, pack: dict, language: str) -> None:
    sheet = book.create_sheet(_("Meetings and resolutions")[:31])
    sheet.append(
        [_("Date"), _("Meeting"), _("Venue"), _("Resolution"), _("Owner"), _("Due"), _("Status")]
    )
    for meeting in pack["meetings"]:
        start = [meeting.starts_at, meeting.title, meeting.venue]
        if not meeting.active_resolutions:
            sheet.append([cell(value, language) for value in start])
        for resolution in meeting.active_resolutions:
            sheet.append(
                [
                    cell(value, language)
                    for value in [
                        *start,
                        resolution.text,
                        str(resolution.owner),
                        resolution.due_on,
                        resolution.get_status_display(),
                    ]
                ]
            )
    for header in sheet[1]:
        header.font = Font(bold=True)
