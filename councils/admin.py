from django.contrib import admin

from councils.models import Agency, CommunityOrganisation, Council, CouncilMember
from portal.admin import RecordAdmin, RecordInline


class CouncilMemberInline(RecordInline):
    model = CouncilMember
    extra = 0
    autocomplete_fields = ["organisation"]
    fields = ["full_name", "role", "organisation", "phone", "term_start", "term_end"]


class CommunityOrganisationInline(RecordInline):
    model = CommunityOrganisation
    extra = 0
    fields = ["name", "kind", "member_count", "established_on"]


@admin.register(Council)
class CouncilAdmin(RecordAdmin):
    list_display = ["code", "name_th", "district", "area_type", "status", "households"]
    list_filter = ["status", "area_type", "district__province", "district", "is_demo"]
    search_fields = ["code", "name_th", "name_en", "subdistrict__name_th", "district__name_th"]
    autocomplete_fields = ["district", "subdistrict"]
    list_select_related = ["district"]
    date_hierarchy = "registered_on"
    inlines = [CouncilMemberInline, CommunityOrganisationInline]


@admin.register(CouncilMember)
class CouncilMemberAdmin(RecordAdmin):
    list_display = ["full_name", "role", "council", "term_start", "term_end"]
    list_filter = ["role", "council__district"]
    search_fields = ["full_name", "council__name_th", "council__code"]
    autocomplete_fields = ["council", "organisation"]
    list_select_related = ["council"]


@admin.register(CommunityOrganisation)
class CommunityOrganisationAdmin(RecordAdmin):
    list_display = ["name", "kind", "council", "member_count"]
    list_filter = ["kind", "council__district"]
    search_fields = ["name", "council__name_th", "council__code"]
    autocomplete_fields = ["council"]
    list_select_related = ["council"]


@admin.register(Agency)
class AgencyAdmin(RecordAdmin):
    list_display = ["name_th", "short_name", "sector", "province"]
    list_filter = ["sector", "province"]
    search_fields = ["code", "name_th", "name_en", "short_name"]
    autocomplete_fields = ["province"]
    list_select_related = ["province"]
