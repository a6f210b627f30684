"""The first journey in a real browser: sign in, keyboard focus, sign out."""

import pytest

from tests.browser.helpers import screenshot
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.browser


def test_person_signs_in_sees_home_reaches_skip_link_by_keyboard_and_signs_out(page, password):
    person = EmployeeFactory(
        first_name="Helena",
        last_name="Marsh",
        email="helena.marsh@northbank.example",
        title="Director, Credit Risk",
        department="Risk",
        level=7,
    )

    page.goto("/")
    assert "/account/login/" in page.url
    page.get_by_label("E-mail address").fill("Helena.Marsh@northbank.example")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(lambda url: "/account/login/" not in url)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Good to see you, Helena")
    assert "Helena Marsh" in page.locator("header").inner_text()
    assert person.title in page.locator("main").inner_text()
    screenshot(page, "sign-in-home")

    page.reload()  # keyboard focus starts at the top of a freshly loaded page
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {cls: el.className, href: el.getAttribute("href"), text: el.textContent.trim(),
                    outline: style.outlineStyle, outlineWidth: style.outlineWidth,
                    top: box.top, bottom: box.bottom};
        }"""
    )
    assert focused["cls"] == "skip-link"
    assert focused["href"] == "#content"
    assert focused["outline"] != "none" and focused["outlineWidth"] != "0px"
    assert focused["bottom"] > 0, "the focused skip link must be on screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: "/account/login/" in url)
    page.goto("/")
    assert "/account/login/" in page.url
