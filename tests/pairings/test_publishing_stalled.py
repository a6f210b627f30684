"""A publication whose worker stopped: the run must not stay "publishing" for ever, blocking
the proposal and every new run, and nothing of it may appear later behind the coordinator's
back. A publication still at work is never taken for a stalled one (it holds the run's row
lock until it commits)."""

from __future__ import annotations

import html
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from pairings import matching
from pairings.matching import services as matching_services
from pairings.matching.selectors import STALLED_PUBLICATION_AFTER
from pairings.matching.services import STALLED_PUBLICATION
from pairings.models import MatchingRun, Pairing
from tests.pairings.test_publishing import proposal

STALLED_TEXT = "The publication has not finished."


@pytest.fixture
def publishing(program, coordinator, new_mentor, new_mentoree, monkeypatch):
    """A run whose Publish was pressed `ago` and whose task never ran (its worker stopped).
    `ago=None`: pressed before this version recorded the time."""

    def make(ago: timedelta | None) -> MatchingRun:
        run = proposal(program, coordinator, [(new_mentor(), new_mentoree()) for _ in range(2)])
        monkeypatch.setattr(matching_services.publish_matching_task, "delay", lambda *a: None)
        matching.matching_run_publish_start(run=run, by=coordinator)
        MatchingRun.objects.filter(pk=run.pk).update(
            publishing_since=None if ago is None else timezone.now() - ago
        )
        monkeypatch.undo()
        run.refresh_from_db()
        assert run.status == MatchingRun.Status.PUBLISHING
        return run

    return make


def _page(client, program) -> str:
    return html.unescape(
        client.get(reverse("pairings:matching", args=[program.slug])).content.decode()
    )


def test_publish_records_when_it_was_pressed(publishing):
    before = timezone.now()
    run = publishing(timedelta(0))
    assert before - timedelta(seconds=5) <= run.publishing_since <= timezone.now()


@pytest.mark.parametrize("ago", [STALLED_PUBLICATION_AFTER + timedelta(minutes=1), None])
def test_a_stalled_publication_is_shown_as_such_and_can_be_published_again(
    program,
    coordinator,
    publishing,
    signed_in_client,
    django_capture_on_commit_callbacks,
    ago,
):
    run = publishing(ago)
    client = signed_in_client(coordinator)

    page = _page(client, program)
    status = client.get(reverse("pairings:matching_status", args=[program.slug]))

    assert STALLED_TEXT in page
    assert "Nothing has been published and nobody has been told so far." in page
    assert "Publish again" in page
    assert 'hx-trigger="every' not in page  # no progress bar polling for ever
    assert status.status_code == 286  # htmx stops polling
    assert "its worker seems to have stopped" in status.text
    assert not Pairing.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pairings:matching_publish", args=[program.slug, run.pk]))

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.PUBLISHED
    assert Pairing.objects.filter(program=program).count() == 2
    assert STALLED_TEXT not in _page(client, program)


def test_a_recent_publication_is_still_under_way(
    program, coordinator, publishing, signed_in_client
):
    run = publishing(STALLED_PUBLICATION_AFTER - timedelta(minutes=1))

    page = _page(signed_in_client(coordinator), program)

    assert STALLED_TEXT not in page
    assert '<progress id="publish-progress"' in page
    with pytest.raises(ValidationError, match="not yet published"):
        matching.matching_run_publish_start(run=run, by=coordinator)
    with pytest.raises(ValidationError, match="being published"):
        matching.matching_run_start(program=program, by=coordinator)
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.PUBLISHING


def test_a_new_run_ends_a_stalled_publication_and_its_late_task_publishes_nothing(
    program, coordinator, publishing, monkeypatch
):
    run = publishing(STALLED_PUBLICATION_AFTER + timedelta(minutes=1))
    monkeypatch.setattr(matching_services.run_matching_task, "delay", lambda *a: None)

    new_run = matching.matching_run_start(program=program, by=coordinator)

    run.refresh_from_db()
    assert new_run.pk != run.pk
    assert run.status == MatchingRun.Status.PUBLISH_FAILED
    assert run.error == STALLED_PUBLICATION
    # The lost task, delivered at last (a worker back after a long backlog): it finds the run
    # no longer publishing and does nothing, as the page said.
    matching.matching_run_publish_execute(run_id=run.pk, by_id=coordinator.pk)
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.PUBLISH_FAILED
    assert not Pairing.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_long_publication_at_work_is_never_taken_for_a_stalled_one(
    program, coordinator, new_mentor, new_mentoree, monkeypatch
):
    """Publish pressed long ago, but the publication is still working (a huge proposal, a
    slow database): it holds the run's row lock. A second press waits for it, then finds the
    proposal published and is refused; the run is not marked failed."""
    run = proposal(program, coordinator, [(new_mentor(), new_mentoree())])
    monkeypatch.setattr(matching_services.publish_matching_task, "delay", lambda *a: None)
    matching.matching_run_publish_start(run=run, by=coordinator)
    MatchingRun.objects.filter(pk=run.pk).update(
        publishing_since=timezone.now() - STALLED_PUBLICATION_AFTER - timedelta(minutes=5)
    )
    locked, second_waiting = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def worker() -> None:
        try:
            with transaction.atomic():
                MatchingRun.objects.select_for_update().get(pk=run.pk)
                locked.set()
                second_waiting.wait(timeout=10)
                # Give the second press time to reach the lock, then finish the publication.
                threading.Event().wait(0.5)
                MatchingRun.objects.filter(pk=run.pk).update(status=MatchingRun.Status.PUBLISHED)
        finally:
            connection.close()

    def second_press() -> None:
        try:
            locked.wait(timeout=10)
            second_waiting.set()
            matching.matching_run_publish_start(run=run, by=coordinator)
            outcome["press"] = "ok"
        except ValidationError as exc:
            outcome["press"] = exc.messages
        finally:
            connection.close()

    threads = [threading.Thread(target=worker), threading.Thread(target=second_press)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    run.refresh_from_db()
    assert outcome["press"] == [
        "Only a finished proposal that is not yet published can be published."
    ]
    assert run.status == MatchingRun.Status.PUBLISHED
    assert run.error == ""
