"""The admin's base for the portal's records: history kept, and archive instead of delete."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.archiving import archive, restore
from portal.editing import RecordInlineFormSet
from portal.lib.search import search_message
from privacy.services import (
    has_personal_data,
    has_personal_data_fields,
    log_personal_data_shown,
    log_personal_rows_shown,
    mark_personal_data,
)


class BoundedSearchAdmin:
    """A search in the admin (its list pages and its autocomplete) is bounded like every
    other search of the portal: over the limits it is refused with a message, not run."""

    def get_search_results(self, request, queryset, search_term):
        if message := search_message(search_term):
            match = getattr(request, "resolver_match", None)
            if match is None or match.url_name != "autocomplete":
                self.message_user(request, message, messages.ERROR)
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class PortalAdminSite(admin.AdminSite):
    """Django's admin site, whose every registered model admin (the portal's and those of
    the libraries) gets the bounded search."""

    site_header = _("Sisaket Partnership Portal: administration")
    site_title = _("Portal administration")
    index_title = _("Administration")

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, BoundedSearchAdmin):
            admin_class = type(
                admin_class.__name__,
                (BoundedSearchAdmin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)


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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # The form and its inline rows show phone and ID numbers in clear, as the portal's
        # own edit pages do: logged, and never stored by a cache.
        context = getattr(response, "context_data", None) or {}
        adminform = context.get("adminform")
        if adminform is not None:
            records = [adminform.form.instance] if adminform.form.instance.pk else []
            if has_personal_data_fields(self.model):
                mark_personal_data(request)
                log_personal_data_shown(request, [r for r in records if has_personal_data(r)])
            formsets = [inline.formset for inline in context.get("inline_admin_formsets", [])]
            log_personal_rows_shown(request, formsets)
        return response

    def history_view(self, request, object_id, extra_context=None):
        if has_personal_data_fields(self.model):
            mark_personal_data(request)
        return super().history_view(request, object_id, extra_context)

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
    # The portal's row checks: no repeated unique value, no row of another record.
    formset = RecordInlineFormSet
    extra = 0
    can_delete = False

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if "opened_version" in fields else [*fields, "opened_version"]
