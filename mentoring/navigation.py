"""The main navigation, built in Python: each item names the page it links to and the other
pages it covers, so `aria-current` is computed here ("page" on the item's own page, "true"
on a page beneath it) instead of being chained in base.html."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from mentoring.roles import Roles


def _everyone(roles: Roles, request: HttpRequest) -> bool:
    return True


def _employees(roles: Roles, request: HttpRequest) -> bool:
    return roles.employee is not None


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    # Other pages that belong under this item: URL names, or "namespace:*" for a whole app.
    covers: tuple[str, ...] = ()
    shown_to: Callable[[Roles, HttpRequest], bool] = _everyone
    counts_unread: bool = False

    def current(self, here: str) -> str:
        if here == self.url_name:
            return "page"
        namespace = here.rpartition(":")[0]
        if here in self.covers or (namespace and f"{namespace}:*" in self.covers):
            return "true"
        return ""


ITEMS: tuple[Item, ...] = (
    # The pages of mentoring shared with a manager or a senior leader are linked from home.
    Item(
        "Home",
        "home",
        covers=("confidentiality:shared_manager", "confidentiality:shared_leadership"),
    ),
    Item(
        "Programs",
        "programs:list",
        covers=(
            "programs:create",
            "programs:detail",
            "programs:edit",
            "programs:manage",
            "programs:apply",
            "programs:commitment",
            "programs:commitment_publish",
            "programs:session_create",
            "programs:program_resource_create",
            "pairings:program",
            "pairings:suggestions",
            "pairings:matching",
        ),
    ),
    Item(
        "My applications",
        "programs:my_applications",
        covers=("programs:application_edit", "programs:my_commitments", "programs:acceptance"),
        shown_to=_employees,
    ),
    Item(
        "My pairs",
        "pairings:mine",
        covers=(
            "pairings:space",
            "pairings:end",
            "pairings:meeting_create",
            "pairings:meeting_edit",
            "pairings:goal_create",
            "pairings:goal_edit",
            "confidentiality:agreement",
            "confidentiality:agreement_sign",
            "confidentiality:agreement_rules",
            "confidentiality:theme_add",
            "confidentiality:notes",
            "confidentiality:note",
            "confidentiality:note_edit",
        ),
        # F4: the group-only level (a President) is never in a one-to-one pair.
        shown_to=lambda roles, request: roles.employee is not None and not roles.is_group_only,
    ),
    Item(
        "Committee",
        "programs:committee_queue",
        covers=("programs:committee_application", "programs:vote", "programs:decide"),
        shown_to=lambda roles, request: roles.is_committee_member,
    ),
    Item(
        "Talent reviews",
        "reviews:list",
        covers=("reviews:*",),
        shown_to=lambda roles, request: roles.is_talent_team or roles.sits_on_panels,
    ),
    Item("Sessions", "programs:my_sessions", covers=("programs:session",), shown_to=_employees),
    Item("Resources", "programs:resources", covers=("programs:resource_create",)),
    Item("Tags", "programs:tags", shown_to=lambda roles, request: roles.is_coordinator),
    Item("Inbox", "inbox", counts_unread=True),
    Item(
        "Reports",
        "reports:overview",
        covers=("reports:*",),
        shown_to=lambda roles, request: roles.is_hr_admin,
    ),
    Item("Administration", "admin:index", shown_to=lambda roles, request: request.user.is_staff),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: str  # "page", "true" or ""
    unread: int = 0


def navigation_for(request: HttpRequest, roles: Roles) -> list[Link]:
    """The items this person sees, with the URL and aria-current of each for this page."""
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match is not None else ""
    return [
        Link(
            label=item.label,
            url=reverse(item.url_name),
            current=item.current(here),
            unread=roles.unread_count if item.counts_unread else 0,
        )
        for item in ITEMS
        if item.shown_to(roles, request)
    ]
