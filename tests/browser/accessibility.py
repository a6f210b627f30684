"""axe-core on every page the browser journeys visit, at 1280 and at 390 px wide.

axe-core comes from the npm registry, locked in tests/browser/axe/package-lock.json and
installed by `make test` (npm ci); nothing is fetched from a CDN.

How: each journey page carries an init script (`SNAPSHOT_SCRIPT`) that, on the page's own
"load" event, hands the document as it stands (`<!doctype html>` + the live DOM) to the test
process. When the test ends, `audit()` opens every distinct document in a separate checking
page, served from that snapshot (requests for static files go to the live server; any other
request is refused, so the check never changes the data and never races the journey), runs
axe there with the WCAG 2.0/2.1/2.2 A and AA rules at 1280 px, then again at 390 px, takes a
full-page screenshot at each width into artifacts/screenshots/, and fails the test listing
every violation: rule, help text and the elements (CSS selectors) it was found on; and if the
page itself scrolls sideways at either width (WCAG 1.4.10 Reflow, which axe does not test).
"""

import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from playwright.sync_api import Error

from tests.browser.helpers import SCREENSHOTS

AXE_SCRIPT = (
    settings.BASE_DIR / "tests" / "browser" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
)

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {1280: 800, 390: 844}
BINDING = "__journeyPageLoaded"

SNAPSHOT_SCRIPT = f"""
window.addEventListener("load", () => {{
  if (window.top !== window || !/^https?:/.test(location.href)) return;
  window.{BINDING}(location.href, "<!doctype html>\\n" + document.documentElement.outerHTML);
}});
"""

RUN_AXE = """(tags) => axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
}).then((results) => results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({
        target: n.target.join(" "),
        summary: (n.failureSummary || "").split("\\n").slice(1, 3).join(" ").trim(),
    })),
})))"""

# 1.4.10 Reflow: nothing makes the page itself scroll sideways (a table may scroll inside its
# own box); the elements that reach past the right edge, outermost first.
WIDER_THAN_THE_SCREEN = """() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return null;
    return [...document.body.querySelectorAll("*")]
        .filter((el) => el.getBoundingClientRect().right > width + 0.5)
        .slice(0, 3)
        .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
}"""

# The same page in two journeys (the sign-in form, say) is checked once per test process;
# the CSRF token differs on every render, so it does not count.
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
_checked: set[str] = set()


@dataclass
class Snapshots:
    """The documents a test's pages loaded, in order: (url, html)."""

    pages: list[tuple[str, str]] = field(default_factory=list)

    def watch(self, context) -> None:
        context.expose_binding(BINDING, lambda _source, url, html: self.pages.append((url, html)))
        context.add_init_script(SNAPSHOT_SCRIPT)

    @staticmethod
    def settle(contexts) -> None:
        """Before the contexts close: let each page finish loading the document its last
        step opened, and its snapshot arrive."""
        for context in contexts:
            for page in context.pages:
                try:
                    page.wait_for_load_state("load", timeout=5_000)
                    page.evaluate("0")
                except Error:
                    pass


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:80] or "home"


def _describe(url: str, width: int, violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        lines.append(f"{urlsplit(url).path} at {width}px: {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            lines.append(f"    {node['target']}  -- {node['summary']}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return lines


def audit(chromium, snapshots: Snapshots, test_name: str) -> list[str]:
    """Run axe on each distinct document of the test at both widths; the violations found,
    described one per line (empty when there are none)."""
    todo = []
    for url, html in snapshots.pages:
        key = hashlib.sha256(f"{url.split('#')[0]}\n{_CSRF.sub('', html)}".encode()).hexdigest()
        if key not in _checked:
            _checked.add(key)
            todo.append((url, html))
    if not todo:
        return []

    static = settings.STATIC_URL
    current = {"html": ""}

    def serve(route) -> None:
        request = route.request
        if request.is_navigation_request():
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=current["html"])
        elif urlsplit(request.url).path.startswith(static):
            route.continue_()
        else:
            route.abort()

    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    try:
        context.route("**/*", serve)
        context.add_init_script(path=AXE_SCRIPT)
        page = context.new_page()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = _slug(test_name)
        for number, (url, html) in enumerate(todo, start=1):
            current["html"] = html
            page.set_viewport_size({"width": 1280, "height": 800})
            page.goto(url.split("#")[0], wait_until="load")
            for width, height in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": height})
                violations = page.evaluate(RUN_AXE, TAGS)
                problems += _describe(url, width, violations)
                wider = page.evaluate(WIDER_THAN_THE_SCREEN)
                if wider is not None:
                    problems.append(
                        f"{urlsplit(url).path} at {width}px: the page scrolls sideways "
                        f"(1.4.10 Reflow), widest: {wider}"
                    )
                shot = f"{name}--{number:02d}-{_slug(urlsplit(url).path)}--{width}px.png"
                page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
    finally:
        context.close()
    return problems
