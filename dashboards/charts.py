"""Charts drawn on the server as SVG: the same drawing serves the page (no script, so the
content security policy stays self-only), print and the PDF briefing pack.

A chart is plain geometry for `dashboards/_bar_chart.html` and `dashboards/_tile_map.html`;
every bar and tile links to the filtered list behind it."""

import math
from dataclasses import dataclass, field

PALETTE = {"projects": "#6f42c1", "approved": "#0d6efd", "disbursed": "#198754"}
# Light to dark: the tile map's scale (colour-blind safe blues).
SCALE = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
SCALE_TEXT = ["#000", "#000", "#000", "#fff", "#fff"]

WIDTH = 640
LABEL_HEIGHT = 18
BAR_HEIGHT = 12
BAR_GAP = 3
ROW_GAP = 10
VALUE_ROOM = 110


@dataclass
class Bar:
    series: str
    value: int
    y: float
    width: float
    colour: str


@dataclass
class Row:
    label: str
    link: str
    y: float
    bars: list[Bar] = field(default_factory=list)


@dataclass
class BarChart:
    title: str
    series: list[tuple[str, str, str]]  # key, label, colour
    rows: list[Row]
    height: float
    width: int = WIDTH


def bar_chart(title: str, rows: list[dict], series: list[tuple[str, str]]) -> BarChart:
    """Horizontal bars, one group a row, the label above its bars (Thai names are long).
    `rows` hold `label`, `link` and a value for each series key."""
    biggest = max((row[key] for row in rows for key, _ in series), default=0) or 1
    span = WIDTH - VALUE_ROOM
    y = 0.0
    chart_rows = []
    for row in rows:
        chart_row = Row(label=row["label"], link=row["link"], y=y + LABEL_HEIGHT - 4)
        y += LABEL_HEIGHT
        for key, _ in series:
            value = row[key]
            chart_row.bars.append(
                Bar(
                    series=key,
                    value=value,
                    y=y,
                    width=round(span * value / biggest, 1) if value else 0,
                    colour=PALETTE[key],
                )
            )
            y += BAR_HEIGHT + BAR_GAP
        y += ROW_GAP
        chart_rows.append(chart_row)
    return BarChart(
        title=title,
        series=[(key, label, PALETTE[key]) for key, label in series],
        rows=chart_rows,
        height=max(y, 20),
    )


@dataclass
class Tile:
    code: str
    label: str
    value: int
    link: str
    profile: str
    x: int
    y: int
    fill: str
    text: str


@dataclass
class TileMap:
    title: str
    tiles: list[Tile]
    legend: list[tuple[str, str]]  # colour, range
    width: int
    height: int


TILE_W = 104
TILE_H = 54
TILE_GAP = 4


def _step_top(step: int, biggest: int) -> int:
    """The largest value shown in a colour step (steps 1..4 share 1..biggest evenly)."""
    return math.floor(step * biggest / (len(SCALE) - 1))


def scale_step(value: int, biggest: int) -> int:
    if not value or not biggest:
        return 0
    return next(s for s in range(1, len(SCALE)) if value <= _step_top(s, biggest))


def tile_map(title: str, areas: list[dict], positions: dict[str, tuple[int, int]]) -> TileMap:
    """Areas as tiles at their map-like `positions` (row, column); areas without a position
    fill a grid in code order, below the placed ones."""
    biggest = max((area["value"] for area in areas), default=0)
    placed = dict(positions)
    unplaced = [area["code"] for area in areas if area["code"] not in placed]
    first_free_row = max((row for row, _ in placed.values()), default=-1) + 1
    columns = max(6, math.ceil(math.sqrt(len(unplaced) * 1.6))) if unplaced else 6
    for index, code in enumerate(unplaced):
        placed[code] = (first_free_row + index // columns, index % columns)
    tiles = []
    for area in areas:
        row, column = placed[area["code"]]
        step = scale_step(area["value"], biggest)
        tiles.append(
            Tile(
                code=area["code"],
                label=area["label"],
                value=area["value"],
                link=area["link"],
                profile=area["profile"],
                x=column * (TILE_W + TILE_GAP),
                y=row * (TILE_H + TILE_GAP),
                fill=SCALE[step],
                text=SCALE_TEXT[step],
            )
        )
    width = max((t.x for t in tiles), default=0) + TILE_W
    height = max((t.y for t in tiles), default=0) + TILE_H
    return TileMap(title=title, tiles=tiles, legend=legend(biggest), width=width, height=height)


def legend(biggest: int) -> list[tuple[str, str]]:
    """The colour of each step and the values it stands for."""
    entries = [(SCALE[0], "0")]
    for step in range(1, len(SCALE)):
        low, high = _step_top(step - 1, biggest) + 1, _step_top(step, biggest)
        if high >= low:
            entries.append((SCALE[step], f"{low:,}" if low == high else f"{low:,}–{high:,}"))
    return entries
