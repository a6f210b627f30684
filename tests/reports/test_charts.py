"""The charts' two drawings: the narrow one (a phone, a narrow column) is laid out afresh, not
shrunk, so its labels keep their size (app.css shows the drawing that fits its container)."""

from itertools import pairwise

import pytest
from django.template import Context, Engine, engines
from django.template.backends.django import DjangoTemplates

from reports.charts import NARROW, TICK_SPACING, WIDTH, bar_chart, line_chart

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def test_a_bar_chart_comes_wide_and_narrow_with_labels_shortened_to_fit():
    chart = bar_chart("Sessions", [("Leading through uncertainty (12 Jan)", 4), ("Q&A", 2)])

    assert (chart.width, chart.narrow.width) == (WIDTH, NARROW)
    assert chart.narrow.narrow is None
    wide, narrow = chart.bars[0], chart.narrow.bars[0]
    assert wide.label == narrow.label == "Leading through uncertainty (12 Jan)"
    assert wide.short_label == "Leading through uncertain…"
    assert narrow.short_label == "Leading throug…"
    assert chart.narrow.bars[1].short_label == "Q&A"
    # The largest bar fills the narrow drawing's bar area; the figure stays inside the drawing.
    assert narrow.width == NARROW - chart.narrow.label_width - 36
    assert chart.narrow.value_x < NARROW


def test_a_line_chart_draws_only_the_month_labels_that_fit_always_the_last():
    chart = line_chart("Meetings per month", [(m, i) for i, m in enumerate(MONTHS)])

    assert all(point.tick for point in chart.points)
    ticks = [point for point in chart.narrow.points if point.tick]
    assert ticks[-1].label == "Dec"
    assert [p.label for p in ticks] == ["Feb", "Apr", "Jun", "Aug", "Oct", "Dec"]
    assert all(b.x - a.x >= TICK_SPACING for a, b in pairwise(ticks))
    # The same figures in both drawings.
    assert [p.value for p in chart.narrow.points] == list(range(12))


# The include templates the charts were drawn with until they were written in Python
# (reports.charts: `html`, `drawing`), word for word: the Python must write what they wrote.
OLD_TEMPLATES = {
    "reports/includes/bar_chart.html": """{# A horizontal bar chart drawn wide and narrow (app.css shows the one that fits), with its figures in a table; `chart` from reports.charts.bar_chart. #}
<figure class="chart">
  {% include "reports/includes/bar_svg.html" with chart=chart svg_id=id size="wide" %}
  {% include "reports/includes/bar_svg.html" with chart=chart.narrow svg_id=id|add:"-narrow" size="narrow" %}
  <figcaption class="visually-hidden">{{ chart.title }}: the figures are in the table that follows.</figcaption>
</figure>
<div class="table-wrap" role="region" aria-label="{{ chart.title }}: the figures" tabindex="0">
  <table class="chart-table">
    <caption class="visually-hidden">{{ chart.title }}</caption>
    <thead><tr><th scope="col">{{ label_heading|default:"" }}</th><th scope="col" class="numeric">{{ value_heading|default:"Number" }}</th></tr></thead>
    <tbody>
      {% for bar in chart.bars %}<tr><th scope="row">{{ bar.label }}</th><td class="numeric">{{ bar.value }}</td></tr>{% endfor %}
    </tbody>
  </table>
</div>
""",  # noqa: E501
    "reports/includes/bar_svg.html": """{# One drawing of a bar chart (bar_chart.html draws two: wide and narrow). #}
<svg class="chart__svg chart__svg--{{ size }}" viewBox="0 0 {{ chart.width }} {{ chart.height }}" width="100%" role="img" aria-labelledby="{{ svg_id }}-title" focusable="false">
  <title id="{{ svg_id }}-title">{{ chart.title }}</title>
  {% for bar in chart.bars %}
    <text class="chart__label" x="{{ chart.label_width|add:'-8' }}" y="{{ bar.text_y }}" text-anchor="end">{{ bar.short_label }}</text>
    <rect class="chart__bar chart__bar--{{ forloop.counter0|divisibleby:2|yesno:'a,b' }}" x="{{ chart.label_width }}" y="{{ bar.y }}" width="{{ bar.width|stringformat:'.1f' }}" height="22" rx="2"><title>{{ bar.label }}: {{ bar.value }}</title></rect>
    <text class="chart__value" x="{{ chart.value_x|stringformat:'.1f' }}" y="{{ bar.text_y }}">{{ bar.value }}</text>
  {% endfor %}
</svg>
""",  # noqa: E501
    "reports/includes/line_chart.html": """{# A line chart drawn wide and narrow (app.css shows the one that fits), with its figures in a table; `chart` from reports.charts.line_chart. #}
<figure class="chart">
  {% include "reports/includes/line_svg.html" with chart=chart svg_id=id size="wide" %}
  {% include "reports/includes/line_svg.html" with chart=chart.narrow svg_id=id|add:"-narrow" size="narrow" %}
  <figcaption class="visually-hidden">{{ chart.title }}: the figures are in the table that follows.</figcaption>
</figure>
<div class="table-wrap" role="region" aria-label="{{ chart.title }}: the figures" tabindex="0">
  <table class="chart-table">
    <caption class="visually-hidden">{{ chart.title }}</caption>
    <thead><tr><th scope="col">Month</th><th scope="col" class="numeric">{{ value_heading|default:"Number" }}</th></tr></thead>
    <tbody>
      {% for point in chart.points %}<tr><th scope="row">{{ point.label }}</th><td class="numeric">{{ point.value }}</td></tr>{% endfor %}
    </tbody>
  </table>
</div>
""",  # noqa: E501
    "reports/includes/line_svg.html": """{# One drawing of a line chart (line_chart.html draws two: wide and narrow). #}
<svg class="chart__svg chart__svg--{{ size }}" viewBox="0 0 {{ chart.width }} {{ chart.height }}" width="100%" role="img" aria-labelledby="{{ svg_id }}-title" focusable="false">
  <title id="{{ svg_id }}-title">{{ chart.title }}</title>
  <line class="chart__axis" x1="40" y1="{{ chart.bottom }}" x2="{{ chart.width|add:'-20' }}" y2="{{ chart.bottom }}"></line>
  <line class="chart__axis" x1="40" y1="{{ chart.top }}" x2="40" y2="{{ chart.bottom }}"></line>
  <text class="chart__value" x="34" y="{{ chart.top|add:'4' }}" text-anchor="end">{{ chart.largest }}</text>
  <text class="chart__value" x="34" y="{{ chart.bottom }}" text-anchor="end">0</text>
  <polyline class="chart__line" points="{{ chart.polyline }}" fill="none"></polyline>
  {% for point in chart.points %}
    <circle class="chart__point" cx="{{ point.x|stringformat:'.1f' }}" cy="{{ point.y|stringformat:'.1f' }}" r="4"><title>{{ point.label }}: {{ point.value }}</title></circle>
    {% if point.tick %}<text class="chart__tick" x="{{ point.x|stringformat:'.1f' }}" y="{{ chart.bottom|add:'18' }}" text-anchor="middle">{{ point.label|slice:":3" }}</text>{% endif %}
  {% endfor %}
</svg>
""",  # noqa: E501
}


def old(name: str, **context) -> str:
    """`name` rendered as the dashboard rendered it: by the project's template engine (its
    autoescaping, filters and settings), its includes found among the old templates."""
    backend = engines["django"]
    assert isinstance(backend, DjangoTemplates)
    project = backend.engine
    engine = Engine(
        loaders=[("django.template.loaders.locmem.Loader", OLD_TEMPLATES)],
        autoescape=project.autoescape,
        string_if_invalid=project.string_if_invalid,
        libraries=project.libraries,
        builtins=project.builtins,
    )
    return engine.get_template(f"reports/includes/{name}.html").render(Context(context))


# A label past the longest drawn (shortened, the table has it whole), labels and a title to
# escape, a figure of thousands (`{{ n }}` writes no separator), a zero and a repeated value.
BARS = [
    ("Leading through uncertainty (12 Jan)", 4),
    ("<script>alert('x')</script> & \"friends\"", 12345),
    ("Q&A", 0),
    ("Mentors' <b>", 12345),
    ("Plain", 7),
]
MONTHS_WITH_YEARS = [(f"{m} 2027", 3 * i + 1) for i, m in enumerate(MONTHS)] + [
    ("<&> month", 5),
    ("Jan 2028", 1000),
]


@pytest.mark.parametrize(
    ("items", "headings"),
    [
        (BARS, {"label_heading": "Stage <&>", "value_heading": 'Applications "all"'}),
        (BARS[:2], {"label_heading": "Status", "value_heading": "Pairings"}),
        ([], {"label_heading": "Session", "value_heading": "Attended"}),
        ([("Only", 0)], {}),  # no headings: none for the labels, "Number" for the figures
    ],
)
def test_a_bar_chart_writes_what_its_templates_wrote(items, headings):
    chart = bar_chart("Applications & <others>", items)

    assert chart.html(id="funnel", **headings) == old(
        "bar_chart", chart=chart, id="funnel", **headings
    )


def test_a_bar_charts_narrow_drawing_is_what_its_template_drew():
    chart = bar_chart("Sessions", BARS).narrow
    assert chart is not None
    assert [bar.short_label for bar in chart.bars][:2] == ["Leading throug…", "<script>alert(…"]

    assert chart.drawing("sessions-narrow", "narrow") == old(
        "bar_svg", chart=chart, svg_id="sessions-narrow", size="narrow"
    )


@pytest.mark.parametrize(
    ("items", "every_tick"),
    [
        (MONTHS_WITH_YEARS, (True, False)),  # a month label on every point wide, not narrow
        (MONTHS_WITH_YEARS * 3, (False, False)),
        ([("Mar 2027", 6)], (True, True)),  # one point
        ([("Mar 2027", 0), ("Apr 2027", 0)], (True, True)),  # nothing yet: the largest is 1
    ],
)
def test_a_line_chart_writes_what_its_templates_wrote(items, every_tick):
    chart = line_chart("Meetings <per> month & more", items)
    assert chart.narrow is not None
    assert (all(p.tick for p in chart.points), all(p.tick for p in chart.narrow.points)) == (
        every_tick
    )

    assert chart.html(id="meetings", value_heading="Meetings") == old(
        "line_chart", chart=chart, id="meetings", value_heading="Meetings"
    )
    assert chart.html(id="meetings") == old("line_chart", chart=chart, id="meetings")
    assert chart.narrow.drawing("m-narrow", "narrow") == old(
        "line_svg", chart=chart.narrow, svg_id="m-narrow", size="narrow"
    )
