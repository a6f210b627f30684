"""Server-rendered SVG charts: the geometry, and the markup each chart writes (`html`).

No script and no inline style (the content security policy forbids both): bars and lines are
SVG shapes with presentation attributes and CSS classes from static/css/app.css. Every chart
is drawn next to a table of the same figures for screen readers and spreadsheets.

Each chart comes in two drawings: `WIDTH` units wide, and `NARROW` for a phone or a narrow
column (app.css shows one by the width of its container). An SVG scales its text with it, so the
narrow one is laid out afresh rather than shrunk: its labels stay at least 12 px on a 390 px
screen instead of falling to 6.

The markup is written in Python, in one pass (`BarChart.html`, `LineChart.html`): through four
include templates it was a third of the dashboard's time. It is byte for byte what those
templates wrote (tests/reports/test_charts.py keeps their text and holds the two equal): every
label and title escaped, whole numbers as `{{ n }}` writes them (no thousands separator: the
settings leave USE_THOUSAND_SEPARATOR off), coordinates as `stringformat:'.1f'` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

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

    def html(self, *, id: str, label_heading: str = "", value_heading: str = "") -> SafeString:
        """The figure (wide and narrow drawings) and the table of its figures; `id` names the
        drawings' titles (`<id>-title`, `<id>-narrow-title`). An empty heading writes, as the
        template did, none for the labels and "Number" for the values."""
        return _written(
            self, id, [(bar.label, bar.value) for bar in self.bars], label_heading, value_heading
        )

    def drawing(self, svg_id: str, size: str) -> str:
        """This drawing's `<svg>`, `size` its class: "wide" or "narrow"."""
        label_x = self.label_width - 8
        value_x = f"{self.value_x:.1f}"
        parts = [_svg_start(self, svg_id, size)]
        for index, bar in enumerate(self.bars):
            label = conditional_escape(bar.label)
            parts.append(
                f'\n    <text class="chart__label" x="{label_x:d}" y="{bar.text_y:d}"'
                f' text-anchor="end">{conditional_escape(bar.short_label)}</text>'
                f'\n    <rect class="chart__bar chart__bar--{"b" if index % 2 else "a"}"'
                f' x="{self.label_width:d}" y="{bar.y:d}" width="{bar.width:.1f}" height="22"'
                f' rx="2"><title>{label}: {bar.value:d}</title></rect>'
                f'\n    <text class="chart__value" x="{value_x}" y="{bar.text_y:d}">'
                f"{bar.value:d}</text>\n  "
            )
        parts.append("\n</svg>\n")
        return "".join(parts)


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

    def html(self, *, id: str, value_heading: str = "") -> SafeString:
        """The figure (wide and narrow drawings) and the table of its figures by month, as
        `BarChart.html` writes them."""
        return _written(
            self, id, [(point.label, point.value) for point in self.points], "Month", value_heading
        )

    def drawing(self, svg_id: str, size: str) -> str:
        """This drawing's `<svg>`, `size` its class: "wide" or "narrow"."""
        top, bottom = self.top, self.bottom
        parts = [
            _svg_start(self, svg_id, size),
            f'<line class="chart__axis" x1="40" y1="{bottom:d}" x2="{self.width - 20:d}"'
            f' y2="{bottom:d}"></line>'
            f'\n  <line class="chart__axis" x1="40" y1="{top:d}" x2="40" y2="{bottom:d}"></line>'
            f'\n  <text class="chart__value" x="34" y="{top + 4:d}" text-anchor="end">'
            f"{self.largest:d}</text>"
            f'\n  <text class="chart__value" x="34" y="{bottom:d}" text-anchor="end">0</text>'
            f'\n  <polyline class="chart__line" points="{conditional_escape(self.polyline)}"'
            ' fill="none"></polyline>\n  ',
        ]
        tick_y = bottom + 18
        for point in self.points:
            x = f"{point.x:.1f}"
            tick = (
                f'<text class="chart__tick" x="{x}" y="{tick_y:d}" text-anchor="middle">'
                f"{conditional_escape(point.label[:3])}</text>"
                if point.tick
                else ""
            )
            parts.append(
                f'\n    <circle class="chart__point" cx="{x}" cy="{point.y:.1f}" r="4"><title>'
                f"{conditional_escape(point.label)}: {point.value:d}</title></circle>"
                f"\n    {tick}\n  "
            )
        parts.append("\n</svg>\n")
        return "".join(parts)


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


def _narrow(chart: BarChart | LineChart) -> BarChart | LineChart:
    if chart.narrow is None:
        raise ValueError("Only a wide drawing (one with its narrow drawing) writes a chart.")
    return chart.narrow


def _written(
    chart: BarChart | LineChart,
    id: str,
    items: list[tuple[str, int]],
    label_heading: str,
    value_heading: str,
) -> SafeString:
    """Both drawings in their figure, then the table of the figures (what the two charts'
    templates wrote alike); an empty value heading reads "Number"."""
    title = conditional_escape(chart.title)
    rows = "".join(
        f'<tr><th scope="row">{conditional_escape(label)}</th>'
        f'<td class="numeric">{value:d}</td></tr>'
        for label, value in items
    )
    figure = _figure(
        chart.drawing(id, "wide"), _narrow(chart).drawing(f"{id}-narrow", "narrow"), title
    )
    return SafeString(
        f'{figure}<thead><tr><th scope="col">{conditional_escape(label_heading)}</th>'
        f'<th scope="col" class="numeric">{conditional_escape(value_heading or "Number")}'
        f"</th></tr></thead>{_table_end(rows)}"
    )


def _svg_start(chart: BarChart | LineChart, svg_id: str, size: str) -> str:
    svg_id, size = conditional_escape(svg_id), conditional_escape(size)
    return (
        f'\n<svg class="chart__svg chart__svg--{size}" viewBox="0 0 {chart.width:d}'
        f' {chart.height:d}" width="100%" role="img" aria-labelledby="{svg_id}-title"'
        f' focusable="false">\n  <title id="{svg_id}-title">{conditional_escape(chart.title)}'
        "</title>\n  "
    )


def _figure(wide: str, narrow: str, title: str) -> str:
    """The figure of both drawings, and the table's start up to its head."""
    return (
        f'\n<figure class="chart">\n  {wide}\n  {narrow}\n  <figcaption class="visually-hidden">'
        f"{title}: the figures are in the table that follows.</figcaption>\n</figure>"
        f'\n<div class="table-wrap" role="region" aria-label="{title}: the figures"'
        f' tabindex="0">\n  <table class="chart-table">'
        f'\n    <caption class="visually-hidden">{title}</caption>\n    '
    )


def _table_end(rows: str) -> str:
    return f"\n    <tbody>\n      {rows}\n    </tbody>\n  </table>\n</div>\n"
