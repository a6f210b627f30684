"""Playwright set-up for the journeys: Debian's Chromium (never `playwright install`) against
pytest-django's live server.

One Chromium per test module (`chromium`, module-scoped: launching costs about a second);
each test gets fresh browser contexts, one per person, so cookies never leak between people
or tests. `open_page(user)` opens a page already signed in through the real sign-in form;
`open_page()` opens an anonymous one. Every page fails its test on a server error (5xx) or
a content-security-policy violation, whatever the assertions of the test look at.

Tests here are marked `browser` in each module (`pytestmark`), so the root conftest leaves
them out, or fails the run under `--require-services`, when Chromium is missing.
"""

import os

import pytest

from tests.browser.accessibility import WIDTHS, Snapshots, audit
from tests.browser.helpers import sign_in

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
# thread with a running loop unless told that this is intended (test code only).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for the whole module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_page(request, chromium, transactional_db, live_server):
    """`open_page(user=None, width=1280)`: a new page in a context of its own, signed in as
    `user`, in a window `width` pixels wide (390: a phone). When the test ends, axe-core checks
    every page it loaded at 1280 and 390 px (tests/browser/accessibility.py)."""
    contexts, problems = [], []
    snapshots = Snapshots()

    def _watch(page) -> None:
        page.on(
            "response",
            lambda r: (
                problems.append(f"{r.status} {r.request.method} {r.url}")
                if r.status >= 500
                else None
            ),
        )
        page.on(
            "console",
            lambda m: (
                problems.append(f"console: {m.text}")
                if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text
                else None
            ),
        )

    def _open(user=None, width: int = 1280):
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": width, "height": WIDTHS[width]}
        )
        context.set_default_timeout(TIMEOUT_MS)
        snapshots.watch(context)
        contexts.append(context)
        page = context.new_page()
        _watch(page)
        if user is not None:
            sign_in(page, user)
        return page

    yield _open
    snapshots.settle(contexts)
    for context in contexts:
        context.close()
    assert not problems, "server errors or CSP violations while browsing:\n" + "\n".join(problems)
    violations = audit(chromium, snapshots, request.node.name)
    assert not violations, "axe-core: WCAG 2.2 A/AA violations:\n" + "\n".join(violations)


@pytest.fixture
def page(open_page):
    """An anonymous page (not signed in)."""
    return open_page()
