"""After a new program commitment version an active pairing is shown as paused, not "Active":
its mentoree gets the link to read and accept the new version, its mentor is told what it
waits for, and once accepted it reads "Active" again. The pairing itself stays active (the
new version holds back new pairings only)."""

from __future__ import annotations

import re

from django.urls import reverse

from pairings.models import Pairing
from programs import services as program_services
from tests.builders.pairings import NEW_COMMITMENT_TEXT


def status_words(html: str) -> list[str]:
    """The words of every status badge on the page."""
    return re.findall(r'<span class="status tone--[a-z]+">([^<]+)</span>', html)


def test_a_pairing_waiting_for_a_new_commitment_version_is_shown_paused_with_the_link(
    active_pairing, program, coordinator, mentor, mentoree, signed_in_client
):
    program_services.commitment_publish(program=program, by=coordinator, text=NEW_COMMITMENT_TEXT)
    active_pairing.refresh_from_db()
    assert active_pairing.status == Pairing.Status.ACTIVE
    space = reverse("pairings:space", args=[active_pairing.pk])
    accept_link = reverse("programs:commitment", args=[program.slug])

    theirs = signed_in_client(mentoree).get(space).content.decode()
    assert "Paused" in status_words(theirs) and "Active" not in status_words(theirs)
    assert "Your pairing is paused" in theirs
    assert f'href="{accept_link}"' in theirs
    assert "What is still needed before you can start" not in theirs

    mine = signed_in_client(mentor).get(space).content.decode()
    assert "Paused" in status_words(mine)
    assert f"{mentoree.employee.full_name} has not accepted it yet" in mine
    assert f'href="{accept_link}"' not in mine

    listed = signed_in_client(mentoree).get(reverse("pairings:mine")).content.decode()
    assert "Paused" in status_words(listed) and "Active" not in status_words(listed)
    assert f'href="{accept_link}"' in listed

    program_services.commitment_accept(employee=mentoree.employee, program=program)
    again = signed_in_client(mentoree).get(space).content.decode()
    assert "Active" in status_words(again) and "Paused" not in status_words(again)
    assert "Your pairing is paused" not in again


def test_the_coordinators_list_shows_the_pairing_paused_until_the_new_version_is_accepted(
    active_pairing, program, coordinator, mentoree, signed_in_client
):
    client = signed_in_client(coordinator)
    listing = reverse("pairings:program", args=[program.slug])
    assert status_words(client.get(listing).content.decode()) == ["Active"]

    program_services.commitment_publish(program=program, by=coordinator, text=NEW_COMMITMENT_TEXT)
    page = client.get(listing).content.decode()
    assert status_words(page) == ["Paused"]
    assert f"A new commitment version waits for {mentoree.employee.full_name}" in page
    # The filter by status still finds it among the active pairings: it is one.
    assert status_words(client.get(listing, {"status": "active"}).content.decode()) == ["Paused"]

    program_services.commitment_accept(employee=mentoree.employee, program=program)
    assert status_words(client.get(listing).content.decode()) == ["Active"]
