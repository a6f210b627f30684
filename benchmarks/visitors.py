"""The simulated people of the scale-out rehearsal: who they are (the demo program's pairs, two
of its committee members, its coordinator and employees), how they sign in (once, through the
real form) and what they do (browse, log meetings, write notes, vote and decide, download
papers: the real forms with their CSRF tokens), and the mid-run check that a role removed
through one node is gone on the other at the very next request."""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import CommandError

from benchmarks.rehearsal import Browser, Tally, csrf_token
from benchmarks.topology import NODES
from demo.people import DEMO_PASSWORD
from pairings.models import Pairing
from people.models import Employee, User
from programs.models import Application, Program
from programs.selectors import committee_of, coordinators_of

PROGRAM_SLUG = "grow-2027"

_APPLICATION = re.compile(r"/programs/committee/applications/(\d+)/")
_PAPER = re.compile(r"/programs/resources/(\d+)/download/")
# The decision form's radio button the page checked: the committee's majority.
_MAJORITY = re.compile(r'<input[^>]*name="decision"[^>]*value="(\w+)"[^>]*\bchecked')


@dataclass
class Person:
    email: str
    role: str  # pair, committee, coordinator, employee
    pairing_id: int | None = None
    browser: Browser | None = None


def people_choose(wanted: int) -> tuple[list[Person], str]:
    """The pairs of the demo program, two committee members, the coordinator, and
    employees to make up the number. A third committee member is kept out of the load:
    the mid-run check removes and re-adds them."""
    program = Program.objects.filter(slug=PROGRAM_SLUG).first()
    if program is None:
        raise CommandError(f"The demo program {PROGRAM_SLUG} is missing: run with --seed.")
    committee = sorted(u.email for u in committee_of(program=program))
    coordinators = [u.email for u in coordinators_of(program=program)]
    if len(committee) < 2 or not coordinators:
        raise CommandError("The demo program needs two committee members and a coordinator.")
    probe = committee[-1]
    people: list[Person] = []
    for pairing in Pairing.objects.filter(
        program=program, status=Pairing.Status.ACTIVE
    ).select_related("mentor", "mentoree"):
        people.append(Person(pairing.mentor.email, "pair", pairing.pk))
        people.append(Person(pairing.mentoree.email, "pair", pairing.pk))
    people += [Person(email, "committee") for email in committee[:-1]]
    people.append(Person(coordinators[0], "coordinator"))
    taken = {p.email for p in people} | {probe}
    for employee in Employee.objects.filter(
        is_active=True, user__isnull=False, level__lt=settings.GROUP_ONLY_LEVEL
    ).order_by("pk")[: wanted + len(taken)]:
        if employee.email not in taken:
            people.append(Person(employee.email, "employee"))
    return people[:wanted], probe


def sign_in(browser: Browser, email: str, node: str) -> None:
    page = browser.get("/account/login/", node=node)
    response = browser.post(
        "/account/login/",
        {
            "csrfmiddlewaretoken": csrf_token(page.body),
            "username": email,
            "password": DEMO_PASSWORD,
        },
        node=node,
        action="sign-in",
    )
    if response.status != 302 or urlsplit(response.location).path.startswith("/account/"):
        raise CommandError(f"{email} could not sign in on node {node} ({response.status}).")
    browser.turn = NODES.index(node) + 1  # the next request goes to the other node


# --- What people do ------------------------------------------------------------------------


def browse(
    person: Person, stop_at: float, stopping: threading.Event, complain: Callable[[str], None]
) -> None:
    browser = person.browser
    assert browser is not None  # noqa: S101 - signed in above
    rng = random.Random(person.email)  # noqa: S311 - a load pattern, not a secret
    while not stopping.is_set() and time.monotonic() < stop_at:
        try:
            act(person, browser, rng, stop_at)
        except Exception as exc:  # a broken page must not stop the others
            complain(f"{person.email}: {exc!r}")
        stopping.wait(rng.uniform(0.3, 1.2))


def act(person: Person, browser: Browser, rng: random.Random, stop_at: float) -> None:
    common = ["/", "/programs/", "/inbox/"]
    if person.role == "pair":
        pk = person.pairing_id
        action = rng.choice(["browse", "browse", "browse", "meeting", "note"])
        if action == "meeting":
            page = browser.get(f"/pairings/{pk}/")
            browser.post(
                f"/pairings/{pk}/meetings/new/",
                {
                    "csrfmiddlewaretoken": csrf_token(page.body),
                    "starts_at": meeting_start(rng, stop_at),
                    "duration_minutes": "45",
                    "format": "video",
                },
                action="meeting",
            )
        elif action == "note":
            page = browser.get(f"/confidentiality/pairings/{pk}/notes/")
            browser.post(
                f"/confidentiality/pairings/{pk}/notes/",
                {
                    "csrfmiddlewaretoken": csrf_token(page.body),
                    "text": "Rehearsal note: what we agreed to try before next time.",
                    **({"shared": "on"} if rng.random() < 0.5 else {}),
                    "meeting": "",
                },
                action="note",
            )
        else:
            browser.get(
                rng.choice(
                    [
                        *common,
                        "/pairings/",
                        f"/pairings/{pk}/",
                        f"/confidentiality/pairings/{pk}/notes/",
                    ]
                )
            )
    elif person.role == "committee":
        queue = browser.get("/programs/committee/")
        ids = sorted(set(_APPLICATION.findall(queue.body)))
        if ids and rng.random() < 0.8:
            pk = rng.choice(ids)
            page = browser.get(f"/programs/committee/applications/{pk}/")
            decision = _MAJORITY.search(page.body)
            if decision is not None:
                # The quorum is met: record the majority's decision (the applicant is
                # told at once, a message due now).
                browser.post(
                    f"/programs/committee/applications/{pk}/decide/",
                    {
                        "csrfmiddlewaretoken": csrf_token(page.body),
                        "decision": decision.group(1),
                        "reason": "The committee's majority, in the rehearsal.",
                    },
                    action="decision",
                )
            elif 'name="choice"' in page.body and rng.random() < 0.6:
                browser.post(
                    f"/programs/committee/applications/{pk}/vote/",
                    {
                        "csrfmiddlewaretoken": csrf_token(page.body),
                        "choice": rng.choice(["admit", "admit", "waitlist"]),
                        "comment": "",
                    },
                    action="vote",
                )
        else:
            browser.get(rng.choice(common))
    elif person.role == "coordinator":
        browser.get(
            rng.choice(
                [
                    *common,
                    f"/programs/{PROGRAM_SLUG}/manage/",
                    f"/pairings/program/{PROGRAM_SLUG}/",
                    f"/reports/{PROGRAM_SLUG}/",
                ]
            )
        )
    else:
        page = browser.get(rng.choice([*common, "/programs/resources/", "/pairings/"]))
        papers = _PAPER.findall(page.body)
        if papers:
            # Uploaded once, served by either node: the media folder is shared, as the
            # compose file's volume (or object storage, docs/DESIGN.md) is.
            browser.request(
                "GET", f"/programs/resources/{rng.choice(papers)}/download/", action="download"
            )


# --- Checks --------------------------------------------------------------------------------


def coherence_check(
    ports: dict[str, int], probe_email: str, say: Callable[[str], None]
) -> list[tuple[str, bool]]:
    """Remove a committee member through node A; their very next request on node B must be
    refused (404). Add them back through node A; node B must serve them again."""
    program = Program.objects.get(slug=PROGRAM_SLUG)
    probe_tally = Tally(nodes=NODES)
    member = Browser(ports, probe_tally)
    sign_in(member, probe_email, "A")
    coordinator = Browser(ports, probe_tally)
    sign_in(coordinator, coordinators_of(program=program)[0].email, "B")
    queue = member.get("/programs/committee/", node="B")
    ids = {int(pk) for pk in _APPLICATION.findall(queue.body)}
    application = Application.objects.filter(program=program, pk__in=ids).order_by("pk").first()
    if application is None:
        return [("the probe member sees a Grow application", False)]
    path = f"/programs/committee/applications/{application.pk}/"
    member_id = User.objects.get(email=probe_email).pk
    before = member.get(path, node="B").status
    manage = coordinator.get(f"/programs/{PROGRAM_SLUG}/manage/", node="A")
    token = csrf_token(manage.body)
    removed = coordinator.post(
        f"/programs/{PROGRAM_SLUG}/committee/{member_id}/remove/",
        {"csrfmiddlewaretoken": token},
        node="A",
    ).status
    after_removal = member.get(path, node="B").status
    added = coordinator.post(
        f"/programs/{PROGRAM_SLUG}/committee/add/",
        {"csrfmiddlewaretoken": token, "email": probe_email},
        node="A",
    ).status
    after_adding = member.get(path, node="B").status
    say(
        f"  coherence: member on B {before}; removed on A ({removed}); member on B "
        f"{after_removal}; added on A ({added}); member on B {after_adding}"
    )
    return [
        (
            "a committee member removed on A is refused on B's next request",
            before == 200 and removed == 302 and after_removal == 404,
        ),
        ("added back on A, served on B's next request", added == 302 and after_adding == 200),
    ]


def meeting_start(rng: random.Random, stop_at: float) -> str:
    """A meeting a day and a few minutes ahead, in the site's time zone, to the minute: its
    day-before reminder comes due while the load still runs (or a week ahead near the end)."""
    left = stop_at - time.monotonic()
    now = datetime.now(ZoneInfo(settings.TIME_ZONE)).replace(second=0, microsecond=0)
    if left > 100:
        ahead = timedelta(days=1, minutes=rng.randint(2, max(2, int(left // 60))))
    else:
        ahead = timedelta(days=7, minutes=rng.randint(0, 600))
    return (now + ahead).strftime("%Y-%m-%dT%H:%M")
