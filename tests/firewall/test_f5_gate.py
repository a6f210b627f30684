"""F5 Contract first: a pairing becomes active only when the mentoree has accepted the current
program commitment and both members have signed the current version of the pair's
confidentiality agreement (and both accepted the match).

The agreement is made with the pairing, from the program's template or the default one, with
the default sharing rules. Any change to it makes a new version that both sign again, and
an active pairing goes back to awaiting the agreement until they have.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from confidentiality.models import (
    DEFAULT_RULES,
    Agreement,
    AgreementTemplate,
    Audience,
    Rule,
    Signature,
)
from confidentiality.services import agreement_blockers, agreement_change, default_template
from confidentiality.texts import DEFAULT_AGREEMENT_TERMS
from notifications.models import Notification
from pairings import services as pairing_services
from pairings.models import Pairing
from programs import services as program_services
from programs.models import Program
from tests.builders.confidentiality import agreement_of, change_rules, sign_as
from tests.builders.pairings import (
    ACTIVE_TITLE,
    NEW_COMMITMENT_TEXT,
    flash_messages,
    log_meeting,
    propose,
    sign_both,
)

MENTOR_UNSIGNED = "The mentor has not signed the current agreement."
MENTOREE_UNSIGNED = "The mentoree has not signed the current agreement."
COMMITMENT_BLOCKER = "The mentoree has not accepted the current program commitment."


def accept_match(pairing: Pairing) -> Pairing:
    pairing_services.pairing_accept(pairing=pairing, by=pairing.mentor)
    return pairing_services.pairing_accept(pairing=pairing, by=pairing.mentoree)


def status_of(pairing: Pairing) -> str:
    return Pairing.objects.get(pk=pairing.pk).status


def blockers_of(pairing: Pairing) -> list[str]:
    return pairing_services.pairing_activation_blockers(pairing=Pairing.objects.get(pk=pairing.pk))


# --- The agreement is made with the pairing ----------------------------------------------------


def test_f5_the_agreement_is_made_with_the_pairing_from_the_default_template(pairing):
    """F5: proposing a pairing makes its agreement: default terms, version 1, default rules."""
    agreement = Agreement.objects.get(pairing=pairing)
    template = default_template()
    assert agreement.template == template
    assert template.is_default
    assert agreement.terms == template.terms == DEFAULT_AGREEMENT_TERMS
    assert agreement.version == 1
    assert agreement.rules() == DEFAULT_RULES
    assert agreement.rule_for(Audience.COORDINATOR) == Rule.ATTENDANCE
    for audience in (Audience.MANAGER, Audience.LEADERSHIP, Audience.COMMITTEE):
        assert agreement.rule_for(audience) == Rule.NOTHING
    assert not Signature.objects.filter(agreement=agreement).exists()
    assert AgreementTemplate.objects.filter(is_default=True).count() == 1


def test_f5_the_agreement_follows_the_programs_own_template_as_it_stood(
    program, enrolled, mentor, mentoree, coordinator
):
    """F5: a program with its own template gives its pairs those terms, copied at the time:
    a later change of the template does not rewrite a signed agreement."""
    template = AgreementTemplate.objects.create(
        name="Executive program terms", version=3, terms="Executive terms, plainly said."
    )
    # The admin form has no field for it (yet); HR sets it on the row.
    Program.objects.filter(pk=program.pk).update(agreement_template=template)
    pairing = propose(Program.objects.get(pk=program.pk), mentor, mentoree, by=coordinator)

    agreement = agreement_of(pairing)
    assert agreement.template == template
    assert agreement.terms == "Executive terms, plainly said."
    assert agreement.rules() == DEFAULT_RULES
    assert "Executive terms, plainly said." in agreement.text_to_sign()

    AgreementTemplate.objects.filter(pk=template.pk).update(terms="Rewritten afterwards.")
    assert agreement_of(pairing).terms == "Executive terms, plainly said."


def test_f5_the_text_to_sign_holds_the_terms_and_every_rule(pairing):
    agreement = agreement_of(pairing)
    text = agreement.text_to_sign()
    assert agreement.terms.strip() in text
    for audience, label in Audience.choices:
        assert f"{label}: {Rule(agreement.rule_for(audience)).label}" in text


# --- The gate ------------------------------------------------------------------------------


def test_f5_accepting_the_match_is_not_enough_both_must_sign(pairing, mentor, mentoree, deliver):
    """F5: accepted by both, the pairing awaits the agreement until both have signed."""
    accept_match(pairing)
    assert status_of(pairing) == Pairing.Status.AWAITING_AGREEMENT
    assert {MENTOR_UNSIGNED, MENTOREE_UNSIGNED} <= set(blockers_of(pairing))

    sign_as(pairing, mentor)
    assert status_of(pairing) == Pairing.Status.AWAITING_AGREEMENT
    assert blockers_of(pairing) == [MENTOREE_UNSIGNED]
    deliver()
    assert not Notification.objects.filter(title__contains=ACTIVE_TITLE).exists()

    sign_as(pairing, mentoree)
    deliver()
    fresh = Pairing.objects.get(pk=pairing.pk)
    assert fresh.status == Pairing.Status.ACTIVE
    assert fresh.activated_at is not None
    assert blockers_of(pairing) == []
    for member in (mentor, mentoree):
        assert Notification.objects.filter(recipient=member, title__contains=ACTIVE_TITLE).exists()


def test_f5_signing_before_accepting_the_match_activates_on_the_last_acceptance(pairing):
    """F5: the order does not matter; the last missing step makes the pairing active."""
    sign_both(pairing)
    assert status_of(pairing) == Pairing.Status.PROPOSED
    pairing_services.pairing_accept(pairing=pairing, by=pairing.mentor)
    assert status_of(pairing) == Pairing.Status.PROPOSED
    pairing_services.pairing_accept(pairing=pairing, by=pairing.mentoree)
    assert status_of(pairing) == Pairing.Status.ACTIVE


def test_f5_no_agreement_no_activation(pairing):
    """F5: a pairing whose agreement is missing is held back, whatever else is done."""
    Agreement.objects.filter(pairing=pairing).delete()
    accept_match(pairing)
    assert status_of(pairing) == Pairing.Status.AWAITING_AGREEMENT
    assert agreement_blockers(pairing=pairing) == [
        "The pair's confidentiality agreement does not exist yet."
    ]


def test_f5_the_current_commitment_must_be_accepted_too(pairing, coordinator, mentoree):
    """F5: both signatures and both acceptances, but a new commitment version the mentoree
    has not accepted yet: the pairing waits, and moves on when they accept it."""
    program_services.commitment_publish(
        program=pairing.program, by=coordinator, text=NEW_COMMITMENT_TEXT
    )
    accept_match(pairing)
    sign_both(pairing)
    assert status_of(pairing) == Pairing.Status.AWAITING_AGREEMENT
    assert blockers_of(pairing) == [COMMITMENT_BLOCKER]

    program_services.commitment_accept(employee=mentoree.employee, program=pairing.program)
    assert status_of(pairing) == Pairing.Status.ACTIVE


# --- Every change is a new version to sign -------------------------------------------------


@pytest.mark.parametrize("by", ["mentor", "mentoree"])
def test_f5_a_rule_change_makes_a_new_version_and_moves_an_active_pairing_back(
    by, request, active_pairing, mentor, mentoree
):
    """F5: tightening a rule (either member may) is a new version; the old signatures do not
    count; the active pairing awaits the agreement, meetings stop, until both sign again."""
    changer = request.getfixturevalue(by)
    old_hash = agreement_of(active_pairing).text_hash()
    assert Signature.objects.filter(agreement__pairing=active_pairing, version=1).count() == 2

    agreement = change_rules(active_pairing, changer, coordinator=Rule.NOTHING)

    assert agreement.version == 2
    assert agreement.text_hash() != old_hash
    assert status_of(active_pairing) == Pairing.Status.AWAITING_AGREEMENT
    assert set(agreement_blockers(pairing=active_pairing)) == {MENTOR_UNSIGNED, MENTOREE_UNSIGNED}
    # Version 1 signatures are kept as a record, but count for version 1 only.
    assert Signature.objects.filter(agreement=agreement, version=1).count() == 2
    with pytest.raises(ValidationError):
        log_meeting(Pairing.objects.get(pk=active_pairing.pk), days=-1)

    sign_as(active_pairing, mentor)
    assert status_of(active_pairing) == Pairing.Status.AWAITING_AGREEMENT
    sign_as(active_pairing, mentoree)
    assert status_of(active_pairing) == Pairing.Status.ACTIVE
    assert set(
        Signature.objects.filter(agreement=agreement, version=2).values_list("signer", flat=True)
    ) == {mentor.pk, mentoree.pk}


def test_f5_a_change_of_the_terms_is_a_new_version_too(active_pairing, mentoree):
    agreement = agreement_change(
        agreement=agreement_of(active_pairing),
        by=mentoree,
        rules={},
        terms="New terms agreed after the first months.",
    )
    assert agreement.version == 2
    assert agreement.terms == "New terms agreed after the first months."
    assert status_of(active_pairing) == Pairing.Status.AWAITING_AGREEMENT


def test_f5_a_signature_of_an_earlier_version_never_counts(pairing, mentor, mentoree):
    """F5: the mentor signed version 1; the mentoree then loosened a rule (version 2) and
    signed it: the pairing is not active until the mentor signs version 2 as well."""
    accept_match(pairing)
    sign_as(pairing, mentor)
    change_rules(pairing, mentoree, committee=Rule.ATTENDANCE)
    sign_as(pairing, mentoree)
    assert status_of(pairing) == Pairing.Status.AWAITING_AGREEMENT
    assert blockers_of(pairing) == [MENTOR_UNSIGNED]
    sign_as(pairing, mentor)
    assert status_of(pairing) == Pairing.Status.ACTIVE


# --- In the browser ------------------------------------------------------------------------


def sign_form(pairing: Pairing, user, **overrides) -> dict:
    data = {
        "typed_name": user.employee.full_name,
        "confirmed": "on",
        "text_hash": agreement_of(pairing).text_hash(),
    }
    data.update(overrides)
    return data


def test_f5_both_sign_in_the_browser_and_the_pairing_becomes_active(
    pairing, mentor, mentoree, client_for
):
    accept_match(pairing)
    url = reverse("confidentiality:agreement_sign", args=[pairing.pk])
    for member in (mentor, mentoree):
        client = client_for(member)
        page = client.get(reverse("confidentiality:agreement", args=[pairing.pk]))
        assert page.status_code == 200
        assert page.context["sign_form"].initial["text_hash"] == agreement_of(pairing).text_hash()
        response = client.post(url, sign_form(pairing, member))
        assert response.status_code == 302
        assert response["Location"] == reverse("confidentiality:agreement", args=[pairing.pk])
    assert status_of(pairing) == Pairing.Status.ACTIVE


def test_f5_a_stale_page_cannot_be_signed_in_the_browser(pairing, mentor, mentoree, client_for):
    """F5: the mentor loaded the page, the mentoree then changed the rules: the mentor's
    signature of the text they read is refused, in words, and nothing is signed."""
    accept_match(pairing)
    stale = sign_form(pairing, mentor)
    mentoree_client = client_for(mentoree)
    response = mentoree_client.post(
        reverse("confidentiality:agreement_rules", args=[pairing.pk]),
        {**agreement_of(pairing).rules(), "committee": Rule.ATTENDANCE},
    )
    assert response.status_code == 302
    assert agreement_of(pairing).version == 2

    response = client_for(mentor).post(
        reverse("confidentiality:agreement_sign", args=[pairing.pk]), stale
    )
    assert response.status_code in (302, 400)
    assert any("changed" in m for m in flash_messages(response)) or response.status_code == 400
    assert not Signature.objects.filter(agreement__pairing=pairing).exists()
    assert status_of(pairing) == Pairing.Status.AWAITING_AGREEMENT
