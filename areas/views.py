"""Area profiles, the partnership matrix and the comparison of two areas."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from areas import links, matrix
from areas import profile as profiles
from areas.exports import matrix_workbook
from areas.scope import area_or_404, may_open
from dashboards.cache import cached_for
from geo.models import District, Province
from portal.roles import scope_of
from projects.models import Project


class YearForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(label=_("fiscal year (B.E.)"), coerce=int, required=False)

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, **kwargs)
        years = Project.objects.visible_to(user).fiscal_years()
        self.fields["fiscal_year"].choices = [("", _("all years"))] + [(y, str(y)) for y in years]
        self.fields["fiscal_year"].widget.attrs["class"] = "form-select"

    @property
    def year(self) -> int | None:
        return self.cleaned_data.get("fiscal_year") or None if self.is_valid() else None


def ancestors(user, level: str, area) -> list[tuple]:
    """(area, link or None) from the province down to the area's parent."""
    chain = []
    if level == "subdistrict":
        chain = [area.district.province, area.district]
    elif level == "district":
        chain = [area.province]
    return [
        (each, links.profile(each.code) if may_open(user, _level(each), each.code) else None)
        for each in chain
    ]


def _level(area) -> str:
    return {Province: "province", District: "district"}.get(type(area), "subdistrict")


def with_links(data: dict, level: str, code: str, year: int | None) -> dict:
    """Every figure of a profile links to the list behind it."""
    statuses = Project.Status.choices
    for row in data["programmes"]:
        pk = row["programme"].pk
        row["link"] = links.projects(level, code, year, programme=pk)
        row["status_cells"] = [
            (
                row["statuses"][status],
                links.projects(level, code, year, programme=pk, status=status),
            )
            for status, _label in statuses
        ]
    for agency in data["agencies"]:
        agency["link"] = links.projects(level, code, year, partner=agency["pk"])
    return {
        **data,
        "statuses": statuses,
        "programme_rows": data["programmes"],
        "programme_total_statuses": [
            data["programme_total"]["statuses"][status] for status, _label in statuses
        ],
    }


def profile(request: HttpRequest, code: str) -> HttpResponse:
    level, area = area_or_404(request.user, code)
    form = YearForm(request.GET, user=request.user)
    # Cached per scope, area, year, language and day, dropped on every write like the
    # dashboard (a province's profile sums its thousands of projects: 190–270 ms uncached).
    key = f"areas:{level}:{code}:{form.year}:{get_language()}:{timezone.localdate()}"
    figures = cached_for(
        request.user, key, lambda: profiles.profile(request.user, level, area, form.year)
    )
    data = with_links(figures, level, code, form.year)
    return render(
        request,
        "areas/profile.html",
        {
            **data,
            "level": level,
            "area": area,
            "form": form,
            "fiscal_year": form.year,
            "ancestors": ancestors(request.user, level, area),
            "links": {
                "councils": links.councils(level, code),
                "councils_active": links.councils(level, code, status="active"),
                "projects": links.projects(level, code, form.year),
                "meetings": links.meetings(code),
                "resolutions": links.resolutions(code, pending="on"),
                "resolutions_overdue": links.resolutions(code, overdue="on"),
            },
        },
    )


def partners(request: HttpRequest, code: str) -> HttpResponse:
    level, area = area_or_404(request.user, code)
    form = YearForm(request.GET, user=request.user)
    records = profiles.AreaRecords(request.user, level, code, form.year)
    by_programme, by_area, sort = matrix.build(records, request.GET.get("sort", ""))
    if request.GET.get("format") == "xlsx":
        return matrix_workbook(area, by_programme, by_area)
    return render(
        request,
        "areas/partners.html",
        {
            "area": area,
            "level": level,
            "form": form,
            "sort": sort,
            "ancestors": ancestors(request.user, level, area),
            "matrices": [
                (_("Agencies and programmes"), by_programme, matrix.grid(by_programme), False),
                *(
                    [(_("Agencies and areas"), by_area, matrix.grid(by_area), True)]
                    if by_area is not None
                    else []
                ),
            ],
        },
    )


class CompareForm(forms.Form):
    a = forms.ChoiceField(label=_("first area"))
    b = forms.ChoiceField(label=_("second area"))

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, **kwargs)
        scope = scope_of(user)
        provinces = scope.limit(Province.objects.order_by("code"), province="code", council=None)
        districts = District.objects.filter(province__in=provinces).order_by("code")
        if scope.everything:
            # The whole country's 928 districts would make an unusable list: the districts
            # of the provinces being compared, and the provinces.
            chosen = {str(data.get(k, ""))[:2] for k in ("a", "b")} if data else set()
            districts = districts.filter(province__in=chosen)
        choices = [
            (_("Provinces"), [(p.code, p.name) for p in provinces]),
            (_("Districts"), [(d.code, d.name) for d in districts.select_related("province")]),
        ]
        for name in ("a", "b"):
            self.fields[name].choices = choices
            self.fields[name].widget.attrs["class"] = "form-select"


def compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET or None, user=request.user)
    year_form = YearForm(request.GET, user=request.user)
    sides = []
    if form.is_valid():
        for key in ("a", "b"):
            level, area = area_or_404(request.user, form.cleaned_data[key])
            data = profiles.profile(request.user, level, area, year_form.year)
            sides.append({"area": area, "level": level, **data})
    programmes = [
        {
            "programme": row["programme"],
            "values": [side["programmes"][index]["projects"] for side in sides],
        }
        for index, row in enumerate(sides[0]["programmes"] if sides else [])
    ]
    return render(
        request,
        "areas/compare.html",
        {
            "form": form,
            "year_form": year_form,
            "sides": sides,
            "comparison_programmes": programmes,
        },
    )
