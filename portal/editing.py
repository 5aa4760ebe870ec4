"""Create and edit pages: a main form and the lists the record owns (inline formsets), saved
together or not at all, then a message and a redirect (POST/redirect/GET)."""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import Model
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from portal.lib import dates
from privacy.services import log_personal_rows_shown

VERSION_FIELD = "opened_version"


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

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # The version of the row when the page was opened, to tell a conflicting edit.
        form.fields[VERSION_FIELD] = forms.IntegerField(
            widget=forms.HiddenInput,
            required=False,
            initial=form.instance.version if form.instance.pk else None,
        )

    def conflicting_rows(self) -> list:
        """Rows someone else saved (or archived) since the page was opened."""
        conflicts = []
        for form in self.initial_forms:
            opened = form.cleaned_data.get(VERSION_FIELD) if form.cleaned_data else None
            if opened is not None and opened != form.instance.version:
                conflicts.append(form)
        return conflicts

    def save_rows(self) -> None:
        for row in self.save(commit=False):
            row.save()
        for row in self.deleted_objects:
            row.archive()


@dataclass
class Difference:
    label: str
    yours: str
    stored: str


@dataclass
class Conflict:
    """What someone else saved since the page was opened, beside what this user typed."""

    title: str
    differences: list[Difference]


def _shown(value) -> str:
    if value in (None, ""):
        return "–"
    if isinstance(value, datetime.date):
        return dates.format_date(value, get_language() or "th")
    return str(value)


def _differences(form, stored: Model) -> list[Difference]:
    differences = []
    for name, field in form.fields.items():
        if name in (VERSION_FIELD, "DELETE", "id") or name not in form.cleaned_data:
            continue
        try:
            model_field = stored._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        yours = form.cleaned_data[name]
        current = getattr(stored, model_field.name)
        if model_field.choices:
            current = dict(model_field.flatchoices).get(current, current)
            yours = dict(model_field.flatchoices).get(yours, yours)
        if _shown(yours) != _shown(current):
            differences.append(Difference(str(field.label), _shown(yours), _shown(current)))
    return differences


def _find_conflicts(form, opened_version, inlines: dict) -> list[Conflict]:
    conflicts = []
    stored = type(form.instance).objects.filter(pk=form.instance.pk).first()
    if stored is not None and opened_version is not None and opened_version != stored.version:
        conflicts.append(Conflict(str(stored), _differences(form, stored)))
    for formset in inlines.values():
        for row in formset.conflicting_rows():
            row_stored = type(row.instance).objects.get(pk=row.instance.pk)
            conflicts.append(
                Conflict(
                    f"{capfirst(row.instance._meta.verbose_name)}: {row_stored}",
                    _differences(row, row_stored),
                )
            )
    return conflicts


def _with_current_versions(data, form, inlines: dict):
    """The posted data, its versions moved to those stored now: saving it again keeps what
    the user typed, now knowingly over the other person's change."""
    data = data.copy()
    stored = (
        type(form.instance)
        .objects.filter(pk=form.instance.pk)
        .values_list("version", flat=True)
        .first()
    )
    data[VERSION_FIELD] = stored
    for formset in inlines.values():
        for row in formset.initial_forms:
            data[row.add_prefix(VERSION_FIELD)] = row.instance.version
    return data


def edit_page(
    request: HttpRequest,
    *,
    instance: Model,
    form_class: type[ModelForm],
    formsets: dict[str, type[RecordInlineFormSet]],
    template_name: str,
    context: dict | None = None,
    form_kwargs: dict | None = None,
) -> HttpResponse:
    """Show and save a record with its lists. An edit that someone else's save overtook is
    refused with both versions side by side (nothing is silently overwritten)."""
    creating = instance.pk is None

    def build(data, files):
        form = form_class(data, files, instance=instance, **(form_kwargs or {}))
        form.fields[VERSION_FIELD] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, initial=instance.version
        )
        inlines = {
            prefix: formset_class(data, files, instance=instance, prefix=prefix)
            for prefix, formset_class in formsets.items()
        }
        for formset in inlines.values():
            formset.title = capfirst(formset.model._meta.verbose_name_plural)
        return form, inlines

    conflicts = []
    if request.method != "POST":
        form, inlines = build(None, None)
    else:
        form, inlines = build(request.POST, request.FILES)
        # The main form first: its clean() fills the instance that the inline rows check.
        valid = form.is_valid()
        valid = all([formset.is_valid() for formset in inlines.values()]) and valid
        if valid and not creating:
            conflicts = _find_conflicts(form, form.cleaned_data.get(VERSION_FIELD), inlines)
        if valid and not conflicts:
            with transaction.atomic():
                record = form.save()
                for formset in inlines.values():
                    formset.instance = record
                    formset.save_rows()
            if creating:
                messages.success(request, _("“%(record)s” was created.") % {"record": record})
            else:
                messages.success(
                    request, _("Your changes to “%(record)s” were saved.") % {"record": record}
                )
            return redirect(record.get_absolute_url())
        if conflicts:
            instance.refresh_from_db()
            form, inlines = build(
                _with_current_versions(request.POST, form, inlines), request.FILES
            )
            messages.error(
                request,
                _("Someone else saved this record after you opened it. Nothing was saved."),
            )
        else:
            messages.error(request, _("Please correct the errors below. Nothing was saved."))
    log_personal_rows_shown(request, inlines.values())
    return render(
        request,
        template_name,
        {
            "form": form,
            "formsets": inlines,
            "object": instance,
            "creating": creating,
            "conflicts": conflicts,
            **(context or {}),
        },
    )
