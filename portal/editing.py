"""Create and edit pages: a main form and the lists the record owns (inline formsets), saved
together or not at all, then a message and a redirect (POST/redirect/GET)."""

import datetime
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.db import transaction
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

VERSION_FIELD = "opened_version"
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
        form.fields[OPENED_FIELD] = forms.CharField(
            widget=forms.HiddenInput,
            required=False,
            initial=_opened_values(form) if form.instance.pk else "",
        )

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
        for row in self.save(commit=False):
            row.save()
        for row in self.deleted_objects:
            row.archive()


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
) -> HttpResponse:
    """Show and save a record with its lists. An edit that someone else's save overtook is
    refused with both versions side by side (nothing is silently overwritten)."""
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
        record_conflict, row_conflicts = False, {}
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
        if valid and not (record_conflict or row_conflicts):
            if creating:
                messages.success(request, _("“%(record)s” was created.") % {"record": record})
            else:
                messages.success(
                    request, _("Your changes to “%(record)s” were saved.") % {"record": record}
                )
            return redirect(record.get_absolute_url())
        if record_conflict or row_conflicts:
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
