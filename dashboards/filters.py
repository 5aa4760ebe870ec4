"""The dashboard's filters (fiscal year, district, programme), read from the URL."""

from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.filters import districts_in_scope
from geo.models import District
from portal.lib.dates import fiscal_year_of
from projects.models import Programme, Project


@dataclass(frozen=True)
class Selection:
    """What the figures are for: one fiscal year, optionally one district and one programme."""

    fiscal_year: int
    district: District | None = None
    programme: Programme | None = None

    @property
    def key(self) -> str:
        district = self.district.pk if self.district else "-"
        programme = self.programme.pk if self.programme else "-"
        return f"{self.fiscal_year}:{district}:{programme}"


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())


class SelectionForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(label=_("fiscal year (B.E.)"), coerce=int, required=False)
    district = forms.ModelChoiceField(
        label=_("district"), queryset=District.objects.none(), required=False
    )
    programme = forms.ModelChoiceField(
        label=_("programme"), queryset=Programme.objects.none(), required=False
    )

    def __init__(self, data, *, request, **kwargs):
        super().__init__(data, **kwargs)
        current = current_fiscal_year()
        years = set(
            Project.objects.visible_to(request.user)
            .order_by()
            .values_list("fiscal_year", flat=True)
            .distinct()
        )
        years.add(current)
        self.fields["fiscal_year"].choices = [(y, str(y)) for y in sorted(years, reverse=True)]
        self.fields["fiscal_year"].initial = current
        self.fields["district"].queryset = districts_in_scope(request)
        self.fields["district"].empty_label = _("all districts")
        self.fields["programme"].queryset = Programme.objects.active().order_by("sort_order")
        self.fields["programme"].empty_label = _("all programmes")
        for bound in self.fields.values():
            bound.widget.attrs["class"] = "form-select"

    def selection(self) -> Selection:
        """The valid part of the query: an unknown year, district or programme is ignored
        (the form shows the error) rather than failing the page."""
        self.is_valid()
        data = self.cleaned_data
        return Selection(
            fiscal_year=data.get("fiscal_year") or current_fiscal_year(),
            district=data.get("district"),
            programme=data.get("programme"),
        )
