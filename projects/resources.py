from django.utils.translation import gettext_lazy as _
from import_export import fields

from portal.exports import ExportResource
from projects.models import Project


class ProjectResource(ExportResource):
    programme = fields.Field(attribute="programme__name_th", column_name=_("programme"))
    council = fields.Field(attribute="council__name_th", column_name=_("lead council"))
    district = fields.Field(attribute="council__district__name_th", column_name=_("district"))
    disbursed = fields.Field(attribute="disbursed", column_name=_("disbursed (baht)"))

    class Meta:
        model = Project
        fields = [
            "code",
            "title_th",
            "title_en",
            "programme",
            "council",
            "district",
            "fiscal_year",
            "status",
            "budget_requested",
            "budget_approved",
            "disbursed",
            "target_households",
            "reached_households",
            "target_persons",
            "reached_persons",
            "start_date",
            "end_date",
            "version",
        ]
        export_order = fields
