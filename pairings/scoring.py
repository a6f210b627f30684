"""How well a mentor suits a mentoree: one score from 0 to 100 and the reasons in words.

The same rules serve the suggestions for one mentoree (this module, row by row) and the
whole-cohort matching (pairings/matching/scores.py, vectorised over the cohort); a test holds
the two equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

POINTS_PER_SHARED_TAG = 15
MAX_SHARED_TAGS = 3
POINTS_OTHER_DEPARTMENT = 20
POINTS_GAP_CLOSE = 20  # mentor 1 to 3 grades more senior
POINTS_GAP_WIDE = 10  # mentor 4 or more grades more senior
POINTS_ROOM_LEFT = 5  # mentor has room for more than one more mentoree
POINTS_SAME_LOCATION = 10
MAX_SCORE = (
    POINTS_PER_SHARED_TAG * MAX_SHARED_TAGS
    + POINTS_OTHER_DEPARTMENT
    + POINTS_GAP_CLOSE
    + POINTS_ROOM_LEFT
    + POINTS_SAME_LOCATION
)


@dataclass(frozen=True)
class Participant:
    """A participant as matching sees them: directory facts and application tags."""

    employee_id: int
    name: str
    department: str
    level: int
    location: str
    tags: frozenset[int] = field(default_factory=frozenset)
    capacity_left: int = 0  # mentors only


def score_pair(
    mentor: Participant, mentoree: Participant, tag_names: Mapping[int, str] | None = None
) -> tuple[int, list[str]]:
    """The score of a (mentor, mentoree) pair that the hard constraints allow, and why."""
    tag_names = tag_names or {}
    score, reasons = 0, []
    shared = sorted(mentor.tags & mentoree.tags)
    if shared:
        counted = min(len(shared), MAX_SHARED_TAGS)
        score += POINTS_PER_SHARED_TAG * counted
        names = ", ".join(tag_names.get(t, f"topic {t}") for t in shared)
        reasons.append(f"Shared goals and expertise: {names}")
    if mentor.department != mentoree.department:
        score += POINTS_OTHER_DEPARTMENT
        reasons.append(f"From another department ({mentor.department}): a view from outside")
    gap = mentor.level - mentoree.level
    if 1 <= gap <= 3:
        score += POINTS_GAP_CLOSE
        reasons.append(f"{gap} grade(s) more senior: experienced and still close to your role")
    elif gap >= 4:
        score += POINTS_GAP_WIDE
        reasons.append(f"{gap} grades more senior: a view from much higher up")
    if mentor.capacity_left > 1:
        score += POINTS_ROOM_LEFT
        reasons.append(f"Has room for {mentor.capacity_left} more mentorees")
    if mentor.location and mentor.location == mentoree.location:
        score += POINTS_SAME_LOCATION
        reasons.append(f"Also based in {mentor.location}")
    return score, reasons
