"""The axe-core check that every journey runs (tests/browser/accessibility.py) does find what
it must, at both widths, and keeps the documents the journey's pages loaded."""

import pytest

from tests.browser.accessibility import Snapshots, audit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FLAWED = """<!doctype html><html lang="en"><head><title>Flawed</title>
<link rel="stylesheet" href="/static/css/app.css"></head>
<body><main><h1>Flawed</h1><img src="/static/favicon.svg"><a href="/elsewhere/"></a>
<label>Name</label><input name="name">
<p class="too-wide" style="width: 600px">A line wider than a phone.</p></main></body></html>"""


def test_the_check_names_each_violation_with_its_rule_and_element_at_both_widths(
    chromium, live_server
):
    snapshots = Snapshots()
    snapshots.pages.append((f"{live_server.url}/a-flawed-page/", FLAWED))

    problems = audit(chromium, snapshots, "flawed page")

    text = "\n".join(problems)
    for width in (1280, 390):
        for rule in ("image-alt", "link-name", "label"):
            assert f"/a-flawed-page/ at {width}px: {rule} " in text, text
    assert "\n    a  -- Element is in tab order and does not have accessible text" in text
    # A phone would have to scroll the page sideways to read the wide line (1.4.10 Reflow).
    assert "/a-flawed-page/ at 390px: the page scrolls sideways" in text
    assert "p.too-wide" in text
    assert "at 1280px: the page scrolls sideways" not in text
    # A document already checked in this run is not checked twice.
    assert audit(chromium, snapshots, "flawed page again") == []


def test_a_journey_page_is_kept_as_loaded_and_checked_clean(chromium, live_server):
    snapshots = Snapshots()
    context = chromium.new_context(base_url=live_server.url)
    try:
        snapshots.watch(context)
        other = context.new_page()
        other.goto("/account/password/reset/")
        other.wait_for_function("document.readyState === 'complete'")
        snapshots.settle([context])
    finally:
        context.close()

    [(url, html)] = snapshots.pages
    assert url == f"{live_server.url}/account/password/reset/"
    assert html.startswith("<!doctype html>") and "</html>" in html
    assert audit(chromium, snapshots, "password reset") == []
