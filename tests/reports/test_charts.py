"""The charts' two drawings: the narrow one (a phone, a narrow column) is laid out afresh, not
shrunk, so its labels keep their size (app.css shows the drawing that fits its container)."""

from itertools import pairwise

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
