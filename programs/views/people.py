"""The people picker's searches on the program's pages (people/views.py renders them): a
coordinator of the program only; any other program is a 404."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from people.views import person_choices
from programs import selectors
from programs.selectors.picker import COMMITTEE_MEMBER, SESSION_LEADER


@require_safe
def people_committee(request: HttpRequest, slug: str) -> HttpResponse:
    """Whom the coordinator may add to the committee, for what they typed."""
    program = selectors.program_get_for_coordinator(user=request.user, slug=slug)
    return person_choices(request, purpose=COMMITTEE_MEMBER, within=program)


@require_safe
def people_leader(request: HttpRequest, slug: str) -> HttpResponse:
    """Whom the coordinator may name to lead a session of the program."""
    program = selectors.program_get_for_coordinator(user=request.user, slug=slug)
    return person_choices(request, purpose=SESSION_LEADER, within=program)
