"""Helpers for the browser journeys: signing in, screenshots, keyboard focus."""

from django.conf import settings

from tests.factories import DEFAULT_PASSWORD

SCREENSHOTS = settings.BASE_DIR / "artifacts" / "screenshots"


def sign_in(page, user, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the sign-in form, as a person does, and land on the home page."""
    page.goto("/account/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/account/login/" not in url)


def screenshot(page, name: str) -> None:
    """A full-page screenshot of the journey's key page, for a person to look at:
    artifacts/screenshots/<name>.png under the repository root."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def nav_link(page, name: str):
    """A link of the main navigation, by its exact name."""
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def expect_message(page, text: str) -> None:
    """The page shows `text` among its messages (the list after a form is sent)."""
    from playwright.sync_api import expect

    expect(page.get_by_role("list", name="Messages")).to_contain_text(text)


_FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    let name = el.getAttribute("aria-label") || "";
    if (!name && el.labels && el.labels.length) name = el.labels[0].textContent;
    if (!name) name = el.textContent || el.value || "";
    return {
        tag: el.tagName.toLowerCase(),
        type: el.getAttribute("type") || "",
        id: el.id,
        name: name.replace(/\\s+/g, " ").trim(),
        focusVisible: el.matches(":focus-visible"),
        outline: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth) || 0,
        boxShadow: style.boxShadow,
    };
}"""


def focused(page) -> dict:
    """What has the keyboard focus: tag, type, id, accessible-ish name and its focus style."""
    return page.evaluate(_FOCUSED)


def has_visible_focus(stop: dict) -> bool:
    """The focus ring of app.css (:focus-visible: a 3px outline and a 5px box-shadow), or at
    least one of the two, is drawn around the focused element."""
    ring = (stop["outline"] != "none" and stop["outlineWidth"] >= 2) or stop["boxShadow"] != "none"
    return stop["focusVisible"] and ring


def press(page, key: str) -> dict:
    """Press one key and say where the focus went."""
    page.keyboard.press(key)
    return focused(page)
