"""Downloads of exactly what a list shows, as `.xlsx` or `.csv`."""

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.text import capfirst
from import_export import resources

from portal.lib.spreadsheets import cell

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


def export_response(
    resource: ExportResource, queryset: QuerySet, file_format: str, basename: str
) -> HttpResponse:
    dataset = resource.export(queryset)
    if file_format == "csv":
        # With a BOM, Excel opens the UTF-8 file as UTF-8 and the Thai text stays intact.
        content = dataset.export("csv").encode("utf-8-sig")
    else:
        content = dataset.export("xlsx")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=EXPORT_FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{basename}-{stamp}.{file_format}"'
    return response
