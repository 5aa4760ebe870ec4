"""The partnership matrix of an area: who works with whom, where. Agencies against
programmes and against the child areas; each cell the number of projects and the
contribution in baht. Two grouped queries, whatever the size of the area."""

from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils.translation import get_language

from councils.models import Agency
from geo.areas import CHILD, MODELS, council_lookup
from portal.lib.thai_text import whole_baht
from projects.models import Programme

SORTS = {
    "name": lambda row: row["name"],
    "sector": lambda row: (row["sector"], row["name"]),
    "projects": lambda row: (row["projects"], row["contribution"]),
    "contribution": lambda row: (row["contribution"], row["projects"]),
}
DEFAULT_SORT = "-contribution"


@dataclass
class Matrix:
    columns: list  # (key, label) of the programmes or child areas
    rows: list[dict] = field(default_factory=list)  # agency, sector, cells{key: (n, baht)}, totals


def _name(th: str, en: str) -> str:
    return th if (get_language() or "th").startswith("th") else (en or th)


def build(records, sort: str = DEFAULT_SORT) -> tuple[Matrix, Matrix | None, str]:
    """(agencies × programmes, agencies × child areas or None, the sort applied)."""
    partners = records.partners()
    sectors = dict(Agency.Sector.choices)
    programmes = list(Programme.objects.active().order_by("sort_order", "code"))
    by_programme = Matrix(columns=[(p.pk, _name(p.name_th, p.name_en)) for p in programmes])
    child_level = CHILD[records.level]
    by_area = None
    child_key = None
    if child_level is not None:
        parent = {"district": "province", "subdistrict": "district"}[child_level]
        children = MODELS[child_level].objects.filter(**{parent: records.code}).order_by("code")
        by_area = Matrix(columns=[(c.code, _name(c.name_th, c.name_en)) for c in children])
        child_key = council_lookup(child_level, "project__council__")

    agencies: dict[int, dict] = {}
    totals = (
        partners.order_by()
        .values("agency", "agency__name_th", "agency__name_en", "agency__sector")
        .annotate(n=Count("project", distinct=True), baht=Sum("contribution", default=0))
    )
    for row in totals:
        agencies[row["agency"]] = {
            "pk": row["agency"],
            "name": _name(row["agency__name_th"], row["agency__name_en"]),
            "sector": str(sectors.get(row["agency__sector"], "")),
            "projects": row["n"],
            "contribution": whole_baht(row["baht"]),
        }
    cells: dict[int, dict] = {pk: {} for pk in agencies}
    for row in (
        partners.order_by()
        .values("agency", "project__programme")
        .annotate(n=Count("project", distinct=True), baht=Sum("contribution", default=0))
    ):
        cells[row["agency"]][row["project__programme"]] = (row["n"], whole_baht(row["baht"]))
    area_cells: dict[int, dict] = {pk: {} for pk in agencies}
    if child_key:
        for row in (
            partners.order_by()
            .values("agency", child_key)
            .annotate(n=Count("project", distinct=True), baht=Sum("contribution", default=0))
        ):
            area_cells[row["agency"]][row[child_key]] = (row["n"], whole_baht(row["baht"]))

    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        key, descending = DEFAULT_SORT.lstrip("-"), True
    ordered = sorted(agencies.values(), key=SORTS[key], reverse=descending)
    for agency in ordered:
        by_programme.rows.append({**agency, "cells": cells[agency["pk"]]})
        if by_area is not None:
            by_area.rows.append({**agency, "cells": area_cells[agency["pk"]]})
    return by_programme, by_area, ("-" if descending else "") + key


def grid(matrix: Matrix) -> list[dict]:
    """Rows with the cells in column order, for templates and spreadsheets."""
    return [
        {**row, "cells": [row["cells"].get(key) for key, _label in matrix.columns]}
        for row in matrix.rows
    ]
