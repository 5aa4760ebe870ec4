from django.contrib import admin

from meetings.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingObjective,
    MeetingOrganiser,
    MeetingPhoto,
    Resolution,
    ResolutionFollowUp,
)
from portal.admin import RecordAdmin, RecordInline


class MeetingOrganiserInline(RecordInline):
    model = MeetingOrganiser
    extra = 0
    autocomplete_fields = ["agency"]


class MeetingObjectiveInline(RecordInline):
    model = MeetingObjective
    extra = 0


class AgendaItemInline(RecordInline):
    model = AgendaItem
    extra = 0


class AttendanceInline(RecordInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["council", "agency"]
    fields = ["order", "person_name", "position", "council", "agency", "organisation_text", "role"]


class ResolutionInline(RecordInline):
    model = Resolution
    fk_name = "meeting"
    extra = 0
    autocomplete_fields = ["owner_council", "owner_agency", "carried_from"]
    fields = ["position", "text", "owner_council", "owner_agency", "due_on", "status"]


@admin.register(Meeting)
class MeetingAdmin(RecordAdmin):
    list_display = ["title", "meeting_type", "starts_at", "venue", "province"]
    list_filter = ["meeting_type", "province", "district", "is_demo"]
    search_fields = ["title", "venue", "chair_name", "summary"]
    autocomplete_fields = [
        "province",
        "district",
        "subdistrict",
        "invited_councils",
        "invited_agencies",
    ]
    list_select_related = ["province"]
    date_hierarchy = "starts_at"
    inlines = [
        MeetingOrganiserInline,
        MeetingObjectiveInline,
        AgendaItemInline,
        AttendanceInline,
        ResolutionInline,
    ]


@admin.register(Attendance)
class AttendanceAdmin(RecordAdmin):
    list_display = ["person_name", "position", "meeting", "role"]
    list_filter = ["role", "agency__sector"]
    search_fields = ["person_name", "position", "organisation_text", "meeting__title"]
    autocomplete_fields = ["meeting", "council", "agency"]
    list_select_related = ["meeting"]


class ResolutionFollowUpInline(RecordInline):
    model = ResolutionFollowUp
    extra = 0


@admin.register(Resolution)
class ResolutionAdmin(RecordAdmin):
    list_display = ["__str__", "meeting", "owner_council", "owner_agency", "due_on", "status"]
    list_filter = ["status", "meeting__meeting_type", "owner_agency__sector"]
    search_fields = ["text", "meeting__title", "owner_council__name_th", "owner_agency__name_th"]
    autocomplete_fields = ["meeting", "owner_council", "owner_agency", "carried_from"]
    list_select_related = ["meeting", "owner_council", "owner_agency"]
    inlines = [ResolutionFollowUpInline]


@admin.register(MeetingPhoto)
class MeetingPhotoAdmin(RecordAdmin):
    list_display = ["meeting", "caption", "position"]
    search_fields = ["caption", "meeting__title"]
    autocomplete_fields = ["meeting"]
    list_select_related = ["meeting"]


@admin.register(MeetingObjective)
class MeetingObjectiveAdmin(RecordAdmin):
    list_display = ["meeting", "position", "text"]
    search_fields = ["text", "meeting__title"]
    autocomplete_fields = ["meeting"]
    list_select_related = ["meeting"]


@admin.register(MeetingOrganiser)
class MeetingOrganiserAdmin(RecordAdmin):
    list_display = ["meeting", "agency", "role"]
    list_filter = ["role"]
    search_fields = ["meeting__title", "agency__name_th"]
    autocomplete_fields = ["meeting", "agency"]
    list_select_related = ["meeting", "agency"]


@admin.register(AgendaItem)
class AgendaItemAdmin(RecordAdmin):
    list_display = ["meeting", "position", "title", "presenter"]
    search_fields = ["title", "meeting__title"]
    autocomplete_fields = ["meeting"]
    list_select_related = ["meeting"]


@admin.register(ResolutionFollowUp)
class ResolutionFollowUpAdmin(RecordAdmin):
    list_display = ["resolution", "noted_on", "status"]
    list_filter = ["status"]
    search_fields = ["note", "resolution__text"]
    autocomplete_fields = ["resolution"]
    list_select_related = ["resolution"]
