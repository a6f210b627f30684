"""The people picker's search, as each app's search view answers it (people has no pages of
its own): the app checks the chooser's permission for its form, then hands over here."""

import re
from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from people.models import User
from people.picker import PICKER_LIMIT, Purpose, people_choosable

# The id of the box the options are for (a form field's HTML id): anything else is dropped.
_FOR = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,79}")


def person_choices(
    request: HttpRequest, *, purpose: Purpose, within: object = None
) -> HttpResponse:
    """The listbox's options for what was typed (GET: `for`, the box's id; `name`, the
    field's name, whose value is the text), and how many were found for the status region.
    Never cached: the set changes as people join and leave."""
    box = request.GET.get("for", "")
    box = box if _FOR.fullmatch(box) else "person"
    name = request.GET.get("name", "q")
    query = request.GET.get(name, "") if name not in ("for", "name") else ""
    found = people_choosable(
        user=cast(User, request.user),  # sign-in is required on every page (middleware)
        purpose=purpose,
        within=within,
        query=query,
        limit=PICKER_LIMIT + 1,
    )
    response = render(
        request,
        "people/person_choices.html",
        {
            "people": found[:PICKER_LIMIT],
            "more": len(found) > PICKER_LIMIT,
            "for": box,
            "query": query.strip(),
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response
