import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from councils.filters import districts_in_scope
from councils.pickers import district_picker
from portal.listing import SearchFilterSet, ThaiDateFilter
from projects.models import Programme, Project, ProjectPartner


class ProjectFilter(SearchFilterSet):
    search_fields = (
        "code",
        "title_th",
        "title_en",
        "council__name_th",
        "council__code",
        "council__district__name_th",
        "council__district__name_en",
        "council__subdistrict__name_th",
        "council__subdistrict__name_en",
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("programme"), queryset=Programme.objects.active().order_by("sort_order")
    )
    fiscal_year = django_filters.TypedChoiceFilter(
        label=_("fiscal year (B.E.)"), choices=[], coerce=int
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=Project.Status.choices)
    district = django_filters.ModelChoiceFilter(
        label=_("district"),
        queryset=districts_in_scope,
        field_name="council__district",
        widget=district_picker(),
    )
    started_after = ThaiDateFilter(
        label=_("starting from"), field_name="start_date", lookup_expr="gte"
    )
    started_before = ThaiDateFilter(
        label=_("starting until"), field_name="start_date", lookup_expr="lte"
    )
    # Drill-down links from a council's or an agency's page; not shown as fields.
    council = django_filters.NumberFilter(widget=forms.HiddenInput)
    province = django_filters.CharFilter(
        field_name="council__district__province", widget=forms.HiddenInput
    )
    subdistrict = django_filters.CharFilter(
        field_name="council__subdistrict", widget=forms.HiddenInput
    )
    partner = django_filters.NumberFilter(method="with_partner", widget=forms.HiddenInput)

    class Meta:
        model = Project
        fields = ["q"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        years = Project.objects.visible_to(request.user) if request else Project.objects.none()
        self.filters["fiscal_year"].extra["choices"] = [
            (year, str(year)) for year in years.fiscal_years()
        ]

    def with_partner(self, queryset, name, value):
        partners = ProjectPartner.objects.active().filter(project=OuterRef("pk"), agency=value)
        return queryset.filter(Exists(partners))
