"""Server-rendered SVG charts: the geometry here, the markup in templates/reports/includes.

No script and no inline style (the content security policy forbids both): bars and lines are
SVG shapes with presentation attributes and CSS classes from static/css/app.css. Every chart
is drawn next to a table of the same figures for screen readers and spreadsheets.

Each chart comes in two drawings: `WIDTH` units wide, and `NARROW` for a phone or a narrow
column (app.css shows one by the width of its container). An SVG scales its text with it, so the
narrow one is laid out afresh rather than shrunk: its labels stay at least 12 px on a 390 px
screen instead of falling to 6.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
NARROW = 320
LABEL_WIDTH = 190
VALUE_WIDTH = 60
# Per drawing width: the room for the labels, for the figures, and the longest label drawn
# (the table under the chart has every label whole).
LAYOUT = {WIDTH: (LABEL_WIDTH, VALUE_WIDTH, 26), NARROW: (144, 36, 15)}
# The line chart's month labels are drawn at least this far apart.
TICK_SPACING = 36
BAR_HEIGHT = 22
BAR_GAP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    value: int
    y: int
    width: float
    text_y: int


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    value_x: float = 0
    narrow: BarChart | None = None


def _shorten(label: str, most: int) -> str:
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def bar_chart(title: str, items: list[tuple[str, int]], *, width: int = WIDTH) -> BarChart:
    """Horizontal bars, one per (label, value), scaled to the largest value; with its
    `narrow` drawing when `width` is the wide one."""
    label_width, value_width, most = LAYOUT[width]
    largest = max((value for _, value in items), default=0) or 1
    area = width - label_width - value_width
    bars = []
    for index, (label, value) in enumerate(items):
        y = index * (BAR_HEIGHT + BAR_GAP)
        bars.append(
            Bar(
                label=label,
                short_label=_shorten(label, most),
                value=value,
                y=y,
                width=round(area * value / largest, 1),
                text_y=y + BAR_HEIGHT // 2 + 5,
            )
        )
    height = max(len(items) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP, BAR_HEIGHT)
    return BarChart(
        title=title,
        bars=bars,
        height=height,
        width=width,
        label_width=label_width,
        value_x=label_width + area + 8,
        narrow=bar_chart(title, items, width=NARROW) if width != NARROW else None,
    )


@dataclass(frozen=True)
class Point:
    label: str
    value: int
    x: float
    y: float
    tick: bool = True


@dataclass(frozen=True)
class LineChart:
    title: str
    points: list[Point]
    polyline: str
    width: int
    height: int
    top: int
    bottom: int
    largest: int
    narrow: LineChart | None = None


def line_chart(
    title: str, items: list[tuple[str, int]], *, height: int = 220, width: int = WIDTH
) -> LineChart:
    """A line through (label, value) points, left to right, with room for labels below (every
    label when they fit, else every second or third, always the last); with its `narrow`
    drawing when `width` is the wide one."""
    top, bottom, left, right = 20, height - 40, 40, width - 20
    largest = max((value for _, value in items), default=0) or 1
    step = (right - left) / max(len(items) - 1, 1)
    every = max(1, -(-TICK_SPACING // int(step or 1)))
    last = len(items) - 1
    points = [
        Point(
            label=label,
            value=value,
            x=round(left + index * step, 1),
            y=round(bottom - (bottom - top) * value / largest, 1),
            tick=(last - index) % every == 0,
        )
        for index, (label, value) in enumerate(items)
    ]
    return LineChart(
        title=title,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        width=width,
        height=height,
        top=top,
        bottom=bottom,
        largest=largest,
        narrow=line_chart(title, items, height=height, width=NARROW) if width != NARROW else None,
    )
