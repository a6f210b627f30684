"""Whom a coordinator may choose with the people picker (people/picker.py) when pinning a pair
before a matching run: an admitted mentor of the program, and an admitted mentoree with no
mentor in it yet and no pin.

Both sets are what the coordinator's own pages already show (the admitted participants, the
pairs, the pins). A mentor who sits on an open review of the mentoree is not left out: the
coordinator could not tell why, and must not (F3, F11). `pin_add` refuses the pair in the
register's neutral words. Other rules that depend on the pair (same management chain,
commitment not accepted, capacity) are refused there too, each in plain words.
"""

from django.db.models import Exists, OuterRef, QuerySet

from pairings.models import Pairing, Pin
from people.models import Employee, User
from people.picker import Purpose, active_employees
from programs.models import Application, Program
from programs.selectors import is_coordinator


def _program(user: User, within: object) -> Program | None:
    if isinstance(within, Program) and is_coordinator(user=user, program=within):
        return within
    return None


def _admitted(program: Program, role: str) -> Exists:
    return Exists(
        Application.objects.filter(
            program=program,
            applicant=OuterRef("pk"),
            role=role,
            status=Application.Status.ADMITTED,
        )
    )


def pin_mentor_candidates(*, user: User, within: object) -> QuerySet[Employee]:
    """The admitted mentors of `within` (a program the user coordinates)."""
    program = _program(user, within)
    if program is None:
        return Employee.objects.none()
    return active_employees().filter(_admitted(program, Application.Role.MENTOR))


def pin_mentoree_candidates(*, user: User, within: object) -> QuerySet[Employee]:
    """The admitted mentorees of `within` with no live pairing in it and no pin."""
    program = _program(user, within)
    if program is None:
        return Employee.objects.none()
    paired = Pairing.objects.filter(
        program=program, mentoree=OuterRef("pk"), status__in=Pairing.LIVE
    )
    pinned = Pin.objects.filter(program=program, mentoree=OuterRef("pk"))
    return (
        active_employees()
        .filter(_admitted(program, Application.Role.MENTOREE))
        .exclude(Exists(paired))
        .exclude(Exists(pinned))
    )


PIN_MENTOR = Purpose(name="pinned mentor", candidates=pin_mentor_candidates)
PIN_MENTOREE = Purpose(name="pinned mentoree", candidates=pin_mentoree_candidates)
PURPOSES = {"mentor": PIN_MENTOR, "mentoree": PIN_MENTOREE}
