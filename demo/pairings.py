"""Demo pairings for North Bank: pairs in every status, meetings over the last months and
goals, built through the services so every rule and permission holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from demo.people import demo_employee
from demo.programs import EXEC_SLUG, GROW_SLUG
from pairings import services
from pairings.models import Pairing
from pairings.selectors import suggestions_for
from people.models import Employee
from programs.models import Application, Program
from programs.selectors import commitment_is_accepted


def _admitted(program: Program, role: str) -> list[Employee]:
    return [
        a.applicant
        for a in program.applications.filter(role=role, status=Application.Status.ADMITTED)
        .select_related("applicant__user")
        .order_by("pk")
    ]


def _best_partner(program: Program, mentoree: Employee, exclude: set[int]) -> Employee | None:
    for suggestion in suggestions_for(program=program, mentoree=mentoree, limit=50):
        if suggestion.mentor.pk not in exclude:
            return suggestion.mentor
    return None


@transaction.atomic
def load_demo_pairings(*, sign: Callable[..., None]) -> bool:
    """Create the demo pairings once; returns False when they already exist.

    `sign(pairing, *members)` has the members sign the pair's agreement: the agreement is the
    app above's (demo.confidentiality.sign), so seed_demo hands it in."""
    grow = Program.objects.filter(slug=GROW_SLUG).first()
    executive = Program.objects.filter(slug=EXEC_SLUG).first()
    if grow is None or executive is None or Pairing.objects.exists():
        return False
    coordinator = demo_employee("coordinator").user
    now = timezone.now().replace(second=0, microsecond=0)
    grow = Program.objects.get(pk=grow.pk)

    # The named pair: active, meeting every two weeks for three months, with goals.
    mentor, mentoree = demo_employee("mentor"), demo_employee("mentoree")
    pairing = services.pairing_propose(
        program=grow, mentor=mentor, mentoree=mentoree, by=coordinator, score=80
    )
    services.pairing_accept(pairing=pairing, by=mentor)
    services.pairing_accept(pairing=pairing, by=mentoree)
    sign(pairing, mentor, mentoree)
    pairing = Pairing.objects.get(pk=pairing.pk)
    for weeks_ago in (12, 10, 8, 6, 4, 2):
        services.meeting_log(
            pairing=pairing,
            by=mentoree,
            starts_at=now - timedelta(weeks=weeks_ago, hours=3),
            duration_minutes=60,
            format="video" if weeks_ago % 4 else "in_person",
        )
    services.meeting_log(
        pairing=pairing,
        by=mentor,
        starts_at=now + timedelta(days=5, hours=2),
        duration_minutes=45,
        format="in_person",
    )
    for title, status in (
        ("Speak up with confidence in the quarterly architecture review", "in_progress"),
        ("Build a network outside Technology", "achieved"),
        ("Decide whether to move towards a director role", "open"),
    ):
        goal = services.goal_create(pairing=pairing, by=mentoree, title=title)
        services.goal_set_status(goal=goal, by=mentoree, status=status)

    # Other Grow pairs: active, proposed, ended (two categories). The rest stay unmatched,
    # ready for the coordinator's matching run.
    mentees = [m for m in _admitted(grow, "mentoree") if m.pk != mentoree.pk]
    used: set[int] = {mentor.pk}
    plans = ["active", "active", "proposed", "proposed", "ended:goals_met", "ended:schedule"]
    for mentee, plan in zip(mentees, plans, strict=False):
        partner = _best_partner(grow, mentee, used)
        if partner is None:
            continue
        used.add(partner.pk)
        pair = services.pairing_propose(
            program=grow, mentor=partner, mentoree=mentee, by=coordinator, notify=True
        )
        if plan == "proposed":
            services.pairing_accept(pairing=pair, by=partner)
            continue
        services.pairing_accept(pairing=pair, by=partner)
        services.pairing_accept(pairing=pair, by=mentee)
        sign(pair, partner, mentee)
        pair = Pairing.objects.get(pk=pair.pk)
        services.meeting_log(
            pairing=pair,
            by=partner,
            starts_at=now - timedelta(weeks=3, hours=1),
            duration_minutes=60,
            format="video",
        )
        if plan.startswith("ended:"):
            services.pairing_end(pairing=pair, by=mentee, category=plan.split(":")[1])

    # The executive program: a pair that accepted the match; the mentor signed the
    # agreement, the mentoree has yet to sign it.
    exec_mentors = _admitted(executive, "mentor")
    exec_mentees = [
        m
        for m in _admitted(executive, "mentoree")
        if commitment_is_accepted(employee=m, program=executive)
    ]
    if exec_mentors and exec_mentees:
        pair = services.pairing_propose(
            program=executive,
            mentor=exec_mentors[0],
            mentoree=exec_mentees[0],
            by=coordinator,
        )
        services.pairing_accept(pairing=pair, by=exec_mentors[0])
        services.pairing_accept(pairing=pair, by=exec_mentees[0])
        sign(pair, exec_mentors[0])
    return True
