"""Hard constraints on a new pairing, by every path that makes one.

`pairings.services.pairing_refusals` is the one check; the paths are the service
`pairing_propose`, the coordinator's propose POST (`pairings:propose`) and the publication of a
matching run (`pairings.matching.matching_run_publish`). Every refusal names its rule and
changes nothing. The rules: not the same person; both admitted in the right role; the mentor
has a seat left; nobody mentors their own management chain; no group-only executive as a
one-to-one mentor (F4); one live pairing per mentoree and program; both accepted the current
program commitment (F5).
"""

from __future__ import annotations

import html
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from pairings import matching, services
from pairings.models import MatchingRun, Pairing, ProposedPair
from people.models import Employee
from programs import services as program_services
from programs.models import Application
from tests.builders.pairings import (
    NEW_COMMITMENT_TEXT,
    RULE_WORDS,
    accept_both,
    flash_messages,
    person,
    propose,
    refusal_text,
    row_counts,
)
from tests.builders.programs import apply

# --- Helpers -----------------------------------------------------------------------------------


def manage(manager: Employee, report: Employee) -> None:
    """A reporting line, as the HRIS import sets it."""
    report.manager = manager
    report.save(update_fields=["manager"])


def promote(employee: Employee, level: int) -> Employee:
    """A promotion arriving from the HRIS after admission."""
    Employee.objects.filter(pk=employee.pk).update(level=level)
    employee.refresh_from_db()
    return employee


def assert_refused(program, mentor, mentoree, rule, *, by=None):
    """The service refuses with the rule's words, and no row changes."""
    before = row_counts()
    with pytest.raises(ValidationError) as refusal:
        propose(program, mentor, mentoree, by=by)
    assert RULE_WORDS[rule] in refusal_text(refusal), refusal_text(refusal)
    assert row_counts() == before
    return refusal_text(refusal)


# --- One scenario per rule, shared by every path ---------------------------------------------

RULES = list(RULE_WORDS)


@pytest.fixture
def breaking(
    program,
    coordinator,
    enrol,
    new_mentor,
    new_mentoree,
    mentor,
    mentoree,
    other_mentor,
):
    """`breaking(rule)` -> (mentor, mentoree) Employees that break exactly that rule."""

    def _breaking(rule: str) -> tuple[Employee, Employee]:
        m, e = mentor.employee, mentoree.employee
        if rule == "self":
            enrol(e)
            return e, e
        if rule == "mentor_admitted":
            # Admitted, but as a mentoree (not admitted people are tested below).
            enrol(m, Application.Role.MENTOREE)
            enrol(e)
            return m, e
        if rule == "mentoree_admitted":
            # Admitted, but as a mentor.
            enrol(m, Application.Role.MENTOR)
            enrol(other_mentor, Application.Role.MENTOR)
            return m, other_mentor.employee
        if rule == "group_only":
            enrol(m, Application.Role.MENTOR)
            enrol(e)
            return promote(m, settings.GROUP_ONLY_LEVEL), e
        if rule == "chain":
            enrol(m, Application.Role.MENTOR)
            enrol(e)
            manage(m, e)
            return m, e
        if rule == "capacity":
            enrol(m, Application.Role.MENTOR, capacity=1)
            enrol(e)
            propose(program, m, new_mentoree(), by=coordinator)
            return m, e
        if rule == "live":
            enrol(m, Application.Role.MENTOR)
            enrol(other_mentor, Application.Role.MENTOR)
            enrol(e)
            propose(program, other_mentor, e, by=coordinator)
            return m, e
        if rule == "commitment":
            enrol(m, Application.Role.MENTOR)
            enrol(e, accept=False)
            return m, e
        raise AssertionError(rule)

    return _breaking


@pytest.mark.parametrize("rule", RULES)
def test_service_refuses_a_pairing_that_breaks_a_rule_and_names_it(
    rule, breaking, program, coordinator
):
    mentor, mentoree = breaking(rule)

    message = assert_refused(program, mentor, mentoree, rule, by=coordinator)

    # Only the broken rule is named: each scenario breaks exactly one.
    others = [words for name, words in RULE_WORDS.items() if name != rule]
    assert not any(words in message for words in others), message


@pytest.mark.parametrize("rule", RULES)
def test_pairing_refusals_lists_the_rule_in_words(rule, breaking, program):
    mentor, mentoree = breaking(rule)

    reasons = services.pairing_refusals(program=program, mentor=mentor, mentoree=mentoree)

    assert len(reasons) == 1
    assert RULE_WORDS[rule] in reasons[0]


def test_a_pair_that_breaks_no_rule_is_proposed(program, enrolled, mentor, mentoree, coordinator):
    assert (
        services.pairing_refusals(
            program=program, mentor=mentor.employee, mentoree=mentoree.employee
        )
        == []
    )

    pairing = propose(program, mentor, mentoree, by=coordinator)

    assert pairing.status == Pairing.Status.PROPOSED
    assert (pairing.mentor, pairing.mentoree) == (mentor.employee, mentoree.employee)


@pytest.mark.parametrize("rule", RULES)
def test_coordinator_propose_post_refuses_a_pairing_that_breaks_a_rule(
    rule, breaking, program, coordinator, signed_in_client
):
    mentor, mentoree = breaking(rule)
    client = signed_in_client(coordinator)
    before = row_counts()

    response = client.post(
        reverse("pairings:propose", args=[program.slug, mentoree.pk]), {"mentor": mentor.pk}
    )

    assert row_counts() == before
    if rule == "mentoree_admitted":
        # Only admitted mentorees have a propose address at all.
        assert response.status_code == 404
        return
    assert response.status_code == 302
    assert response["Location"] == reverse("pairings:suggestions", args=[program.slug, mentoree.pk])
    assert any(RULE_WORDS[rule] in message for message in flash_messages(response)), flash_messages(
        response
    )


def test_coordinator_propose_post_makes_a_valid_pairing(
    program, enrolled, mentor, mentoree, coordinator, signed_in_client
):
    response = signed_in_client(coordinator).post(
        reverse("pairings:propose", args=[program.slug, mentoree.employee.pk]),
        {"mentor": mentor.employee.pk},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("pairings:program", args=[program.slug])
    pairing = Pairing.objects.get()
    assert (pairing.mentor, pairing.mentoree) == (mentor.employee, mentoree.employee)
    assert pairing.score is not None  # the suggestion's score is kept


@pytest.mark.parametrize("who", ["other_coordinator", "committee_member", "superuser", "mentor"])
def test_only_the_programs_coordinator_can_post_a_proposal(
    who, request, program, enrolled, other_program, mentor, mentoree, signed_in_client
):
    user = request.getfixturevalue(who)
    before = row_counts()

    response = signed_in_client(user).post(
        reverse("pairings:propose", args=[program.slug, mentoree.employee.pk]),
        {"mentor": mentor.employee.pk},
    )

    assert response.status_code == 404
    assert row_counts() == before


def test_propose_refuses_get(program, enrolled, mentoree, coordinator, signed_in_client):
    response = signed_in_client(coordinator).get(
        reverse("pairings:propose", args=[program.slug, mentoree.employee.pk])
    )

    assert response.status_code == 405


# --- Publishing a matching run ------------------------------------------------------------------


def stale_proposal(program, coordinator, rows) -> MatchingRun:
    """A finished run whose proposal holds `rows` (mentor, mentoree): what a run computed
    before the cohort changed (a promotion, a new commitment, a pairing made by hand)."""
    run = MatchingRun.objects.create(
        program=program,
        started_by=coordinator,
        status=MatchingRun.Status.DONE,
        progress=100,
        mentorees_considered=len(rows),
    )
    for mentor, mentoree in rows:
        ProposedPair.objects.create(run=run, mentor=mentor, mentoree=mentoree, score=50)
    return run


@pytest.mark.parametrize("rule", RULES)
def test_publishing_a_proposal_row_that_breaks_a_rule_is_refused_and_makes_nothing(
    rule, breaking, program, coordinator, new_mentor, new_mentoree
):
    mentor, mentoree = breaking(rule)
    good = (new_mentor(), new_mentoree())
    run = stale_proposal(program, coordinator, [good, (mentor, mentoree)])
    before = row_counts()

    with pytest.raises(ValidationError) as refusal:
        matching.matching_run_publish(run=run, by=coordinator)

    message = refusal_text(refusal)
    assert RULE_WORDS[rule] in message, message
    assert f"{mentor.full_name} and {mentoree.full_name}:" in message
    assert good[1].full_name not in message.replace(mentoree.full_name, "")
    # All or nothing: the good row is not proposed either, and the run can be fixed.
    assert row_counts() == before
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.DONE


@pytest.mark.parametrize("rule", RULES)
def test_the_publish_post_refuses_a_proposal_that_breaks_a_rule(
    rule, breaking, program, coordinator, signed_in_client, django_capture_on_commit_callbacks
):
    """The POST starts the publication task; the matching page then lists the refused row
    in words, and nothing was made."""
    mentor, mentoree = breaking(rule)
    run = stale_proposal(program, coordinator, [(mentor, mentoree)])
    before = row_counts()
    client = signed_in_client(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pairings:matching_publish", args=[program.slug, run.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("pairings:matching", args=[program.slug])
    assert row_counts() == before
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.PUBLISH_FAILED
    page = client.get(response["Location"]).content.decode()
    assert "The proposal was not published." in page
    assert RULE_WORDS[rule] in html.unescape(page)


def test_publishing_two_rows_that_together_exceed_a_mentors_capacity_is_refused(
    program, coordinator, new_mentor, new_mentoree
):
    mentor = new_mentor(capacity=1)
    run = stale_proposal(program, coordinator, [(mentor, new_mentoree()), (mentor, new_mentoree())])
    before = row_counts()

    with pytest.raises(ValidationError) as refusal:
        matching.matching_run_publish(run=run, by=coordinator)

    assert RULE_WORDS["capacity"] in refusal_text(refusal)
    assert row_counts() == before


def test_a_real_run_is_refused_at_publication_once_a_new_commitment_is_out(
    program, enrolled, mentor, mentoree, coordinator, django_capture_on_commit_callbacks
):
    """F5 by the matching path: the run was computed while everyone had accepted version 1;
    version 2 is published before the coordinator publishes the proposal."""
    with django_capture_on_commit_callbacks(execute=True):
        run = matching.matching_run_start(program=program, by=coordinator)
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.DONE
    assert run.pairs.count() == 1
    program_services.commitment_publish(program=program, by=coordinator, text=NEW_COMMITMENT_TEXT)
    before = row_counts()

    with pytest.raises(ValidationError) as refusal:
        matching.matching_run_publish(run=run, by=coordinator)

    assert RULE_WORDS["commitment"] in refusal_text(refusal)
    assert "F5" in refusal_text(refusal)
    assert row_counts() == before

    pair = run.pairs.get()
    for person_ in (pair.mentor, pair.mentoree):
        program_services.commitment_accept(employee=person_, program=program)

    assert matching.matching_run_publish(run=run, by=coordinator) == 1
    pairing = Pairing.objects.get()
    assert (pairing.mentor, pairing.mentoree) == (pair.mentor, pair.mentoree)
    assert pairing.score == pair.score
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.PUBLISHED


# --- Not the same person -------------------------------------------------------------------


def test_the_database_refuses_a_pairing_with_oneself(program, enrol, mentoree):
    enrol(mentoree)

    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(
            program=program, mentor=mentoree.employee, mentoree=mentoree.employee
        )


# --- Admitted, in the right role -------------------------------------------------------------


@pytest.mark.parametrize("decision", ["waitlist", "decline"])
def test_a_mentoree_the_committee_did_not_admit_is_refused(
    decision, program, enrol, mentor, mentoree, coordinator
):
    enrol(mentor, Application.Role.MENTOR)
    enrol(mentoree, decision=decision)

    assert_refused(program, mentor, mentoree, "mentoree_admitted", by=coordinator)


@pytest.mark.parametrize("decision", ["waitlist", "decline"])
def test_a_mentor_the_committee_did_not_admit_is_refused(
    decision, program, enrol, mentor, mentoree, coordinator
):
    enrol(mentor, Application.Role.MENTOR, decision=decision)
    enrol(mentoree)

    assert_refused(program, mentor, mentoree, "mentor_admitted", by=coordinator)


def test_withdrawn_and_undecided_applicants_are_refused(
    program, enrol, mentor, mentoree, other_mentor, coordinator
):
    enrol(mentor, Application.Role.MENTOR)
    withdrawn = apply(mentoree.employee, program)
    program_services.application_withdraw(application=withdrawn, by=mentoree.employee)
    assert_refused(program, mentor, mentoree, "mentoree_admitted", by=coordinator)

    undecided_mentor = apply(other_mentor.employee, program, Application.Role.MENTOR)
    assert undecided_mentor.status == Application.Status.SUBMITTED
    assert_refused(program, other_mentor, mentoree, "mentor_admitted", by=coordinator)


def test_admission_to_another_program_does_not_count(
    program, other_program, other_coordinator, enrol, mentor, mentoree, coordinator
):
    """`mentor` is admitted as a mentor of other_program, not of this one."""
    enrol(mentoree)
    elsewhere = apply(mentor.employee, other_program, Application.Role.MENTOR)
    # other_program has no committee, so its coordinator decides alone.
    program_services.application_decide(
        application=elsewhere, by=other_coordinator, decision="admit", reason="Fits."
    )

    assert_refused(program, mentor, mentoree, "mentor_admitted", by=coordinator)


# --- Capacity ---------------------------------------------------------------------------------


def test_capacity_comes_from_the_mentors_application(
    program, new_mentor, new_mentoree, coordinator
):
    mentor = new_mentor(capacity=1)
    propose(program, mentor, new_mentoree(), by=coordinator)

    message = assert_refused(program, mentor, new_mentoree(), "capacity", by=coordinator)

    assert "(1 of 1 mentorees)" in message


def test_capacity_defaults_to_the_programs_when_the_mentor_gives_none(
    program, enrol, mentor, new_mentoree, coordinator
):
    application = enrol(mentor, Application.Role.MENTOR)  # no capacity given
    assert application.mentor_capacity == program.default_mentor_capacity == 2

    for _ in range(2):
        propose(program, mentor, new_mentoree(), by=coordinator)

    message = assert_refused(program, mentor, new_mentoree(), "capacity", by=coordinator)
    assert "(2 of 2 mentorees)" in message


def test_an_application_without_a_capacity_uses_the_program_default(
    program, enrol, mentor, new_mentoree, coordinator
):
    """An admin may leave the application's capacity empty: the program default applies."""
    application = enrol(mentor, Application.Role.MENTOR, capacity=5)
    Application.objects.filter(pk=application.pk).update(mentor_capacity=None)

    for _ in range(program.default_mentor_capacity):
        propose(program, mentor, new_mentoree(), by=coordinator)

    assert_refused(program, mentor, new_mentoree(), "capacity", by=coordinator)


def test_every_live_status_takes_a_seat(program, new_mentor, new_mentoree, coordinator):
    mentor = new_mentor(capacity=3)
    awaiting = propose(program, mentor, new_mentoree(), by=coordinator)
    active = propose(program, mentor, new_mentoree(), by=coordinator)
    program_services.commitment_publish(program=program, by=coordinator, text=NEW_COMMITMENT_TEXT)
    program_services.commitment_accept(employee=mentor, program=program)
    program_services.commitment_accept(employee=active.mentoree, program=program)
    awaiting = accept_both(awaiting)  # its mentoree has not accepted version 2
    active = accept_both(active)
    proposed = propose(program, mentor, new_mentoree(), by=coordinator)
    assert [awaiting.status, active.status, proposed.status] == [
        Pairing.Status.AWAITING_AGREEMENT,
        Pairing.Status.ACTIVE,
        Pairing.Status.PROPOSED,
    ]

    assert_refused(program, mentor, new_mentoree(), "capacity", by=coordinator)


def test_an_ended_pairing_frees_the_mentors_seat(program, new_mentor, new_mentoree, coordinator):
    mentor = new_mentor(capacity=1)
    first = propose(program, mentor, new_mentoree(), by=coordinator)
    second_mentoree = new_mentoree()
    assert_refused(program, mentor, second_mentoree, "capacity", by=coordinator)

    services.pairing_end(pairing=first, by=mentor, category=Pairing.EndCategory.SCHEDULE)

    second = propose(program, mentor, second_mentoree, by=coordinator)
    assert second.status == Pairing.Status.PROPOSED


# --- The management chain --------------------------------------------------------------------


@pytest.mark.parametrize("levels", [1, 2, 4])
def test_a_mentor_above_the_mentoree_in_the_chain_is_refused(
    levels, program, enrol, mentor, mentoree, coordinator
):
    enrol(mentor, Application.Role.MENTOR)
    enrol(mentoree)
    below = mentoree.employee
    for _ in range(levels - 1):
        middle = person(level=6)
        manage(middle, below)
        below = middle
    manage(mentor.employee, below)

    assert_refused(program, mentor, mentoree, "chain", by=coordinator)


@pytest.mark.parametrize("levels", [1, 2, 4])
def test_a_mentor_below_the_mentoree_in_the_chain_is_refused(
    levels, program, enrol, mentor, mentoree, coordinator
):
    """Nobody mentors their own manager either, however far up."""
    enrol(mentor, Application.Role.MENTOR)
    enrol(mentoree)
    below = mentor.employee
    for _ in range(levels - 1):
        middle = person(level=7)
        manage(middle, below)
        below = middle
    manage(mentoree.employee, below)

    assert_refused(program, mentor, mentoree, "chain", by=coordinator)


def test_colleagues_with_a_common_manager_may_pair(program, enrol, mentor, mentoree, coordinator):
    enrol(mentor, Application.Role.MENTOR)
    enrol(mentoree)
    boss = person(level=8)
    manage(boss, mentor.employee)
    manage(boss, mentoree.employee)

    assert propose(program, mentor, mentoree, by=coordinator).status == Pairing.Status.PROPOSED


def test_with_chain_depth_one_a_grand_manager_may_mentor(
    settings, program, enrol, mentor, mentoree, other_mentor, new_mentoree, coordinator
):
    settings.PAIRING_CHAIN_DEPTH = 1
    enrol(mentor, Application.Role.MENTOR)
    enrol(other_mentor, Application.Role.MENTOR)
    enrol(mentoree)
    middle = person(level=6)
    manage(middle, mentoree.employee)
    manage(mentor.employee, middle)  # mentor is the mentoree's grand-manager
    direct = new_mentoree()
    manage(other_mentor.employee, direct)  # other_mentor manages `direct` directly

    assert_refused(program, other_mentor, direct, "chain", by=coordinator)
    pairing = propose(program, mentor, mentoree, by=coordinator)
    assert pairing.status == Pairing.Status.PROPOSED


# --- F4: executives lead groups --------------------------------------------------------------


@pytest.mark.parametrize("above", [0, 1])
def test_f4_a_group_only_executive_cannot_mentor_one_to_one(
    above, program, enrol, mentor, mentoree, coordinator
):
    """F4: admitted as a mentor, then promoted to (or beyond) the group-only level."""
    enrol(mentor, Application.Role.MENTOR)
    enrol(mentoree)
    promote(mentor.employee, settings.GROUP_ONLY_LEVEL + above)

    message = assert_refused(program, mentor, mentoree, "group_only", by=coordinator)
    assert "F4" in message


def test_f4_follows_the_configured_group_only_level(
    settings, program, enrol, mentor, mentoree, coordinator
):
    enrol(mentor, Application.Role.MENTOR)
    enrol(mentoree)
    settings.GROUP_ONLY_LEVEL = mentor.employee.level  # level 7 now leads groups

    assert_refused(program, mentor, mentoree, "group_only", by=coordinator)

    settings.GROUP_ONLY_LEVEL = mentor.employee.level + 1
    assert propose(program, mentor, mentoree, by=coordinator).status == Pairing.Status.PROPOSED


# --- One live pairing per mentoree -------------------------------------------------------------


def test_a_mentoree_cannot_have_a_second_live_pairing(
    program, enrolled, mentor, mentoree, other_mentor, coordinator
):
    propose(program, mentor, mentoree, by=coordinator)

    assert_refused(program, other_mentor, mentoree, "live", by=coordinator)


def test_an_active_pairing_also_blocks_a_second(
    program, enrolled, mentor, mentoree, other_mentor, coordinator
):
    accept_both(propose(program, mentor, mentoree, by=coordinator))

    assert_refused(program, other_mentor, mentoree, "live", by=coordinator)
    assert_refused(program, mentor, mentoree, "live", by=coordinator)


def test_after_ending_the_mentoree_can_be_paired_again_at_once(
    program, enrolled, mentor, mentoree, other_mentor, coordinator
):
    first = accept_both(propose(program, mentor, mentoree, by=coordinator))

    services.pairing_end(pairing=first, by=mentoree.employee, category=Pairing.EndCategory.FIT)

    # The mentoree keeps their standing: still admitted, the commitment still accepted.
    application = Application.objects.get(program=program, applicant=mentoree.employee)
    assert application.status == Application.Status.ADMITTED
    second = propose(program, other_mentor, mentoree, by=coordinator)
    assert second.status == Pairing.Status.PROPOSED
    assert Pairing.objects.filter(mentoree=mentoree.employee).count() == 2


def test_the_database_holds_one_live_pairing_per_mentoree(
    program, enrolled, mentor, mentoree, other_mentor, coordinator
):
    propose(program, mentor, mentoree, by=coordinator)

    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(
            program=program, mentor=other_mentor.employee, mentoree=mentoree.employee
        )


# --- F5: both accepted the current commitment -------------------------------------------------


def test_f5_a_mentor_who_has_not_accepted_the_commitment_is_refused(
    program, enrol, mentor, mentoree, coordinator
):
    enrol(mentor, Application.Role.MENTOR, accept=False)
    enrol(mentoree)

    message = assert_refused(program, mentor, mentoree, "commitment", by=coordinator)
    assert mentor.employee.full_name in message
    assert "F5" in message


def test_f5_a_new_commitment_version_blocks_proposals_until_both_accept_it(
    program, enrolled, mentor, mentoree, coordinator
):
    """F5: after a new version is published, accepting version 1 no longer counts."""
    program_services.commitment_publish(program=program, by=coordinator, text=NEW_COMMITMENT_TEXT)

    message = assert_refused(program, mentor, mentoree, "commitment", by=coordinator)
    assert mentor.employee.full_name in message
    assert mentoree.employee.full_name in message

    program_services.commitment_accept(employee=mentor.employee, program=program)
    message = assert_refused(program, mentor, mentoree, "commitment", by=coordinator)
    assert mentor.employee.full_name not in message
    assert mentoree.employee.full_name in message

    program_services.commitment_accept(employee=mentoree.employee, program=program)
    assert propose(program, mentor, mentoree, by=coordinator).status == Pairing.Status.PROPOSED


def test_several_broken_rules_are_all_named(program, enrol, mentor, mentoree, coordinator):
    enrol(mentor, Application.Role.MENTOR, accept=False)
    enrol(mentoree, accept=False)
    manage(mentor.employee, mentoree.employee)

    message = assert_refused(program, mentor, mentoree, "chain", by=coordinator)

    assert RULE_WORDS["commitment"] in message
    assert message.count("F5") == 2


# --- Concurrent proposals (PostgreSQL) -------------------------------------------------------


def _propose_at_once(program, pairs, coordinator) -> list[str]:
    """Run pairing_propose for each (mentor, mentoree) in its own thread, all released
    together; returns "ok" or the refusal for each."""
    barrier = threading.Barrier(len(pairs))
    outcomes: list[str] = [""] * len(pairs)

    def run(index, mentor, mentoree):
        try:
            barrier.wait(timeout=10)
            propose(program, mentor, mentoree, by=coordinator)
            outcomes[index] = "ok"
        except ValidationError as exc:
            outcomes[index] = " ".join(exc.messages)
        except Exception as exc:  # an IntegrityError or deadlock would be a bug
            outcomes[index] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, mentor, mentoree))
        for index, (mentor, mentoree) in enumerate(pairs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_proposals_cannot_both_take_a_mentors_last_seat(
    program, new_mentor, new_mentoree, coordinator
):
    for _attempt in range(10):
        mentor = new_mentor(capacity=1)
        mentorees = [new_mentoree(), new_mentoree()]

        outcomes = _propose_at_once(program, [(mentor, m) for m in mentorees], coordinator)

        assert sorted(outcomes)[-1] == "ok", outcomes
        assert outcomes.count("ok") == 1, outcomes
        refused = next(o for o in outcomes if o != "ok")
        assert RULE_WORDS["capacity"] in refused, outcomes
        live = Pairing.objects.filter(mentor=mentor, status__in=Pairing.LIVE)
        assert live.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_proposals_cannot_give_one_mentoree_two_mentors(
    program, new_mentor, new_mentoree, coordinator
):
    for _attempt in range(10):
        mentee = new_mentoree()
        mentors = [new_mentor(capacity=2), new_mentor(capacity=2)]

        outcomes = _propose_at_once(program, [(m, mentee) for m in mentors], coordinator)

        assert outcomes.count("ok") == 1, outcomes
        refused = next(o for o in outcomes if o != "ok")
        assert RULE_WORDS["live"] in refused, outcomes
        assert Pairing.objects.filter(mentoree=mentee, status__in=Pairing.LIVE).count() == 1


# --- Probes beyond the listed rules ---------------------------------------------------------


@pytest.mark.parametrize("side", ["mentor", "mentoree"])
def test_someone_who_left_the_company_cannot_be_proposed(
    side, program, enrolled, mentor, mentoree, coordinator
):
    """An employee deactivated by the HRIS import after admission. Suggestions and the
    matching cohort leave inactive people out (`applicant__is_active=True`); the one
    hard-constraint check must refuse them too, or a coordinator's propose POST (or an import)
    pairs someone who is gone, and they are told by notification."""
    departed = mentor.employee if side == "mentor" else mentoree.employee
    Employee.objects.filter(pk=departed.pk).update(is_active=False)
    departed.refresh_from_db()
    before = row_counts()

    with pytest.raises(ValidationError):
        propose(program, mentor.employee, mentoree.employee, by=coordinator)

    assert row_counts() == before


@pytest.mark.parametrize("mentor_id", ["abc", "1.5", ""])
def test_a_malformed_mentor_id_in_the_propose_post_is_not_a_server_error(
    mentor_id, program, enrolled, mentoree, coordinator, signed_in_client
):
    before = row_counts()

    response = signed_in_client(coordinator).post(
        reverse("pairings:propose", args=[program.slug, mentoree.employee.pk]),
        {"mentor": mentor_id},
    )

    assert response.status_code in (400, 404)
    assert row_counts() == before
