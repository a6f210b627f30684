"""Server-rendered SVG charts: the geometry here, the markup in templates/reports/includes.

No script and no inline style (the content security policy forbids both): bars and lines are
SVG shapes with presentation attributes and CSS classes from static/css/app.css. Every chart
is drawn next to a table of the same figures for screen readers and spreadsheets.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 190
VALUE_WIDTH = 60
BAR_HEIGHT = 22
BAR_GAP = 8


@dataclass(frozen=True)
class Bar:
    label: str
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

    @property
    def bar_area(self) -> int:
        return self.width - self.label_width - VALUE_WIDTH


def bar_chart(title: str, items: list[tuple[str, int]]) -> BarChart:
    """Horizontal bars, one per (label, value), scaled to the largest value."""
    largest = max((value for _, value in items), default=0) or 1
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, (label, value) in enumerate(items):
        y = index * (BAR_HEIGHT + BAR_GAP)
        bars.append(
            Bar(
                label=label,
                value=value,
                y=y,
                width=round(area * value / largest, 1),
                text_y=y + BAR_HEIGHT // 2 + 5,
            )
        )
    height = max(len(items) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP, BAR_HEIGHT)
    return BarChart(title=title, bars=bars, height=height, value_x=LABEL_WIDTH + area + 8)


@dataclass(frozen=True)
class Point:
    label: str
    value: int
    x: float
    y: float


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


def line_chart(title: str, items: list[tuple[str, int]], *, height: int = 220) -> LineChart:
    """A line through (label, value) points, left to right, with room for labels below."""
    top, bottom, left, right = 20, height - 40, 40, WIDTH - 20
    largest = max((value for _, value in items), default=0) or 1
    step = (right - left) / max(len(items) - 1, 1)
    points = [
        Point(
            label=label,
            value=value,
            x=round(left + index * step, 1),
            y=round(bottom - (bottom - top) * value / largest, 1),
        )
        for index, (label, value) in enumerate(items)
    ]
    return LineChart(
        title=title,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        width=WIDTH,
        height=height,
        top=top,
        bottom=bottom,
        largest=largest,
    )
