"""The matching page says exactly who was left out and why, so its figures add up ("6 admitted
mentorees have no pair yet" next to "5 considered" names the sixth and the reason); it says a
run finished when it did; and a swap that would put together again a pair of this program
that ended warns first and changes nothing until the coordinator confirms."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pairings import matching
from pairings import services as pairing_services
from pairings.models import MatchingRun, ProposedPair
from programs.models import Application
from tests.builders.pairings import flash_messages, propose

MENTOR = Application.Role.MENTOR


@pytest.fixture
def cohort(join):
    """Two mentors with room for one mentoree each; four admitted mentorees, one of whom has
    not accepted the current commitment."""
    mentors = [join(MENTOR, capacity=1, department=d) for d in ("Risk", "Markets")]
    ready = [join(department="People", last_name=f"Ready{i}") for i in range(3)]
    waiting = join(department="People", first_name="Wanda", last_name="Unsigned", accept=False)
    return mentors, ready, waiting


def run_matching(program, coordinator, capture) -> MatchingRun:
    with capture(execute=True):
        run = matching.matching_run_start(program=program, by=coordinator)
    run.refresh_from_db()
    return run


def test_the_page_names_who_matching_leaves_out_and_why(
    program, coordinator, cohort, signed_in_client, django_capture_on_commit_callbacks
):
    _mentors, ready, _waiting = cohort
    run = run_matching(program, coordinator, django_capture_on_commit_callbacks)
    assert (run.mentorees_considered, run.unmatched) == (3, 1)
    proposed = set(run.pairs.values_list("mentoree_id", flat=True))
    (unpaired,) = [m for m in ready if m.pk not in proposed]

    html = signed_in_client(coordinator).get(reverse("pairings:matching", args=[program.slug]))
    text = " ".join(html.content.decode().split())

    assert "<strong>4</strong> admitted mentorees have no pair yet." in text
    assert "Matching considers 3 of them and leaves out 1:" in text
    assert (
        "Wanda Unsigned has not accepted the current program commitment yet, so matching "
        "leaves them out until they do (F5)." in text
    )
    assert "Considered but left without a pair" in text
    assert f"<li>{unpaired.full_name}</li>" in text
    for person in ready:
        if person.pk in proposed:
            assert f"<li>{person.full_name}</li>" not in text


@pytest.mark.django_db(transaction=True)
def test_starting_a_run_that_finished_at_once_says_it_finished(
    program, coordinator, cohort, signed_in_client
):
    """Without a worker the run is over before the page comes back: "started ... shows its
    progress" would be untrue."""
    response = signed_in_client(coordinator).post(
        reverse("pairings:matching_start", args=[program.slug])
    )

    assert MatchingRun.objects.get().status == MatchingRun.Status.DONE
    assert flash_messages(response) == ["Matching has finished: review its proposal below."]


def swappable_rows(run):
    rows = list(run.pairs.select_related("mentor", "mentoree").order_by("pk"))
    a = rows[0]
    b = next(r for r in rows if r.mentor_id != a.mentor_id)
    return a, b


def test_a_swap_that_pairs_again_a_pair_that_ended_warns_first(
    program, coordinator, cohort, signed_in_client, django_capture_on_commit_callbacks
):
    run = run_matching(program, coordinator, django_capture_on_commit_callbacks)
    a, b = swappable_rows(run)
    # b's mentor and a's mentoree were a pair of this program, which ended.
    earlier = propose(program, b.mentor, a.mentoree, by=coordinator)
    pairing_services.pairing_end(pairing=earlier, by=a.mentoree, category="fit")

    with pytest.raises(ValidationError) as warned:
        matching.proposal_swap(first=a, second=b, by=coordinator)
    assert warned.value.code == "rematch"

    client = signed_in_client(coordinator)
    url = reverse("pairings:proposal_swap", args=[program.slug])
    page = client.post(url, {"first": a.pk, "second": b.pk})
    text = " ".join(page.content.decode().split())
    assert page.status_code == 200
    assert (
        f"{b.mentor.full_name} and {a.mentoree.full_name} were a pair in this program until" in text
    )
    assert "Not the right fit" not in text  # when it ended, never why (F7)
    assert ProposedPair.objects.get(pk=a.pk).mentor_id == a.mentor_id  # nothing changed yet

    confirmed = client.post(url, {"first": a.pk, "second": b.pk, "confirm": "rematch"})
    assert flash_messages(confirmed) == ["The two mentors were swapped."]
    assert ProposedPair.objects.get(pk=a.pk).mentor_id == b.mentor_id


def test_a_swap_without_an_earlier_pair_needs_no_confirmation(
    program, coordinator, cohort, django_capture_on_commit_callbacks
):
    run = run_matching(program, coordinator, django_capture_on_commit_callbacks)
    a, b = swappable_rows(run)

    matching.proposal_swap(first=a, second=b, by=coordinator)

    assert ProposedPair.objects.get(pk=a.pk).mentor_id == b.mentor_id
