"""Form widgets made in Python where Django's template-made ones cost too much.

Django renders a `<select>` through its form templates: one template for the select, one
per option and one for each element's attributes. The notes page offers a pair's last 50
meetings: 2.6 ms of the page for one field. `QuickSelect` makes the same HTML in one pass
(every value and label escaped); a test holds it equal to Django's `Select`.

`QuickRender` does the same for a plain `<input>` or `<textarea>` (two templates each, 0.2 ms
a field; the pair's space shows six): byte for byte what Django's own templates write, a
test holds them equal; a widget with any other template is left to Django.
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


_INPUT = "django/forms/widgets/input.html"
_INPUTS = {_INPUT} | {
    f"django/forms/widgets/{kind}.html"
    for kind in ("text", "number", "email", "url", "password", "date", "datetime", "time")
}
_TEXTAREA = "django/forms/widgets/textarea.html"


class QuickRender(forms.Widget):
    """Mixed into an `Input` or `Textarea` widget: rendered in Python, as Django's
    input.html and textarea.html (with attrs.html) render it."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        template = getattr(self, "template_name", "")
        if template not in _INPUTS and template != _TEXTAREA:
            return super().render(name, value, attrs, renderer)
        widget = self.get_context(name, value, attrs)["widget"]
        value = widget["value"]
        if template == _TEXTAREA:
            text = conditional_escape(value) if value else ""
            html = (
                f'<textarea name="{conditional_escape(widget["name"])}"'
                f"{_attributes(widget['attrs'])}>\n{text}</textarea>"
            )
        else:
            # `stringformat:'s'` keeps a safe value safe; anything else is escaped.
            shown_value = value if isinstance(value, str) else str(value)
            shown = "" if value is None else f' value="{conditional_escape(shown_value)}"'
            html = (
                f'<input type="{conditional_escape(widget["type"])}"'
                f' name="{conditional_escape(widget["name"])}"{shown}'
                f"{_attributes(widget['attrs'])}>"
            )
        # Every value, name and attribute is escaped above.
        return SafeString(html)


class QuickTextInput(QuickRender, forms.TextInput):
    pass


class QuickNumberInput(QuickRender, forms.NumberInput):
    pass


class QuickTextarea(QuickRender, forms.Textarea):
    pass
