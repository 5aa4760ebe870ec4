"""Turns the figures of `dashboards.figures` into what the page and the briefing pack show:
labelled tables, charts and drill-down links, in the reader's language."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from dashboards import charts, links, tiles
from dashboards.filters import Selection
from projects.models import Project

# Figures the district view can be coloured by: key in the area rows, label.
MAP_FIGURES = {
    "projects": lambda: _("Projects"),
    "approved": lambda: _("Budget approved (baht)"),
    "councils_active": lambda: _("Active councils"),
    "reached_households": lambda: _("Households reached"),
    "meetings": lambda: _("Meetings held"),
}


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[dict] = field(default_factory=list)  # label, link, cells
    footer: list | None = None


def _name(row: dict) -> str:
    return row["name_th"] if (get_language() or "th").startswith("th") else row["name_en"]


def area_word(level: str) -> str:
    return _("District") if level == "district" else _("Province")


def area_table(data: dict, selection: Selection) -> Table:
    level = data["level"]
    columns = [
        ("councils_active", _("Active councils")),
        ("projects", _("Projects")),
        ("approved", _("Approved (baht)")),
        ("disbursed", _("Disbursed (baht)")),
        ("reached_households", _("Households reached")),
        ("meetings", _("Meetings held")),
    ]
    table = Table(
        caption=_("Figures by %(area)s") % {"area": area_word(level).lower()},
        headers=[area_word(level)] + [label for _key, label in columns],
    )
    for row in data["areas"]:
        table.rows.append(
            {
                "label": _name(row),
                "link": links.projects(selection, area=(level, row["code"])),
                "cells": [row[key] for key, _label in columns],
            }
        )
    table.footer = [sum(row[key] for row in data["areas"]) for key, _l in columns]
    return table


def programme_table(data: dict, selection: Selection) -> Table:
    columns = [
        ("projects", _("Projects")),
        ("requested", _("Requested (baht)")),
        ("approved", _("Approved (baht)")),
        ("disbursed", _("Disbursed (baht)")),
        ("reached_households", _("Households reached")),
    ]
    table = Table(
        caption=_("Figures by programme"),
        headers=[_("Programme")] + [label for _key, label in columns],
    )
    for row in data["programmes"]:
        table.rows.append(
            {
                "label": _name(row),
                "link": links.projects(selection, programme=row["pk"]),
                "cells": [row[key] for key, _label in columns],
            }
        )
    table.footer = [sum(row[key] for row in data["programmes"]) for key, _l in columns]
    return table


def year_table(data: dict, selection: Selection) -> Table:
    columns = [
        ("projects", _("Projects")),
        ("approved", _("Approved (baht)")),
        ("disbursed", _("Disbursed (baht)")),
    ]
    table = Table(
        caption=_("Trend over the fiscal years"),
        headers=[_("Fiscal year")] + [label for _key, label in columns],
    )
    for row in data["years"]:
        year_selection = Selection(
            row["fiscal_year"], selection.district, selection.programme, selection.province
        )
        table.rows.append(
            {
                "label": pgettext("fiscal year", "FY %(year)s") % {"year": row["fiscal_year"]},
                # The projects list offers only years that have projects.
                "link": links.projects(year_selection) if row["projects"] else None,
                "cells": [row[key] for key, _label in columns],
            }
        )
    return table


def status_rows(data: dict, selection: Selection) -> list[dict]:
    projects = data["summary"]["projects"]
    return [
        {
            "status": status,
            "label": label,
            "value": projects["by_status"][status],
            "link": links.projects(selection, status=status),
        }
        for status, label in Project.Status.choices
    ]


def chart_rows(table: Table) -> list[dict]:
    return [{"label": row["label"], "link": row["link"]} for row in table.rows]


def build(data: dict, selection: Selection, map_figure: str = "projects") -> dict:
    """Everything the dashboard template and the briefing pack need."""
    areas, programmes, years = (
        area_table(data, selection),
        programme_table(data, selection),
        year_table(data, selection),
    )
    level = data["level"]

    def rows_with(table, source, *keys):
        return [
            {**chart_row, **{key: item[key] for key in keys}}
            for chart_row, item in zip(chart_rows(table), source, strict=True)
        ]

    area_chart = charts.bar_chart(
        _("Projects by %(area)s") % {"area": area_word(level).lower()},
        rows_with(areas, data["areas"], "projects"),
        [("projects", _("Projects"))],
    )
    programme_chart = charts.bar_chart(
        _("Projects by programme"),
        rows_with(programmes, data["programmes"], "projects"),
        [("projects", _("Projects"))],
    )
    year_chart = charts.bar_chart(
        _("Projects by fiscal year"),
        rows_with(years, data["years"], "projects"),
        [("projects", _("Projects"))],
    )
    budget_chart = charts.bar_chart(
        _("Budget approved and disbursed by programme (baht)"),
        rows_with(programmes, data["programmes"], "approved", "disbursed"),
        [("approved", _("Approved")), ("disbursed", _("Disbursed"))],
    )
    if map_figure not in MAP_FIGURES:
        map_figure = "projects"
    province = selection.province_code
    if province is None and level == "district" and data["areas"]:
        province = data["areas"][0]["code"][:2]
    tile_map = charts.tile_map(
        MAP_FIGURES[map_figure](),
        [
            {
                "code": row["code"],
                "label": _name(row),
                "value": row[map_figure],
                "link": map_link(map_figure, selection, (level, row["code"]), data["today"]),
                "profile": reverse("areas:profile", args=[row["code"]]),
            }
            for row in data["areas"]
        ],
        tiles.layout_for(province) if level == "district" else {},
    )
    summary = data["summary"]
    return {
        "summary": summary,
        "statuses": status_rows(data, selection),
        "links": {
            "councils": links.councils(selection),
            "councils_active": links.councils(selection, status="active"),
            "councils_dormant": links.councils(selection, status="dormant"),
            "projects": links.projects(selection),
            "meetings": links.meetings(selection, today=data["today"]),
            "resolutions": links.resolutions(selection, pending="on"),
            "resolutions_overdue": links.resolutions(selection, overdue="on"),
        },
        "tables": {"areas": areas, "programmes": programmes, "years": years},
        "charts": [
            (programme_chart, programmes),
            (budget_chart, programmes),
            (year_chart, years),
            (area_chart, areas),
        ],
        "tile_map": tile_map,
        "map_figure": map_figure,
        "map_figures": [(key, label()) for key, label in MAP_FIGURES.items()],
        "level": level,
    }


def map_link(figure: str, selection: Selection, area, today) -> str:
    if figure in ("councils_active",):
        return links.councils(selection, area=area, status="active")
    if figure == "meetings":
        return links.meetings(selection, area=area, today=today)
    return links.projects(selection, area=area)
