from django.contrib import admin

from portal.admin import RecordAdmin, RecordInline
from projects.models import (
    Disbursement,
    Programme,
    ProgressPhoto,
    ProgressUpdate,
    Project,
    ProjectPartner,
)


@admin.register(Programme)
class ProgrammeAdmin(RecordAdmin):
    list_display = ["code", "name_th", "name_en", "sort_order"]
    search_fields = ["code", "name_th", "name_en"]


class ProjectPartnerInline(RecordInline):
    model = ProjectPartner
    extra = 0
    autocomplete_fields = ["agency"]
    fields = ["agency", "role", "contribution", "contribution_note"]


class DisbursementInline(RecordInline):
    model = Disbursement
    extra = 0
    fields = ["paid_on", "amount", "reference", "note"]


@admin.register(Project)
class ProjectAdmin(RecordAdmin):
    list_display = ["code", "title_th", "programme", "council", "fiscal_year", "status"]
    list_filter = ["status", "programme", "fiscal_year", "council__district", "is_demo"]
    search_fields = ["code", "title_th", "title_en", "council__name_th", "council__code"]
    autocomplete_fields = ["programme", "council"]
    list_select_related = ["programme", "council"]
    inlines = [ProjectPartnerInline, DisbursementInline]


@admin.register(ProjectPartner)
class ProjectPartnerAdmin(RecordAdmin):
    list_display = ["project", "agency", "role", "contribution"]
    list_filter = ["role", "agency__sector"]
    search_fields = ["project__code", "project__title_th", "agency__name_th"]
    autocomplete_fields = ["project", "agency"]
    list_select_related = ["project", "agency"]


@admin.register(Disbursement)
class DisbursementAdmin(RecordAdmin):
    list_display = ["project", "paid_on", "amount", "reference"]
    list_filter = ["project__fiscal_year"]
    search_fields = ["project__code", "project__title_th", "reference"]
    autocomplete_fields = ["project"]
    list_select_related = ["project"]
    date_hierarchy = "paid_on"


class ProgressPhotoInline(RecordInline):
    model = ProgressPhoto
    extra = 0
    fields = ["image", "caption"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(RecordAdmin):
    list_display = ["project", "reported_on", "percent_complete"]
    list_filter = ["project__programme"]
    search_fields = ["project__code", "project__title_th", "text"]
    autocomplete_fields = ["project"]
    list_select_related = ["project"]
    inlines = [ProgressPhotoInline]


@admin.register(ProgressPhoto)
class ProgressPhotoAdmin(RecordAdmin):
    list_display = ["update", "caption"]
    search_fields = ["caption", "update__project__code"]
    autocomplete_fields = ["update"]
    list_select_related = ["update__project"]
