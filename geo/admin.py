from django.contrib import admin

from geo.models import District, Province, Subdistrict


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name_th", "name_en"]
    autocomplete_fields = ["province"]
    list_select_related = ["province"]


@admin.register(Subdistrict)
class SubdistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "district", "postal_codes"]
    list_filter = ["district__province"]
    search_fields = ["code", "name_th", "name_en", "district__name_th", "postal_codes"]
    autocomplete_fields = ["district"]
    list_select_related = ["district"]
