"""One refusal type and the ways a page shows it.

A service that will not do something raises `refuse(message, code)`: a ValidationError in
words a coordinator understands, with a code tests and views can tell apart. A field-level
refusal is a ValidationError with a dict. Views show it next to the form's fields where it
names them, otherwise at the top of the form or as a message on the next page.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def refuse(message: str, code: str) -> ValidationError:
    """What a service raises when it will not act: the reason in words, and a code."""
    return ValidationError(message, code=code)


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """The refusal on the form: per field where it names one the form has, otherwise at the
    top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def show_refusal(request: HttpRequest, exc: ValidationError) -> None:
    """The refusal, in its own words, as messages on the next page."""
    for message in exc.messages:
        messages.error(request, message)


def show_refusal_on_form(request: HttpRequest, form: forms.Form, exc: ValidationError) -> None:
    """Field errors next to their fields; a refusal of the whole action as a page message,
    so it shows even where the form itself is not offered again."""
    if hasattr(exc, "error_dict"):
        add_service_errors(form, exc)
    else:
        show_refusal(request, exc)
