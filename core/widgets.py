"""Form widgets made in Python where Django's template-made ones cost too much.

Django renders a `<select>` through its form templates: one template for the select, one
per option and one for each element's attributes. The notes page offers a pair's last 50
meetings: 2.6 ms of the page for one field. `QuickSelect` makes the same HTML in one pass
(every value and label escaped); a test holds it equal to Django's `Select`. `QuickInput`
does the same for a text input (two templates and a loop over its attributes: the search
field of every list page), held equal to Django's `TextInput`.
"""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString


def _attributes(attrs: dict) -> str:
    """What django/forms/widgets/attrs.html writes: `True` as a bare name, `False` left out."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(out)


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [
            f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>'
        ]
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'<option value="{conditional_escape(str(option["value"]))}"'
                    f"{_attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>"
                )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        # Every value, label and attribute is escaped above.
        return SafeString("".join(parts))


class QuickInput(forms.TextInput):
    """A text input (or `type` in attrs: search, e-mail...) made as input.html makes it."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = widget["value"]
        value_attribute = "" if shown is None else f' value="{conditional_escape(str(shown))}"'
        # Every value and attribute is escaped.
        return SafeString(
            f'<input type="{conditional_escape(widget["type"])}"'
            f' name="{conditional_escape(widget["name"])}"'
            f"{value_attribute}{_attributes(widget['attrs'])}>"
        )
