from django.utils.translation import gettext_lazy as _
from import_export import fields

from meetings.models import Meeting, Resolution
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


class ResolutionResource(ExportResource):
    meeting = fields.Field(attribute="meeting__title", column_name=_("meeting"))
    meeting_date = fields.Field(attribute="meeting__starts_at", column_name=_("meeting date"))
    owner = fields.Field(column_name=_("owner"))
    last_noted_on = fields.Field(attribute="last_noted_on", column_name=_("last follow-up"))
    carried_from = fields.Field(
        attribute="carried_from__meeting__title", column_name=_("carried from")
    )

    class Meta:
        model = Resolution
        fields = [
            "meeting",
            "meeting_date",
            "position",
            "text",
            "owner",
            "due_on",
            "status",
            "last_noted_on",
            "carried_from",
            "version",
        ]
        export_order = fields

    def dehydrate_owner(self, resolution: Resolution) -> str:
        return resolution.owner.name_th
