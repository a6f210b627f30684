"""Publishing a matching run's proposal at scale: a Celery task, bulk checks and writes, all
or nothing, race-safe (F3, F5, F11).

The publication (`pairings.matching.services.matching_run_publish`, through
`pairings.bulk.pairings_propose_many`) must give exactly the verdicts of
`pairing_refusals`, write exactly what `pairing_propose` writes for each pair, hold the same
locks, and cost a fixed number of queries per batch of rows.
"""

from __future__ import annotations

import html
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.publishing import synthetic_proposal
from confidentiality.models import Agreement
from confidentiality.services import default_template
from firewall.models import ConflictEntry, ConflictKey
from firewall.register import NEUTRAL_MESSAGE
from notifications.models import Message
from pairings import bulk as pairings_bulk
from pairings import matching
from pairings.bulk import pairing_refusals_many
from pairings.matching import services as matching_services
from pairings.matching.selectors import publish_progress_key
from pairings.models import MatchingRun, Pairing, PairingUserObjectPermission, ProposedPair
from pairings.services import pairing_refusals
from people.models import Employee
from programs import services as program_services
from programs.models import Application
from reviews import services as review_services
from reviews.models import PanelSeat
from tests.builders.pairings import (
    NEW_COMMITMENT_TEXT,
    RULE_WORDS,
    enrol_in,
    person,
    propose,
)
from tests.builders.reviews import plan_review, seat
from tests.builders.schema import at_release
from tests.firewall.races import race

MENTOR = Application.Role.MENTOR
MENTOREE = Application.Role.MENTOREE


def proposal(program, coordinator, rows) -> MatchingRun:
    """A finished run whose proposal holds `rows` (mentor, mentoree), ready to publish."""
    run = MatchingRun.objects.create(
        program=program,
        started_by=coordinator,
        status=MatchingRun.Status.DONE,
        progress=100,
        mentorees_considered=len(rows),
    )
    ProposedPair.objects.bulk_create(
        ProposedPair(run=run, mentor=m, mentoree=e, score=40 + n) for n, (m, e) in enumerate(rows)
    )
    return run


def publish_now(run, by, capture) -> MatchingRun:
    """Press Publish and let the task run (eagerly, as on the embedded default)."""
    with capture(execute=True):
        matching.matching_run_publish_start(run=run, by=by)
    run.refresh_from_db()
    return run


def written() -> dict[str, int]:
    """Every kind of row a publication writes."""
    return {
        "pairings": Pairing.objects.count(),
        "grants": PairingUserObjectPermission.objects.count(),
        "register keys": ConflictKey.objects.count(),
        "register entries": ConflictEntry.objects.count(),
        "agreements": Agreement.objects.count(),
        "messages": Message.objects.count(),
    }


def footprint(pairing: Pairing) -> dict[str, object]:
    """What proposing one pairing wrote, with its own ids taken out (the members' accounts
    named by their role)."""
    pk = str(pairing.pk)
    role = {pairing.mentor.user_id: "mentor", pairing.mentoree.user_id: "mentoree"}
    agreement = Agreement.objects.get(pairing=pairing)
    return {
        "status": pairing.status,
        "grants": sorted(
            (role[user_id], codename)
            for user_id, codename in PairingUserObjectPermission.objects.filter(
                content_object=pairing
            ).values_list("user_id", "permission__codename")
        ),
        "register": sorted(
            ConflictEntry.objects.filter(
                key__person=pairing.mentor, key__subject=pairing.mentoree
            ).values_list("kind", "reference", "ended_at")
        ),
        "agreement": (
            agreement.template_id,
            agreement.terms,
            agreement.version,
            agreement.rules(),
            agreement.in_force_coordinator_rule,
        ),
        "messages": sorted(
            (
                role.get(m.recipient_id, "someone else"),
                m.kind,
                m.key.replace(pk, "<pk>"),
                m.object_id == pairing.pk,
                m.status,
                m.attempts,
            )
            for m in Message.objects.filter(key__startswith="pairing-", key__endswith=f":{pk}")
        ),
    }


# --- The same verdicts as pairing_refusals --------------------------------------------------


@pytest.fixture
def every_refusal(program, committee, coordinator, talent_reviewer, settings):
    """(mentor, mentoree) cases, each with fresh people, covering every reason
    `pairing_refusals` gives, alone and together, and pairs that pass."""
    settings.PAIRING_CHAIN_DEPTH = None

    def enrol(employee, role=MENTOREE, **kwargs):
        enrol_in(program, committee, employee, role, **kwargs)
        return employee

    def mentor(**kwargs):
        return enrol(person(level=7, title="Director"), MENTOR, **kwargs)

    def mentoree(**kwargs):
        return enrol(person(level=4), MENTOREE, **kwargs)

    cases = {"allowed": (mentor(capacity=2), mentoree())}
    same = mentoree()
    cases["self"] = (same, same)
    gone = mentor()
    Employee.objects.filter(pk=gone.pk).update(is_active=False)
    cases["inactive mentor"] = (gone, mentoree())
    gone_too = mentoree()
    Employee.objects.filter(pk=gone_too.pk).update(is_active=False)
    cases["inactive mentoree"] = (mentor(), gone_too)
    cases["mentor admitted as a mentoree"] = (mentoree(), mentoree())
    cases["mentor never applied"] = (person(level=7), mentoree())
    cases["mentoree admitted as a mentor"] = (mentor(), mentor())
    cases["mentoree refused by the committee"] = (
        mentor(),
        enrol(person(level=4), MENTOREE, decision="decline"),
    )
    promoted = mentor()  # a promotion from the HRIS after admission
    Employee.objects.filter(pk=promoted.pk).update(level=settings.GROUP_ONLY_LEVEL)
    cases["group-only mentor (F4)"] = (promoted, mentoree())
    boss, report = mentor(), mentoree()
    Employee.objects.filter(pk=report.pk).update(manager=boss)
    cases["mentor manages the mentoree"] = (boss, report)
    high, low = mentor(), mentoree()
    middle = person(level=6)
    Employee.objects.filter(pk=middle.pk).update(manager=low)
    Employee.objects.filter(pk=high.pk).update(manager=middle)
    cases["mentoree two levels above the mentor"] = (high, low)
    full = mentor(capacity=1)
    propose(program, full, mentoree(), by=coordinator)
    cases["no capacity left"] = (full, mentoree())
    cases["program default capacity"] = (mentor(), mentoree())
    taken = mentoree()
    propose(program, mentor(), taken, by=coordinator)
    cases["mentoree already paired"] = (mentor(), taken)
    assessor, assessed = mentor(), mentoree()
    seat(plan_review(assessed, by=talent_reviewer), assessor, by=talent_reviewer)
    cases["mentor sits on an open review of the mentoree (F3)"] = (assessor, assessed)
    cases["mentor has not accepted the commitment (F5)"] = (mentor(accept=False), mentoree())
    cases["mentoree has not accepted the commitment (F5)"] = (mentor(), mentoree(accept=False))
    worst, worst_report = mentor(accept=False), mentoree(accept=False)
    Employee.objects.filter(pk=worst_report.pk).update(manager=worst, is_active=False)
    Employee.objects.filter(pk=worst.pk).update(level=settings.GROUP_ONLY_LEVEL)
    cases["several at once"] = (worst, worst_report)
    return {
        name: (Employee.objects.get(pk=m.pk), Employee.objects.get(pk=e.pk))
        for name, (m, e) in cases.items()
    }


def test_bulk_verdicts_are_exactly_those_of_pairing_refusals_for_every_reason(
    program, every_refusal
):
    """Same reasons, same words, same order, pair by pair; and every reason occurs."""
    names = list(every_refusal)
    pairs = [every_refusal[name] for name in names]

    bulk = pairing_refusals_many(program=program, pairs=[(m.pk, e.pk) for m, e in pairs])
    single = [pairing_refusals(program=program, mentor=m, mentoree=e) for m, e in pairs]

    for name, expected, got in zip(names, single, bulk, strict=True):
        assert got == expected, name
    assert single[names.index("allowed")] == []
    assert single[names.index("program default capacity")] == []
    words = " ".join(" ".join(reasons) for reasons in single)
    for rule in RULE_WORDS.values():
        assert rule in words
    assert "no longer an active employee" in words
    assert NEUTRAL_MESSAGE in words
    assert len(single[names.index("several at once")]) == 5


def test_bulk_verdicts_hold_in_every_batch(program, every_refusal, monkeypatch):
    """Batches of two: the people of one batch are judged with the facts of that batch."""
    monkeypatch.setattr(pairings_bulk, "PROPOSE_BATCH", 2)
    pairs = list(every_refusal.values())

    bulk = pairing_refusals_many(program=program, pairs=[(m.pk, e.pk) for m, e in pairs])

    assert bulk == [pairing_refusals(program=program, mentor=m, mentoree=e) for m, e in pairs]


def test_rows_are_judged_as_if_proposed_one_after_another(
    program, coordinator, new_mentor, new_mentoree, django_capture_on_commit_callbacks
):
    """Two rows for a mentor with one seat: the second is refused in the words the
    single-pair path would use once the first is made."""
    mentor = new_mentor(capacity=1)
    first, second = new_mentoree(), new_mentoree()
    run = proposal(program, coordinator, [(mentor, first), (mentor, second)])

    run = publish_now(run, coordinator, django_capture_on_commit_callbacks)

    assert run.status == MatchingRun.Status.PUBLISH_FAILED
    assert run.refusals == [
        f"{mentor.full_name} and {second.full_name}: "
        f"{mentor.full_name} has no capacity left (1 of 1 mentorees)."
    ]
    assert not Pairing.objects.exists()


# --- The same rows as pairing_propose ---------------------------------------------------------


def test_a_published_pair_has_exactly_what_pairing_propose_writes(
    program, coordinator, new_mentor, new_mentoree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        by_hand = propose(program, new_mentor(), new_mentoree(), by=coordinator)
    run = proposal(program, coordinator, [(new_mentor(), new_mentoree())])

    run = publish_now(run, coordinator, django_capture_on_commit_callbacks)

    assert run.status == MatchingRun.Status.PUBLISHED
    published = Pairing.objects.exclude(pk=by_hand.pk).get()
    assert footprint(published) == footprint(by_hand)
    assert published.score == run.pairs.get().score
    assert footprint(published)["grants"] == [
        ("mentor", "access_pairing"),
        ("mentoree", "access_pairing"),
    ]
    assert [m[:3] for m in footprint(published)["messages"]] == [
        ("mentor", "pairing_proposed", "pairing-proposed:<pk>"),
        ("mentoree", "pairing_proposed", "pairing-proposed:<pk>"),
    ]
    assert footprint(published)["register"] == [("mentoring", None, None)]


def test_publishing_tells_both_members_through_the_outbox(
    program, coordinator, new_mentor, new_mentoree, django_capture_on_commit_callbacks, deliver
):
    rows = [(new_mentor(), new_mentoree()) for _ in range(3)]
    run = proposal(program, coordinator, rows)

    publish_now(run, coordinator, django_capture_on_commit_callbacks)
    deliver()

    for mentor, mentoree in rows:
        pairing = Pairing.objects.get(mentor=mentor, mentoree=mentoree)
        sent = Message.objects.filter(key=f"pairing-proposed:{pairing.pk}")
        assert sorted(sent.values_list("recipient_id", "kind", "status")) == sorted(
            [
                (mentor.user_id, "pairing_proposed", Message.Status.SENT),
                (mentoree.user_id, "pairing_proposed", Message.Status.SENT),
            ]
        )


# --- The task, the page and its progress -----------------------------------------------------


def test_the_publish_post_starts_a_task_with_ids_only(
    program,
    coordinator,
    new_mentor,
    new_mentoree,
    signed_in_client,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    run = proposal(program, coordinator, [(new_mentor(), new_mentoree())])
    sent = []
    monkeypatch.setattr(
        matching_services.publish_matching_task, "delay", lambda *a, **k: sent.append((a, k))
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_client(coordinator).post(
            reverse("pairings:matching_publish", args=[program.slug, run.pk])
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("pairings:matching", args=[program.slug])
    assert sent == [((run.pk, coordinator.pk), {})]
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.PUBLISHING
    assert not Pairing.objects.exists()


def test_the_matching_page_shows_the_progress_then_the_outcome(
    program,
    coordinator,
    new_mentor,
    new_mentoree,
    signed_in_client,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    """While the task works the page shows a progress bar that htmx polls (the percentage
    comes from the cache, the run's row being locked), never a self-reloading page (WCAG F41);
    then it shows the outcome."""
    run = proposal(program, coordinator, [(new_mentor(), new_mentoree()) for _ in range(2)])
    client = signed_in_client(coordinator)
    page_url = reverse("pairings:matching", args=[program.slug])
    monkeypatch.setattr(matching_services.publish_matching_task, "delay", lambda *a: None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pairings:matching_publish", args=[program.slug, run.pk]))
    cache.set(publish_progress_key(run.pk), 40)

    page = client.get(page_url).content.decode()

    status_url = reverse("pairings:matching_status", args=[program.slug])
    assert 'http-equiv="refresh"' not in page
    assert f'role="status" hx-get="{status_url}" hx-trigger="every 2s"' in page
    assert re.search(r'<progress id="publish-progress" max="100" value="40">', page)
    assert "Publish these pairings" not in page
    fragment = client.get(status_url)
    assert fragment.status_code == 200
    assert '<progress id="publish-progress" max="100" value="40">' in fragment.text

    matching.matching_run_publish_execute(run_id=run.pk, by_id=coordinator.pk)
    page = client.get(page_url).content.decode()
    fragment = client.get(status_url)

    assert fragment.status_code == 286  # htmx stops polling
    assert "The proposal was published: every member was told." in fragment.text
    assert 'http-equiv="refresh"' not in page and 'hx-trigger="every' not in page
    assert "This proposal was published: 2 pairings proposed" in page
    assert cache.get(publish_progress_key(run.pk)) is None


def test_a_refused_publication_lists_every_refused_row_and_can_be_published_again(
    program,
    coordinator,
    new_mentor,
    new_mentoree,
    signed_in_client,
    django_capture_on_commit_callbacks,
):
    good = (new_mentor(), new_mentoree())
    late_a, late_b = (new_mentor(), new_mentoree()), (new_mentor(), new_mentoree())
    run = proposal(program, coordinator, [good, late_a, late_b])
    # Between the run and the publication, both late mentorees got a mentor by hand.
    for _, mentoree in (late_a, late_b):
        propose(program, new_mentor(), mentoree, by=coordinator)
    before = written()

    run = publish_now(run, coordinator, django_capture_on_commit_callbacks)

    assert written() == before
    assert run.status == MatchingRun.Status.PUBLISH_FAILED
    assert run.refusals == [
        f"{m.full_name} and {e.full_name}: {e.full_name} already has a mentor in this program."
        for m, e in (late_a, late_b)
    ]
    page = html.unescape(
        signed_in_client(coordinator)
        .get(reverse("pairings:matching", args=[program.slug]))
        .content.decode()
    )
    assert "The proposal was not published." in page
    for refusal in run.refusals:
        assert refusal in page
    assert "Publish these pairings" in page

    for pair in run.pairs.exclude(mentoree=good[1]):
        matching.proposal_remove(pair=pair, by=coordinator)
    run = publish_now(run, coordinator, django_capture_on_commit_callbacks)

    assert run.status == MatchingRun.Status.PUBLISHED
    assert run.refusals == []
    assert Pairing.objects.filter(mentor=good[0], mentoree=good[1]).exists()


def test_publishing_twice_is_refused(
    program,
    coordinator,
    new_mentor,
    new_mentoree,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    run = proposal(program, coordinator, [(new_mentor(), new_mentoree())])
    monkeypatch.setattr(matching_services.publish_matching_task, "delay", lambda *a: None)
    matching.matching_run_publish_start(run=run, by=coordinator)

    with pytest.raises(ValidationError, match="not yet published"):
        matching.matching_run_publish_start(run=run, by=coordinator)
    # Nor can the proposal change, or a new run start, while it is being published.
    with pytest.raises(ValidationError, match="not yet published"):
        matching.proposal_remove(pair=run.pairs.get(), by=coordinator)
    with pytest.raises(ValidationError, match="being published"):
        matching.matching_run_start(program=program, by=coordinator)

    # The task delivered twice: the second delivery finds the run published.
    matching.matching_run_publish_execute(run_id=run.pk, by_id=coordinator.pk)
    matching.matching_run_publish_execute(run_id=run.pk, by_id=coordinator.pk)

    run.refresh_from_db()
    assert run.status == MatchingRun.Status.PUBLISHED
    assert Pairing.objects.count() == 1
    with pytest.raises(ValidationError, match="not yet published"):
        matching.matching_run_publish_start(run=run, by=coordinator)


def test_only_a_coordinator_of_the_program_publishes(
    program, coordinator, new_mentor, new_mentoree, outsider, other_coordinator
):
    run = proposal(program, coordinator, [(new_mentor(), new_mentoree())])

    for who in (outsider, other_coordinator):
        with pytest.raises(ValidationError, match="Only a coordinator"):
            matching.matching_run_publish_start(run=run, by=who)
        with pytest.raises(ValidationError, match="Only a coordinator"):
            matching.matching_run_publish(run=run, by=who)
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.DONE


# --- All or nothing under a failure halfway ---------------------------------------------------


def test_a_failure_in_a_later_batch_leaves_nothing_and_says_so_without_data(
    program,
    coordinator,
    new_mentor,
    new_mentoree,
    monkeypatch,
    caplog,
    django_capture_on_commit_callbacks,
):
    rows = [(new_mentor(), new_mentoree()) for _ in range(5)]
    run = proposal(program, coordinator, rows)
    before = written()
    monkeypatch.setattr(pairings_bulk, "PROPOSE_BATCH", 2)
    real = pairings_bulk.messages_schedule_many
    calls = []

    def fails_in_the_second_batch(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ConnectionError(f"lost the database while telling {rows[2][1].full_name}")
        return real(**kwargs)

    monkeypatch.setattr(pairings_bulk, "messages_schedule_many", fails_in_the_second_batch)

    run = publish_now(run, coordinator, django_capture_on_commit_callbacks)

    assert len(calls) == 2  # the first batch was written before the failure
    assert written() == before
    assert run.status == MatchingRun.Status.PUBLISH_FAILED
    assert run.error.startswith("ConnectionError: the publication could not be completed")
    assert "nothing was published" in run.error
    assert rows[2][1].full_name not in run.error + caplog.text
    assert run.refusals == []

    monkeypatch.setattr(pairings_bulk, "messages_schedule_many", real)
    run = publish_now(run, coordinator, django_capture_on_commit_callbacks)

    assert run.status == MatchingRun.Status.PUBLISHED
    assert Pairing.objects.count() == before["pairings"] + 5


def test_a_new_commitment_version_is_seen_at_publication(
    program, coordinator, new_mentor, new_mentoree, django_capture_on_commit_callbacks
):
    """F5 by the task: version 2 of the commitment came out after the run."""
    mentor, mentoree = new_mentor(), new_mentoree()
    run = proposal(program, coordinator, [(mentor, mentoree)])
    program_services.commitment_publish(program=program, by=coordinator, text=NEW_COMMITMENT_TEXT)

    run = publish_now(run, coordinator, django_capture_on_commit_callbacks)

    assert run.status == MatchingRun.Status.PUBLISH_FAILED
    assert RULE_WORDS["commitment"] in " ".join(run.refusals)
    assert not Pairing.objects.exists()


# --- Query counts -----------------------------------------------------------------------------


def _publication_queries(pairs: int) -> int:
    run, coordinator = synthetic_proposal(pairs=pairs)
    default_template()  # made once, by the first pairing ever proposed
    with CaptureQueriesContext(connection) as queries:
        assert matching.matching_run_publish(run=run, by=coordinator) == pairs
    return len(queries)


# Queries of one publication of up to PROPOSE_BATCH rows: the run (lock, rows, status, pins),
# the locks (applications, register rows), the facts judged, then one insert of each kind.
PUBLICATION_QUERIES = 33


def test_publication_query_count_is_fixed_per_batch(db):
    """10 and 100 rows (one batch) cost the same; 100 rows in batches of 10 cost about ten
    times one batch, never a query per row."""
    assert _publication_queries(10) == PUBLICATION_QUERIES
    assert _publication_queries(100) == PUBLICATION_QUERIES


def test_publication_queries_grow_with_batches_not_rows(db, monkeypatch):
    monkeypatch.setattr(pairings_bulk, "PROPOSE_BATCH", 10)
    one_batch = _publication_queries(10)
    ten_batches = _publication_queries(100)
    assert ten_batches <= 10 * one_batch
    assert ten_batches < 100 * 3  # a query per row and kind would be far more


# --- Races on PostgreSQL ----------------------------------------------------------------------

ROUNDS = 8


def _fresh(program, committee, role, **kwargs) -> Employee:
    employee = person(level=7 if role == MENTOR else 4)
    enrol_in(program, committee, employee, role, **kwargs)
    return employee


def _publish(run, coordinator):
    return lambda: matching_services.matching_run_publish(run=run, by=coordinator)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_publication_and_a_manual_pairing_racing_for_a_mentors_last_seat(
    program, committee, coordinator
):
    for _ in range(ROUNDS):
        mentor = _fresh(program, committee, MENTOR, capacity=1)
        listed, by_hand = _fresh(program, committee, MENTOREE), _fresh(program, committee, MENTOREE)
        others = [(_fresh(program, committee, MENTOR), _fresh(program, committee, MENTOREE))]
        run = proposal(program, coordinator, [*others, (mentor, listed)])

        results = race(
            [
                ("publish", _publish(run, coordinator)),
                ("propose", lambda m=mentor, e=by_hand: propose(program, m, e, by=coordinator)),
            ]
        )

        assert sorted(map(str, results.values())) == ["ok", "refused"], results
        assert Pairing.objects.filter(mentor=mentor, status__in=Pairing.LIVE).count() == 1
        published = Pairing.objects.filter(mentoree=others[0][1]).exists()
        assert published == (results["publish"] == "ok")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_publication_and_a_manual_pairing_racing_for_one_mentoree(program, committee, coordinator):
    for _ in range(ROUNDS):
        mentoree = _fresh(program, committee, MENTOREE)
        listed, by_hand = _fresh(program, committee, MENTOR), _fresh(program, committee, MENTOR)
        others = [(_fresh(program, committee, MENTOR), _fresh(program, committee, MENTOREE))]
        run = proposal(program, coordinator, [(listed, mentoree), *others])

        results = race(
            [
                ("publish", _publish(run, coordinator)),
                ("propose", lambda m=by_hand, e=mentoree: propose(program, m, e, by=coordinator)),
            ]
        )

        assert sorted(map(str, results.values())) == ["ok", "refused"], results
        assert Pairing.objects.filter(mentoree=mentoree, status__in=Pairing.LIVE).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_f3_publication_and_a_panel_seat_racing_never_both_succeed(
    program, committee, coordinator, talent_reviewer
):
    """F3 and F11 under concurrency: seating the mentor on the mentoree's panel and
    publishing a proposal that pairs them, at once: exactly one succeeds, the other is
    refused in words (no deadlock, no error)."""
    for _ in range(ROUNDS):
        mentor, mentoree = _fresh(program, committee, MENTOR), _fresh(program, committee, MENTOREE)
        others = [(_fresh(program, committee, MENTOR), _fresh(program, committee, MENTOREE))]
        run = proposal(program, coordinator, [*others, (mentor, mentoree)])
        review = plan_review(mentoree, by=talent_reviewer)

        results = race(
            [
                ("publish", _publish(run, coordinator)),
                (
                    "seat",
                    lambda r=review, m=mentor: review_services.seat_add(
                        review=r, member=m, by=talent_reviewer
                    ),
                ),
            ]
        )

        assert sorted(map(str, results.values())) == ["ok", "refused"], results
        seated = PanelSeat.objects.filter(review=review, member=mentor).exists()
        paired = Pairing.objects.filter(mentor=mentor, mentoree=mentoree).exists()
        assert seated == (results["seat"] == "ok")
        assert paired == (results["publish"] == "ok")
        assert not (seated and paired)


# --- Migrations only grow -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_runs_of_the_previous_release_migrate_forward_unchanged(program, coordinator):
    """A database at the previous release (pairings 0001) holding runs in every status it
    knew migrates to head without losing a row: statuses kept, no refusals."""
    with at_release(("pairings", "0001_initial")) as old:
        old_run = old.get_model("pairings", "MatchingRun")
        ids = {
            status: old_run.objects.create(program_id=program.pk, status=status, progress=7).pk
            for status in ("queued", "running", "done", "failed", "published")
        }

    for status, pk in ids.items():
        run = MatchingRun.objects.get(pk=pk)
        assert (run.status, run.progress, run.refusals) == (status, 7, [])
