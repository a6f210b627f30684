"""Who a coordinator may choose with the people picker (people/picker.py) on the program's
pages: committee members and session leaders.

Both sets leave out only what the coordinator's own pages show: people who can no longer
sign in, the coordinator themselves for the committee (nobody names themselves), and who
already sits on it. Someone who sits on or runs an open review of an applicant stays in the
list: leaving them out would tell the mentoring side something only the review side knows.
The service refuses them in neutral words and records the attempt (F11).
"""

from django.db.models import OuterRef, QuerySet

from people.models import Employee, User
from people.picker import Purpose, active_employees
from programs.models import Program
from programs.selectors.permissions import _grants, is_coordinator


def committee_candidates(*, user: User, within: object) -> QuerySet[Employee]:
    """Active employees the coordinator of `within` (a program) may add to its committee."""
    if not isinstance(within, Program) or not is_coordinator(user=user, program=within):
        return Employee.objects.none()
    member = _grants("review_applications", program=within.pk, user=OuterRef("user_id"))
    return active_employees().exclude(user_id=user.pk).filter(~member)


def leader_candidates(*, user: User, within: object) -> QuerySet[Employee]:
    """Active employees a coordinator of `within` (a program) may name to lead a session."""
    if not isinstance(within, Program) or not is_coordinator(user=user, program=within):
        return Employee.objects.none()
    return active_employees()


COMMITTEE_MEMBER = Purpose(name="committee member", candidates=committee_candidates)
SESSION_LEADER = Purpose(name="session leader", candidates=leader_candidates)
