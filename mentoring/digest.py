"""The coordinators' weekly digest: program figures in aggregate only (F6).

No name, no note, no goal, no reason: counts of applications and pairings, and how many pairs
met lately, counted only among pairs whose agreement lets the coordinator see attendance, and
left out when fewer than five pairs share it (so no one pair can be singled out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from pairings.models import Meeting, Pairing
from pairings.selectors import pairing_status_counts
from people.models import User
from people.services import message_schedule
from programs.models import Application, Program
from programs.selectors import PUBLIC_STATUSES, coordinated_programs, coordinators_of, status_counts

SMALL_GROUP = 5


@dataclass(frozen=True)
class ProgramFigures:
    name: str
    slug: str
    status: str
    awaiting_decision: int
    applied_this_week: int
    admitted: int
    pairings: dict[str, int]
    attendance_pairs: int  # active pairs that share attendance with the coordinator
    met_recently: int | None  # of those, with a meeting in the last 30 days; None: too few


def program_figures(*, program: Program, now: datetime) -> ProgramFigures:
    applications = status_counts(program=program)
    shares = Q(agreement__in_force_coordinator_rule__in=("attendance", "themes"))
    active_sharing = Pairing.objects.filter(shares, program=program, status=Pairing.Status.ACTIVE)
    met = Meeting.objects.filter(
        pairing=OuterRef("pk"), starts_at__gte=now - timedelta(days=30), starts_at__lte=now
    )
    sharing = active_sharing.count()
    met_recently = active_sharing.filter(Exists(met)).count() if sharing >= SMALL_GROUP else None
    return ProgramFigures(
        name=program.name,
        slug=program.slug,
        status=program.get_status_display(),
        awaiting_decision=applications[Application.Status.SUBMITTED],
        applied_this_week=program.applications.filter(
            submitted_at__gte=now - timedelta(days=7)
        ).count(),
        admitted=applications[Application.Status.ADMITTED],
        pairings={
            Pairing.Status(status).label: n
            for status, n in pairing_status_counts(program=program).items()
        },
        attendance_pairs=sharing,
        met_recently=met_recently,
    )


def digest_figures(*, user: User, now: datetime | None = None) -> list[ProgramFigures]:
    """The figures of every live program the user coordinates, as they are now."""
    now = now or timezone.now()
    programs = coordinated_programs(user=user).filter(status__in=PUBLIC_STATUSES).order_by("name")
    return [program_figures(program=program, now=now) for program in programs]


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
