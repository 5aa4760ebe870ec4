"""Create and edit pages: a main form and the lists the record owns (inline formsets), saved
together or not at all, then a message and a redirect (POST/redirect/GET)."""

import datetime
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Model, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from portal.lib import dates
from portal.models import StaleRecord
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


# A fingerprint of each value as the page showed it: after a conflict, saving again writes
# only the fields this user changed and keeps the other person's changes to the rest.
OPENED_FIELD = "opened_values"
NOT_COMPARED = {VERSION_FIELD, OPENED_FIELD, "DELETE", "id"}


def _comparable(value):
    """A value reduced to what it means, so that a form's cleaned value and a record's
    stored one compare equal when they are the same (a council and its id, 1000.00 and
    1000, a list of councils in any order)."""
    if isinstance(value, Model):
        return _comparable(value.pk)  # as the id a form's initial value holds
    if hasattr(value, "all") and callable(value.all) and not isinstance(value, QuerySet):
        value = value.all()  # a related manager
    if isinstance(value, QuerySet | list | tuple | set | frozenset):
        return sorted((_comparable(item) for item in value), key=str)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _fingerprint(value) -> str:
    text = json.dumps(_comparable(value), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _compared_fields(form):
    return [(name, field) for name, field in form.fields.items() if name not in NOT_COMPARED]


def _opened_values(form) -> str:
    """The fingerprints of the values the form shows when the page is opened."""
    return json.dumps(
        {
            name: _fingerprint(form.get_initial_for_field(field, name))
            for name, field in _compared_fields(form)
        },
        separators=(",", ":"),
    )


def _read_opened(form) -> dict | None:
    try:
        opened = json.loads(form.cleaned_data.get(OPENED_FIELD) or "")
    except (TypeError, ValueError):
        return None
    return opened if isinstance(opened, dict) else None


def _changed_by_user(form, name: str, opened: dict | None) -> bool:
    if opened is None or name not in opened:
        return True  # no record of what the page showed: everything typed counts
    return _fingerprint(form.cleaned_data.get(name)) != opened[name]


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
        form.fields[OPENED_FIELD] = forms.CharField(
            widget=forms.HiddenInput,
            required=False,
            initial=_opened_values(form) if form.instance.pk else "",
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

    def lock_rows(self) -> dict:
        """Lock the rows this page shows until the transaction ends; their versions now."""
        pks = [form.instance.pk for form in self.initial_forms if form.instance.pk]
        if not pks:
            return {}
        return dict(
            self.model._base_manager.select_for_update()
            .filter(pk__in=pks)
            .order_by("pk")
            .values_list("pk", "version")
        )

    def conflicting_rows(self, versions: dict | None = None) -> list:
        """Rows someone else saved (or archived) since the page was opened; `versions` are
        those read under lock (`lock_rows`), else those of the rows as loaded."""
        conflicts = []
        for form in self.initial_forms:
            opened = form.cleaned_data.get(VERSION_FIELD) if form.cleaned_data else None
            stored = (
                versions.get(form.instance.pk) if versions is not None else form.instance.version
            )
            if opened is not None and opened != stored:
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
    # True when this user left the field as it was and the other person's change is kept.
    kept: bool = False


@dataclass
class Conflict:
    """What someone else saved since the page was opened, beside what this user typed."""

    title: str
    differences: list[Difference]


def _choice_labels(choices) -> dict:
    labels = {}
    for key, label in choices:
        if isinstance(label, list | tuple):
            labels.update(_choice_labels(label))
        else:
            labels[str(key)] = label
    return labels


def _shown(value, field=None) -> str:
    """A value as a reader recognises it: a list of names, a label, a date in their era."""
    if hasattr(value, "all") and callable(value.all) and not isinstance(value, QuerySet):
        value = value.all()
    if isinstance(value, QuerySet | list | tuple | set | frozenset):
        items = sorted(_shown(item, field) for item in value)
        return ", ".join(items) if items else "–"
    if value is None or value == "":
        return "–"
    if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField):
        if not isinstance(value, Model):
            value = field.queryset.model._base_manager.filter(pk=value).first() or value
        return str(value)
    if isinstance(field, forms.ChoiceField):
        return str(_choice_labels(field.choices).get(str(value), value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{dates.format_date(value.date(), get_language() or 'th')} {value:%H:%M}"
    if isinstance(value, datetime.date):
        return dates.format_date(value, get_language() or "th")
    if isinstance(value, datetime.time):
        return f"{value:%H:%M}"
    return str(value)


def _differences(form, stored_form) -> list[Difference]:
    """The fields where the stored record differs from what this user sends: those the other
    person changed (theirs kept when this user left the field alone) and those both
    changed (this user's value replaces theirs on saving again)."""
    opened = _read_opened(form)
    differences = []
    for name, field in _compared_fields(form):
        if name not in form.cleaned_data or name not in stored_form.fields:
            continue
        yours = form.cleaned_data[name]
        stored = stored_form.get_initial_for_field(stored_form.fields[name], name)
        if _comparable(yours) == _comparable(stored):
            continue
        mine = _changed_by_user(form, name, opened)
        theirs = opened is None or opened.get(name) != _fingerprint(stored)
        if not theirs:
            continue  # only this user changed it: an ordinary edit, not a conflict
        differences.append(
            Difference(str(field.label), _shown(yours, field), _shown(stored, field), not mine)
        )
    return differences


def _put(data: QueryDict, widget, key: str, value) -> None:
    """Write `value` into posted data as the widget would have sent it."""
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        for sub, suffix, part in zip(widget.widgets, widget.widgets_names, parts, strict=False):
            _put(data, sub, key + suffix, part)
    elif isinstance(widget, forms.CheckboxInput):
        if widget.check_test(value):
            data[key] = "on"
        else:
            data.pop(key, None)
    elif isinstance(widget, forms.widgets.ChoiceWidget):
        chosen = [str(item) for item in widget.format_value(value)]
        if widget.allow_multiple_selected:
            data.setlist(key, chosen)
        else:
            data[key] = chosen[0] if chosen else ""
    else:
        shown = widget.format_value(value)
        data[key] = "" if shown is None else str(shown)


def _merge(data: QueryDict, form, stored_form) -> None:
    """Put into `data` the stored values of the fields this user did not change, and the
    stored version and fingerprints: the page then shows, and saving it again writes, this
    user's changes over everyone else's."""
    opened = _read_opened(form)
    for name, field in _compared_fields(form):
        if field.disabled or isinstance(field, forms.FileField) or name not in stored_form.fields:
            continue
        if name in form.cleaned_data and not _changed_by_user(form, name, opened):
            _put(data, field.widget, form.add_prefix(name), stored_form[name].value())
    for name in (VERSION_FIELD, OPENED_FIELD):
        value = stored_form[name].value()
        data[form.add_prefix(name)] = "" if value is None else str(value)


def _lock(form, inlines: dict) -> tuple[int | None, dict]:
    """Lock the record and the rows the page shows until the edit's transaction ends, and
    read their versions: the check that follows and the save cannot be overtaken."""
    record_version = (
        type(form.instance)
        ._base_manager.select_for_update()
        .filter(pk=form.instance.pk)
        .values_list("version", flat=True)
        .first()
    )
    return record_version, {prefix: fs.lock_rows() for prefix, fs in inlines.items()}


def _conflicting(form, inlines: dict, record_version, row_versions: dict) -> tuple[bool, dict]:
    opened = form.cleaned_data.get(VERSION_FIELD)
    record = opened is not None and opened != record_version
    rows = {
        prefix: formset.conflicting_rows(row_versions.get(prefix, {}))
        for prefix, formset in inlines.items()
    }
    return record, {prefix: found for prefix, found in rows.items() if found}


def _find_conflicts(form, inlines: dict, stored_form, stored_inlines: dict, record, rows):
    conflicts = []
    if record:
        conflicts.append(Conflict(str(stored_form.instance), _differences(form, stored_form)))
    for prefix, found in rows.items():
        stored_rows = {row.instance.pk: row for row in stored_inlines[prefix].initial_forms}
        for row in found:
            stored_row = stored_rows.get(row.instance.pk)
            title = capfirst(row.instance._meta.verbose_name)
            if stored_row is None:  # archived meanwhile
                conflicts.append(Conflict(f"{title}: {row.instance}", []))
                continue
            conflicts.append(
                Conflict(f"{title}: {stored_row.instance}", _differences(row, stored_row))
            )
    return conflicts


def _merged_data(data, form, inlines: dict, stored_form, stored_inlines: dict, record, rows):
    data = data.copy()
    if record:
        _merge(data, form, stored_form)
    for prefix, found in rows.items():
        stored_rows = {row.instance.pk: row for row in stored_inlines[prefix].initial_forms}
        for row in found:
            if row.instance.pk in stored_rows:
                _merge(data, row, stored_rows[row.instance.pk])
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
    success_url: str | None = None,
) -> HttpResponse:
    """Show and save a record with its lists. An edit that someone else's save overtook is
    refused with both versions side by side (nothing is silently overwritten). A saved edit
    goes to the record's page, or to `success_url` (a page that edits part of its rows)."""
    creating = instance.pk is None

    def build(data, files):
        form = form_class(data, files, instance=instance, **(form_kwargs or {}))
        form.fields[VERSION_FIELD] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, initial=instance.version
        )
        form.fields[OPENED_FIELD] = forms.CharField(
            widget=forms.HiddenInput,
            required=False,
            initial=_opened_values(form) if instance.pk else "",
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
        record_conflict, row_conflicts, refused = False, {}, False
        if valid:
            try:
                with transaction.atomic():
                    if not creating:
                        record_conflict, row_conflicts = _conflicting(
                            form, inlines, *_lock(form, inlines)
                        )
                    if not (record_conflict or row_conflicts):
                        record = form.save()
                        for formset in inlines.values():
                            formset.instance = record
                            formset.save_rows()
            except StaleRecord:
                # Written by a path that took no lock (an import, a command) between the
                # check and the save: the same answer as a conflict found by the check.
                record_conflict = True
            except IntegrityError:
                # The checks above cover every constraint we know of; should another save
                # overtake this one between them and the write, the user is told, not shown
                # a server error, and nothing is saved (the block above rolled back).
                refused = True
        if refused:
            messages.error(request, SAVE_REFUSED_MESSAGE)
            if creating:
                instance.pk = None
                instance._state.adding = True
            else:
                instance.refresh_from_db()
            form, inlines = build(request.POST, request.FILES)
        elif valid and not (record_conflict or row_conflicts):
            if creating:
                messages.success(request, _("“%(record)s” was created.") % {"record": record})
            else:
                messages.success(
                    request, _("Your changes to “%(record)s” were saved.") % {"record": record}
                )
            return redirect(success_url or record.get_absolute_url())
        elif record_conflict or row_conflicts:
            instance.refresh_from_db()
            stored_form, stored_inlines = build(None, None)
            conflicts = _find_conflicts(
                form, inlines, stored_form, stored_inlines, record_conflict, row_conflicts
            )
            data = _merged_data(
                request.POST,
                form,
                inlines,
                stored_form,
                stored_inlines,
                record_conflict,
                row_conflicts,
            )
            form, inlines = build(data, request.FILES)
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
