from django.utils.translation import gettext_lazy as _
from import_export import fields

from meetings.models import Meeting
from portal.exports import ExportResource


class MeetingResource(ExportResource):
    province = fields.Field(attribute="province__name_th", column_name=_("province"))
    district = fields.Field(attribute="district__name_th", column_name=_("district"))
    attendance_count = fields.Field(attribute="attendance_count", column_name=_("attendance"))
    open_resolution_count = fields.Field(
        attribute="open_resolution_count", column_name=_("open resolutions")
    )

    class Meta:
        model = Meeting
        fields = [
            "title",
            "meeting_type",
            "starts_at",
            "ends_at",
            "venue",
            "province",
            "district",
            "chair_name",
            "chair_position",
            "attendance_count",
            "open_resolution_count",
            "version",
        ]
        export_order = fields
