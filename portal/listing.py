"""Lists of records: search that works on Thai text, filters kept in the URL, sorting by an
allow-list of columns, pagination with a total count, and export of exactly the current view."""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_filters.views import FilterView

from portal import export_jobs
from portal.access import can_create
from portal.exports import EXPORT_FORMATS, ExportResource, export_response
from portal.forms import ThaiDateField
from portal.lib.search import FILTER_MAX_DIGITS, FILTER_MAX_LENGTH, LIMIT_CODES, SearchField
from portal.lib.thai_text import arabic_digits, thai_digits


class ThaiDateFilter(django_filters.DateFilter):
    field_class = ThaiDateField


TOO_LONG_TO_FILTER = _("This value is too long to filter by.")


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


class SearchFilterSet(django_filters.FilterSet):
    """`?q=` finds a fragment anywhere in the `search_fields`: Thai has no spaces between
    words, so the match is on substrings (`กันทร` finds `กันทรลักษ์`). Several words must all
    match. On PostgreSQL the trigram indexes of the search migrations serve these lookups.

    Every search and filter is bounded (portal.lib.search): a search of more than 8 words or
    200 characters, a text filter over 200 characters or a number over 18 digits is refused
    next to its field, and the list shows nothing rather than running it."""

    q = SearchFilter(label=_("Search"), method="search")
    # Archived records are listed instead of those in use (RecordListView.base_queryset).
    archived = django_filters.BooleanFilter(
        label=_("Show archived records"), method="keep", widget=forms.CheckboxInput
    )
    search_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        too_long = {"max_length": TOO_LONG_TO_FILTER, "max_digits": TOO_LONG_TO_FILTER}
        for bounded in self.filters.values():
            if isinstance(bounded, django_filters.NumberFilter):
                bounded.extra.setdefault("max_digits", FILTER_MAX_DIGITS)
                bounded.extra.setdefault("error_messages", too_long)
            elif isinstance(bounded, django_filters.CharFilter) and not isinstance(
                bounded, SearchFilter
            ):
                bounded.extra.setdefault("max_length", FILTER_MAX_LENGTH)
                bounded.extra.setdefault("error_messages", too_long)

    def over_the_limits(self) -> bool:
        """Whether a search or filter was refused for its size (the list then shows nothing)."""
        return any(
            error.code in LIMIT_CODES
            for errors in self.form.errors.as_data().values()
            for error in errors
        )

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.over_the_limits():
            return queryset.none()
        return super().filter_queryset(queryset)

    def keep(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for term in value.split():
            # Numbers are written with Thai or Arabic digits; either finds both.
            variants = {arabic_digits(term), thai_digits(term)}
            match = Q()
            for field in self.search_fields:
                for variant in variants:
                    match |= Q(**{f"{field}__icontains": variant})
            queryset = queryset.filter(match)
        return queryset


class RecordListView(FilterView):
    """The list page of a kind of record, within the user's scope."""

    paginate_by = 25
    # Public sort keys (what `?sort=` may say) and the ORM expressions behind them.
    sort_fields: dict[str, str] = {}
    default_sort = ""
    resource_class: type[ExportResource] | None = None
    export_basename = "export"
    strict = False

    def base_queryset(self) -> QuerySet:
        records = self.model.objects.visible_to(self.request.user)
        return records.archived() if self.showing_archived() else records.active()

    def showing_archived(self) -> bool:
        return self.request.GET.get("archived") in ("on", "true", "1")

    def get_queryset(self) -> QuerySet:
        key = self.current_sort()
        descending = key.startswith("-")
        expression = self.sort_fields[key.lstrip("-")]
        order = f"-{expression}" if descending else expression
        return self.base_queryset().order_by(order, "-pk" if descending else "pk")

    def current_sort(self) -> str:
        """The requested sort if it is allowed; anything else is ignored."""
        requested = self.request.GET.get("sort", "")
        return requested if requested.lstrip("-") in self.sort_fields else self.default_sort

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["request"] = self.request
        return kwargs

    def export_queryset(self) -> QuerySet:
        """The rows an export of this list holds: the filtered list, every page of it (what
        FilterView.get computes as `object_list`)."""
        filterset = self.get_filterset(self.get_filterset_class())
        if not filterset.is_bound or filterset.is_valid() or not self.get_strict():
            return filterset.qs
        return filterset.queryset.none()

    def render_to_response(self, context, **response_kwargs):
        file_format = self.request.GET.get("format")
        if file_format in EXPORT_FORMATS and self.resource_class is not None:
            if not export_jobs.in_worker(self.request):
                rows = self.object_list.count()
                if rows > settings.EXPORT_BACKGROUND_ROWS:
                    # Too many to build while the user waits: offered to a background worker.
                    context = {"rows": rows, "file_format": file_format}
                    context["path"] = self.request.get_full_path()
                    context["list_path"] = export_jobs.list_path(context["path"])
                    return render(self.request, "exports/offer.html", context)
            return export_response(
                self.resource_class(), self.object_list, file_format, self.export_basename
            )
        return super().render_to_response(context, **response_kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sort"] = self.current_sort()
        context["export_formats"] = list(EXPORT_FORMATS) if self.resource_class else []
        # The export link then opens a page (the offer to prepare it), not a download.
        paginator = context.get("paginator")
        context["export_in_background"] = (
            paginator is not None and paginator.count > settings.EXPORT_BACKGROUND_ROWS
        )
        context["can_create"] = can_create(self.request.user, self.model)
        return context
