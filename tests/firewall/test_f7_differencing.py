"""F7 against differencing: no page, export or e-mail lets a coordinator tie an ending category
to a pairing.

A coordinator sees every pair by name with its status. Any count per category that moves when
one pair ends tells them why that pair ended: read the page, wait for a pair to turn "Ended",
read it again. So categories are counted only per calendar month that is over (in the site's
time zone), and only for a month with at least five endings; the current month is never
broken down. Everything reads them through one selector,
`pairings.selectors.ending_categories_by_month`.

The differencing test reads everything a coordinator (and an HR admin) can read about the
program, ends one pairing, and reads it all again, once for every category (each in a
savepoint rolled back before the next): whatever changed, it is byte for byte the same
whatever the category, so the change follows from the pair's status alone; and the endings
themselves did not change at all.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from notifications.messaging import email_for, kind
from notifications.models import Message
from pairings import services as pairing_services
from pairings.models import Pairing
from pairings.selectors import ending_categories_by_month
from tests.builders.pairings import accept_both, log_meeting, propose
from tests.builders.programs import join_program, make_program
from tests.factories import EmployeeFactory

CATEGORIES = list(Pairing.EndCategory.values)
LABELS = dict(Pairing.EndCategory.choices)
NOT_BROKEN_DOWN = "Fewer than five endings: not broken down"


# --- Building the history -------------------------------------------------------------------


def month_start(months_back: int, now: datetime | None = None) -> datetime:
    """The first instant of the calendar month `months_back` before the current one, in the
    site's time zone."""
    local = timezone.localtime(now or timezone.now(), timezone.get_default_timezone())
    year, month = divmod(local.year * 12 + local.month - 1 - months_back, 12)
    start = datetime(year, month + 1, 1)  # naive: made aware in the site's zone below
    return timezone.make_aware(start, timezone.get_default_timezone())


def new_pair(program, coordinator) -> Pairing:
    mentor = join_program(program, coordinator, "mentor", capacity=1)
    return accept_both(propose(program, mentor, join_program(program, coordinator), by=coordinator))


def end(pairing: Pairing, category: str) -> Pairing:
    return pairing_services.pairing_end(pairing=pairing, by=pairing.mentoree, category=category)


def ended_in(program, coordinator, categories, *, at: datetime | None) -> list[Pairing]:
    """Pairings that ended, one per category given, through the service; then, for a past
    month, their ending moved to `at` (the history of a program that ran for months: the
    service stamps the present, and nothing else here travels in time)."""
    pairings = [end(new_pair(program, coordinator), category) for category in categories]
    if at is not None:
        Pairing.objects.filter(pk__in=[p.pk for p in pairings]).update(ended_at=at)
    return pairings


@pytest.fixture
def program(coordinator):
    return make_program(coordinator=coordinator)


@pytest.fixture
def history(program, coordinator):
    """Two months ago: six endings (broken down). Last month: three (not broken down). This
    month so far: four."""
    ended_in(
        program,
        coordinator,
        ["fit", "fit", "schedule", "goals_met", "other", "fit"],
        at=month_start(2) + timedelta(days=10, hours=12),
    )
    ended_in(program, coordinator, ["fit", "goals_met", "role_change"], at=month_start(1))
    ended_in(program, coordinator, ["fit", "fit", "schedule", "other"], at=None)
    return program


def two_months_ago_counts() -> list[tuple[str, int]]:
    counts = {"fit": 3, "schedule": 1, "goals_met": 1, "role_change": 0, "other": 1}
    return [(label, counts[value]) for value, label in Pairing.EndCategory.choices]


# --- Everything a coordinator and an HR admin read about the program ------------------------

_VOLATILE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
    (re.compile(r"Figures as of [^<]*"), "Figures as of"),
]


def _stable(text: str) -> str:
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def _body(response) -> str:
    assert response.status_code == 200, response
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return _stable(raw.decode())


def _digest(user) -> str:
    """The weekly digest e-mail as it would go to `user` now, text and HTML."""
    message = Message(recipient=user, kind="weekly_digest", key="weekly-digest:test")
    email = email_for(message, kind("weekly_digest").render(message))
    return _stable(email.body + "".join(html for html, _ in email.alternatives))


def read_everything(program, coordinator, hr_admin, signed_in_client) -> dict[str, str]:
    coordinating = signed_in_client(coordinator)
    hr = signed_in_client(hr_admin)
    pages = {
        "pairings page": reverse("pairings:program", args=[program.slug]),
        "pairings page, ended": reverse("pairings:program", args=[program.slug]) + "?status=ended",
        "manage page": reverse("programs:manage", args=[program.slug]),
        "dashboard": reverse("reports:dashboard", args=[program.slug]),
        **{
            f"{what} export": reverse(f"reports:export_{what}", args=[program.slug])
            for what in ("participants", "meetings", "figures")
        },
    }
    seen = {name: _body(coordinating.get(url)) for name, url in pages.items()}
    seen["dashboard, HR"] = _body(hr.get(pages["dashboard"]))
    seen["figures export, HR"] = _body(hr.get(pages["figures export"]))
    seen["overview, HR"] = _body(hr.get(reverse("reports:overview")))
    seen["digest"] = _digest(coordinator)
    return seen


def _section(html: str, heading_id: str) -> str:
    [section] = re.findall(
        rf'<section aria-labelledby="{heading_id}".*?</section>', html, flags=re.S
    )
    return section


def endings_of(seen: dict[str, str]) -> dict[str, object]:
    """The parts that show how pairings ended."""

    def rows(text: str) -> list[list[str]]:
        return [r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if r[0] == "endings"]

    return {
        "pairings page": _section(seen["pairings page"], "ended-heading"),
        "pairings page, ended": _section(seen["pairings page, ended"], "ended-heading"),
        "dashboard": _section(seen["dashboard"], "endings-heading"),
        "dashboard, HR": _section(seen["dashboard, HR"], "endings-heading"),
        "figures export": rows(seen["figures export"]),
        "figures export, HR": rows(seen["figures export, HR"]),
    }


@pytest.fixture
def no_dashboard_cache(settings):
    """Every read computes the figures afresh: a cached dashboard would hide a change."""
    settings.REPORTS_CACHE_SECONDS = 0


@pytest.mark.parametrize("threshold", [False, True], ids=["a first ending", "a fifth ending"])
def test_f7_one_pairing_ending_moves_no_category_count_anywhere(
    threshold, program, coordinator, hr_admin, signed_in_client, no_dashboard_cache
):
    """F7: the coordinator reads every page, export and e-mail of the program, one pair ends,
    and they read again. Done for each category, the second reading is byte-identical from
    one category to the next, and the endings shown are those of the first reading. With
    `threshold`, four pairings already ended this month and this is the fifth, the point
    where a live count once started breaking them down."""
    ended_in(program, coordinator, CATEGORIES, at=month_start(1) + timedelta(days=3))
    if threshold:
        ended_in(program, coordinator, ["fit", "goals_met", "schedule", "other"], at=None)
    pair = new_pair(program, coordinator)
    log_meeting(pair, days=-2)
    for _ in range(5):  # others still active, so that every figure has something to show
        log_meeting(new_pair(program, coordinator), days=-3)
    before = read_everything(program, coordinator, hr_admin, signed_in_client)

    after: dict[str, dict[str, str]] = {}
    for category in CATEGORIES:
        savepoint = transaction.savepoint_create()
        end(Pairing.objects.get(pk=pair.pk), category)
        after[category] = read_everything(program, coordinator, hr_admin, signed_in_client)
        transaction.savepoint_rollback(savepoint)

    first = after[CATEGORIES[0]]
    assert first["pairings page"] != before["pairings page"]  # the pair's status did change
    for category in CATEGORIES[1:]:
        for name, text in after[category].items():
            assert text == first[name], f"{name} after a {category!r} ending differs"
    assert endings_of(first) == endings_of(before)
    for name, text in first.items():
        for label in LABELS.values():
            # Last month (all five categories, one each) is broken down; nothing else is.
            if name in ("pairings page", "pairings page, ended", "dashboard", "dashboard, HR"):
                assert text.count(f"<td>{label}</td>") == 1, (name, label)
            elif name.startswith("figures export"):
                assert text.count(f": {label},") == 1, (name, label)
            else:
                assert label not in text, (name, label)


def test_f7_closed_months_with_five_endings_are_broken_down_with_the_right_counts(
    history, coordinator, signed_in_client
):
    months = ending_categories_by_month(program=history, user=coordinator)

    assert [m.month for m in months] == [month_start(1).date(), month_start(2).date()]
    last, earlier = months
    assert (last.categories, last.total) == (None, None)
    assert earlier.categories == two_months_ago_counts()
    assert earlier.total == 6
    assert earlier.label == month_start(2).strftime("%B %Y")

    html = (
        signed_in_client(coordinator)
        .get(reverse("pairings:program", args=[history.slug]))
        .content.decode()
    )
    section = _section(html, "ended-heading")
    assert earlier.label in section
    for label, count in two_months_ago_counts():
        assert re.search(
            rf"<td>{re.escape(label)}</td>\s*<td class=\"numeric\">{count}</td>", section
        ), label


def test_f7_a_closed_month_with_fewer_than_five_endings_is_not_broken_down(
    history, coordinator, hr_admin, signed_in_client
):
    label = month_start(1).strftime("%B %Y")
    for user in (coordinator, hr_admin):
        client = signed_in_client(user)
        dashboard = client.get(reverse("reports:dashboard", args=[history.slug])).content.decode()
        section = _section(dashboard, "endings-heading")
        assert re.search(
            rf"<th scope=\"row\">{label}</th>\s*<td colspan=\"2\" class=\"muted\">"
            rf"{NOT_BROKEN_DOWN}</td>",
            section,
        )
        figures = b"".join(
            client.get(reverse("reports:export_figures", args=[history.slug])).streaming_content
        ).decode()
        assert f"endings,{label},not broken down (fewer than 5 endings)" in figures
        assert f"endings,{label}: " not in figures


def test_f7_the_current_month_is_never_broken_down(
    program, coordinator, signed_in_client, no_dashboard_cache
):
    """Ten endings this month: not a figure anywhere until the month is over."""
    ended_in(program, coordinator, CATEGORIES * 2, at=None)

    assert ending_categories_by_month(program=program, user=coordinator) == []
    client = signed_in_client(coordinator)
    for name in ("pairings:program", "reports:dashboard"):
        html = client.get(reverse(name, args=[program.slug])).content.decode()
        for label in LABELS.values():
            assert label not in html, (name, label)
        assert "No pairing ended in a month that is over." in html
    figures = b"".join(
        client.get(reverse("reports:export_figures", args=[program.slug])).streaming_content
    ).decode()
    assert [line for line in figures.splitlines() if line.startswith("endings,")] == [
        "endings,the current month,never broken down"
    ]

    next_month = month_start(-1) + timedelta(minutes=1)
    [month] = ending_categories_by_month(program=program, user=coordinator, now=next_month)
    assert month.month == month_start(0).date()
    assert month.categories == [(label, 2) for label in LABELS.values()]


def test_f7_months_are_calendar_months_of_the_sites_time_zone(program, coordinator, settings):
    """Half past eleven (UTC) on 30 June is already July in London (BST): those endings are
    July's, broken down only once July is over there."""
    assert settings.TIME_ZONE == "Europe/London"
    at = datetime(2025, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC"))
    ended_in(program, coordinator, CATEGORIES, at=at)
    london = ZoneInfo("Europe/London")

    in_july = datetime(2025, 7, 31, 23, 59, tzinfo=london)
    assert ending_categories_by_month(program=program, user=coordinator, now=in_july) == []
    august = datetime(2025, 8, 1, 0, 0, tzinfo=london)
    [month] = ending_categories_by_month(program=program, user=coordinator, now=august)
    assert (month.label, month.total) == ("July 2025", 5)


@pytest.mark.parametrize("who", ["other_coordinator", "outsider", "superuser", "mentor"])
def test_f7_only_the_programs_coordinators_and_hr_admins_read_the_endings(who, request, history):
    if who == "other_coordinator":
        user = EmployeeFactory(level=6).user
        make_program(coordinator=user, slug="other-2027", name="Other 2027")
    else:
        user = request.getfixturevalue(who)
    with pytest.raises(Http404):
        ending_categories_by_month(program=history, user=user)


def test_f7_nothing_but_the_one_selector_counts_ending_categories():
    """Every count of ending categories goes through ending_categories_by_month: no other
    module of the apps reads `end_category` (the model declares it, the ending service
    writes it)."""
    allowed = {
        Path("pairings/models.py"),
        Path("pairings/services.py"),
        Path("pairings/selectors.py"),
    }
    base = Path(settings.BASE_DIR)
    readers = []
    for app in (
        "core",
        "mentoring",
        "notifications",
        "people",
        "firewall",
        "programs",
        "pairings",
        "confidentiality",
        "reviews",
        "demo",
        "benchmarks",
    ):
        for path in (base / app).rglob("*"):
            relative = path.relative_to(base)
            if "migrations" in relative.parts or path.suffix not in (".py", ".html", ".txt"):
                continue
            if "end_category" in path.read_text() and relative not in allowed:
                readers.append(str(relative))
    for path in (base / "reports").rglob("*"):
        if path.suffix in (".py", ".html", ".txt") and "end_category" in path.read_text():
            readers.append(str(path.relative_to(base)))
    for path in (base / "templates").rglob("*"):
        if path.is_file() and "end_category" in path.read_text():
            readers.append(str(path.relative_to(base)))
    assert not readers, readers
    selectors_text = (base / "pairings/selectors.py").read_text()
    assert selectors_text.count("end_category") == 1  # in ending_categories_by_month
