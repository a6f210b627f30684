"""Whole-cohort matching: scores, optimality, hard constraints, pins, runs, review and publish.

Solver properties are checked on cohorts built in memory (many random ones, fast); everything
that reads or writes the database is checked on programs built through the services.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Message, Notification
from pairings import matching
from pairings.matching import Cohort, PinRequest, greedy, load_cohort, solve, upper_bound
from pairings.matching import scores as matching_scores
from pairings.matching import services as matching_services
from pairings.models import MatchingRun, Pairing, Pin, ProposedPair
from pairings.scoring import MAX_SCORE, Participant, score_pair
from pairings.services import pairing_propose, pairing_refusals
from people.models import Employee
from programs.models import Application
from tests.builders.programs import apply, join_program, make_program
from tests.factories import EmployeeFactory

MENTOR = Application.Role.MENTOR
MENTOREE = Application.Role.MENTOREE
DEPARTMENTS = ["Risk", "Technology", "Operations", "Finance"]
LOCATIONS = ["London", "Paris", "Lisbon", ""]
PROPOSED_TITLE = "you have a proposed mentoring pair to look at"


# --- Cohorts in memory ------------------------------------------------------------------------


def random_cohort(
    rng: random.Random,
    mentors: int,
    mentorees: int,
    *,
    tags: int = 10,
    capacity: tuple[int, int] = (1, 2),
    exclusions: int = 2,
) -> Cohort:
    def tag_set(most: int) -> frozenset[int]:
        return frozenset(rng.sample(range(tags), rng.randint(0, min(most, tags))))

    cohort_mentors = [
        Participant(
            employee_id=i,
            name=f"Mentor {i}",
            department=rng.choice(DEPARTMENTS),
            level=rng.randint(3, 8),
            location=rng.choice(LOCATIONS),
            tags=tag_set(5),
            capacity_left=rng.randint(*capacity),
        )
        for i in range(mentors)
    ]
    cohort_mentorees = [
        Participant(
            employee_id=1000 + i,
            name=f"Mentoree {i}",
            department=rng.choice(DEPARTMENTS),
            level=rng.randint(1, 7),
            location=rng.choice(LOCATIONS),
            tags=tag_set(4),
        )
        for i in range(mentorees)
    ]
    forbidden = {
        (rng.randrange(mentors), 1000 + rng.randrange(mentorees)) for _ in range(exclusions)
    }
    return Cohort(mentors=cohort_mentors, mentorees=cohort_mentorees, forbidden=forbidden)


def brute_force(cohort: Cohort) -> tuple[int, int]:
    """(best total score, most pairs among the assignments with that total), by trying every
    assignment of each mentoree to an allowed mentor or to nobody, within capacities."""
    options = [
        [None] + [m for m in cohort.mentors if cohort.allowed(m, e)] for e in cohort.mentorees
    ]
    best = (0, 0)
    for choice in itertools.product(*options):
        taken = Counter(m.employee_id for m in choice if m is not None)
        if any(taken[m.employee_id] > m.capacity_left for m in cohort.mentors):
            continue
        total = sum(score_pair(m, e)[0] for m, e in zip(choice, cohort.mentorees, strict=True) if m)
        best = max(best, (total, sum(taken.values())))
    return best


def assert_valid(cohort: Cohort, result) -> None:
    """Every pair allowed and scored by score_pair, no mentoree twice, no mentor over capacity."""
    mentors = {m.employee_id: m for m in cohort.mentors}
    mentorees = {e.employee_id: e for e in cohort.mentorees}
    assert len({p.mentoree_id for p in result.pairs}) == len(result.pairs)
    for mentor_id, count in Counter(p.mentor_id for p in result.pairs).items():
        assert count <= mentors[mentor_id].capacity_left
    for pair in result.pairs:
        mentor, mentoree = mentors[pair.mentor_id], mentorees[pair.mentoree_id]
        assert cohort.allowed(mentor, mentoree)
        assert pair.score == score_pair(mentor, mentoree)[0]
    assert result.total_score == sum(p.score for p in result.pairs)
    assert result.unmatched == len(cohort.mentorees) - len(result.pairs)


# --- Scores -----------------------------------------------------------------------------------


@pytest.mark.parametrize("profile_table", [True, False], ids=["profile-table", "cell-by-cell"])
def test_vectorised_scores_equal_score_pair_for_every_pair(monkeypatch, profile_table):
    if not profile_table:
        monkeypatch.setattr(matching_scores, "PROFILE_TABLE_MAX", 0)
    rng = random.Random(7)
    # 150 tags: three 64-bit words per tag set.
    cohort = random_cohort(rng, 40, 60, tags=150, capacity=(1, 3), exclusions=30)
    cohort.mentors[0] = Participant(999, "Wide tags", "Risk", 9, "", frozenset(range(150)), 1)
    scores = matching.score_matrix(cohort)
    assert (cohort.encoded.table is not None) == profile_table
    for i, mentoree in enumerate(cohort.mentorees):
        for j, mentor in enumerate(cohort.mentors):
            expected = score_pair(mentor, mentoree)[0] if cohort.allowed(mentor, mentoree) else -1
            assert scores[i, j] == expected, (mentor, mentoree)
    assert scores.max() <= MAX_SCORE


def test_scores_of_a_loaded_cohort_equal_score_pair(program, join, topics):
    rng = random.Random(11)
    for _ in range(4):
        join(MENTOR, capacity=rng.randint(1, 3), tags=rng.sample(topics, 3), level=8)
        join(tags=rng.sample(topics, 2), department=rng.choice(DEPARTMENTS), level=5)
    cohort = load_cohort(program=program)
    scores = matching.score_matrix(cohort)
    for i, mentoree in enumerate(cohort.mentorees):
        for j, mentor in enumerate(cohort.mentors):
            assert scores[i, j] == score_pair(mentor, mentoree)[0]


# --- Optimality -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(12))
def test_exact_solver_total_equals_brute_force_optimum(seed):
    rng = random.Random(seed)
    cohort = random_cohort(rng, rng.randint(3, 4), rng.randint(4, 6), exclusions=3)
    result = solve(cohort, method="exact")
    assert_valid(cohort, result)
    assert (result.total_score, len(result.pairs)) == brute_force(cohort)


def test_score_zero_pairs_are_still_made_when_there_is_room():
    """An unassigned mentoree is worth nothing and so is a score-0 pair: pair them anyway."""
    mentor = Participant(1, "Same team", "Risk", 4, "", frozenset(), capacity_left=1)
    mentoree = Participant(2, "Same grade", "Risk", 4, "Paris", frozenset())
    cohort = Cohort(mentors=[mentor], mentorees=[mentoree])
    assert score_pair(mentor, mentoree)[0] == 0
    for method in ("exact", "sparse"):
        result = solve(cohort, method=method)
        assert [(p.mentor_id, p.mentoree_id, p.score) for p in result.pairs] == [(1, 2, 0)]
    assert len(greedy(cohort).pairs) == 1


def test_greedy_and_sparse_never_beat_the_optimum_and_the_bound_holds():
    for seed in range(12):
        rng = random.Random(100 + seed)
        cohort = random_cohort(rng, rng.randint(3, 4), rng.randint(4, 6), exclusions=3)
        optimum = solve(cohort, method="exact")
        for other in (greedy(cohort), solve(cohort, method="sparse", k=2)):
            assert_valid(cohort, other)
            assert other.total_score <= optimum.total_score
        assert optimum.total_score <= upper_bound(cohort) == optimum.upper_bound


def test_sparse_solver_within_one_percent_of_the_exact_optimum():
    rng = random.Random(2027)
    cohort = random_cohort(rng, 160, 300, tags=40, capacity=(1, 3), exclusions=200)
    exact = solve(cohort, method="exact")
    sparse = solve(cohort, method="sparse")
    assert (exact.solver, sparse.solver) == ("exact", "sparse")
    assert_valid(cohort, exact)
    assert_valid(cohort, sparse)
    assert sparse.total_score >= 0.99 * exact.total_score
    assert sparse.total_score <= exact.total_score <= exact.upper_bound
    assert sparse.unmatched == exact.unmatched == 0


def test_capacity_is_never_exceeded_even_with_few_candidates():
    """With k=1 most candidates are taken: the last pass fills from mentors with room."""
    for seed in range(5):
        rng = random.Random(300 + seed)
        cohort = random_cohort(rng, 30, 80, tags=5, capacity=(1, 3), exclusions=20)
        places = sum(m.capacity_left for m in cohort.mentors)
        for result in (
            solve(cohort, method="exact"),
            solve(cohort, method="sparse", k=1),
            greedy(cohort),
        ):
            assert_valid(cohort, result)
            assert len(result.pairs) == min(places, len(cohort.mentorees))


def test_nobody_mentors_themselves():
    both = Participant(5, "On both sides", "Risk", 6, "London", frozenset({1}), capacity_left=2)
    mentoree_side = Participant(5, "On both sides", "Risk", 6, "London", frozenset({1}))
    cohort = load_free_cohort([both], [mentoree_side])
    assert (5, 5) in cohort.forbidden
    for result in (solve(cohort, method="exact"), solve(cohort, method="sparse"), greedy(cohort)):
        assert result.pairs == []
        assert result.unmatched == 1


def load_free_cohort(mentors, mentorees, managers=None) -> Cohort:
    """A cohort in memory with its exclusions computed the way load_cohort computes them."""
    forbidden = matching.chain_exclusions(
        mentor_ids=[m.employee_id for m in mentors],
        mentoree_ids=[e.employee_id for e in mentorees],
        managers=managers or {},
    )
    return Cohort(mentors=mentors, mentorees=mentorees, forbidden=forbidden)


@pytest.mark.parametrize(
    "sides", [(0, 0), (1, 0), (0, 1)], ids=["empty", "mentors only", "mentorees only"]
)
def test_an_empty_side_gives_an_empty_proposal(sides):
    cohort = random_cohort(random.Random(1), max(sides[0], 1), max(sides[1], 1))
    cohort = Cohort(mentors=cohort.mentors[: sides[0]], mentorees=cohort.mentorees[: sides[1]])
    for result in (solve(cohort, method="exact"), solve(cohort, method="sparse"), greedy(cohort)):
        assert result.pairs == []
        assert result.unmatched == sides[1]
        assert result.total_score == result.upper_bound == 0


def test_chain_exclusions_follow_the_configured_depth(settings):
    # 1 manages 2 manages 3 manages 4: mentors 1 and 2, mentorees 3 and 4.
    managers = {1: None, 2: 1, 3: 2, 4: 3}
    settings.PAIRING_CHAIN_DEPTH = None
    assert matching.chain_exclusions(mentor_ids=[1, 2], mentoree_ids=[3, 4], managers=managers) == {
        (1, 3),
        (1, 4),
        (2, 3),
        (2, 4),
    }
    settings.PAIRING_CHAIN_DEPTH = 1
    assert matching.chain_exclusions(mentor_ids=[1, 2], mentoree_ids=[3, 4], managers=managers) == {
        (2, 3)
    }
    # A mentor below the mentoree is excluded too (nobody mentors their own manager).
    settings.PAIRING_CHAIN_DEPTH = None
    assert matching.chain_exclusions(mentor_ids=[4], mentoree_ids=[1], managers=managers) == {
        (4, 1)
    }


# --- The cohort from the database -------------------------------------------------------------


def promote(employee: Employee, level: int) -> None:
    """A promotion arriving from the HRIS after admission."""
    Employee.objects.filter(pk=employee.pk).update(level=level)


def manage(manager: Employee, report: Employee) -> None:
    Employee.objects.filter(pk=report.pk).update(manager=manager)


def brute_force_from_services(program) -> tuple[int, int]:
    """The optimum computed without load_cohort: every admitted mentoree against every admitted
    mentor, allowed when pairing_refusals finds nothing, scored by score_pair."""
    admitted = list(
        Application.objects.filter(program=program, status=Application.Status.ADMITTED)
        .select_related("applicant")
        .prefetch_related("tags")
    )

    def participant(application) -> Participant:
        e = application.applicant
        live = Pairing.objects.filter(program=program, mentor=e, status__in=Pairing.LIVE).count()
        capacity = (application.mentor_capacity or program.default_mentor_capacity) - live
        return Participant(
            e.pk,
            e.full_name,
            e.department,
            e.level,
            e.location,
            frozenset(t.pk for t in application.tags.all()),
            capacity if application.role == MENTOR else 0,
        )

    mentors = [(a.applicant, participant(a)) for a in admitted if a.role == MENTOR]
    mentorees = [(a.applicant, participant(a)) for a in admitted if a.role == MENTOREE]
    options = [
        [None]
        + [
            (mp, score_pair(mp, ep)[0])
            for m, mp in mentors
            if not pairing_refusals(program=program, mentor=m, mentoree=e)
        ]
        for e, ep in mentorees
    ]
    best = (0, 0)
    for choice in itertools.product(*options):
        chosen = [c for c in choice if c is not None]
        taken = Counter(mp.employee_id for mp, _ in chosen)
        if all(taken[mp.employee_id] <= mp.capacity_left for _, mp in mentors):
            best = max(best, (sum(score for _, score in chosen), len(chosen)))
    return best


@pytest.mark.parametrize("seed", range(4))
def test_exact_run_on_a_program_equals_the_brute_force_of_the_services(coordinator, topics, seed):
    """Small random programs with chain exclusions, a group-only mentor (promoted after
    admission), a mentoree who has not accepted the commitment and one already paired."""
    rng = random.Random(seed)
    program = make_program(coordinator=coordinator, name=f"Cohort {seed}", slug=f"cohort-{seed}")

    def person(role, **kwargs):
        return join_program(
            program,
            coordinator,
            role,
            tags=rng.sample(topics, rng.randint(0, 3)),
            department=rng.choice(DEPARTMENTS),
            location=rng.choice(LOCATIONS),
            **kwargs,
        )

    mentors = [
        person(MENTOR, capacity=rng.randint(1, 2), level=rng.randint(6, 8))
        for _ in range(rng.randint(3, 4))
    ]
    busy = person(MENTOR, capacity=2)  # one live pairing already: one place left
    mentors.append(busy)
    mentorees = [person(MENTOREE, level=rng.randint(2, 6)) for _ in range(rng.randint(4, 6))]
    manage(mentors[0], mentorees[0])  # direct report
    manage(mentorees[1], mentors[1])  # the mentoree manages the mentor
    grand = EmployeeFactory(level=6)
    manage(mentors[2], grand)
    manage(grand, mentorees[2])  # two levels down
    executive = person(MENTOR, level=8)
    promote(executive, settings.GROUP_ONLY_LEVEL)  # F4 holds after admission too
    person(MENTOREE, accept=False)  # F5: not accepted yet
    paired = person(MENTOREE)
    pairing_propose(program=program, mentor=busy, mentoree=paired, by=coordinator)

    cohort = load_cohort(program=program)
    assert (mentors[0].pk, mentorees[0].pk) in cohort.forbidden
    assert (mentors[1].pk, mentorees[1].pk) in cohort.forbidden
    assert (mentors[2].pk, mentorees[2].pk) in cohort.forbidden
    assert {m.employee_id for m in cohort.mentors} == {m.pk for m in mentors}
    assert {e.employee_id for e in cohort.mentorees} == {e.pk for e in mentorees}
    assert cohort.mentors[-1].capacity_left == 1
    result = solve(cohort, method="exact")
    assert_valid(cohort, result)
    assert (result.total_score, len(result.pairs)) == brute_force_from_services(program)
    for pair in result.pairs:
        mentor, mentoree = (
            Employee.objects.get(pk=pk) for pk in (pair.mentor_id, pair.mentoree_id)
        )
        assert pairing_refusals(program=program, mentor=mentor, mentoree=mentoree) == []


def test_load_cohort_keeps_only_who_may_be_paired_now(program, join, coordinator):
    """Admitted, active, commitment accepted (F5), below the group-only level (F4), with room
    left; mentorees without a live pairing; nobody in their own management chain."""
    ready_mentor = join(MENTOR, capacity=3)
    boss = join(MENTOR, capacity=1)
    executive = join(MENTOR, level=8)
    promote(executive, settings.GROUP_ONLY_LEVEL)
    not_accepted_mentor = join(MENTOR, accept=False)
    pending_mentor = EmployeeFactory(level=7)
    apply(pending_mentor, program, MENTOR)  # submitted, never decided
    report = join()
    manage(boss, report)
    ready = join()
    not_accepted = join(accept=False)
    already_paired = join()
    pairing_propose(program=program, mentor=ready_mentor, mentoree=already_paired, by=coordinator)
    gone = join()
    Employee.objects.filter(pk=gone.pk).update(is_active=False)

    cohort = load_cohort(program=program)

    assert {m.employee_id: m.capacity_left for m in cohort.mentors} == {
        ready_mentor.pk: 2,
        boss.pk: 1,
    }
    assert {e.employee_id for e in cohort.mentorees} == {report.pk, ready.pk}
    assert (boss.pk, report.pk) in cohort.forbidden
    result = solve(cohort)
    assert_valid(cohort, result)
    assert {(p.mentor_id, p.mentoree_id) for p in result.pairs} >= {(ready_mentor.pk, report.pk)}
    people = {e.pk: e for e in Employee.objects.all()}
    for pair in result.pairs:
        assert not pairing_refusals(
            program=program, mentor=people[pair.mentor_id], mentoree=people[pair.mentoree_id]
        )
    for outsider in (executive, not_accepted_mentor, pending_mentor, not_accepted, gone):
        assert outsider.pk not in {p.mentor_id for p in result.pairs} | {
            p.mentoree_id for p in result.pairs
        }


def test_load_cohort_query_count_does_not_grow_with_the_cohort(
    program, join, topics, coordinator, django_assert_num_queries
):
    def grow(mentors, mentorees):
        for n in range(mentors):
            join(MENTOR, capacity=2, tags=topics[n % 3 : n % 3 + 2])
        for n in range(mentorees):
            join(tags=topics[n % 4 : n % 4 + 2])

    grow(2, 3)
    first = load_cohort(program=program)
    pairing_propose(
        program=program,
        mentor=Employee.objects.get(pk=first.mentors[0].employee_id),
        mentoree=Employee.objects.get(pk=first.mentorees[0].employee_id),
        by=coordinator,
    )
    Pin.objects.create(
        program=program,
        mentor_id=first.mentors[1].employee_id,
        mentoree_id=first.mentorees[1].employee_id,
    )
    with CaptureQueriesContext(connection) as few:
        small = load_cohort(program=program)
    assert (len(small.mentors), len(small.mentorees)) == (2, 2)
    assert len(few) == 6  # applications, live pairings, tags, managers, pins, open reviews (F3)

    grow(20, 25)

    with django_assert_num_queries(len(few)):
        big = load_cohort(program=program)
    assert (len(big.mentors), len(big.mentorees)) == (22, 27)
    assert len(big.pins) == 1


# --- Pins -------------------------------------------------------------------------------------


def test_pins_are_respected_and_an_invalid_pin_is_reported(program, join, coordinator):
    first = join(MENTOR, capacity=1, first_name="Ines", last_name="Costa")
    second = join(MENTOR, capacity=2, first_name="Hiro", last_name="Bauer")
    pinned_mentoree = join(department="Finance")
    chained = join(first_name="Jamal", last_name="Haddad")
    others = [join() for _ in range(2)]
    matching.pin_add(program=program, mentor=first, mentoree=pinned_mentoree, by=coordinator)
    matching.pin_add(program=program, mentor=second, mentoree=chained, by=coordinator)
    manage(second, chained)  # the directory changed after the pin was made

    result = solve(load_cohort(program=program))

    pairs = {(p.mentor_id, p.mentoree_id): p for p in result.pairs}
    assert pairs[(first.pk, pinned_mentoree.pk)].pinned
    assert [p for p in result.pairs if p.mentor_id == first.pk] == [
        pairs[(first.pk, pinned_mentoree.pk)]
    ]
    assert (second.pk, chained.pk) not in pairs
    assert not any(p.pinned for key, p in pairs.items() if key[1] != pinned_mentoree.pk)
    assert result.problems == [
        "The pin of Hiro Bauer with Jamal Haddad was ignored: Hiro Bauer and Jamal Haddad are "
        "in the same management chain."
    ]
    assert {p.mentoree_id for p in result.pairs} >= {others[0].pk, others[1].pk}


def test_pin_problems_are_told_before_a_run(program, join, coordinator):
    mentor = join(MENTOR, first_name="Ines", last_name="Costa")
    mentoree = join(first_name="Jamal", last_name="Haddad")
    matching.pin_add(program=program, mentor=mentor, mentoree=mentoree, by=coordinator)
    assert matching.pin_problems(program=program) == []
    manage(mentor, mentoree)
    assert matching.pin_problems(program=program) == [
        "The pin of Ines Costa with Jamal Haddad was ignored: Ines Costa and Jamal Haddad are "
        "in the same management chain."
    ]


def test_pins_beyond_capacity_or_of_absent_people_are_reported():
    mentor = Participant(1, "Ada Abara", "Risk", 7, "London", frozenset(), capacity_left=1)
    mentorees = [Participant(10 + i, f"Mentoree {i}", "Data", 4, "", frozenset()) for i in (0, 1)]
    cohort = Cohort(
        mentors=[mentor],
        mentorees=mentorees,
        pins=[
            PinRequest(1, 10, "Ada Abara", "Mentoree 0"),
            PinRequest(1, 11, "Ada Abara", "Mentoree 1"),
            PinRequest(2, 11, "Victoria Adeyemi", "Mentoree 1", mentor_group_only=True),
            PinRequest(3, 11, "Ben Bauer", "Mentoree 1"),
        ],
    )
    result = solve(cohort)
    assert [(p.mentor_id, p.mentoree_id, p.pinned) for p in result.pairs] == [(1, 10, True)]
    assert len(result.problems) == 3
    assert "Ada Abara has no room left" in result.problems[0]
    assert "group-only level" in result.problems[1]
    assert "Ben Bauer is not an available mentor" in result.problems[2]


def test_pin_add_refuses_what_could_not_be_proposed(program, join, coordinator, outsider):
    mentor = join(MENTOR, capacity=1)
    mentoree = join()
    boss = join(MENTOR)
    manage(boss, mentoree)
    with pytest.raises(ValidationError, match="same management chain"):
        matching.pin_add(program=program, mentor=boss, mentoree=mentoree, by=coordinator)
    with pytest.raises(ValidationError, match="Only a coordinator"):
        matching.pin_add(program=program, mentor=mentor, mentoree=mentoree, by=outsider)
    pin = matching.pin_add(program=program, mentor=mentor, mentoree=mentoree, by=coordinator)
    with pytest.raises(ValidationError, match="already pinned"):
        matching.pin_add(program=program, mentor=mentor, mentoree=mentoree, by=coordinator)
    with pytest.raises(ValidationError, match="no room left"):
        matching.pin_add(program=program, mentor=mentor, mentoree=join(), by=coordinator)
    with pytest.raises(ValidationError, match="Only a coordinator"):
        matching.pin_remove(pin=pin, by=outsider)
    matching.pin_remove(pin=pin, by=coordinator)
    assert not Pin.objects.exists()


# --- Runs -------------------------------------------------------------------------------------


@pytest.fixture
def cohort_of_six(join, topics):
    """Three mentors (capacity 1, 1, 2) and four mentorees, all ready to be paired."""
    mentors = [
        join(MENTOR, capacity=c, tags=topics[i : i + 2], department=DEPARTMENTS[i])
        for i, c in enumerate((1, 1, 2))
    ]
    mentorees = [join(tags=topics[i : i + 2], department="People") for i in range(4)]
    return mentors, mentorees


def start_and_run(program, coordinator, capture) -> MatchingRun:
    with capture(execute=True):
        run = matching.matching_run_start(program=program, by=coordinator)
    run.refresh_from_db()
    return run


def test_a_run_stores_the_proposal_with_progress_done(
    program, coordinator, cohort_of_six, django_capture_on_commit_callbacks
):
    mentors, mentorees = cohort_of_six
    matching.pin_add(program=program, mentor=mentors[0], mentoree=mentorees[3], by=coordinator)

    run = start_and_run(program, coordinator, django_capture_on_commit_callbacks)

    assert run.status == MatchingRun.Status.DONE
    assert run.progress == 100
    assert run.started_by == coordinator
    assert run.finished_at is not None and run.seconds is not None
    rows = list(run.pairs.all())
    assert len(rows) == 4
    assert run.mentorees_considered == 4 and run.unmatched == 0
    assert run.total_score == sum(r.score for r in rows)
    assert run.total_score <= run.upper_bound
    assert [(r.mentor_id, r.mentoree_id) for r in rows if r.pinned] == [
        (mentors[0].pk, mentorees[3].pk)
    ]
    expected = solve(load_cohort(program=program))
    assert run.total_score == expected.total_score


def test_a_run_saves_its_progress_for_the_page_to_poll(
    program, coordinator, cohort_of_six, monkeypatch, django_capture_on_commit_callbacks
):
    seen = []
    original = matching_services._set_progress

    def spy(run, percent, status=None):
        original(run, percent, status)
        stored = MatchingRun.objects.values_list("status", "progress").get(pk=run.pk)
        seen.append(stored)

    monkeypatch.setattr(matching_services, "_set_progress", spy)
    run = start_and_run(program, coordinator, django_capture_on_commit_callbacks)
    assert seen == [("running", 5), ("running", 10), ("running", 60), ("running", 90)]
    assert (run.status, run.progress) == ("done", 100)


def test_a_run_of_a_program_without_participants_is_done_and_empty(
    program, coordinator, django_capture_on_commit_callbacks
):
    run = start_and_run(program, coordinator, django_capture_on_commit_callbacks)
    assert (run.status, run.progress, run.total_score, run.upper_bound) == ("done", 100, 0, 0)
    assert not run.pairs.exists()


def test_a_second_run_is_refused_while_one_is_queued(program, coordinator, cohort_of_six):
    matching.matching_run_start(program=program, by=coordinator)  # on_commit never fires here
    with pytest.raises(ValidationError, match="already under way"):
        matching.matching_run_start(program=program, by=coordinator)


def test_a_task_delivered_twice_leaves_one_proposal(
    program, coordinator, cohort_of_six, django_capture_on_commit_callbacks
):
    run = start_and_run(program, coordinator, django_capture_on_commit_callbacks)
    matching.matching_run_execute(run_id=run.pk)
    assert ProposedPair.objects.filter(run=run).count() == 4


def test_a_failed_run_says_so_without_data(
    program, coordinator, cohort_of_six, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """F9: the run's error and the log name the error's class, never its message."""

    def broken(cohort, **kwargs):
        raise RuntimeError(f"cannot place {cohort.mentorees[0].name}")

    monkeypatch.setattr(matching_services, "solve", broken)
    run = start_and_run(program, coordinator, django_capture_on_commit_callbacks)
    assert run.status == MatchingRun.Status.FAILED
    assert run.error.startswith("RuntimeError: ")
    mentoree_names = [e.full_name for e in cohort_of_six[1]]
    assert not any(name in run.error for name in mentoree_names)
    assert "RuntimeError" in caplog.text
    assert not any(name in caplog.text for name in mentoree_names)
    assert not run.pairs.exists()


def test_the_task_takes_only_the_run_id(
    program, coordinator, cohort_of_six, monkeypatch, django_capture_on_commit_callbacks
):
    """F9: task arguments carry ids; the task is sent only once the run is committed."""
    from pairings import tasks

    sent = []
    monkeypatch.setattr(tasks.run_matching, "delay", lambda *args, **kw: sent.append((args, kw)))
    with django_capture_on_commit_callbacks(execute=True):
        run = matching.matching_run_start(program=program, by=coordinator)
    assert sent == [((run.pk,), {})]


# --- Review and publish ----------------------------------------------------------------------


@pytest.fixture
def done_run(program, coordinator, cohort_of_six, django_capture_on_commit_callbacks):
    return start_and_run(program, coordinator, django_capture_on_commit_callbacks)


def test_publish_proposes_every_row_and_tells_both_members(program, coordinator, done_run, deliver):
    rows = list(done_run.pairs.select_related("mentor__user", "mentoree__user"))
    # A pin for the next run: publishing the proposal clears the program's pins.
    matching.pin_add(
        program=program, mentor=rows[0].mentor, mentoree=rows[0].mentoree, by=coordinator
    )

    created = matching.matching_run_publish(run=done_run, by=coordinator)
    deliver()

    assert created == len(rows) == 4
    pairings = {
        (p.mentor_id, p.mentoree_id): p
        for p in Pairing.objects.filter(program=program, status=Pairing.Status.PROPOSED)
    }
    assert set(pairings) == {(r.mentor_id, r.mentoree_id) for r in rows}
    for row in rows:
        assert pairings[(row.mentor_id, row.mentoree_id)].score == row.score
        for member in (row.mentor, row.mentoree):
            assert Notification.objects.filter(
                recipient=member.user, title__contains=PROPOSED_TITLE
            ).exists()
    done_run.refresh_from_db()
    assert done_run.status == MatchingRun.Status.PUBLISHED
    assert not Pin.objects.filter(program=program).exists()
    with pytest.raises(ValidationError, match="not yet published"):
        matching.matching_run_publish(run=done_run, by=coordinator)


def test_publish_is_all_or_nothing_when_a_row_became_invalid(program, coordinator, done_run):
    rows = list(done_run.pairs.select_related("mentor", "mentoree").order_by("pk"))
    late = rows[-1]
    # Between the run and the publication, the mentoree got a mentor by hand.
    pairing_propose(program=program, mentor=late.mentor, mentoree=late.mentoree, by=coordinator)
    pairings_before = Pairing.objects.count()
    notifications_before = Notification.objects.count(), Message.objects.count()

    with pytest.raises(ValidationError) as refusal:
        matching.matching_run_publish(run=done_run, by=coordinator)

    [message] = refusal.value.messages
    assert message.startswith(f"{late.mentor.full_name} and {late.mentoree.full_name}: ")
    assert f"{late.mentoree.full_name} already has a mentor in this program." in message
    assert Pairing.objects.count() == pairings_before
    assert (Notification.objects.count(), Message.objects.count()) == notifications_before
    done_run.refresh_from_db()
    assert done_run.status == MatchingRun.Status.DONE


def test_only_a_coordinator_of_the_program_starts_edits_or_publishes(
    program, coordinator, outsider, done_run, django_capture_on_commit_callbacks
):
    other = make_program(coordinator=outsider, name="Elsewhere", slug="elsewhere")
    assert other.pk != program.pk  # the outsider coordinates another program, not this one
    first, second = list(done_run.pairs.order_by("pk"))[:2]
    refused = [
        lambda: matching.matching_run_start(program=program, by=outsider),
        lambda: matching.proposal_remove(pair=first, by=outsider),
        lambda: matching.proposal_swap(first=first, second=second, by=outsider),
        lambda: matching.pin_add(
            program=program, mentor=first.mentor, mentoree=first.mentoree, by=outsider
        ),
        lambda: matching.matching_run_publish(run=done_run, by=outsider),
    ]
    for attempt in refused:
        with pytest.raises(ValidationError, match="Only a coordinator of this program"):
            attempt()
    assert done_run.pairs.count() == 4
    assert not Pairing.objects.exists()
    assert MatchingRun.objects.filter(program=program).count() == 1


def test_swap_exchanges_mentors_and_rescores(program, coordinator, done_run):
    rows = list(done_run.pairs.order_by("pk"))
    a = rows[0]
    b = next(r for r in rows if r.mentor_id != a.mentor_id)

    matching.proposal_swap(first=a, second=b, by=coordinator)

    a_after, b_after = ProposedPair.objects.get(pk=a.pk), ProposedPair.objects.get(pk=b.pk)
    assert (a_after.mentor_id, b_after.mentor_id) == (b.mentor_id, a.mentor_id)
    cohort = load_cohort(program=program)
    people = {p.employee_id: p for p in (*cohort.mentors, *cohort.mentorees)}
    for row in (a_after, b_after):
        assert row.score == score_pair(people[row.mentor_id], people[row.mentoree_id])[0]
    done_run.refresh_from_db()
    assert done_run.total_score == sum(done_run.pairs.values_list("score", flat=True))


def test_swap_is_refused_when_it_breaks_a_hard_constraint(program, coordinator, done_run):
    rows = list(done_run.pairs.select_related("mentor", "mentoree").order_by("pk"))
    a = rows[0]
    b = next(r for r in rows if r.mentor_id != a.mentor_id)
    manage(b.mentor, a.mentoree)  # a reporting line appeared since the run
    with pytest.raises(ValidationError, match="same management chain"):
        matching.proposal_swap(first=a, second=b, by=coordinator)
    promote(a.mentor, settings.GROUP_ONLY_LEVEL)
    Employee.objects.filter(pk=a.mentoree_id).update(manager=None)
    with pytest.raises(ValidationError, match="group-only level"):
        matching.proposal_swap(first=a, second=b, by=coordinator)
    assert ProposedPair.objects.get(pk=a.pk).mentor_id == a.mentor_id
    with pytest.raises(ValidationError, match="two different rows"):
        matching.proposal_swap(first=a, second=a, by=coordinator)


def test_pinned_rows_are_not_swapped(
    program, coordinator, cohort_of_six, django_capture_on_commit_callbacks
):
    mentors, mentorees = cohort_of_six
    matching.pin_add(program=program, mentor=mentors[2], mentoree=mentorees[0], by=coordinator)
    run = start_and_run(program, coordinator, django_capture_on_commit_callbacks)
    pinned = run.pairs.get(pinned=True)
    other = run.pairs.exclude(mentor_id=pinned.mentor_id).first()
    with pytest.raises(ValidationError, match="pinned pair"):
        matching.proposal_swap(first=pinned, second=other, by=coordinator)


def test_remove_takes_a_row_out_and_updates_the_totals(program, coordinator, done_run):
    row = done_run.pairs.order_by("pk").first()
    total = done_run.total_score
    matching.proposal_remove(pair=row, by=coordinator)
    done_run.refresh_from_db()
    assert not ProposedPair.objects.filter(pk=row.pk).exists()
    assert done_run.total_score == total - row.score
    assert done_run.unmatched == 1
    assert matching.matching_run_publish(run=done_run, by=coordinator) == 3
    with pytest.raises(ValidationError, match="not yet published"):
        matching.proposal_remove(pair=done_run.pairs.first(), by=coordinator)
