"""Whom the Talent team may choose with the people picker (people/picker.py): the subject of a
new review, and the members of a review's panel.

Both lists hold every active employee but what the Talent team's own pages already show:
themselves as a subject, and for a panel the subject and who already sits on it.

People with a conflict of interest with the subject (a current or former mentor, a coordinator
or committee member of a program the subject applied to, a session leader, a declared
conflict) are listed too, on purpose. Leaving them out would tell whoever can search that
some conflict exists, without a trace: the list would answer "does X have a conflict with
the subject?" for any X, silently. Listed, they are refused by `seat_add` in the register's
neutral words ("has a declared conflict of interest with the subject"), which never says
which relation it is; the attempt is recorded as an access event and the person appears on
the recusal list, as before the picker (F3, F11). The same holds for a subject the chooser
may not assess: `review_create` refuses and records it.
"""

from django.db.models import QuerySet

from people.models import Employee, User
from people.picker import Purpose, active_employees
from reviews.models import PanelSeat, TalentReview
from reviews.selectors import is_talent_team


def subject_candidates(*, user: User, within: object = None) -> QuerySet[Employee]:
    """Active employees the Talent team may plan a review of (not themselves)."""
    if not is_talent_team(user=user):
        return Employee.objects.none()
    return active_employees().exclude(user_id=user.pk)


def panel_candidates(*, user: User, within: object) -> QuerySet[Employee]:
    """Active employees who may be seated on `within`, a review: not its subject, not who
    already sits on it. Who may seat people, and on which reviews, `seat_add` says in its
    own words (only the Talent team; not once the review has concluded); the search view
    serves the Talent team only."""
    if not isinstance(within, TalentReview):
        return Employee.objects.none()
    seated = PanelSeat.objects.filter(review=within).values("member_id")
    return active_employees().exclude(pk=within.subject_id).exclude(pk__in=seated)


REVIEW_SUBJECT = Purpose(name="review subject", candidates=subject_candidates)
PANEL_MEMBER = Purpose(name="panel member", candidates=panel_candidates)
