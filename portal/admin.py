"""The admin's base for the portal's records: history kept, and archive instead of delete."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.archiving import archive, restore


class RecordAdminForm(forms.ModelForm):
    """Carries the version the record had when the page opened: a save that someone else's
    overtook is refused instead of silently overwriting it."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        opened = cleaned.get("opened_version")
        if self.instance.pk and opened is not None:
            # Locked until the admin's save commits: no other save can come between this
            # check and the write.
            stored = (
                type(self.instance)
                ._base_manager.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if stored is not None and stored != opened:
                raise forms.ValidationError(
                    _(
                        "Someone else saved this record after you opened it. Nothing was "
                        "saved: open the record again to see their change, then make yours."
                    ),
                    code="conflict",
                )
        return cleaned


class RecordAdmin(SimpleHistoryAdmin):
    """No record is destroyed from the admin: it is archived, and can be restored."""

    form = RecordAdminForm
    actions = ["archive_selected", "restore_selected"]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if "opened_version" in fields else [*fields, "opened_version"]

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
    """Rows owned by a record: never deleted here, and version-checked like the record."""

    form = RecordAdminForm
    extra = 0
    can_delete = False

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if "opened_version" in fields else [*fields, "opened_version"]
