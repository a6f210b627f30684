"""Search and filters of a list page, the same on every list: a plain GET form (text search,
program, status) that works without JavaScript and that htmx enhances (the results region
alone is sent back, `wants_region`).

A filter only ever narrows what the page's selector already allows: the choices offered are
the user's own (their programs, the model's statuses), and a value outside them is dropped
with a calm message, never an error page. The same words whether a program does not exist
or exists out of the user's sight, so the message tells nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from core.widgets import QuickSelect, QuickTextInput

MAX_SEARCH = 100  # characters of the search kept; more is cut, not refused
MAX_TERMS = 5  # words searched; each must match one of the fields

UNKNOWN_STATUS = "There is no such status; every status is shown."
UNKNOWN_PROGRAM = "That is not one of your programs; all of yours are shown."


@dataclass
class Filters:
    """The filters asked for, each one already checked: '' when not asked for or dropped."""

    q: str = ""
    program: str = ""
    status: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.q or self.program or self.status)

    @property
    def terms(self) -> list[str]:
        return self.q.split()[:MAX_TERMS]


@dataclass(frozen=True)
class FilteredList:
    """A filtered list: its rows (a queryset or a sequence to page), how many match and how
    many there are without the filters (counted together in one query where the selector can)."""

    rows: QuerySet | Any  # or any list the paginator can slice (given the count)
    shown: int
    total: int


class ListFilterForm(forms.Form):
    """The form of one list: `programs` and `statuses` are (value, label) pairs; a field whose
    choices are None is left out of the form."""

    q = forms.CharField(required=False, strip=True)

    def __init__(
        self,
        data: QueryDict,
        *,
        search_label: str,
        search_help: str,
        programs: Sequence[tuple[str, str]] | None = None,
        statuses: Sequence[tuple[str, str]] | None = None,
        status_label: str = "Status",
    ) -> None:
        super().__init__(data, auto_id="filter_%s")  # ids apart from other forms of the page
        self.fields["q"].label = search_label
        self.fields["q"].help_text = search_help
        self.fields["q"].widget = QuickTextInput(
            attrs={"type": "search", "autocomplete": "off", "aria-describedby": "filter_q_hint"}
        )
        # The words of each choice, for saying what was filtered (`list_context`).
        self.labels: dict[str, dict[str, str]] = {}
        if programs is not None:
            self.labels["program"] = {value: str(label) for value, label in programs}
            self.fields["program"] = forms.ChoiceField(
                required=False,
                label="Program",
                choices=[("", "All your programs"), *programs],
                widget=QuickSelect,
            )
        if statuses is not None:
            self.labels["status"] = {value: str(label) for value, label in statuses}
            self.fields["status"] = forms.ChoiceField(
                required=False,
                label=status_label,
                choices=[("", "Any"), *statuses],
                widget=QuickSelect,
            )

    def filters(self) -> Filters:
        """What was asked for, minus whatever is not one of the choices (with why)."""
        self.is_valid()
        chosen = Filters(q=" ".join(str(self.data.get("q", "")).split())[:MAX_SEARCH])
        for name, problem in (("program", UNKNOWN_PROGRAM), ("status", UNKNOWN_STATUS)):
            if name not in self.fields:
                continue
            if name in self.errors:
                chosen.problems.append(problem)
            else:
                setattr(chosen, name, self.cleaned_data.get(name) or "")
        return chosen


def read_filters(request: HttpRequest, **form_options) -> tuple[ListFilterForm, Filters]:
    form = ListFilterForm(request.GET, **form_options)
    return form, form.filters()


def search_condition(terms: Iterable[str], fields: Sequence[str]) -> Q:
    """Every word matches one of `fields` (case-insensitive, anywhere in the field). Callers
    pass only fields that are no secret: names, e-mail, number, department, program name;
    never a motivation, a goal or a note."""
    words = list(terms)
    if not words:
        return Q()
    return reduce(
        and_,
        (reduce(or_, (Q(**{f"{name}__icontains": word}) for name in fields)) for word in words),
    )


def wants_region(request: HttpRequest, region: str) -> bool:
    """An htmx request for the results region alone (not a history restore, which wants the
    whole page)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-History-Restore-Request") != "true"
        and headers.get("HX-Target") == region
    )


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    """The same address answers a whole page or a region: caches must keep them apart."""
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def render_list(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The whole page, or for htmx only its `results` partial (the element whose id is the
    context's `region`, set by `list_context`)."""
    if wants_region(request, context["region"]):
        return vary_on_htmx(
            render(request, f"{template}#results", {**context, "region_only": True})
        )
    return vary_on_htmx(render(request, template, context))


def list_context(
    *, form: ListFilterForm, filters: Filters, page, total: int, noun: str, nouns: str, region: str
) -> dict:
    """What the list templates (templates/includes/list_filters.html, list_count.html,
    list_empty.html) read: the form, the count shown of all, and the filters in words."""
    return {
        "filter_form": form,
        "filters": filters,
        "page": page,
        "shown": page.paginator.count,
        "total": total,
        "noun": noun,
        "nouns": nouns,
        "region": region,
        "filters_in_words": _in_words(form, filters),
    }


def _label(form: ListFilterForm, name: str, value: str) -> str:
    return form.labels.get(name, {}).get(value, value)


def _in_words(form: ListFilterForm, filters: Filters) -> str:
    """'“aisha”, in Leadership 2026, with the status Submitted'."""
    parts = []
    if filters.q:
        parts.append(f"“{filters.q}”")
    if filters.program:
        parts.append(f"in {_label(form, 'program', filters.program)}")
    if filters.status:
        parts.append(f"with the status {_label(form, 'status', filters.status)}")
    return ", ".join(parts)
