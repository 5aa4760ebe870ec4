"""Downloads of exactly what a list shows, as `.xlsx` or `.csv`."""

import codecs
import csv
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import Model, QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.text import capfirst
from import_export import resources

from portal.lib.spreadsheets import cell, escape_formula, format_date_cell
from portal.lib.xlsx import write_workbook

# Rows of CSV sent together: small enough to start at once, large enough to send few chunks.
CHUNK_ROWS = 500

# Told the number of rows written so far, every CHUNK_ROWS rows: a background export
# (portal.export_jobs) shows its progress and renews its heartbeat with it.
on_progress: ContextVar[Callable[[int], None] | None] = ContextVar("on_progress", default=None)

EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportResource(resources.ModelResource):
    """A ModelResource whose headers are the fields' labels in the user's language, whose
    choices are shown by label, and whose cells are safe to open in a spreadsheet."""

    def get_export_headers(self, selected_fields=None) -> list[str]:
        return [self._header(field) for field in self.get_export_fields(selected_fields)]

    def _header(self, field) -> str:
        if field.column_name != field.attribute or field.attribute is None:
            return force_str(capfirst(field.column_name))
        return force_str(capfirst(self._meta.model._meta.get_field(field.attribute).verbose_name))

    def export_field(self, field, instance, **kwargs):
        name = self.get_field_name(field)
        method = getattr(self, f"dehydrate_{name}", None)
        if method is not None:
            value = method(instance)
        elif (
            field.attribute
            and "__" not in field.attribute
            and hasattr(instance, f"get_{field.attribute}_display")
        ):
            value = getattr(instance, f"get_{field.attribute}_display")()
        else:
            value = field.get_value(instance)
        return cell(value, translation.get_language() or "th")

    def value_columns(self, queryset: QuerySet) -> list[tuple[str, Callable]] | None:
        """Each column's database path and the function that makes its cell (what
        `export_field` does, decided once per column rather than once per value); or None
        when a column needs the record itself (a `dehydrate_` method, a related record shown
        as text, a property). With the paths the rows are read as tuples (`values_list`):
        building three model instances per row and walking each field's attribute took
        most of the time of a 100,000-project export."""
        language = translation.get_language() or "th"
        columns = []
        for field in self.get_export_fields():
            if not field.attribute or hasattr(self, f"dehydrate_{self.get_field_name(field)}"):
                return None
            if field.attribute in queryset.query.annotations:
                columns.append((field.attribute, _generic_cell(language)))
                continue
            model_field = _model_field(self._meta.model, field.attribute)
            if model_field is None:
                return None
            columns.append((field.attribute, _cell_maker(model_field, field.attribute, language)))
        return columns


def _generic_cell(language: str) -> Callable:
    return lambda value: cell(value, language)


TEXT_FIELDS = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}
NUMBER_FIELDS = {
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "DecimalField",
    "FloatField",
    "AutoField",
    "BigAutoField",
}


def _cell_maker(model_field, path: str, language: str) -> Callable:
    """`cell()` specialised for one column: the same result, without asking each value its
    type (a third of the time of a large export went to those checks)."""
    kind = model_field.get_internal_type()
    if model_field.choices and "__" not in path:
        # As get_<field>_display(): the label, or the stored value when it has none.
        labels = {key: str(label) for key, label in model_field.flatchoices}
        generic = _generic_cell(language)
        return lambda value: generic(labels.get(value, value))
    if kind in TEXT_FIELDS:
        return lambda value: "" if value is None else escape_formula(value)
    if kind in NUMBER_FIELDS:
        return lambda value: "" if value is None else value
    if kind == "DateField":
        return lambda value: "" if value is None else format_date_cell(value, language)
    return _generic_cell(language)


def _model_field(model: type[Model], path: str):
    """The concrete, non-relation field a `a__b__c` path ends on, through forward relations
    only (one value per row); None otherwise."""
    *hops, last = path.split("__")
    try:
        for hop in hops:
            relation = model._meta.get_field(hop)
            if not (relation.many_to_one or relation.one_to_one) or relation.auto_created:
                return None
            model = relation.related_model
        field = model._meta.get_field(last)
    except FieldDoesNotExist:
        return None
    return None if field.is_relation or not field.concrete else field


def export_response(
    resource: ExportResource, queryset: QuerySet, file_format: str, basename: str
) -> HttpResponse:
    """The download, built in constant memory whatever the number of rows: a CSV is streamed
    as its rows are read (the first byte leaves at once), a workbook is written row by row
    (portal.lib.xlsx) to a temporary file that is then streamed. Building either in memory
    took 850 MB and a minute for 100,000 projects."""
    language = translation.get_language() or "th"
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{basename}-{stamp}.{file_format}"
    if file_format == "csv":
        response = StreamingHttpResponse(
            _csv_chunks(resource, queryset, language), content_type=EXPORT_FORMATS["csv"]
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    workbook = _xlsx_file(resource, queryset, language)
    return FileResponse(
        workbook,
        as_attachment=True,
        filename=filename,
        content_type=EXPORT_FORMATS["xlsx"],
    )


def export_rows(resource: ExportResource, queryset: QuerySet) -> Iterator[list]:
    """The header row, then one row per record, read from the database in chunks."""
    yield resource.get_export_headers()
    progress = on_progress.get()
    for number, row in enumerate(_records(resource, queryset), start=1):
        yield row
        if progress is not None and number % CHUNK_ROWS == 0:
            progress(number)


def _records(resource: ExportResource, queryset: QuerySet) -> Iterator[list]:
    columns = resource.value_columns(queryset) if isinstance(queryset, QuerySet) else None
    if columns is None:
        for record in resource.iter_queryset(queryset):
            yield resource.export_resource(record)
        return
    paths = [path for path, _maker in columns]
    makers = [maker for _path, maker in columns]
    rows = queryset.values_list(*paths)
    with _without_jit(rows.db):
        for values in rows.iterator(chunk_size=resource.get_chunk_size()):
            yield [make(value) for make, value in zip(makers, values, strict=True)]


@contextmanager
def _without_jit(alias: str):
    """PostgreSQL compiles a query it estimates costly (all the projects, a subquery per
    row) to machine code first: 2 of the 4 seconds of the national export's query, for a
    plan that then runs once. Off for the export's session while it reads."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")


class _Line:
    """A file-like object whose write returns what was written (csv.writer into a string)."""

    def write(self, text: str) -> str:
        return text


def _csv_chunks(resource: ExportResource, queryset: QuerySet, language: str) -> Iterator[bytes]:
    # With a BOM, Excel opens the UTF-8 file as UTF-8 and the Thai text stays intact.
    yield codecs.BOM_UTF8
    writer = csv.writer(_Line())
    with translation.override(language):  # the rows are read after the view has returned
        lines = []
        for row in export_rows(resource, queryset):
            lines.append(writer.writerow(row))
            if len(lines) == CHUNK_ROWS:
                yield "".join(lines).encode("utf-8")
                lines = []
        yield "".join(lines).encode("utf-8")


def _xlsx_file(resource: ExportResource, queryset: QuerySet, language: str):
    with translation.override(language):
        # The sheet is named as the list is, in the reader's language ("สภาองค์กรชุมชน").
        title = str(capfirst(queryset.model._meta.verbose_name_plural))[:31]
        rows = export_rows(resource, queryset)
        headers = next(rows)
        widths = [min(max(len(header) + 4, 12), 40) for header in headers]
        # Deleted when closed: FileResponse closes it once sent (or when the client goes away).
        handle = tempfile.TemporaryFile()  # noqa: SIM115
        write_workbook(handle, title=title, headers=headers, rows=rows, widths=widths)
    handle.seek(0)
    return handle
