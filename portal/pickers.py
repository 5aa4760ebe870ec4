"""Searchable pickers for long choice lists (councils, agencies, districts, meetings).

A `<select>` with thousands of `<option>`s made pages of megabytes: the register's filters
listed 7,446 councils and 20,023 meetings, and every attendance row of a meeting's edit page
its province's 215 councils. A picker renders only the chosen option; as the user types,
`static/js/pickers.js` (Tom Select) asks a JSON endpoint for the matching choices, within the
user's scope. The form field keeps its scoped queryset, so what is submitted is checked as
before.
"""

import contextlib
from collections.abc import Callable, Iterable

from django import forms
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _

from portal.lib.thai_text import arabic_digits, thai_digits

# Choices sent for one search: enough to find by typing, few enough to stay small.
PICKER_LIMIT = 20


class PickerSelect(forms.Select):
    """A select that renders only its chosen option and searches `url` for the others."""

    allow_multiple_selected = False

    def __init__(self, url, *, label: Callable[[Model], str] | None = None, attrs=None):
        super().__init__(attrs)
        self.url = url
        self.label = label
        # Records already loaded (a formset row's own council): shown without a query.
        self.known: dict[str, Model] = {}

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.url, copy.label, copy.known = self.url, self.label, dict(self.known)
        return copy

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-picker-url"] = str(self.url)
        widget_attrs["data-picker-empty"] = str(_("Nothing found. Type part of a name."))
        widget_attrs["data-picker-placeholder"] = str(_("Type to search…"))
        widget_attrs["data-picker-clear"] = str(_("Clear"))
        widget_attrs["data-picker-remove"] = str(_("Remove"))
        return context

    def optgroups(self, name, value, attrs=None):
        """Only the chosen options (and the empty one), never the whole queryset."""
        chosen = [str(v) for v in value if v not in (None, "")]
        options = []
        if not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", not chosen, 0, attrs=attrs))
        for index, (pk, label) in enumerate(self._chosen_labels(chosen), start=1):
            options.append(self.create_option(name, pk, label, True, index, attrs=attrs))
        return [(None, options, 0)]

    def _chosen_labels(self, chosen: list[str]) -> Iterable[tuple[str, str]]:
        if not chosen:
            return []
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return [(pk, label) for pk, label in self.choices if str(pk) in chosen]
        label = self.label or self.choices.field.label_from_instance
        records = [self.known[pk] for pk in chosen if pk in self.known]
        missing = [pk for pk in chosen if pk not in self.known]
        if missing:
            # A value typed into the URL by hand ("abc") names nothing.
            with contextlib.suppress(ValueError, TypeError):
                records += list(queryset.filter(pk__in=missing))
        return [(str(record.pk), label(record)) for record in records]


class PickerSelectMultiple(PickerSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["multiple"] = True
        return context


def search(queryset: QuerySet, text: str, fields: tuple[str, ...]) -> QuerySet:
    """Every word of `text` somewhere in `fields`; Thai or Arabic digits find both."""
    for term in text.split():
        match = Q()
        for variant in {arabic_digits(term), thai_digits(term)}:
            for field in fields:
                match |= Q(**{f"{field}__icontains": variant})
        queryset = queryset.filter(match)
    return queryset


def choices_response(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    fields: tuple[str, ...],
    label: Callable[[Model], str],
) -> JsonResponse:
    """The first PICKER_LIMIT records matching `?q=`, as Tom Select reads them."""
    found = list(search(queryset, request.GET.get("q", "")[:100], fields)[: PICKER_LIMIT + 1])
    results = [{"value": record.pk, "text": label(record)} for record in found[:PICKER_LIMIT]]
    return JsonResponse({"results": results, "more": len(found) > PICKER_LIMIT})


def use_picker(
    field: forms.ModelChoiceField, widget: PickerSelect, known: Model | None = None
) -> None:
    """Give a form's field a picker after its queryset is set (the widget needs its choices).
    `known`: the record the field names already, loaded with the form's own record."""
    widget.choices = field.choices
    widget.is_required = field.required
    if known is not None:
        widget.known[str(known.pk)] = known
    field.widget = widget
