"""Views of the committee: the queue, one application, votes and decisions."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.timezone import localtime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from core.addresses import address_for_each
from core.dates import date_words
from core.listing import list_context, read_filters, render_list
from core.pages import paginate
from core.refusals import show_refusal_on_form
from programs import selectors, services
from programs.forms import (
    DecisionForm,
    VoteForm,
)
from programs.models import Application, Program


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One application as the queue shows it, made in Python: the template only places the
    words (25 rows of lookups, a filter and an address each were most of the page)."""

    url: str
    applicant: str
    title: str
    department: str
    program: str
    role: str
    submitted: str
    votes: int
    quorum: int
    voted: bool


_ROLES = dict(Application.Role.choices)


def _queue_rows(entries: Iterable[selectors.QueueEntry]) -> list[QueueRow]:
    url = address_for_each("programs:committee_application")
    return [
        QueueRow(
            url=url(entry.pk),
            applicant=entry.applicant,
            title=entry.title,
            department=entry.department,
            program=entry.program,
            role=_ROLES.get(entry.role, entry.role)
            if entry.program_kind != Program.Kind.GROUP
            else "Participant",
            submitted=date_words(localtime(entry.submitted_at), "j M Y"),
            votes=entry.vote_count,
            quorum=entry.quorum_votes,
            voted=bool(entry.voted),
        )
        for entry in entries
    ]


@require_safe
def committee_queue(request: HttpRequest) -> HttpResponse:
    programs = selectors.committee_programs_for_filter(user=request.user)
    if not programs:
        raise Http404("Not on any committee")
    form, filters = read_filters(
        request,
        search_label="Search applicants",
        search_help="Name, e-mail, employee number or department.",
        programs=[(slug, name) for _, slug, name in programs],
        statuses=selectors.QUEUE_VOTE_CHOICES,
        status_label="Your vote",
    )
    queue = selectors.committee_queue_filtered(
        user=request.user,
        program_ids=[pk for pk, _, _ in programs],
        program_id=next((pk for pk, slug, _ in programs if slug == filters.program), None),
        search=filters.terms,
        vote=filters.status,
    )
    page = paginate(request, queue.rows, count=queue.shown)
    page.object_list = _queue_rows(page.object_list)
    context = list_context(
        form=form,
        filters=filters,
        page=page,
        total=queue.total,
        noun="application",
        nouns="applications",
        region="queue-results",
    )
    return render_list(request, "programs/committee_queue.html", context)


def _committee_context(request: HttpRequest, application: Application, **extra):
    program = application.program
    user = request.user
    is_member = selectors.is_committee_member(user=user, program=program)
    is_coordinator = selectors.is_coordinator(user=user, program=program)
    tally = selectors.vote_tally(application=application)
    my_vote = selectors.vote_of(application=application, user=user)
    small = selectors.eligible_committee_size(application=application) < program.quorum_votes
    can_decide = application.status in Application.UNDECIDED and (
        tally.majority is not None
        or (is_coordinator and (small or application.status == Application.Status.WAITLISTED))
    )
    return {
        "application": application,
        "program": program,
        "tally": tally,
        "votes": selectors.votes_for(application=application),
        "is_member": is_member,
        "is_coordinator": is_coordinator,
        "small_committee": small,
        "can_vote": is_member and application.status == Application.Status.SUBMITTED,
        "can_decide": can_decide,
        "vote_form": extra.pop("vote_form", None)
        or VoteForm(
            initial={"choice": my_vote.choice, "comment": my_vote.comment} if my_vote else None
        ),
        "decision_form": extra.pop("decision_form", None)
        or DecisionForm(initial={"decision": tally.majority}),
        "my_vote": my_vote,
        **extra,
    }


@never_cache
@require_safe
def committee_application(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_committee(user=request.user, pk=pk)
    return render(
        request,
        "programs/committee_application.html",
        _committee_context(request, application),
    )


@never_cache
@require_POST
def application_vote(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_committee(user=request.user, pk=pk)
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            services.vote_cast(
                application=application,
                voter=request.user,
                choice=form.cleaned_data["choice"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            show_refusal_on_form(request, form, exc)
        else:
            messages.success(request, "Your vote was recorded.")
            return redirect("programs:committee_application", pk=application.pk)
    return render(
        request,
        "programs/committee_application.html",
        _committee_context(request, application, vote_form=form),
        status=400,
    )


@never_cache
@require_POST
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_committee(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.application_decide(
                application=application,
                by=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            show_refusal_on_form(request, form, exc)
        else:
            messages.success(request, "The decision was recorded and the applicant told.")
            return redirect("programs:committee_application", pk=application.pk)
    return render(
        request,
        "programs/committee_application.html",
        _committee_context(request, application, decision_form=form),
        status=400,
    )
