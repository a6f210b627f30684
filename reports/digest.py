"""The coordinators' weekly digest: program figures in aggregate only (F6).

The figures are the dashboard's (reports.selectors): counts of applications and pairings, and
how many pairs met lately, counted only among pairs whose agreement lets the coordinator see
attendance and left out when fewer than five pairs share it. No name, note, goal or reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.messaging import absolute, message_schedule
from people.models import User
from programs.models import Application, Program
from programs.selectors import PUBLIC_STATUSES, coordinators_of
from reports.selectors import live_programs_coordinated_by, program_dashboard


@dataclass(frozen=True)
class ProgramFigures:
    name: str
    url: str  # the program's dashboard, absolute (for e-mail)
    status: str
    awaiting_decision: int
    applied_this_week: int
    admitted: int
    pairings: dict[str, int]
    attendance_pairs: int  # active pairs that share attendance with the coordinator
    met_recently: int | None  # of those, with a meeting in the last 30 days; None: too few


def program_figures(*, program: Program, now: datetime) -> ProgramFigures:
    dashboard = program_dashboard(program=program, now=now)
    funnel = dict(dashboard.funnel)
    return ProgramFigures(
        name=program.name,
        url=absolute(reverse("reports:dashboard", args=[program.slug])),
        status=program.get_status_display(),
        awaiting_decision=funnel[Application.Status.SUBMITTED.label],
        applied_this_week=program.applications.filter(
            submitted_at__gte=now - timedelta(days=7)
        ).count(),
        admitted=funnel[Application.Status.ADMITTED.label],
        pairings=dict(dashboard.pairings),
        attendance_pairs=dashboard.sharing_pairs,
        met_recently=dashboard.met_recently.part if dashboard.met_recently else None,
    )


def digest_figures(*, user: User, now: datetime | None = None) -> list[ProgramFigures]:
    """The figures of every live program the user coordinates, as they are now."""
    now = now or timezone.now()
    return [
        program_figures(program=program, now=now)
        for program in live_programs_coordinated_by(user=user)
    ]


def digests_plan(*, now: datetime | None = None) -> int:
    """Schedule this week's digest for every coordinator of a live program (one per person
    and ISO week, however often beat fires)."""
    now = now or timezone.now()
    year, week, _ = timezone.localtime(now).isocalendar()
    recipients: set[int] = set()
    for program in Program.objects.filter(status__in=PUBLIC_STATUSES):
        recipients.update(user.pk for user in coordinators_of(program=program))
    scheduled = 0
    with transaction.atomic():
        for user_id in sorted(recipients):
            scheduled += message_schedule(
                recipient=user_id, kind="weekly_digest", key=f"weekly-digest:{year}-W{week:02d}"
            )
    return scheduled
