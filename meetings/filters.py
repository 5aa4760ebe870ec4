import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from councils.filters import districts_in_scope
from geo.areas import level_of, meeting_in_area
from meetings.models import Meeting, Resolution
from portal.listing import SearchFilterSet, ThaiDateFilter

OPEN_STATUSES = [Resolution.Status.OPEN, Resolution.Status.IN_PROGRESS]


class MeetingFilter(SearchFilterSet):
    search_fields = (
        "title",
        "venue",
        "chair_name",
        "summary",
        "district__name_th",
        "district__name_en",
        "subdistrict__name_th",
    )
    meeting_type = django_filters.ChoiceFilter(label=_("type"), choices=Meeting.Type.choices)
    district = django_filters.ModelChoiceFilter(label=_("district"), queryset=districts_in_scope)
    held_from = ThaiDateFilter(
        label=_("held from"), field_name="starts_at__date", lookup_expr="gte"
    )
    held_until = ThaiDateFilter(
        label=_("held until"), field_name="starts_at__date", lookup_expr="lte"
    )
    open_resolutions = django_filters.BooleanFilter(
        label=_("has open resolutions"),
        method="with_open_resolutions",
        widget=forms.CheckboxInput,
    )
    # Drill-down links from a council's or an agency's page; not shown as fields.
    council = django_filters.NumberFilter(method="with_council", widget=forms.HiddenInput)
    # Drill-down from a dashboard that spans several provinces.
    province = django_filters.CharFilter(widget=forms.HiddenInput)
    # Drill-down from an area profile: meetings held in the area or about it.
    area = django_filters.CharFilter(method="in_area", widget=forms.HiddenInput)

    class Meta:
        model = Meeting
        fields = ["q"]

    def with_open_resolutions(self, queryset, name, value):
        if not value:
            return queryset
        open_ones = Resolution.objects.active().filter(
            meeting=OuterRef("pk"), status__in=OPEN_STATUSES
        )
        return queryset.filter(Exists(open_ones))

    def in_area(self, queryset, name, value):
        level = level_of(value)
        if level is None:
            return queryset.none()
        return queryset.filter(meeting_in_area(level, value)).distinct()

    def with_council(self, queryset, name, value):
        return queryset.filter(Q(attendance__council=value) | Q(invited_councils=value)).distinct()
