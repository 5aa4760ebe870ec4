"""The partnership matrix as an .xlsx workbook: one sheet per matrix."""

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from areas.matrix import Matrix, grid
from portal.lib.spreadsheets import cell


def _sheet(book: Workbook, title: str, matrix: Matrix, language: str) -> None:
    sheet = book.create_sheet(title[:31])
    header = [_("Agency"), _("Sector"), _("Projects"), _("Contribution (baht)")]
    for _key, label in matrix.columns:
        header += [f"{label}: {_('projects')}", f"{label}: {_('baht')}"]
    sheet.append([cell(value, language) for value in header])
    for row in grid(matrix):
        values = [row["name"], row["sector"], row["projects"], row["contribution"]]
        for entry in row["cells"]:
            values += list(entry) if entry else [0, 0]
        sheet.append([cell(value, language) for value in values])
    for header_cell in sheet[1]:
        header_cell.font = Font(bold=True)


def matrix_workbook(area, by_programme: Matrix, by_area: Matrix | None) -> HttpResponse:
    language = translation.get_language() or "th"
    book = Workbook()
    book.remove(book.active)
    _sheet(book, _("Agencies and programmes"), by_programme, language)
    if by_area is not None:
        _sheet(book, _("Agencies and areas"), by_area, language)
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="partners-{area.code}-{stamp}.xlsx"'
    book.save(response)
    return response
