import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from councils.models import Agency, Council
from councils.pickers import district_picker
from geo.models import District, Province, Subdistrict, subdistricts_of
from portal.listing import SearchFilterSet
from portal.roles import scope_of


def districts_in_scope(request):
    """The districts of the user's scope (a council editor: its council's); every district
    when there is no request (a form built outside a page)."""
    districts = District.objects.select_related("province").order_by("province", "code")
    if request is None:
        return districts
    return scope_of(request.user).limit(districts, province="province", council="councils__pk")


class CouncilFilter(SearchFilterSet):
    search_fields = (
        "code",
        "name_th",
        "name_en",
        "municipality_name",
        "district__name_th",
        "district__name_en",
        "subdistrict__name_th",
        "subdistrict__name_en",
    )
    district = django_filters.ModelChoiceFilter(
        label=_("district"),
        queryset=districts_in_scope,
        field_name="district",
        widget=district_picker(),
    )
    subdistrict = django_filters.ModelChoiceFilter(
        label=_("subdistrict"), queryset=Subdistrict.objects.none(), field_name="subdistrict"
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=Council.Status.choices)
    area_type = django_filters.ChoiceFilter(label=_("area type"), choices=Council.AreaType.choices)
    # Drill-down from a dashboard that spans several provinces; not shown as a field.
    province = django_filters.CharFilter(field_name="district__province", widget=forms.HiddenInput)

    class Meta:
        model = Council
        fields = ["q", "district", "subdistrict", "status", "area_type", "province"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["subdistrict"].queryset = subdistricts_for(self.data)


def subdistricts_for(data):
    """Only the subdistricts of the chosen district (a national list would have 7,436), or the
    one a link names (an area profile drills down with `?subdistrict=<code>`)."""
    if data and data.get("district"):
        return subdistricts_of(data["district"])
    if data and data.get("subdistrict"):
        return Subdistrict.objects.filter(pk=data["subdistrict"])
    return Subdistrict.objects.none()


class AgencyFilter(SearchFilterSet):
    search_fields = ("code", "name_th", "name_en", "short_name")
    sector = django_filters.ChoiceFilter(label=_("sector"), choices=Agency.Sector.choices)
    province = django_filters.ModelChoiceFilter(
        label=_("province"), queryset=Province.objects.order_by("name_th")
    )

    class Meta:
        model = Agency
        fields = ["q", "sector", "province"]
