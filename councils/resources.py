from django.utils.translation import gettext_lazy as _
from import_export import fields

from councils.models import Agency, Council
from portal.exports import ExportResource


class CouncilResource(ExportResource):
    district = fields.Field(attribute="district__name_th", column_name=_("district"))
    subdistrict = fields.Field(attribute="subdistrict__name_th", column_name=_("subdistrict"))

    class Meta:
        model = Council
        fields = [
            "code",
            "name_th",
            "name_en",
            "area_type",
            "district",
            "subdistrict",
            "municipality_name",
            "status",
            "established_on",
            "registered_on",
            "phone",
            "email",
            "address",
            "households",
            "population",
            "version",
        ]
        export_order = fields


class AgencyResource(ExportResource):
    province = fields.Field(attribute="province__name_th", column_name=_("province"))

    class Meta:
        model = Agency
        fields = [
            "code",
            "name_th",
            "name_en",
            "short_name",
            "sector",
            "province",
            "phone",
            "email",
            "website",
            "address",
            "version",
        ]
        export_order = fields
