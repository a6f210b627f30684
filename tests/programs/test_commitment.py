"""The program commitment (F5 contract first): a default text ships as version 1; admitted
participants accept the current version; a new version must be accepted again; participants
can always reread exactly what they accepted."""

import hashlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from programs import selectors, services
from programs.models import CommitmentAcceptance
from programs.texts import DEFAULT_COMMITMENT_TEXT
from tests.builders.programs import apply

NEW_TEXT = (
    "Version two of our promise\n\n"
    "Your job is safe and what you say stays in the pair. "
    "Either of you can end the pairing at any time without fault."
)
NEW_VERSION_TITLE = "the program commitment has a new version to accept"


def test_admitted_participant_accepts_the_current_version_with_who_when_version_and_hash(
    program, participant
):
    before = timezone.now()

    acceptance = services.commitment_accept(employee=participant.employee, program=program)

    assert acceptance.employee == participant.employee
    assert acceptance.commitment.version == 1
    assert acceptance.commitment.program == program
    assert acceptance.text_hash == hashlib.sha256(DEFAULT_COMMITMENT_TEXT.encode()).hexdigest()
    assert before <= acceptance.accepted_at <= timezone.now()
    assert selectors.commitment_is_accepted(employee=participant.employee, program=program)


def test_accepting_again_keeps_a_single_acceptance(program, participant):
    first = services.commitment_accept(employee=participant.employee, program=program)
    second = services.commitment_accept(employee=participant.employee, program=program)

    assert first.pk == second.pk
    assert CommitmentAcceptance.objects.count() == 1


def test_new_version_must_be_accepted_again_before_the_f5_gate_opens(
    program, coordinator, participant
):
    """F5: a pairing needs the mentoree's acceptance of the *current* commitment."""
    services.commitment_accept(employee=participant.employee, program=program)

    version_2 = services.commitment_publish(program=program, by=coordinator, text=NEW_TEXT)

    assert version_2.version == 2
    assert selectors.commitment_current(program=program) == version_2
    assert not selectors.commitment_is_accepted(employee=participant.employee, program=program)

    acceptance = services.commitment_accept(employee=participant.employee, program=program)

    assert acceptance.commitment == version_2
    assert acceptance.text_hash == hashlib.sha256(version_2.text.encode()).hexdigest()
    assert selectors.commitment_is_accepted(employee=participant.employee, program=program)
    assert CommitmentAcceptance.objects.filter(employee=participant.employee).count() == 2


def test_new_version_notifies_admitted_participants_only(
    program, coordinator, participant, mentor, outsider, deliver
):
    apply(mentor.employee, program, "mentor")  # applied, not admitted

    services.commitment_publish(program=program, by=coordinator, text=NEW_TEXT)
    deliver()

    told = Notification.objects.filter(title__contains=NEW_VERSION_TITLE)
    assert [n.recipient for n in told] == [participant]
    assert told.get().url == reverse("programs:commitment", args=[program.slug])


@pytest.mark.parametrize(
    ("text", "words"),
    [("Too short.", "in full"), (DEFAULT_COMMITMENT_TEXT, "same as the current version")],
)
def test_new_version_that_is_too_short_or_unchanged_is_refused(program, coordinator, text, words):
    with pytest.raises(ValidationError, match=words):
        services.commitment_publish(program=program, by=coordinator, text=text)

    assert program.commitments.count() == 1


@pytest.mark.parametrize("who", ["other_coordinator", "committee_member", "superuser", "hr_admin"])
def test_only_a_coordinator_of_the_program_publishes_a_new_version(
    request, program, committee, who
):
    with pytest.raises(ValidationError, match="Only a coordinator"):
        services.commitment_publish(program=program, by=request.getfixturevalue(who), text=NEW_TEXT)

    assert program.commitments.count() == 1


def test_applicant_not_yet_admitted_cannot_accept(program, mentoree):
    apply(mentoree.employee, program)

    with pytest.raises(ValidationError, match="Only admitted participants"):
        services.commitment_accept(employee=mentoree.employee, program=program)

    assert not CommitmentAcceptance.objects.exists()


def test_non_participant_cannot_accept(program, outsider):
    with pytest.raises(ValidationError, match="Only admitted participants"):
        services.commitment_accept(employee=outsider.employee, program=program)

    assert not CommitmentAcceptance.objects.exists()


# --- In the browser ------------------------------------------------------------------------


def test_participant_reads_and_accepts_the_commitment_in_the_browser(
    program, participant, signed_in_client
):
    client = signed_in_client(participant)
    url = reverse("programs:commitment", args=[program.slug])

    page = client.get(url)
    assert page.status_code == 200
    assert "Your job is safe" in page.content.decode()

    response = client.post(url)

    assert response.status_code == 302
    assert selectors.commitment_is_accepted(employee=participant.employee, program=program)


def test_participant_rereads_the_exact_text_they_accepted_after_a_new_version(
    program, coordinator, participant, signed_in_client
):
    old = services.commitment_accept(employee=participant.employee, program=program)
    services.commitment_publish(program=program, by=coordinator, text=NEW_TEXT)
    new = services.commitment_accept(employee=participant.employee, program=program)
    client = signed_in_client(participant)

    listing = client.get(reverse("programs:my_commitments")).content.decode()
    assert reverse("programs:acceptance", args=[old.pk]) in listing
    assert reverse("programs:acceptance", args=[new.pk]) in listing

    old_page = client.get(reverse("programs:acceptance", args=[old.pk]))
    assert old_page.status_code == 200
    old_text = old_page.content.decode()
    # The default text, paragraph by paragraph (the page keeps its words and line breaks).
    for line in ("Our promise to you as a participant", "1. Your job is safe. Taking part in"):
        assert line in old_text
    assert "Version two of our promise" not in old_text

    new_text = client.get(reverse("programs:acceptance", args=[new.pk])).content.decode()
    assert "Version two of our promise" in new_text
    assert "Our promise to you as a participant" not in new_text


def test_nobody_else_reads_a_participants_acceptance(
    program, participant, outsider, coordinator, signed_in_client
):
    acceptance = services.commitment_accept(employee=participant.employee, program=program)
    url = reverse("programs:acceptance", args=[acceptance.pk])

    assert signed_in_client(outsider).get(url).status_code == 404
    assert signed_in_client(coordinator).get(url).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404_on_the_commitment_page_and_accepts_nothing(
    program, outsider, signed_in_client, method
):
    client = signed_in_client(outsider)

    response = getattr(client, method)(reverse("programs:commitment", args=[program.slug]))

    assert response.status_code == 404
    assert not CommitmentAcceptance.objects.exists()


def test_coordinator_reads_the_commitment_but_cannot_accept_it(
    program, coordinator, signed_in_client
):
    client = signed_in_client(coordinator)
    url = reverse("programs:commitment", args=[program.slug])

    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 404
    assert not CommitmentAcceptance.objects.exists()


def test_coordinator_publishes_a_new_version_in_the_browser(
    program, coordinator, participant, signed_in_client, deliver
):
    client = signed_in_client(coordinator)
    url = reverse("programs:commitment_publish", args=[program.slug])
    preview = client.post(url, {"text": NEW_TEXT})
    assert preview.status_code == 200  # first the difference (test_commitment_preview.py)
    assert selectors.commitment_current(program=program).version == 1
    token = re.search(r'name="preview" value="([^"]+)"', preview.content.decode()).group(1)

    response = client.post(url, {"text": NEW_TEXT, "preview": token, "step": "publish"})
    deliver()

    assert response.status_code == 302
    assert selectors.commitment_current(program=program).version == 2
    assert Notification.objects.filter(
        recipient=participant, title__contains=NEW_VERSION_TITLE
    ).exists()


def test_participant_sees_the_new_version_notification_in_the_inbox(
    program, coordinator, participant, signed_in_client, deliver
):
    services.commitment_publish(program=program, by=coordinator, text=NEW_TEXT)
    deliver()

    response = signed_in_client(participant).get(reverse("inbox"))

    assert response.status_code == 200
    assert NEW_VERSION_TITLE in response.content.decode()
