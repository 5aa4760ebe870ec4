"""Drill-down: the list behind each figure, filtered exactly as the figure was counted."""

from urllib.parse import urlencode

from django.urls import reverse

from dashboards.filters import Selection
from portal.lib.dates import fiscal_year_bounds


def _url(name: str, params: dict) -> str:
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def _area(selection: Selection, area: tuple[str, str] | None) -> dict:
    """`area` is ("district" | "province", code) for one row of a breakdown."""
    if area is not None:
        return {area[0]: area[1]}
    if selection.district is not None:
        return {"district": selection.district.pk}
    return {"province": selection.province.pk if selection.province else None}


def projects(selection: Selection, *, area=None, year=True, **extra) -> str:
    return _url(
        "projects:list",
        {
            "fiscal_year": selection.fiscal_year if year else None,
            **_area(selection, area),
            "programme": selection.programme.pk if selection.programme else None,
            **extra,
        },
    )


def councils(selection: Selection, *, area=None, **extra) -> str:
    return _url("councils:list", {**_area(selection, area), **extra})


def meetings(selection: Selection, *, area=None, today=None) -> str:
    first, last = fiscal_year_bounds(selection.fiscal_year)
    if today is not None:
        last = min(last, today)
    return _url(
        "meetings:list",
        {"held_from": first.isoformat(), "held_until": last.isoformat(), **_area(selection, area)},
    )


def resolutions(selection: Selection, **extra) -> str | None:
    """The resolution register, still-to-do resolutions of the selection's district. The
    register has no province filter: a province-wide figure has no link."""
    if selection.district is None and selection.province is not None:
        return None
    district = selection.district.pk if selection.district else None
    return _url("meetings:resolutions", {"district": district, **extra})
