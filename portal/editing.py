"""Create and edit pages: a main form and the lists the record owns (inline formsets), saved
together or not at all, then a message and a redirect (POST/redirect/GET)."""

from collections.abc import Callable

from django.contrib import messages
from django.db import transaction
from django.db.models import Model
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class RecordInlineFormSet(BaseInlineFormSet):
    """Rows of a record's list. Archived rows stay out; a removed row is archived, never
    deleted, so its history is kept. `unique_field`, when set, may not repeat among the rows
    (the database's unique constraints cover only rows in use, so Django's formset check,
    which knows only unconditional ones, does not see them)."""

    unique_field: str | None = None
    duplicate_message = gettext_lazy("This value is used twice.")

    def __init__(self, *args, **kwargs):
        if kwargs.get("queryset") is None:
            kwargs["queryset"] = self.model.objects.active()
        super().__init__(*args, **kwargs)

    def clean(self):
        if self.unique_field:
            seen = set()
            for form in self.forms:
                if not form.cleaned_data or self._should_delete_form(form):
                    continue
                value = form.cleaned_data.get(self.unique_field)
                if value is not None and value in seen:
                    form.add_error(self.unique_field, self.duplicate_message)
                seen.add(value)
        super().clean()

    def save_rows(self) -> None:
        for row in self.save(commit=False):
            row.save()
        for row in self.deleted_objects:
            row.archive()


def edit_page(
    request: HttpRequest,
    *,
    instance: Model,
    form_class: type[ModelForm],
    formsets: dict[str, type[RecordInlineFormSet]],
    template_name: str,
    context: dict | None = None,
    form_kwargs: dict | None = None,
    after_save: Callable[[Model, ModelForm], None] | None = None,
) -> HttpResponse:
    creating = instance.pk is None
    data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = form_class(*data, instance=instance, **(form_kwargs or {}))
    inlines = {
        prefix: formset_class(*data, instance=instance, prefix=prefix)
        for prefix, formset_class in formsets.items()
    }
    for formset in inlines.values():
        formset.title = capfirst(formset.model._meta.verbose_name_plural)
    if request.method == "POST":
        # The main form first: its clean() fills the instance that the inline rows check.
        valid = form.is_valid()
        valid = all([formset.is_valid() for formset in inlines.values()]) and valid
        if valid:
            with transaction.atomic():
                record = form.save()
                for formset in inlines.values():
                    formset.instance = record
                    formset.save_rows()
                if after_save:
                    after_save(record, form)
            if creating:
                messages.success(request, _("“%(record)s” was created.") % {"record": record})
            else:
                messages.success(
                    request, _("Your changes to “%(record)s” were saved.") % {"record": record}
                )
            return redirect(record.get_absolute_url())
        messages.error(request, _("Please correct the errors below. Nothing was saved."))
    return render(
        request,
        template_name,
        {
            "form": form,
            "formsets": inlines,
            "object": instance,
            "creating": creating,
            **(context or {}),
        },
    )
