import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from councils.filters import districts_in_scope
from councils.models import Agency, Council
from councils.pickers import agency_picker, council_picker, district_picker
from geo.areas import level_of, meeting_in_area, resolution_in_area
from meetings.models import OPEN_STATUSES, Meeting, Resolution, took_part
from meetings.pickers import meeting_picker
from portal.listing import SearchFilterSet, ThaiDateFilter


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
    district = django_filters.ModelChoiceFilter(
        label=_("district"), queryset=districts_in_scope, widget=district_picker()
    )
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
        return queryset.filter(took_part(value))


def councils_in_scope(request):
    return Council.objects.visible_to(request.user).active().order_by("name_th")


def agencies_in_scope(request):
    return Agency.objects.visible_to(request.user).active().order_by("name_th")


def meetings_in_scope(request):
    return Meeting.objects.visible_to(request.user).active().order_by("-starts_at")


class ResolutionFilter(SearchFilterSet):
    search_fields = (
        "text",
        "meeting__title",
        "owner_council__name_th",
        "owner_agency__name_th",
        "owner_agency__short_name",
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=Resolution.Status.choices)
    overdue = django_filters.BooleanFilter(
        label=_("overdue only"), method="only_overdue", widget=forms.CheckboxInput
    )
    pending = django_filters.BooleanFilter(
        label=_("still to do (open or in progress, not carried over)"),
        method="only_pending",
        widget=forms.CheckboxInput,
    )
    owner_council = django_filters.ModelChoiceFilter(
        label=_("owner (council)"), queryset=councils_in_scope, widget=council_picker()
    )
    owner_agency = django_filters.ModelChoiceFilter(
        label=_("owner (agency)"), queryset=agencies_in_scope, widget=agency_picker()
    )
    district = django_filters.ModelChoiceFilter(
        label=_("district"),
        queryset=districts_in_scope,
        method="in_district",
        widget=district_picker(),
    )
    meeting = django_filters.ModelChoiceFilter(
        label=_("meeting"), queryset=meetings_in_scope, widget=meeting_picker()
    )
    # Drill-down from an area profile; not shown as a field.
    area = django_filters.CharFilter(method="in_area", widget=forms.HiddenInput)
    # Drill-down from a meeting's matters arising (the meeting page shows the first few).
    arising = django_filters.NumberFilter(method="arising_for", widget=forms.HiddenInput)

    class Meta:
        model = Resolution
        fields = ["q"]

    def only_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset

    def only_pending(self, queryset, name, value):
        return queryset.pending() if value else queryset

    def in_area(self, queryset, name, value):
        level = level_of(value)
        if level is None:
            return queryset.none()
        return queryset.filter(resolution_in_area(level, value))

    def arising_for(self, queryset, name, value):
        meeting = meetings_in_scope(self.request).filter(pk=value).first()
        if meeting is None:
            return queryset.none()
        return queryset.arising_for(meeting)

    def in_district(self, queryset, name, value):
        """The owner council's district, or the district the meeting was held in."""
        if not value:
            return queryset
        return queryset.filter(Q(owner_council__district=value) | Q(meeting__district=value))
