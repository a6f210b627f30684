"""The agreement box of the pair's space says where the signatures of the version in force
stand, to each member in their own words: read in one query (`agreement_box`), fresh on
every page, so a new version or a signature shows at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from confidentiality.models import Agreement
from pairings.selectors import agreement_box
from tests.builders.confidentiality import change_rules, sign_as

NEITHER = "Neither of you has signed this version yet."


def box(client, pairing) -> str:
    page = client.get(reverse("pairings:space", args=[pairing.pk])).content.decode()
    start = page.index('id="agreement-heading"')
    return page[start : page.index("</section>", start)]


@pytest.fixture
def clients(signed_in_client, mentor, mentoree):
    return signed_in_client(mentor), signed_in_client(mentoree)


def test_the_box_follows_each_signature_and_each_new_version(pairing, mentor, mentoree, clients):
    as_mentor, as_mentoree = clients
    mentor_name, mentoree_name = mentor.employee.full_name, mentoree.employee.full_name
    for client in clients:
        assert NEITHER in box(client, pairing)
        assert "Version 1" in box(client, pairing)

    sign_as(pairing, mentor)
    assert f"You signed this version. {mentoree_name} has not signed it yet." in box(
        as_mentor, pairing
    )
    assert f"{mentor_name} signed this version. You have not signed it yet." in box(
        as_mentoree, pairing
    )
    assert agreement_box(pairing=pairing).signers == {mentor.pk}

    sign_as(pairing, mentoree)
    for client in clients:
        assert "Signed by both" in box(client, pairing)
        assert "Waiting for signatures" not in box(client, pairing)

    # A new version: the signatures of the old one count no more.
    change_rules(pairing, mentoree, manager="attendance")
    version = Agreement.objects.get(pairing=pairing).version
    assert version == 2
    for client in clients:
        shown = box(client, pairing)
        assert "Signed by both" not in shown
        assert NEITHER in shown
        assert f"Version {version}" in shown
    assert agreement_box(pairing=pairing).signers == frozenset()


def test_no_agreement_yet(pairing, clients):
    Agreement.objects.filter(pairing=pairing).delete()
    assert agreement_box(pairing=pairing) is None
    assert "The agreement is being prepared." in box(clients[0], pairing)
