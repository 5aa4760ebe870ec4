from django.contrib import admin

from privacy.models import AccessLog, Erasure


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log is read, never written or changed by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "action", "model", "row_count", "path"]
    list_filter = ["action", "model"]
    search_fields = ["user__username", "path"]
    date_hierarchy = "at"
    list_select_related = ["user"]


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdmin):
    list_display = ["at", "erased_by", "reference", "counts"]
    search_fields = ["reference"]
    date_hierarchy = "at"
    list_select_related = ["erased_by"]
