"""The dashboard's filters (fiscal year, province, district, programme), read from the URL."""

from dataclasses import dataclass

from django import forms
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.filters import districts_in_scope
from geo.models import District, Province
from portal.lib.dates import fiscal_year_of
from portal.roles import scope_of
from projects.models import Programme, Project


@dataclass(frozen=True)
class Selection:
    """What the figures are for: one fiscal year, optionally one province (for those whose
    scope spans several), one district and one programme."""

    fiscal_year: int
    district: District | None = None
    programme: Programme | None = None
    province: Province | None = None

    @property
    def province_code(self) -> str | None:
        if self.district is not None:
            return self.district.province_id
        return self.province.pk if self.province else None

    @property
    def key(self) -> str:
        district = self.district.pk if self.district else "-"
        programme = self.programme.pk if self.programme else "-"
        return f"{self.fiscal_year}:{self.province_code or '-'}:{district}:{programme}"


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())


def provinces_in_scope(user):
    provinces = Province.objects.order_by("code")
    return scope_of(user).limit(provinces, province="code", council="districts__councils__pk")


class SelectionForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(label=_("fiscal year (B.E.)"), coerce=int, required=False)
    province = forms.ModelChoiceField(
        label=_("province"), queryset=Province.objects.none(), required=False
    )
    district = forms.ModelChoiceField(
        label=_("district"), queryset=District.objects.none(), required=False
    )
    programme = forms.ModelChoiceField(
        label=_("programme"), queryset=Programme.objects.none(), required=False
    )

    def __init__(self, data, *, request, **kwargs):
        super().__init__(data, **kwargs)
        current = current_fiscal_year()
        # Every year from the first with projects to the current one (an index serves it).
        span = Project.objects.visible_to(request.user).aggregate(
            first=Min("fiscal_year"), last=Max("fiscal_year")
        )
        first = min(span["first"] or current, current)
        last = max(span["last"] or current, current)
        self.fields["fiscal_year"].choices = [(y, str(y)) for y in range(last, first - 1, -1)]
        self.fields["fiscal_year"].initial = current
        provinces = provinces_in_scope(request.user)
        districts = districts_in_scope(request)
        scope = scope_of(request.user)
        if scope.everything or len(scope.provinces) > 1:
            # A scope of several provinces: a province first, then its districts (a national
            # list of 928 districts would be of no use).
            self.fields["province"].queryset = provinces
            self.fields["province"].empty_label = _("all provinces")
            chosen = data.get("province") if data else None
            districts = districts.filter(province=chosen) if chosen else districts.none()
            self.fields["district"].empty_label = (
                _("all districts") if chosen else _("choose a province first")
            )
        else:
            del self.fields["province"]
            self.fields["district"].empty_label = _("all districts")
        self.fields["district"].queryset = districts
        self.fields["programme"].queryset = Programme.objects.active().order_by("sort_order")
        self.fields["programme"].empty_label = _("all programmes")
        for bound in self.fields.values():
            bound.widget.attrs["class"] = "form-select"

    def selection(self) -> Selection:
        """The valid part of the query: an unknown year, province, district or programme is
        ignored (the form shows the error) rather than failing the page."""
        self.is_valid()
        data = self.cleaned_data
        return Selection(
            fiscal_year=data.get("fiscal_year") or current_fiscal_year(),
            district=data.get("district"),
            programme=data.get("programme"),
            province=data.get("province"),
        )
