"""Choices of the council, agency and district pickers (see `portal.pickers`), in the user's
scope. A council's label names its district: several councils share a name."""

from django.http import HttpRequest, JsonResponse
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.views.decorators.http import require_GET

from councils.models import Agency, Council
from geo.models import District
from portal.pickers import PickerSelect, PickerSelectMultiple, choices_response


def council_label(council: Council) -> str:
    return f"{council.name_th} ({council.district.name})"


def agency_label(agency: Agency) -> str:
    return f"{agency.name_th} ({agency.short_name})" if agency.short_name else agency.name_th


def district_label(district: District) -> str:
    return f"{district.name} ({district.province.name})"


def council_picker(*, province: str | None = None, multiple: bool = False) -> PickerSelect:
    """A council picker; with `province`, only that province's councils are offered."""
    url = reverse_lazy("councils:choices")
    if province:
        url = format_lazy("{}?province={}", url, province)
    widget = PickerSelectMultiple if multiple else PickerSelect
    return widget(url, label=council_label)


def agency_picker(*, multiple: bool = False) -> PickerSelect:
    widget = PickerSelectMultiple if multiple else PickerSelect
    return widget(reverse_lazy("agencies:choices"), label=agency_label)


def district_picker() -> PickerSelect:
    return PickerSelect(reverse_lazy("councils:district_choices"), label=district_label)


@require_GET
def council_choices(request: HttpRequest) -> JsonResponse:
    councils = (
        Council.objects.visible_to(request.user)
        .active()
        .select_related("district")
        .order_by("name_th", "pk")
    )
    if request.GET.get("province"):
        councils = councils.filter(district__province=request.GET["province"])
    return choices_response(
        request,
        councils,
        fields=(
            "name_th",
            "name_en",
            "code",
            "municipality_name",
            "district__name_th",
            "district__name_en",
        ),
        label=council_label,
    )


@require_GET
def agency_choices(request: HttpRequest) -> JsonResponse:
    agencies = Agency.objects.visible_to(request.user).active().order_by("name_th", "pk")
    return choices_response(
        request,
        agencies,
        fields=("name_th", "name_en", "short_name", "code"),
        label=agency_label,
    )


@require_GET
def district_choices(request: HttpRequest) -> JsonResponse:
    from councils.filters import districts_in_scope  # the filters use these pickers

    districts = districts_in_scope(request).order_by("name_th", "code")
    return choices_response(
        request,
        districts,
        fields=("name_th", "name_en", "code", "province__name_th"),
        label=district_label,
    )
