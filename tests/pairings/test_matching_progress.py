"""The matching page's progress: a `role="status"` region that htmx polls, never a page that
reloads itself (`<meta http-equiv="refresh">`, WCAG F41 / SC 2.2.1), with a plain Refresh
link for a browser without JavaScript. The fragment says how the run ended and tells htmx to
stop (286). The browser test is tests/browser/test_progress_polling.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pairings.models import MatchingRun


@pytest.fixture
def urls(program):
    return (
        reverse("pairings:matching", args=[program.slug]),
        reverse("pairings:matching_status", args=[program.slug]),
    )


def squash(response) -> str:
    return " ".join(response.content.decode().split())


def test_the_page_of_a_running_run_polls_a_status_region_and_never_reloads_itself(
    program, coordinator, signed_in_client, urls
):
    MatchingRun.objects.create(program=program, status="running", progress=35)
    page_url, status_url = urls

    html = squash(signed_in_client(coordinator).get(page_url))

    assert 'http-equiv="refresh"' not in html
    assert (
        f'<div id="matching-status" role="status" hx-get="{status_url}" '
        'hx-trigger="every 2s" hx-swap="innerHTML">'
    ) in html
    assert '<progress id="run-progress" max="100" value="35">35%</progress>' in html
    assert f'<a href="{page_url}">Refresh</a>' in html  # without JavaScript
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "hx-swap-oob" not in html


def test_the_fragment_shows_the_progress_while_the_run_works(
    program, coordinator, signed_in_client, urls
):
    run = MatchingRun.objects.create(program=program, status="queued")
    client = signed_in_client(coordinator)

    response = client.get(urls[1])

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = squash(response)
    assert "Waiting to start" in html
    assert "<html" not in html and "<main" not in html  # a fragment, not a page
    assert '<dd id="run-status" hx-swap-oob="true">' in html and "Queued" in html

    MatchingRun.objects.filter(pk=run.pk).update(status="running", progress=80)
    html = squash(client.get(urls[1]))

    assert '<progress id="run-progress" max="100" value="80">80%</progress>' in html
    assert "Running" in html


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("done", "Matching has finished: the proposal is ready for review."),
        ("failed", "The run failed: nothing was proposed."),
        ("published", "The proposal was published: every member was told."),
        ("publish_failed", "The proposal was not published: nobody was told."),
    ],
)
def test_once_the_run_has_ended_the_fragment_says_how_and_stops_the_polling(
    program, coordinator, signed_in_client, urls, status, words
):
    MatchingRun.objects.create(program=program, status=status, progress=100)
    page_url, status_url = urls

    response = signed_in_client(coordinator).get(status_url)

    assert response.status_code == 286  # htmx's "stop polling"
    html = squash(response)
    assert words in html
    assert f'<a href="{page_url}">Show the result</a>' in html
    assert "<progress" not in html


def test_the_page_of_a_finished_run_has_no_polling_at_all(
    program, coordinator, signed_in_client, urls
):
    MatchingRun.objects.create(program=program, status="failed", error="No mentor has room.")

    html = squash(signed_in_client(coordinator).get(urls[0]))

    # No poll (the people picker's search on typing is no poll).
    assert 'hx-trigger="every' not in html and 'http-equiv="refresh"' not in html
    assert "No mentor has room." in html


def test_the_fragment_is_hidden_from_everyone_but_the_programs_coordinator(
    program, other_coordinator, mentor, superuser, signed_in_client, urls
):
    """The page's own rule (tests/firewall/test_authorization_matrix.py has every role)."""
    MatchingRun.objects.create(program=program, status="running", progress=10)
    for person in (other_coordinator, mentor, superuser):
        assert signed_in_client(person).get(urls[1]).status_code == 404, person
