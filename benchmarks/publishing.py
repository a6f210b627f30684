"""A synthetic proposal ready to publish, written with bulk inserts: for `manage.py
bench_publish` and for the tests that pin the publication's query count.

A program coordinated by one person (through the program service, so the grant is real),
`pairs` mentorees and about 0.6 x `pairs` mentors (capacity 1 or 2, exactly what their rows
take), all admitted and all having accepted the current commitment, in a reporting tree
(department heads, team managers, staff), and a finished matching run whose proposal holds
every pair, each allowed by every hard constraint. Some mentors sit on an open review of
another mentoree (not their own), so the register's check has rows to look through.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.utils import timezone

from firewall.models import ConflictEntry, ConflictKey
from pairings.models import MatchingRun, ProposedPair
from people.models import Employee, User
from programs.models import Application, CommitmentAcceptance, Program
from programs.selectors import commitment_current
from programs.services import program_create

DEPARTMENTS = ["Retail Banking", "Technology", "Operations", "Risk", "Finance", "Markets"]


def _people(tag: str, start: int, rows: list[dict]) -> list[Employee]:
    """Write users and employees for `rows` (level, department, manager_id), in bulk."""
    users = User.objects.bulk_create(
        [
            User(
                username=f"{tag}.{start + n}@bench.example",
                email=f"{tag}.{start + n}@bench.example",
                first_name=f"First{start + n}",
                last_name=f"Last{start + n}",
                password=UNUSABLE_PASSWORD_PREFIX + tag,  # unusable: no hashing per user
            )
            for n in range(len(rows))
        ],
        batch_size=2000,
    )
    return Employee.objects.bulk_create(
        [
            Employee(
                user=user,
                number=f"{tag}-{start + n}",
                first_name=user.first_name,
                last_name=user.last_name,
                email=user.email,
                title=row["title"],
                department=row["department"],
                level=row["level"],
                manager_id=row["manager_id"],
            )
            for n, (user, row) in enumerate(zip(users, rows, strict=True))
        ],
        batch_size=2000,
    )


def synthetic_proposal(*, pairs: int, seed: int = 2026) -> tuple[MatchingRun, User]:
    """A finished run of `pairs` proposable rows, and the coordinator who may publish it."""
    rng = random.Random(seed + pairs)  # noqa: S311 - reproducible synthetic data
    tag = f"p{pairs}x{rng.randrange(10**6)}"
    today = timezone.localdate()
    coordinator = _people(
        tag, 0, [{"title": "Coordinator", "department": "People", "level": 6, "manager_id": None}]
    )[0].user
    program = program_create(
        created_by=coordinator,
        coordinators=[coordinator],
        name=f"Publish bench {pairs}",
        slug=f"publish-{tag}",
        kind=Program.Kind.ONE_TO_ONE,
        description="Synthetic cohort for bench_publish.",
        applications_open_on=today - timedelta(days=30),
        applications_close_on=today - timedelta(days=1),
        starts_on=today,
        ends_on=today + timedelta(days=365),
    )
    Program.objects.filter(pk=program.pk).update(status=Program.Status.RUNNING)
    heads = _people(
        tag,
        1,
        [
            {
                "title": "Head",
                "department": d,
                "level": settings.GROUP_ONLY_LEVEL,
                "manager_id": None,
            }
            for d in DEPARTMENTS
        ],
    )
    managers = _people(
        tag,
        1 + len(heads),
        [
            {"title": "Manager", "department": h.department, "level": 8, "manager_id": h.pk}
            for h in heads
            for _ in range(5)
        ],
    )
    mentor_count = max(1, round(pairs * 0.6))
    start = 1 + len(heads) + len(managers)
    mentors = _people(
        tag,
        start,
        [
            {
                "title": "Staff",
                "department": (m := rng.choice(managers)).department,
                "level": rng.choice([6, 7]),
                "manager_id": m.pk,
            }
            for _ in range(mentor_count)
        ],
    )
    mentorees = _people(
        tag,
        start + mentor_count,
        [
            {
                "title": "Staff",
                "department": (m := rng.choice(managers)).department,
                "level": rng.choice([3, 4, 5]),
                "manager_id": m.pk,
            }
            for _ in range(pairs)
        ],
    )
    # Each mentor takes one row, and the first ones a second row, up to `pairs` rows.
    assigned = [mentors[n % mentor_count] for n in range(pairs)]
    seats: dict[int, int] = {}
    for mentor in assigned:
        seats[mentor.pk] = seats.get(mentor.pk, 0) + 1
    Application.objects.bulk_create(
        [
            Application(
                program=program,
                applicant=m,
                role=Application.Role.MENTOR,
                motivation="Synthetic.",
                status=Application.Status.ADMITTED,
                mentor_capacity=seats.get(m.pk, 1),
            )
            for m in mentors
        ]
        + [
            Application(
                program=program,
                applicant=e,
                role=Application.Role.MENTOREE,
                motivation="Synthetic.",
                status=Application.Status.ADMITTED,
            )
            for e in mentorees
        ],
        batch_size=2000,
    )
    commitment = commitment_current(program=program)
    if commitment is None:
        raise RuntimeError("program_create made no commitment")
    CommitmentAcceptance.objects.bulk_create(
        [
            CommitmentAcceptance(commitment=commitment, employee=p, text_hash=commitment.text_hash)
            for p in [*mentors, *mentorees]
        ],
        batch_size=2000,
    )
    # Open reviews: one mentor in fifty sits on the panel of somebody else's mentoree.
    reviewing = [
        (assigned[n].pk, mentorees[(n + 1) % pairs].pk)
        for n in range(0, pairs, 50)
        if pairs > 1 and assigned[n].pk != assigned[(n + 1) % pairs].pk
    ]
    keys = ConflictKey.objects.bulk_create(
        [ConflictKey(person_id=p, subject_id=s) for p, s in reviewing], batch_size=2000
    )
    ConflictEntry.objects.bulk_create(
        [ConflictEntry(key=k, kind=ConflictEntry.Kind.ASSESSING, reference=k.pk) for k in keys],
        batch_size=2000,
    )
    run = MatchingRun.objects.create(
        program=program,
        started_by=coordinator,
        status=MatchingRun.Status.DONE,
        progress=100,
        mentorees_considered=pairs,
        finished_at=timezone.now(),
    )
    ProposedPair.objects.bulk_create(
        [
            ProposedPair(run=run, mentor=mentor, mentoree=mentoree, score=rng.randint(20, 90))
            for mentor, mentoree in zip(assigned, mentorees, strict=True)
        ],
        batch_size=2000,
    )
    return run, coordinator
