"""Reading a program's cohort from the database, as the solver and the services need it.

The reads of whole-cohort matching: `load_cohort` gives the plain `Cohort` the pure solver
(`pairings.matching.solver`) works on, in a fixed number of queries whatever the cohort size:
available mentors with their capacity left, mentorees without a mentor, their tags, the pins
and the whole manager map, from which the management-chain exclusions are computed in Python.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery

from firewall.register import open_assessments
from pairings.matching.scores import Cohort, PinRequest
from pairings.matching.solver import apply_pins
from pairings.models import Pairing, Pin
from pairings.scoring import Participant
from people.models import Employee
from people.selectors import MAX_CHAIN_DEPTH
from programs.models import Application, Commitment, CommitmentAcceptance, Program


def _chain_limit() -> int:
    depth = settings.PAIRING_CHAIN_DEPTH
    return MAX_CHAIN_DEPTH if depth is None else max(0, min(depth, MAX_CHAIN_DEPTH))


def _ancestors(employee_id: int, managers: dict[int, int | None], limit: int) -> list[int]:
    """Managers of the employee, nearest first, up to `limit` levels (a cycle stops the walk)."""
    chain: list[int] = []
    seen = {employee_id}
    current = managers.get(employee_id)
    while current is not None and len(chain) < limit and current not in seen:
        chain.append(current)
        seen.add(current)
        current = managers.get(current)
    return chain


def chain_exclusions(
    *, mentor_ids: Sequence[int], mentoree_ids: Sequence[int], managers: dict[int, int | None]
) -> set[tuple[int, int]]:
    """(mentor, mentoree) pairs where one is in the other's management chain, or the same person.

    Same rule as people.selectors.in_management_chain, to settings.PAIRING_CHAIN_DEPTH levels,
    computed from the manager map instead of one query per pair.
    """
    limit = _chain_limit()
    mentors, mentorees = set(mentor_ids), set(mentoree_ids)
    forbidden = {(person, person) for person in mentors & mentorees}
    for mentoree in mentorees:
        for boss in _ancestors(mentoree, managers, limit):
            if boss in mentors:
                forbidden.add((boss, mentoree))
    for mentor in mentors:
        for boss in _ancestors(mentor, managers, limit):
            if boss in mentorees:
                forbidden.add((mentor, boss))
    return forbidden


def _full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def load_cohort(*, program: Program) -> Cohort:
    """The program's matchable cohort, in five queries whatever its size.

    Mentors: admitted, active, below the group-only level (F4), current commitment accepted
    (F5), with capacity left after their live pairings. Mentorees: admitted, active, current
    commitment accepted, no live pairing in the program. Pins are read as they are and checked
    when the cohort is solved.
    """
    current = Commitment.objects.filter(program=program).order_by("-version").values("pk")[:1]
    accepted = CommitmentAcceptance.objects.filter(
        commitment_id=Subquery(current), employee=OuterRef("applicant")
    )
    applications = list(
        Application.objects.filter(
            program=program, status=Application.Status.ADMITTED, applicant__is_active=True
        )
        .filter(Exists(accepted))
        .order_by("pk")
        .values_list(
            "pk",
            "role",
            "mentor_capacity",
            "applicant_id",
            "applicant__first_name",
            "applicant__last_name",
            "applicant__department",
            "applicant__level",
            "applicant__location",
        )
    )
    live_as_mentor: dict[int, int] = {}
    paired_mentorees: set[int] = set()
    for mentor_id, mentoree_id in Pairing.objects.filter(
        program=program, status__in=Pairing.LIVE
    ).values_list("mentor_id", "mentoree_id"):
        live_as_mentor[mentor_id] = live_as_mentor.get(mentor_id, 0) + 1
        paired_mentorees.add(mentoree_id)
    tags: dict[int, set[int]] = {}
    for application_id, tag_id in Application.tags.through.objects.filter(
        application__program=program, application__status=Application.Status.ADMITTED
    ).values_list("application_id", "tag_id"):
        tags.setdefault(application_id, set()).add(tag_id)
    managers: dict[int, int | None] = dict(Employee.objects.values_list("pk", "manager_id"))
    pins = [
        PinRequest(
            mentor_id=row[0],
            mentoree_id=row[1],
            mentor_name=_full_name(row[2], row[3]),
            mentoree_name=_full_name(row[5], row[6]),
            mentor_group_only=row[4] >= settings.GROUP_ONLY_LEVEL,
        )
        for row in Pin.objects.filter(program=program)
        .order_by("created_at", "pk")
        .values_list(
            "mentor_id",
            "mentoree_id",
            "mentor__first_name",
            "mentor__last_name",
            "mentor__level",
            "mentoree__first_name",
            "mentoree__last_name",
        )
    ]

    mentors: list[Participant] = []
    mentorees: list[Participant] = []
    for pk, role, capacity, employee_id, first, last, department, level, location in applications:
        left = 0
        if role == Application.Role.MENTOR:
            if level >= settings.GROUP_ONLY_LEVEL:
                continue
            left = (capacity or program.default_mentor_capacity) - live_as_mentor.get(
                employee_id, 0
            )
            if left <= 0:
                continue
        elif employee_id in paired_mentorees:
            continue
        participant = Participant(
            employee_id=employee_id,
            name=_full_name(first, last),
            department=department,
            level=level,
            location=location,
            tags=frozenset(tags.get(pk, ())),
            capacity_left=left,
        )
        (mentors if role == Application.Role.MENTOR else mentorees).append(participant)
    forbidden = chain_exclusions(
        mentor_ids=[p.employee_id for p in mentors],
        mentoree_ids=[p.employee_id for p in mentorees],
        managers=managers,
    )
    # F3, the reverse direction: no pair while the mentor sits on an open review of the
    # mentoree (one query; the register's yes-or-no, for the whole cohort at once).
    forbidden |= open_assessments(
        person_ids=[p.employee_id for p in mentors],
        subject_ids=[p.employee_id for p in mentorees],
    )
    return Cohort(
        mentors=mentors,
        mentorees=mentorees,
        forbidden=forbidden,
        pins=pins,
        program_id=program.pk,
    )


def pin_problems(*, program: Program) -> list[str]:
    """Why any of the program's pins would be ignored by a run started now, in words.

    Reads the whole cohort (five queries): for the matching page until the run row can keep
    the problems its solve reported.
    """
    return apply_pins(load_cohort(program=program)).problems


def load_participant(*, program: Program, employee: Employee, role: str) -> Participant:
    """One participant as matching sees them (tags of their admission, mentor's room left)."""
    application = (
        Application.objects.filter(
            program=program, applicant=employee, role=role, status=Application.Status.ADMITTED
        )
        .prefetch_related("tags")
        .first()
    )
    tags = frozenset(t.pk for t in application.tags.all()) if application else frozenset()
    left = 0
    if application is not None and role == Application.Role.MENTOR:
        live = Pairing.objects.filter(
            program=program, mentor=employee, status__in=Pairing.LIVE
        ).count()
        left = (application.mentor_capacity or program.default_mentor_capacity) - live
    return Participant(
        employee_id=employee.pk,
        name=employee.full_name,
        department=employee.department,
        level=employee.level,
        location=employee.location,
        tags=tags,
        capacity_left=left,
    )
