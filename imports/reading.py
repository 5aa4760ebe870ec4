"""Turning an uploaded file into rows, as people actually send them, within fixed bounds.

A district office's spreadsheet rarely starts at A1: a merged title, a date line, a running
number column, blank rows and a totals row surround the data. `read_table` finds the header
row (the first row in which several cells are known column names), keeps the spreadsheet's own
row numbers, and drops blank and totals rows. Bad files are refused with a `FileRejected`
whose message the user reads; nothing is written before that.

Bounds: the file size, the real number of rows (counted while reading, whatever the sheet
claims) and columns, the unpacked size and compression ratio of an `.xlsx` (zip bombs);
openpyxl parses XML with defusedxml (installed), which refuses entity bombs.
"""

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.lib.spreadsheets import unescape_formula

IGNORED = "__ignored__"
HEADER_SEARCH_ROWS = 30
TOTAL_LABEL = re.compile(r"^(รวม|รวมทั้งสิ้น|รวมทั้งหมด|ยอดรวม|total|grand total|sum)\b", re.I)
# Compression ratio above which an unpacked part is a zip bomb, not a spreadsheet.
MAX_RATIO = 150


def _is_xml_attack(exc: BaseException | None) -> bool:
    """defusedxml's refusals (entities, DTDs), however deep openpyxl wrapped them."""
    seen = 0
    while exc is not None and seen < 10:
        if type(exc).__module__.startswith("defusedxml"):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


class FileRejected(Exception):
    """A file the import cannot read. `message` is a lazy translation, `params` its values."""

    def __init__(self, message, **params):
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


@dataclass
class Column:
    index: int
    header: str  # as written in the file
    key: str | None  # the field it fills, IGNORED, or None when unknown


@dataclass
class Table:
    columns: list[Column]
    rows: list[tuple[int, list]]  # (row number in the spreadsheet, cell values by column)
    header_row: int
    sheet_name: str = ""
    skipped_totals: list[int] = field(default_factory=list)

    @property
    def unknown(self) -> list[Column]:
        return [column for column in self.columns if column.key is None]


def normalise_header(text) -> str:
    """`  ชื่อสภา  ` / `Name (Thai)*` → comparable text: NFC, lower case, single spaces."""
    text = unicodedata.normalize("NFC", str(text or ""))
    text = re.sub(r"[\u200b-\u200d\ufeff]", "", text)
    text = " ".join(text.split()).strip().lower()
    return text.rstrip("*: ").strip()


class Cleared(str):
    """A cell holding the clearing marker: empty the stored value. (An empty cell keeps it.)
    Equal to "" so every reader takes it for "no value"; only the import of a field asks
    whether it was cleared."""


CLEAR_MARKER = "-"
CLEARED = Cleared("")


def is_cleared(value) -> bool:
    return isinstance(value, Cleared)


def import_value(value):
    """A cell as the import reads it: the clearing marker, or the text without the apostrophe
    the portal's own export put before formula-like text."""
    if isinstance(value, str):
        if value == CLEAR_MARKER:
            return CLEARED
        return unescape_formula(value)
    return value


def clean_cell(value):
    """Text trimmed (no-break spaces too), empty text as None; other values as they are."""
    if isinstance(value, str):
        value = value.replace("\u00a0", " ").replace("\u200b", "").strip()
        return value or None
    return value


def read_table(
    uploaded,
    file_name: str,
    match_header: Callable[[str], str | None],
    mapping=None,
    lone_keys=frozenset(),
) -> Table:
    """Read an `.xlsx` or `.csv` upload into a Table. `match_header(normalised text)` names the
    field of a header (or IGNORED, or None); `mapping` (normalised header → key) is what the
    user said about headers the portal did not know. A header row names at least two known
    columns, or one of `lone_keys` (a sign-in sheet may be a list of names and nothing else)."""
    mapping = mapping or {}
    size = getattr(uploaded, "size", None)
    if size is None:
        uploaded.seek(0, io.SEEK_END)
        size = uploaded.tell()
    uploaded.seek(0)
    if size == 0:
        raise FileRejected(_("The file is empty."))
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise FileRejected(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."),
            size=round(size / 1_048_576, 1),
            limit=round(limit / 1_048_576, 1),
        )
    head = uploaded.read(8)
    uploaded.seek(0)
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(
            _("This is an old Excel file (.xls). Open it in Excel and save it as .xlsx.")
        )
    if suffix == "xlsx" or head.startswith(b"PK\x03\x04"):
        if not head.startswith(b"PK\x03\x04"):
            raise FileRejected(
                _("This file is not an Excel workbook, though its name ends in .xlsx.")
            )
        raw_rows, sheet_name = _xlsx_rows(uploaded)
    elif suffix in ("csv", "txt"):
        raw_rows, sheet_name = _csv_rows(uploaded.read()), ""
    else:
        raise FileRejected(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
    return _table(raw_rows, match_header, mapping, sheet_name, lone_keys)


def _check_zip(uploaded) -> None:
    try:
        archive = zipfile.ZipFile(uploaded)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected(_("The workbook is damaged and cannot be opened.")) from exc
    with archive:
        names = set()
        unpacked = 0
        for info in archive.infolist():
            names.add(info.filename)
            unpacked += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1_048_576 and ratio > MAX_RATIO:
                raise FileRejected(
                    _("The workbook unpacks to far more than its size (a zip bomb); refused.")
                )
        if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
            raise FileRejected(
                _("The workbook unpacks to %(size)s MB; the limit is %(limit)s MB."),
                size=round(unpacked / 1_048_576),
                limit=round(settings.IMPORT_MAX_UNPACKED_BYTES / 1_048_576),
            )
        if "xl/workbook.xml" not in names:
            raise FileRejected(
                _("This file is not an Excel workbook, though its name ends in .xlsx.")
            )
    uploaded.seek(0)


def _xlsx_rows(uploaded):
    import openpyxl  # noqa: PLC0415 - only imports read workbooks

    _check_zip(uploaded)
    try:
        workbook = openpyxl.load_workbook(uploaded, read_only=True, data_only=True)
    except FileRejected:
        raise
    except Exception as exc:  # openpyxl raises many kinds; defusedxml's among them
        if _is_xml_attack(exc):
            raise FileRejected(
                _("The workbook contains XML that is not allowed (an entity bomb); refused.")
            ) from exc
        raise FileRejected(_("The workbook is damaged and cannot be opened.")) from exc
    sheet = workbook.active or workbook.worksheets[0]
    # The sheet's <dimension> is what the writing program claimed, often wrong (1,048,576 rows
    # for a sheet of 8): the rows are counted as they are read, and the row limit applied to
    # those (see _table); read-only openpyxl would otherwise pad up to the claimed size.
    sheet.reset_dimensions()

    def rows():
        try:
            yield from sheet.iter_rows(max_col=settings.IMPORT_MAX_COLUMNS, values_only=True)
        except FileRejected:
            raise
        except Exception as exc:
            if _is_xml_attack(exc):
                raise FileRejected(
                    _("The workbook contains XML that is not allowed (an entity bomb); refused.")
                ) from exc
            raise FileRejected(_("The workbook is damaged and cannot be opened.")) from exc
        finally:
            workbook.close()

    return rows(), sheet.title


def _csv_rows(content: bytes):
    if b"\x00" in content[:4096]:
        raise FileRejected(_("This file is not a CSV text file."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # Windows-874 is TIS-620 with a few extra signs: Thai Excel's "CSV".
            text = content.decode("cp874")
        except UnicodeDecodeError as exc:
            raise FileRejected(
                _("The CSV file's text encoding is not UTF-8 or Thai Windows-874.")
            ) from exc
    # Only the delimiter is guessed from the first lines: a guessed quoting (no quote in the
    # sample → "no quoting") misreads a later cell with doubled quotes and shifts the columns.
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        return list(
            csv.reader(
                io.StringIO(text, newline=""),
                delimiter=delimiter,
                quotechar='"',
                doublequote=True,
            )
        )
    except csv.Error as exc:
        raise FileRejected(_("The CSV file is malformed: %(error)s"), error=str(exc)) from exc


def _header_key(text: str, match_header, mapping) -> str | None:
    normalised = normalise_header(text)
    if not normalised:
        return None
    if normalised in mapping:
        return mapping[normalised]
    key = match_header(normalised)
    if key is None:
        # "รหัสสภา / Council code", or a header on two lines: try each part.
        for part in re.split(r"\s*[/|\n]\s*", str(text)):
            key = match_header(normalise_header(part))
            if key is not None:
                break
    return key


def _table(raw_rows, match_header, mapping, sheet_name, lone_keys=frozenset()) -> Table:
    max_rows = settings.IMPORT_MAX_ROWS
    max_columns = settings.IMPORT_MAX_COLUMNS
    iterator = iter(raw_rows)
    header_row = None
    columns: list[Column] = []
    for number, values in enumerate(iterator, start=1):
        if number > HEADER_SEARCH_ROWS:
            break
        cells = [clean_cell(value) for value in values[:max_columns]]
        known = [
            (index, value, _header_key(value, match_header, mapping))
            for index, value in enumerate(cells)
            if isinstance(value, str)
        ]
        recognised = [item for item in known if item[2] not in (None, IGNORED)]
        if len(recognised) >= 2 or (len(recognised) == 1 and recognised[0][2] in lone_keys):
            header_row = number
            columns = [Column(index, str(value), key) for index, value, key in known]
            break
    if header_row is None:
        raise FileRejected(
            _(
                "No header row found: the first rows of the sheet should name the columns "
                "(download the template to see the names)."
            )
        )
    seen: dict[str, Column] = {}
    for column in columns:
        if column.key in (None, IGNORED):
            continue
        if column.key in seen:
            raise FileRejected(
                _('Two columns, "%(first)s" and "%(second)s", are for the same field.'),
                first=seen[column.key].header,
                second=column.header,
            )
        seen[column.key] = column
    rows: list[tuple[int, list]] = []
    totals: list[int] = []
    for number, values in enumerate(iterator, start=header_row + 1):
        cells = [clean_cell(value) for value in values[:max_columns]]
        while cells and cells[-1] is None:
            cells.pop()
        if not cells:
            continue
        if any(isinstance(value, str) and TOTAL_LABEL.match(value) for value in cells):
            totals.append(number)
            continue
        if len(rows) >= max_rows:
            raise FileRejected(
                _("The file has more than %(limit)s rows; split it into smaller files."),
                limit=f"{max_rows:,}",
            )
        rows.append((number, cells))
    if not rows:
        raise FileRejected(_("The file has a header row but no data rows."))
    return Table(columns, rows, header_row, sheet_name, totals)
