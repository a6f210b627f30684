"""A new commitment version is shown as a difference from the version in force, and is
published only from that preview (issue L, item 4)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.textdiff import ADDED, CHANGED, REMOVED, SAME, text_diff
from notifications.models import Message
from programs import selectors, services
from programs.texts import DEFAULT_COMMITMENT_TEXT
from tests.builders.programs import make_program

FIRST = "1. Your job is safe."
NEW_TEXT = DEFAULT_COMMITMENT_TEXT.replace(
    "without explanation and without consequence.",
    "without explanation, without consequence and without telling your manager.",
).replace(
    "By accepting,", "6. Your notes are deleted a year after the pairing ends.\n\nBy accepting,"
)


def url(program):
    return reverse("programs:commitment_publish", args=[program.slug])


def preview(client, program, text):
    response = client.post(url(program), {"text": text})
    assert response.status_code == 200
    return response


def token_of(response) -> str:
    (token,) = re.findall(r'name="preview" value="([^"]+)"', response.content.decode())
    return token


def publish(client, program, text, token):
    return client.post(url(program), {"text": text, "preview": token, "step": "publish"})


def visible(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- The difference itself ---------------------------------------------------------------------


def test_a_changed_line_shows_the_words_that_went_and_came():
    diff = text_diff(
        "Your job is safe.\n\nYou can end it.", "Your job is secure.\n\nYou can end it."
    )

    changed = [line for line in diff.lines if line.kind == CHANGED]
    assert len(changed) == 1
    pieces = [(p.kind, p.text) for p in changed[0].pieces if p.kind != SAME]
    assert pieces == [(REMOVED, "safe"), (ADDED, "secure")]
    assert (diff.changed, diff.added, diff.removed) == (1, 0, 0)


def test_only_the_words_are_marked_not_the_space_before_them():
    diff = text_diff("Your job is safe.", "Your job is entirely safe.")

    (line,) = diff.lines
    assert [(p.kind, p.text) for p in line.pieces] == [
        (SAME, "Your job is "),
        (ADDED, "entirely"),
        (SAME, " safe."),
    ]


def test_added_and_removed_lines_are_whole_lines():
    diff = text_diff("One.\n\nTwo.\n\nThree.", "One.\n\nThree.\n\nFour, a new paragraph.")

    kinds = [(line.kind, line.pieces[0].text) for line in diff.lines if not line.is_blank]
    assert (REMOVED, "Two.") in kinds and (ADDED, "Four, a new paragraph.") in kinds
    assert (diff.added, diff.removed, diff.changed) == (1, 1, 0)


def test_a_rewritten_line_reads_as_removed_and_added_not_as_confetti():
    diff = text_diff("Mentoring is for development.", "Totally different wording here now.")

    assert [line.kind for line in diff.lines] == [REMOVED, ADDED]


# --- The preview step ----------------------------------------------------------------------------


def test_the_preview_shows_the_difference_and_publishes_nothing(
    program, coordinator, participant, signed_in_client
):
    response = preview(signed_in_client(coordinator), program, NEW_TEXT)
    html = response.content.decode()

    assert '<del><span class="visually-hidden">[removed: </span>consequence' in html
    assert '<ins><span class="visually-hidden">[added: </span>telling your manager' in html
    assert "6. Your notes are deleted a year after the pairing ends." in html
    assert "compared with <strong>version 1</strong>" in html
    assert "1 paragraph changed, 1 added, 0 removed" in visible(html)
    assert "Publish version 2" in html
    assert selectors.commitment_current(program=program).version == 1
    assert (
        not Message.objects.filter(kind="commitment_to_accept")
        .exclude(key__endswith=f":{selectors.commitment_current(program=program).pk}")
        .exists()
    )


def test_publishing_from_the_preview_publishes_and_asks_participants_again(
    program, coordinator, participant, signed_in_client, deliver
):
    client = signed_in_client(coordinator)
    token = token_of(preview(client, program, NEW_TEXT))

    response = publish(client, program, NEW_TEXT, token)
    deliver()

    assert response.status_code == 302
    current = selectors.commitment_current(program=program)
    assert (current.version, current.text) == (2, NEW_TEXT.strip())
    assert Message.objects.filter(
        kind="commitment_to_accept", recipient=participant, key=f"commitment:{current.pk}"
    ).exists()


@pytest.mark.parametrize("token", ["", "forged", "stolen-from-another-text"])
def test_publishing_without_the_preview_of_this_very_text_publishes_nothing(
    program, coordinator, signed_in_client, token
):
    client = signed_in_client(coordinator)
    if token == "stolen-from-another-text":
        token = token_of(preview(client, program, NEW_TEXT + "\n\nA harmless line."))

    response = publish(client, program, NEW_TEXT, token)

    assert response.status_code == 200  # the preview of this text, to read first
    assert "Publish from this page once you have read the changes" in response.content.decode()
    assert "[added: </span>telling your manager" in response.content.decode()
    assert selectors.commitment_current(program=program).version == 1


def test_a_preview_made_for_another_coordinator_does_not_publish(
    program, coordinator, other_coordinator, signed_in_client
):
    services.coordinator_add(program=program, user=other_coordinator, by=None)
    token = token_of(preview(signed_in_client(coordinator), program, NEW_TEXT))

    publish(signed_in_client(other_coordinator), program, NEW_TEXT, token)

    assert selectors.commitment_current(program=program).version == 1


def test_a_version_published_meanwhile_sends_the_coordinator_back_to_the_preview(
    program, coordinator, signed_in_client
):
    client = signed_in_client(coordinator)
    token = token_of(preview(client, program, NEW_TEXT))
    services.commitment_publish(
        program=program, by=coordinator, text=DEFAULT_COMMITMENT_TEXT + "\n\nAn appendix."
    )

    response = publish(client, program, NEW_TEXT, token)

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Version 2 is now in force" in html and "compared with <strong>version 2</strong>" in html
    )
    assert selectors.commitment_current(program=program).version == 2
    # The new preview publishes version 3.
    assert publish(client, program, NEW_TEXT, token_of(response)).status_code == 302
    assert selectors.commitment_current(program=program).version == 3


def test_the_service_refuses_a_text_compared_with_an_older_version(program, coordinator):
    with pytest.raises(ValidationError, match="Version 1 was published meanwhile"):
        services.commitment_publish(program=program, by=coordinator, text=NEW_TEXT, based_on=0)

    assert selectors.commitment_current(program=program).version == 1


def test_the_difference_is_escaped(program, coordinator, signed_in_client):
    hostile = DEFAULT_COMMITMENT_TEXT + '\n\n<script>alert("x")</script> <b onmouseover=x>bold</b>'

    html = preview(signed_in_client(coordinator), program, hostile).content.decode()

    assert "<script>alert" not in html and "<b onmouseover" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Too short.", "State the promise in full."),
        (DEFAULT_COMMITMENT_TEXT, "same as the current"),
    ],
)
def test_a_text_that_would_be_refused_is_a_field_error_before_any_preview(
    program, coordinator, signed_in_client, text, error
):
    response = signed_in_client(coordinator).post(url(program), {"text": text})

    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors["text"])
    assert "preview" not in response.context
    assert selectors.commitment_current(program=program).version == 1


def test_back_to_the_text_keeps_what_was_written(program, coordinator, signed_in_client):
    response = signed_in_client(coordinator).post(
        url(program), {"text": NEW_TEXT, "step": "edit", "preview": "x"}
    )

    assert response.status_code == 200
    assert response.context["form"]["text"].value() == NEW_TEXT
    assert "Preview the changes" in response.content.decode()


def test_the_first_version_is_previewed_as_it_will_read(coordinator, signed_in_client):
    program = make_program(coordinator=coordinator)
    program.commitments.all().delete()

    response = preview(signed_in_client(coordinator), program, NEW_TEXT)

    assert "first commitment" in response.content.decode()
    assert publish(signed_in_client(coordinator), program, NEW_TEXT, token_of(response))
    assert selectors.commitment_current(program=program).version == 1
