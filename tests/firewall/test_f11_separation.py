"""F11 Separation of duties: whoever holds mentoring-side knowledge of a person never assesses
that person, and whoever sits on or runs an open review of a person takes no mentoring-side
role towards them.

Both directions are tables. Forward: each relation (current mentor, former mentor, coordinator
or committee member of a program the subject applied to, leader of a session the subject
registered for, a conflict HR declared) against each review action (create, sit, read the page,
the dossier and the recusal list, move, conclude, record the outcome), tried through HTTP by a
Talent team member who holds that relation. Reverse: an open seat, or running a review, against
each mentoring-side role (coordinator named by HR in the admin, committee member named by a
coordinator in the browser, pairing). Refusals use the register's neutral words and leave an
access event; races are run on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from firewall.models import AccessEvent, ConflictEntry
from firewall.register import conflict_declare, has_conflict
from pairings import services as pairing_services
from pairings.models import Pairing
from people.roles import HR_ADMINS, TALENT_TEAM
from people.services import user_add_to_role
from programs import selectors as program_selectors
from programs import services as program_services
from programs.models import Application, Program
from reviews import services as review_services
from reviews.models import PanelSeat, TalentReview
from tests.builders.pairings import accept_both, enrol_in, person, propose
from tests.builders.programs import apply
from tests.builders.reviews import main_content, move, plan_review, seat
from tests.firewall.races import race

RELATIONS = ["mentor", "former_mentor", "coordinator", "committee", "session_leader", "declared"]
NEUTRAL = "has a declared conflict of interest"


def _talent(user):
    user_add_to_role(user=user, role=TALENT_TEAM)
    return user


@pytest.fixture
def relation(program, committee, coordinator, committee_member, hr_admin):
    """`relation(kind)` -> (person: a User in the Talent team, subject: an Employee) where the
    person holds that mentoring-side relation with the subject, made the way the app makes it."""

    def _make(kind: str):
        subject = person(level=4, first_name="Subject")
        if kind in ("mentor", "former_mentor"):
            mentor = person(level=7, title="Director")
            enrol_in(program, committee, mentor, Application.Role.MENTOR, capacity=2)
            enrol_in(program, committee, subject, Application.Role.MENTOREE)
            pairing = accept_both(propose(program, mentor, subject, by=coordinator))
            if kind == "former_mentor":
                pairing_services.pairing_end(
                    pairing=pairing, by=subject, category=Pairing.EndCategory.GOALS_MET
                )
            return _talent(mentor.user), subject
        if kind == "coordinator":
            apply(subject, program)
            return _talent(coordinator), subject
        if kind == "committee":
            apply(subject, program)
            return _talent(committee_member), subject
        if kind == "session_leader":
            leader = person(level=9, title="Chief Risk Officer")
            enrol_in(program, committee, subject, Application.Role.MENTOREE)
            session = program_services.session_create(
                program=program,
                by=coordinator,
                leader=leader,
                title="Leading through change",
                starts_at=timezone.now() + timedelta(days=7),
                duration_minutes=90,
                location="Room 4",
                capacity=10,
            )
            program_services.session_register(session=session, employee=subject)
            return _talent(leader.user), subject
        if kind == "declared":
            someone = person(level=7)
            conflict_declare(person_id=someone.pk, subject_id=subject.pk, by=hr_admin)
            return _talent(someone.user), subject
        raise AssertionError(kind)

    return _make


def _refusals() -> int:
    return AccessEvent.objects.filter(
        action=AccessEvent.Action.RECUSAL, outcome=AccessEvent.Outcome.REFUSED
    ).count()


# --- Forward: a relation keeps its holder off every review of the subject -------------------


@pytest.mark.parametrize("kind", RELATIONS)
def test_f11_a_relation_cannot_create_a_review_of_the_subject(kind, relation, signed_in_client):
    who, subject = relation(kind)
    before = (TalentReview.objects.count(), _refusals())
    response = signed_in_client(who).post(
        reverse("reviews:create"),
        {
            "subject": subject.email,
            "cycle": "2027 mid-year",
            "scheduled_on": (timezone.localdate() + timedelta(days=20)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "You have a declared conflict of interest with the subject." in response.text
    assert TalentReview.objects.count() == before[0]
    assert _refusals() == before[1] + 1


@pytest.mark.parametrize("kind", RELATIONS)
def test_f11_a_relation_cannot_be_seated_on_a_review_of_the_subject(
    kind, relation, talent_reviewer, signed_in_client
):
    who, subject = relation(kind)
    review = plan_review(subject, by=talent_reviewer)
    before = _refusals()
    response = signed_in_client(talent_reviewer).post(
        reverse("reviews:seat_add", args=[review.pk]), {"member": who.email}
    )
    assert response.status_code == 400
    assert f"{who.employee.full_name} {NEUTRAL} with the subject." in response.text
    assert not PanelSeat.objects.filter(review=review, member=who.employee).exists()
    assert _refusals() == before + 1


@pytest.mark.parametrize("kind", RELATIONS)
@pytest.mark.parametrize("page", ["detail", "dossier", "recusals"])
def test_f11_a_relation_cannot_read_a_review_of_the_subject(
    kind, page, relation, talent_reviewer, signed_in_client
):
    """Even as a member of the Talent team, who reads every other review."""
    who, subject = relation(kind)
    review = plan_review(subject, by=talent_reviewer)
    client = signed_in_client(who)
    assert client.get(reverse(f"reviews:{page}", args=[review.pk])).status_code == 404
    listing = client.get(reverse("reviews:list"))
    assert listing.status_code == 200
    assert subject.full_name not in listing.text


@pytest.mark.parametrize("kind", RELATIONS)
@pytest.mark.parametrize("action", ["move", "conclude", "outcome", "seat_remove"])
def test_f11_a_relation_cannot_act_on_a_review_of_the_subject(
    kind, action, relation, talent_reviewer, signed_in_client
):
    who, subject = relation(kind)
    review = plan_review(subject, by=talent_reviewer)
    member = person(level=7)
    panel_seat = seat(review, member, by=talent_reviewer)
    if action in ("conclude", "outcome"):
        review = move(review, by=talent_reviewer, to=TalentReview.Status.IN_SESSION)
    client = signed_in_client(who)
    url, data = {
        "move": (reverse("reviews:transition", args=[review.pk]), {"to": "in_session"}),
        "conclude": (reverse("reviews:transition", args=[review.pk]), {"to": "concluded"}),
        "outcome": (
            reverse("reviews:outcome", args=[review.pk]),
            {"rating": "strong", "summary": "Written by someone who should not."},
        ),
        "seat_remove": (reverse("reviews:seat_remove", args=[review.pk, panel_seat.pk]), {}),
    }[action]
    status_before = review.status
    assert client.post(url, data).status_code == 404
    review.refresh_from_db()
    assert review.status == status_before
    assert review.rating == "" and review.summary == ""
    assert PanelSeat.objects.filter(pk=panel_seat.pk).exists()

    # The services refuse too, whoever calls them.
    with pytest.raises(ValidationError):
        if action == "outcome":
            review_services.outcome_record(review=review, by=who, rating="strong", summary="x")
        elif action == "seat_remove":
            review_services.seat_remove(seat=panel_seat, by=who)
        else:
            review_services.review_transition(review=review, by=who, to_status=data["to"])


def test_f11_a_recused_talent_team_member_who_was_refused_a_seat_cannot_move_the_review(
    relation, talent_reviewer, signed_in_client
):
    """The hole as found: a Talent team member who mentors X is refused a seat on X's review,
    then moves it to "in session" and records the outcome of her own mentoree."""
    who, subject = relation("mentor")
    review = plan_review(subject, by=talent_reviewer)
    with pytest.raises(ValidationError):
        seat(review, who, by=talent_reviewer)
    client = signed_in_client(who)
    assert (
        client.post(reverse("reviews:transition", args=[review.pk]), {"to": "in_session"})
    ).status_code == 404
    assert (
        client.post(reverse("reviews:outcome", args=[review.pk]), {"rating": "strong"})
    ).status_code == 404
    review.refresh_from_db()
    assert review.status == TalentReview.Status.PLANNED and review.rating == ""


def test_f11_the_subjects_own_application_takes_a_seated_committee_member_out_of_the_review(
    program, committee, committee_member, talent_reviewer, signed_in_client
):
    """Nobody's application waits on an assessor: the subject applies, and the committee
    member already seated on the subject's review is from then on out of it entirely. The
    review side's pages do not change (F2): nobody there learns that the subject applied."""
    subject = person(level=4)
    review = plan_review(subject, by=talent_reviewer)
    seat(review, committee_member, by=talent_reviewer)
    other = person(level=7)
    seat(review, other, by=talent_reviewer)
    client = signed_in_client(committee_member)
    assert client.get(reverse("reviews:detail", args=[review.pk])).status_code == 200
    pages = {
        who: [
            main_content(signed_in_client(who).get(reverse(f"reviews:{name}", args=[review.pk])))
            for name in ("detail", "recusals", "dossier")
        ]
        for who in (talent_reviewer, other.user)
    }

    apply(subject, program)

    for name in ("detail", "dossier", "recusals"):
        assert client.get(reverse(f"reviews:{name}", args=[review.pk])).status_code == 404
    for who, before in pages.items():
        after = [
            main_content(signed_in_client(who).get(reverse(f"reviews:{name}", args=[review.pk])))
            for name in ("detail", "recusals", "dossier")
        ]
        assert after[1:] == before[1:], who
        assert (committee_member.employee.full_name in after[0]) == (
            committee_member.employee.full_name in before[0]
        )
    with pytest.raises(ValidationError):
        review_services.outcome_record(
            review=move(review, by=talent_reviewer, to=TalentReview.Status.IN_SESSION),
            by=committee_member,
            rating="strong",
            summary="x",
        )


@pytest.mark.parametrize("kind", ["mentor", "coordinator", "declared"])
def test_f11_a_relation_does_not_see_the_review_in_the_admin_either(
    kind, relation, hr_admin, talent_reviewer, signed_in_client
):
    """The admin's review list, search and pages hide the reviews of a subject from whoever
    holds a mentoring-side relation with them, an HR admin or a superuser included."""
    who, subject = relation(kind)
    user_add_to_role(user=who, role=HR_ADMINS)
    review = plan_review(subject, by=talent_reviewer, cycle="Cycle-Hidden")
    client = signed_in_client(who)
    listing = client.get(reverse("admin:reviews_talentreview_changelist"))
    assert listing.status_code == 200 and "Cycle-Hidden" not in listing.text
    search = client.get(
        reverse("admin:reviews_talentreview_changelist") + f"?q={subject.last_name}"
    )
    assert "Cycle-Hidden" not in search.text
    page = client.get(reverse("admin:reviews_talentreview_change", args=[review.pk]))
    assert page.status_code in (302, 404) and "Cycle-Hidden" not in page.text
    # Someone without the relation still sees it.
    other = signed_in_client(hr_admin).get(reverse("admin:reviews_talentreview_changelist"))
    assert "Cycle-Hidden" in other.text


def test_f11_the_demo_data_seats_no_mentoring_side_relation_on_any_panel(db):
    call_command("seed_demo", verbosity=0)
    seats = list(PanelSeat.objects.select_related("review"))
    assert seats
    for panel_seat in seats:
        assert not has_conflict(
            person_id=panel_seat.member_id, subject_id=panel_seat.review.subject_id
        ), panel_seat


# --- Reverse: an open assessment keeps its holder from mentoring-side roles ------------------


@pytest.fixture
def assessor(program, talent_reviewer):
    """`assessor(how)` -> (person: a User, subject: an applicant of `program`) where the person
    sits on ("seat") or runs ("run") an open review of the subject."""

    def _make(how: str):
        subject = person(level=4)
        apply(subject, program)
        if how == "seat":
            member = person(level=7)
            seat(plan_review(subject, by=talent_reviewer), member, by=talent_reviewer)
            return member.user, subject
        runner = _talent(person(level=6).user)
        plan_review(subject, by=runner)
        return runner, subject

    return _make


@pytest.mark.parametrize("how", ["seat", "run"])
def test_f11_an_assessor_cannot_be_named_coordinator_in_the_admin(
    how, assessor, program, hr_admin, signed_in_client
):
    who, _ = assessor(how)
    client = signed_in_client(hr_admin)
    url = reverse("admin:programs_program_change", args=[program.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["coordinators"] = [str(u.pk) for u in program_selectors.coordinators_of(program=program)]
    data["coordinators"].append(str(who.pk))
    for name in ("applications_open_on", "applications_close_on", "starts_on", "ends_on"):
        if data.get(name):
            data[name] = str(data[name])
    before = _refusals()
    response = client.post(url, data)
    assert response.status_code == 200, response.status_code
    assert NEUTRAL in response.text
    assert who not in program_selectors.coordinators_of(program=program)
    assert _refusals() == before + 1


@pytest.mark.parametrize("how", ["seat", "run"])
def test_f11_an_assessor_cannot_join_the_committee(
    how, assessor, program, coordinator, signed_in_client
):
    who, _ = assessor(how)
    response = signed_in_client(coordinator).post(
        reverse("programs:committee_add", args=[program.slug]), {"member": who.email}, follow=True
    )
    assert NEUTRAL in response.text
    assert who not in program_selectors.committee_of(program=program)


@pytest.mark.parametrize("how", ["seat", "run"])
def test_f11_an_assessor_cannot_be_paired_with_the_subject(
    how, assessor, program, committee, coordinator
):
    who, subject = assessor(how)
    Application.objects.filter(applicant=subject).delete()
    enrol_in(program, committee, who.employee, Application.Role.MENTOR, capacity=2)
    enrol_in(program, committee, subject, Application.Role.MENTOREE)
    with pytest.raises(ValidationError) as exc_info:
        propose(program, who, subject, by=coordinator)
    assert NEUTRAL in " ".join(exc_info.value.messages)
    assert not Pairing.objects.filter(mentor=who.employee, mentoree=subject).exists()


def test_f11_once_the_review_concludes_the_assessor_may_take_a_role(
    program, coordinator, talent_reviewer
):
    subject = person(level=4)
    apply(subject, program)
    review = plan_review(subject, by=talent_reviewer)
    member = person(level=7)
    seat(review, member, by=talent_reviewer)
    with pytest.raises(ValidationError):
        program_services.committee_member_add(program=program, by=coordinator, user=member.user)
    review = move(review, by=talent_reviewer, to=TalentReview.Status.IN_SESSION)
    move(review, by=talent_reviewer, to=TalentReview.Status.CONCLUDED)
    program_services.committee_member_add(program=program, by=coordinator, user=member.user)
    assert member.user in program_selectors.committee_of(program=program)


def test_f11_every_role_grant_and_removal_is_an_access_event_naming_who_granted_it(
    program, coordinator
):
    member = person(level=7).user
    program_services.committee_member_add(program=program, by=coordinator, user=member)
    program_services.committee_member_remove(program=program, by=coordinator, user=member)
    events = list(AccessEvent.objects.filter(concerns=member, object_type="program").order_by("pk"))
    assert [(e.action, e.actor, e.detail, e.object_id) for e in events] == [
        (AccessEvent.Action.GRANT, coordinator, "committee member", program.pk),
        (AccessEvent.Action.REVOKE, coordinator, "committee member", program.pk),
    ]
    # The relation outlives the role: the member read the applications.
    assert (
        ConflictEntry.objects.filter(
            key__person=member.employee, kind=ConflictEntry.Kind.COMMITTEE
        ).exists()
        or not Application.objects.filter(program=program).exists()
    )


# --- Both at once: races on PostgreSQL ----------------------------------------------------------

ROUNDS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_f11_seat_and_committee_grant_racing_never_both_succeed(
    program, coordinator, talent_reviewer
):
    """Seat M on the review of an applicant S, and name M to the committee of S's program,
    at once, in either order: exactly one succeeds, every time."""
    bad = []
    for n in range(ROUNDS):
        subject = person(level=4)
        apply(subject, program)
        review = plan_review(subject, by=talent_reviewer)
        member = person(level=7)
        results = race(
            [
                (
                    "seat",
                    lambda r=review, m=member: review_services.seat_add(
                        review=r, member=m, by=talent_reviewer
                    ),
                ),
                (
                    "grant",
                    lambda m=member: program_services.committee_member_add(
                        program=Program.objects.get(pk=program.pk), by=coordinator, user=m.user
                    ),
                ),
            ]
        )
        seated = PanelSeat.objects.filter(review=review, member=member).exists()
        granted = member.user in program_selectors.committee_of(program=program)
        if sorted(map(str, results.values())) != ["ok", "refused"] or seated == granted:
            bad.append((n, results, seated, granted))
    assert not bad


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_f11_running_a_review_and_coordinating_racing_never_both_succeed(
    program, hr_admin, talent_reviewer
):
    """A Talent team member T creates a review of applicant S while an HR admin names T a
    coordinator of S's program: exactly one succeeds, every time."""
    bad = []
    for n in range(ROUNDS):
        subject = person(level=4)
        apply(subject, program)
        runner = _talent(person(level=6).user)
        results = race(
            [
                (
                    "run",
                    lambda s=subject, r=runner: review_services.review_create(
                        by=r,
                        subject=s,
                        cycle="2027",
                        scheduled_on=timezone.localdate() + timedelta(days=9),
                    ),
                ),
                (
                    "grant",
                    lambda r=runner: program_services.coordinator_add(
                        program=Program.objects.get(pk=program.pk), user=r, by=hr_admin
                    ),
                ),
            ]
        )
        ran = TalentReview.objects.filter(subject=subject, created_by=runner).exists()
        granted = runner in program_selectors.coordinators_of(program=program)
        if sorted(map(str, results.values())) != ["ok", "refused"] or ran == granted:
            bad.append((n, results, ran, granted))
    assert not bad


def test_f13_every_participant_sees_who_holds_a_role_in_the_program_and_since_when(
    program, committee, coordinator, mentoree, signed_in_client
):
    apply(mentoree.employee, program)
    page = signed_in_client(mentoree).get(reverse("programs:detail", args=[program.slug]))
    assert page.status_code == 200
    holders = {(h.role, h.name): h.since for h in page.context["role_holders"]}
    assert ("Coordinator", coordinator.get_full_name()) in holders
    for member in committee:
        since = holders[("Committee member", member.get_full_name())]
        assert since is not None and since.date() == timezone.localdate()
    assert "Who can read what participants share" in page.text


def test_f13_nobody_names_themselves_to_a_role_that_reads_mentoring_content(
    program, coordinator, hr_admin
):
    with pytest.raises(ValidationError) as exc_info:
        program_services.committee_member_add(program=program, by=coordinator, user=coordinator)
    assert exc_info.value.code == "self_grant"
    assert coordinator not in program_selectors.committee_of(program=program)
    with pytest.raises(ValidationError) as exc_info:
        program_services.coordinator_add(program=program, user=hr_admin, by=hr_admin)
    assert exc_info.value.code == "self_grant"
    assert hr_admin not in program_selectors.coordinators_of(program=program)
    assert (
        not AccessEvent.objects.filter(
            action=AccessEvent.Action.GRANT,
            concerns__in=[coordinator, hr_admin],
            detail__in=["committee member", "coordinator"],
            object_id=program.pk,
            at__gt=program.created_at,
        )
        .exclude(actor=None)
        .filter(actor__in=[hr_admin])
        .exists()
    )
