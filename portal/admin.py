"""The admin's base for the portal's records: history kept, and archive instead of delete."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.archiving import archive, restore


class RecordAdmin(SimpleHistoryAdmin):
    """No record is destroyed from the admin: it is archived, and can be restored."""

    actions = ["archive_selected", "restore_selected"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Archive the selected records"))
    def archive_selected(self, request, queryset):
        records = list(queryset.filter(archived_at__isnull=True))
        for record in records:
            archive(record)
        self.message_user(request, _("%(count)s archived.") % {"count": len(records)})

    @admin.action(description=_("Restore the selected records"))
    def restore_selected(self, request, queryset):
        records = list(queryset.filter(archived_at__isnull=False))
        for record in records:
            restore(record)
        self.message_user(
            request, _("%(count)s restored.") % {"count": len(records)}, messages.SUCCESS
        )


class RecordInline(admin.TabularInline):
    extra = 0
    can_delete = False
