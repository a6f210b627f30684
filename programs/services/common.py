"""What the program services share: the role names and the coordinator check."""

from __future__ import annotations

from core.refusals import refuse
from people.models import User
from programs import selectors
from programs.models import (
    Program,
)

COORDINATE = "coordinate_program"
REVIEW = "review_applications"


def require_coordinator(*, user: User, program: Program) -> None:
    """Refuses anyone but a coordinator of the program (every coordinator-only write asks)."""
    if not selectors.is_coordinator(user=user, program=program):
        raise refuse("Only a coordinator of this program can do that.", "not_coordinator")
