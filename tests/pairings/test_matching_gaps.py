"""The matching page's figures (`matching_gaps`: one SQL query with a CTE, prepared on the
server) hold the same meaning as the rules written out one by one with the ORM here: of the
program's admitted mentorees with no live pairing, who is left out (no longer active, or the
current commitment not accepted) and who a run ready for review considered but left
without a pair; the first NAMED of each list by last name, first name and application, and
the counts of all. Each edge case apart: no commitment yet, an acceptance of an older
version only, an inactive employee, a mentoree paired meanwhile or whose pairing ended, a
proposal that holds them, another program's or another run's rows, runs of every status."""

from __future__ import annotations

import pytest

from pairings.matching import selectors as matching_selectors
from pairings.matching.selectors import NO_MENTOR, NOT_ACCEPTED, NOT_ACTIVE, LeftOut
from pairings.models import MatchingRun, Pairing, ProposedPair
from pairings.selectors import unmatched_mentorees
from people.models import Employee
from programs.models import Application, Commitment, CommitmentAcceptance
from programs.services import commitment_accept, commitment_publish
from tests.builders.pairings import propose
from tests.builders.programs import join_program

MENTOR = Application.Role.MENTOR
REVIEWABLE = (MatchingRun.Status.DONE, MatchingRun.Status.PUBLISH_FAILED)


def expected_gaps(program, run, named):
    """The rules one by one, with the ORM and Python: what the page must say."""
    waiting = list(unmatched_mentorees(program=program))
    current = Commitment.objects.filter(program=program).order_by("-version").first()
    accepted = set(
        CommitmentAcceptance.objects.filter(commitment=current).values_list(
            "employee_id", flat=True
        )
        if current is not None
        else []
    )
    proposed = set(run.pairs.values_list("mentoree_id", flat=True)) if run else set()
    active = dict(
        Employee.objects.filter(pk__in=[a.applicant_id for a in waiting]).values_list(
            "pk", "is_active"
        )
    )
    left_out = [
        LeftOut(a.applicant.full_name, NOT_ACCEPTED if active[a.applicant_id] else NOT_ACTIVE)
        for a in waiting
        if not active[a.applicant_id] or a.applicant_id not in accepted
    ]
    unpaired = [
        LeftOut(a.applicant.full_name, NO_MENTOR)
        for a in waiting
        if active[a.applicant_id] and a.applicant_id in accepted and a.applicant_id not in proposed
    ]
    reviewable = run is not None and run.status in REVIEWABLE
    return {
        "waiting": len(waiting),
        "left_out": left_out[:named],
        "left_out_count": len(left_out),
        "without_pair": unpaired[:named] if reviewable else [],
        "without_pair_count": len(unpaired) if reviewable else 0,
    }


def assert_gaps(program, run, named=matching_selectors.NAMED):
    gaps = matching_selectors.matching_gaps(program=program, run=run)
    expected = expected_gaps(program, run, named)
    assert {key: getattr(gaps, key) for key in expected} == expected
    return gaps


def make_run(program, coordinator, status=MatchingRun.Status.DONE, proposal=()):
    run = MatchingRun.objects.create(program=program, status=status, started_by=coordinator)
    for mentor, mentoree in proposal:
        ProposedPair.objects.create(run=run, mentor=mentor, mentoree=mentoree, score=50)
    return run


@pytest.fixture
def world(program, coordinator, other_program, other_coordinator, join):
    """A cohort with one of each case, names chosen so the order by name is tested:
    ready ones (two with the same name), one who never accepted, one inactive who accepted,
    one inactive who did not, one paired (live), one whose pairing ended, a mentor, a
    mentoree of another program."""
    mentors = [join(MENTOR, capacity=3, last_name=f"Mentor{i}") for i in range(2)]
    ready = [
        join(first_name="Ann", last_name="Zeta"),
        join(first_name="Bob", last_name="Alpha"),
        join(first_name="Bob", last_name="Alpha"),
        join(first_name="Ann", last_name="Alpha"),
        join(first_name="", last_name="Solo"),
    ]
    unsigned = join(first_name="Una", last_name="Unsigned", accept=False)
    gone = join(first_name="Gil", last_name="Gone")
    gone_unsigned = join(first_name="Gus", last_name="Gone", accept=False)
    Employee.objects.filter(pk__in=[gone.pk, gone_unsigned.pk]).update(is_active=False)
    paired = join(first_name="Pia", last_name="Paired")
    propose(program, mentors[0], paired, by=coordinator)
    ended = join(first_name="Eve", last_name="Ended")
    pairing = propose(program, mentors[1], ended, by=coordinator)
    Pairing.objects.filter(pk=pairing.pk).update(status=Pairing.Status.ENDED)
    # Another program: its admitted mentoree, its acceptance and its pairing are not ours.
    elsewhere = join_program(other_program, other_coordinator, last_name="Elsewhere")
    return {
        "mentors": mentors,
        "ready": ready,
        "unsigned": unsigned,
        "gone": gone,
        "paired": paired,
        "ended": ended,
        "elsewhere": elsewhere,
    }


def test_without_a_run_the_counts_and_who_is_left_out(program, world):
    gaps = assert_gaps(program, None)
    # The ready five and the ended one wait; so do the three left out; the paired one not.
    assert (gaps.waiting, gaps.left_out_count, gaps.considered) == (9, 3, 6)
    assert gaps.left_out == [
        LeftOut("Gil Gone", NOT_ACTIVE),
        LeftOut("Gus Gone", NOT_ACTIVE),
        LeftOut("Una Unsigned", NOT_ACCEPTED),
    ]
    assert (gaps.without_pair, gaps.without_pair_count) == ([], 0)


def test_a_run_for_review_names_who_it_left_without_a_pair(program, coordinator, world):
    mentors, ready = world["mentors"], world["ready"]
    run = make_run(program, coordinator, proposal=[(mentors[0], ready[0]), (mentors[1], ready[2])])
    gaps = assert_gaps(program, run)
    assert gaps.without_pair_count == 4
    assert [gap.name for gap in gaps.without_pair] == [
        "Ann Alpha",
        "Bob Alpha",
        "Eve Ended",
        "Solo",
    ]


@pytest.mark.parametrize("status", [s for s in MatchingRun.Status.values if s not in REVIEWABLE])
def test_a_run_not_ready_for_review_names_nobody_without_a_pair(
    program, coordinator, world, status
):
    run = make_run(program, coordinator, status=status)
    gaps = assert_gaps(program, run)
    assert (gaps.without_pair, gaps.without_pair_count, gaps.waiting) == ([], 0, 9)


def test_the_lists_name_the_first_few_by_name_and_count_all(
    program, coordinator, world, monkeypatch
):
    monkeypatch.setattr(matching_selectors, "NAMED", 2)
    run = make_run(program, coordinator, status=MatchingRun.Status.PUBLISH_FAILED)
    gaps = assert_gaps(program, run, named=2)
    assert (gaps.left_out_more, gaps.without_pair_more) == (1, 4)
    # The two Bob Alphas in the order they applied (the application's id breaks the tie).
    assert [gap.name for gap in gaps.without_pair] == ["Ann Alpha", "Bob Alpha"]


def test_a_mentoree_paired_meanwhile_or_proposed_by_the_run_is_in_no_list(
    program, coordinator, world
):
    mentors, ready = world["mentors"], world["ready"]
    run = make_run(program, coordinator, proposal=[(mentors[0], ready[1])])
    propose(program, mentors[1], ready[3], by=coordinator)  # after the run
    # Another run of the program proposing someone does not count for this one.
    make_run(program, coordinator, proposal=[(mentors[0], ready[4])])
    gaps = assert_gaps(program, run)
    assert gaps.waiting == 8
    names = [gap.name for gap in gaps.without_pair]
    assert "Ann Alpha" not in names  # paired meanwhile
    assert names.count("Bob Alpha") == 1  # one of the two is in the run's proposal
    assert "Solo" in names  # proposed by another run only


def test_a_new_commitment_version_leaves_out_who_accepted_only_the_older(
    program, coordinator, world
):
    ready = world["ready"]
    commitment_publish(
        program=program,
        by=coordinator,
        text="A new promise, version two: we meet every month and keep what we say private.",
    )
    commitment_accept(employee=ready[0], program=program)
    run = make_run(program, coordinator)
    gaps = assert_gaps(program, run)
    assert gaps.left_out_count == 8
    assert [gap.name for gap in gaps.without_pair] == ["Ann Zeta"]


def test_with_no_commitment_at_all_everyone_active_is_left_out_for_it(program, coordinator, join):
    people = [join(last_name=f"Late{i}", accept=False) for i in range(3)]
    Employee.objects.filter(pk=people[0].pk).update(is_active=False)
    Commitment.objects.filter(program=program).delete()
    gaps = assert_gaps(program, make_run(program, coordinator))
    assert [gap.reason for gap in gaps.left_out] == [NOT_ACTIVE, NOT_ACCEPTED, NOT_ACCEPTED]
    assert (gaps.waiting, gaps.considered, gaps.without_pair_count) == (3, 0, 0)


def test_a_program_with_nobody_waiting(program, coordinator):
    gaps = assert_gaps(program, make_run(program, coordinator))
    assert (gaps.waiting, gaps.left_out, gaps.without_pair) == (0, [], [])
