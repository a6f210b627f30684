"""Who may act on a pair's meetings and goals, and when: the two members, while it runs."""

from __future__ import annotations

from core.refusals import refuse
from pairings.models import Pairing
from people.models import Employee

ENDED_WORDS = (
    "This pairing has ended: its meetings and goals stay here as they were and can no longer "
    "change."
)


def member_role(pairing: Pairing, employee: Employee) -> str:
    """ "mentor" or "mentoree"; anyone else is refused."""
    if employee.pk == pairing.mentor_id:
        return "mentor"
    if employee.pk == pairing.mentoree_id:
        return "mentoree"
    raise refuse("Only the two members of the pair can do that.", "not_member")


def require_active(pairing: Pairing) -> None:
    """Meetings and goals change only while the pairing is active; after its end they are
    frozen, and the refusal says so."""
    if pairing.status == Pairing.Status.ENDED:
        raise refuse(ENDED_WORDS, "ended")
    if pairing.status != Pairing.Status.ACTIVE:
        raise refuse(
            "Meetings and goals start once the pairing is active: both of you accepted the "
            "match and the agreement is in place.",
            "not_active",
        )
