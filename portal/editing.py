"""Create and edit pages: a main form and the lists the record owns (inline formsets), saved
together or not at all, then a message and a redirect (POST/redirect/GET)."""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Model
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from portal.lib import dates
from privacy.services import log_personal_rows_shown

VERSION_FIELD = "opened_version"
SAVE_REFUSED_MESSAGE = gettext_lazy(
    "Nothing was saved: a value that must be unique is already used (perhaps someone else "
    "saved it a moment ago). Check the rows and save again."
)


def _unique_among_rows(model, fk_name: str) -> str | None:
    """The field that may not repeat among a record's rows in use: the other field of the
    model's unique constraint on (the record, one field), if it has exactly one."""
    fields = [
        name
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and fk_name in constraint.fields
        for name in constraint.fields
        if name != fk_name
    ]
    return fields[0] if len(fields) == 1 else None


class RecordInlineFormSet(BaseInlineFormSet):
    """Rows of a record's list. Archived rows stay out; a removed row is archived, never
    deleted, so its history is kept.

    A field that may not repeat among the rows in use (`unique_field`, or the one of the
    model's unique constraint on its record and a field) is checked here, against the other
    rows of the form and those stored: the database's constraints cover only rows in use, so
    Django's own formset check, which knows only unconditional ones, does not see them, and
    a repeat would otherwise reach the database as an error. Rows are then saved so that
    swapping two values, or removing a row and adding one with its value, works.

    Every posted row must be one of this record's rows in use: a row of another record, or
    one removed since the page was opened, is refused next to the row."""

    unique_field: str | None = None
    duplicate_message = gettext_lazy("This value is used twice.")
    taken_message = gettext_lazy("Another row of this record already has this value.")
    foreign_row_message = gettext_lazy(
        "This row is not part of this record. Nothing was saved: open the page again."
    )
    removed_row_message = gettext_lazy(
        "Someone else removed this row after you opened the page. Nothing was saved: open the "
        "page again to see the rows as they are now."
    )

    def __init__(self, *args, **kwargs):
        if kwargs.get("queryset") is None:
            kwargs["queryset"] = self.model.objects.active()
        super().__init__(*args, **kwargs)
        if self.unique_field is None:
            self.unique_field = _unique_among_rows(self.model, self.fk.name)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # The version of the row when the page was opened, to tell a conflicting edit.
        form.fields[VERSION_FIELD] = forms.IntegerField(
            widget=forms.HiddenInput,
            required=False,
            initial=form.instance.version if form.instance.pk else None,
        )
        # A posted row id is one of this record's rows (in use or archived), nothing else.
        pk_name = self.model._meta.pk.name
        if pk_name in form.fields and self.instance.pk is not None:
            field = form.fields[pk_name]
            field.queryset = self.model._default_manager.filter(**{self.fk.name: self.instance})
            field.error_messages["invalid_choice"] = self.foreign_row_message

    def _check_posted_rows(self) -> None:
        """Each row of the page stands for a row of this record in use."""
        pk_name = self.model._meta.pk.name
        for form in self.initial_forms:
            if form.instance.pk is not None:
                continue
            if pk_name in form.errors:  # a hidden field: its error is shown for the row
                form.add_error(None, self.foreign_row_message)
                continue
            posted = form.cleaned_data.get(pk_name) if form.cleaned_data else None
            if posted is not None and posted.archived_at is not None:
                form.add_error(None, self.removed_row_message)
            elif posted is not None:
                form.add_error(None, self.foreign_row_message)

    def _check_unique_field(self) -> None:
        name = self.unique_field
        kept = {}  # value → the first form that keeps it
        for form in self.forms:
            if not form.cleaned_data or self._should_delete_form(form):
                continue
            if form.instance.pk and form.instance.archived_at is not None:
                continue  # an archived row (the admin shows them) keeps its value freely
            value = form.cleaned_data.get(name)
            if value is None or value == "":
                continue
            if value in kept:
                form.add_error(name, self.duplicate_message)
            else:
                kept[value] = form
        if not kept or self.instance.pk is None:
            return
        # Rows in use that this page does not carry (a page posted without them) keep theirs.
        on_the_page = [form.instance.pk for form in self.initial_forms if form.instance.pk]
        stored = (
            self.model.objects.active()
            .filter(**{self.fk.name: self.instance, f"{name}__in": list(kept)})
            .exclude(pk__in=on_the_page)
            .values_list(name, flat=True)
        )
        for value in stored:
            form = kept[value]
            if name not in form.errors:
                form.add_error(name, self.taken_message)

    def clean(self):
        self._check_posted_rows()
        if self.unique_field:
            self._check_unique_field()
        super().clean()

    def validate_unique(self):
        # Checked by _check_unique_field; Django's check would repeat it in its own words.
        if not self.unique_field:
            super().validate_unique()

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.unique_field:
            # The row's own unique constraint is checked by the formset, which sees the other
            # rows of the page: checked alone, a row would clash with a value another row is
            # giving up (a swap), and its message would name the constraint.
            form.validate_constraints = self._constraints_without_unique(form)
        return form

    def _constraints_without_unique(self, form):
        unique_field = self.unique_field

        def validate_constraints():
            # Constraints on the unique field are the formset's; the others stay the form's.
            exclude = {*form._get_validation_exclusions(), unique_field}
            try:
                form.instance.validate_constraints(exclude=exclude)
            except ValidationError as error:
                form._update_errors(error)

        return validate_constraints

    def conflicting_rows(self) -> list:
        """Rows someone else saved (or archived) since the page was opened."""
        conflicts = []
        for form in self.initial_forms:
            opened = form.cleaned_data.get(VERSION_FIELD) if form.cleaned_data else None
            if opened is not None and opened != form.instance.version:
                conflicts.append(form)
        return conflicts

    def save_rows(self) -> None:
        rows = self.save(commit=False)
        # Removed rows go first: a new row may take the value a removed row gave up.
        for row in self.deleted_objects:
            row.archive()
        changing = [
            form.instance.pk
            for form in self.initial_forms
            if self.unique_field
            and form.instance.pk
            and self.unique_field in form.changed_data
            and not self._should_delete_form(form)
        ]
        if changing:
            # Rows whose unique value changes step out of the constraint (which covers rows
            # in use) for the moment of the save, so that two rows may swap their values;
            # each save below writes the row back in use, with its new value.
            self.model.objects.filter(pk__in=changing).update(archived_at=timezone.now())
        for row in rows:
            row.save()
        self.save_m2m()

    def save(self, commit=True):
        """The admin's inlines save through here too, in the same safe order."""
        if not commit:
            return super().save(commit=False)
        self.save_rows()
        return [*self.new_objects, *(row for row, _ in self.changed_objects)]


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
            try:
                with transaction.atomic():
                    record = form.save()
                    for formset in inlines.values():
                        formset.instance = record
                        formset.save_rows()
            except IntegrityError:
                # The checks above cover every constraint we know of; should another save
                # overtake this one between them and the write, the user is told, not shown
                # a server error, and nothing is saved (the block above rolled back).
                messages.error(request, SAVE_REFUSED_MESSAGE)
                if creating:
                    instance.pk = None
                    instance._state.adding = True
                else:
                    instance.refresh_from_db()
                form, inlines = build(request.POST, request.FILES)
                return render(
                    request,
                    template_name,
                    {
                        "form": form,
                        "formsets": inlines,
                        "object": instance,
                        "creating": creating,
                        "conflicts": [],
                        **(context or {}),
                    },
                )
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
