"""The pair's confidentiality agreement: signing exactly what was read, changing the sharing
rules (tighten: either member; loosen: the mentoree only, F6), consented themes (the
mentoree only, only where the rule allows themes), and the pages, which are for the two
members alone: everyone else gets a 404 and the attempt is logged (F8).
"""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from confidentiality import selectors, services
from confidentiality.models import Agreement, Audience, ConsentedTheme, Rule, Signature
from firewall.models import AccessEvent
from notifications.models import Notification
from pairings import services as pairing_services
from pairings.models import Pairing
from tests.builders.confidentiality import (
    agreement_of,
    change_rules,
    refused_events,
    sign_as,
)
from tests.builders.pairings import flash_messages, refusal_text, sign_both

NON_MEMBERS = [
    "other_mentor",
    "coordinator",
    "committee_member",
    "talent_reviewer",
    "hr_admin",
    "superuser",
    "outsider",
]
THEME_TEXT = "Growing into a leadership role in Technology."


@pytest.fixture
def accepted_pairing(pairing) -> Pairing:
    """Both accepted the match; nobody has signed yet (awaiting the agreement)."""
    pairing_services.pairing_accept(pairing=pairing, by=pairing.mentor)
    pairing = pairing_services.pairing_accept(pairing=pairing, by=pairing.mentoree)
    assert pairing.status == Pairing.Status.AWAITING_AGREEMENT
    return pairing


@pytest.fixture
def themes_pairing(active_pairing, mentoree) -> Pairing:
    """The mentoree loosened the coordinator's rule to themes; both signed again."""
    change_rules(active_pairing, mentoree, coordinator=Rule.THEMES)
    return sign_both(active_pairing)


# --- Signing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["Helena Marsh", "helena marsh", "  HELENA   marsh ", "Helena\tMarsh", "HELENA MARSH"]
)
def test_the_typed_full_name_signs_whatever_its_case_and_spacing(typed, accepted_pairing, mentor):
    signature = sign_as(accepted_pairing, mentor, typed_name=typed)
    assert signature.signer == mentor
    assert signature.typed_name == typed.strip()


@pytest.mark.parametrize("typed", ["", "Helena", "Marsh Helena", "Helena Marshall", "H. Marsh"])
def test_a_wrong_name_is_refused_and_nothing_is_signed(typed, accepted_pairing, mentor):
    with pytest.raises(ValidationError) as exc_info:
        sign_as(accepted_pairing, mentor, typed_name=typed)
    assert "typed_name" in exc_info.value.error_dict
    assert not Signature.objects.exists()
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.SIGN).exists()


def test_signing_needs_the_confirmation(accepted_pairing, mentor):
    with pytest.raises(ValidationError) as exc_info:
        sign_as(accepted_pairing, mentor, confirmed=False)
    assert "confirmed" in exc_info.value.error_dict
    assert not Signature.objects.exists()


def test_a_hash_of_another_text_is_refused(accepted_pairing, mentor):
    with pytest.raises(ValidationError) as exc_info:
        sign_as(accepted_pairing, mentor, text_hash=hashlib.sha256(b"something else").hexdigest())
    assert exc_info.value.code == "changed"
    assert not Signature.objects.exists()


def test_a_stale_hash_after_a_change_is_refused_and_nothing_is_signed(
    accepted_pairing, mentor, mentoree
):
    """The mentor read version 1; the mentoree changed the rules meanwhile."""
    read_hash = agreement_of(accepted_pairing).text_hash()
    change_rules(accepted_pairing, mentoree, manager=Rule.ATTENDANCE)
    with pytest.raises(ValidationError) as exc_info:
        sign_as(accepted_pairing, mentor, text_hash=read_hash)
    assert exc_info.value.code == "changed"
    assert not Signature.objects.exists()
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.SIGN).exists()


def test_signing_records_the_name_time_version_hash_and_an_access_event(accepted_pairing, mentoree):
    agreement = agreement_of(accepted_pairing)
    before = timezone.now()
    signature = sign_as(
        accepted_pairing, mentoree, typed_name=" samuel okoro ", request_id="sign-request-01"
    )
    assert signature.typed_name == "samuel okoro"
    assert signature.confirmed is True
    assert signature.version == agreement.version == 1
    assert signature.text_hash == hashlib.sha256(agreement.text_to_sign().encode()).hexdigest()
    assert before <= signature.signed_at <= timezone.now()
    [event] = AccessEvent.objects.filter(action=AccessEvent.Action.SIGN)
    assert (event.actor, event.object_type, event.object_id, event.outcome, event.request_id) == (
        mentoree,
        "agreement",
        agreement.pk,
        AccessEvent.Outcome.ALLOWED,
        "sign-request-01",
    )


def test_signing_the_same_version_twice_keeps_one_signature(accepted_pairing, mentor):
    sign_as(accepted_pairing, mentor)
    sign_as(accepted_pairing, mentor)
    assert Signature.objects.filter(signer=mentor).count() == 1


@pytest.mark.parametrize("who", NON_MEMBERS)
def test_only_the_two_members_sign(who, request, accepted_pairing):
    user = request.getfixturevalue(who)
    with pytest.raises(ValidationError) as exc_info:
        sign_as(accepted_pairing, user, typed_name=user.get_full_name())
    assert exc_info.value.code == "not_member"
    assert not Signature.objects.exists()


def test_an_ended_pairing_is_neither_signed_nor_changed(accepted_pairing, mentor, mentoree):
    pairing_services.pairing_end(
        pairing=accepted_pairing, by=mentoree.employee, category=Pairing.EndCategory.FIT
    )
    with pytest.raises(ValidationError):
        sign_as(accepted_pairing, mentor)
    with pytest.raises(ValidationError):
        change_rules(accepted_pairing, mentor, manager=Rule.NOTHING, coordinator=Rule.NOTHING)
    assert not Signature.objects.exists()
    assert agreement_of(accepted_pairing).version == 1


# --- Changing the sharing rules ---------------------------------------------------------------


@pytest.mark.parametrize("by", ["mentor", "mentoree"])
def test_either_member_may_tighten_a_rule(by, request, active_pairing):
    agreement = change_rules(active_pairing, request.getfixturevalue(by), coordinator=Rule.NOTHING)
    assert agreement.version == 2
    assert agreement.coordinator_rule == Rule.NOTHING


@pytest.mark.parametrize(
    ("audience", "rule"),
    [
        ("manager", Rule.ATTENDANCE),
        ("leadership", Rule.THEMES),
        ("coordinator", Rule.THEMES),
        ("committee", Rule.ATTENDANCE),
    ],
)
def test_the_mentor_cannot_loosen_a_rule_it_needs_the_mentorees_consent(
    audience, rule, active_pairing, mentor
):
    before = agreement_of(active_pairing)
    with pytest.raises(ValidationError) as exc_info:
        change_rules(active_pairing, mentor, **{audience: rule})
    assert exc_info.value.code == "needs_consent"
    assert "mentoree" in refusal_text(exc_info)
    after = agreement_of(active_pairing)
    assert (after.version, after.rules()) == (before.version, before.rules())
    assert Pairing.objects.get(pk=active_pairing.pk).status == Pairing.Status.ACTIVE


def test_a_mentor_tightening_one_rule_and_loosening_another_changes_nothing(active_pairing, mentor):
    before = agreement_of(active_pairing).rules()
    with pytest.raises(ValidationError):
        change_rules(active_pairing, mentor, coordinator=Rule.NOTHING, manager=Rule.THEMES)
    assert agreement_of(active_pairing).rules() == before


@pytest.mark.parametrize("audience", Audience.values)
def test_the_mentoree_may_loosen_a_rule(audience, active_pairing, mentoree):
    agreement = change_rules(active_pairing, mentoree, **{audience: Rule.THEMES})
    assert agreement.rule_for(audience) == Rule.THEMES
    assert agreement.version == 2


def test_no_change_is_refused_and_makes_no_version(active_pairing, mentor):
    with pytest.raises(ValidationError) as exc_info:
        change_rules(active_pairing, mentor, coordinator=Rule.ATTENDANCE)
    assert exc_info.value.code == "unchanged"
    assert agreement_of(active_pairing).version == 1


def test_an_unknown_rule_is_refused(active_pairing, mentoree):
    with pytest.raises(ValidationError):
        change_rules(active_pairing, mentoree, coordinator="everything")
    assert agreement_of(active_pairing).version == 1


@pytest.mark.parametrize("who", NON_MEMBERS)
def test_nobody_outside_the_pair_changes_the_rules(who, request, active_pairing):
    with pytest.raises(ValidationError):
        change_rules(active_pairing, request.getfixturevalue(who), coordinator=Rule.NOTHING)
    assert agreement_of(active_pairing).version == 1


def test_a_change_asks_both_members_to_sign_again_with_a_link_not_the_rules(
    active_pairing, mentor, mentoree, deliver
):
    """A change makes a new version that both must sign (F5), so both are asked, the
    member who made the change included; the message says that, never what changed."""
    change_rules(active_pairing, mentor, coordinator=Rule.NOTHING)
    deliver()

    for member in (mentor, mentoree):
        [notification] = Notification.objects.filter(recipient=member, title__contains="agreement")
        assert notification.title == (
            f"{active_pairing.program.name}: your pair's agreement is ready; "
            "please read and sign it"
        )
        assert notification.url == reverse("confidentiality:agreement", args=[active_pairing.pk])


# --- Consented themes -------------------------------------------------------------------------


def test_the_mentoree_adds_a_theme_for_an_audience_whose_rule_is_themes(themes_pairing, mentoree):
    agreement = agreement_of(themes_pairing)
    theme = services.theme_add(
        agreement=agreement, by=mentoree, audience=Audience.COORDINATOR, text=f"  {THEME_TEXT} "
    )
    assert theme.text == THEME_TEXT
    assert list(
        selectors.themes_for_audience(agreement=agreement, audience=Audience.COORDINATOR)
    ) == [theme]
    assert not selectors.themes_for_audience(agreement=agreement, audience=Audience.COMMITTEE)


def test_the_mentor_never_adds_a_theme(themes_pairing, mentor):
    with pytest.raises(ValidationError) as exc_info:
        services.theme_add(
            agreement=agreement_of(themes_pairing),
            by=mentor,
            audience=Audience.COORDINATOR,
            text=THEME_TEXT,
        )
    assert exc_info.value.code == "not_mentoree"
    assert not ConsentedTheme.objects.exists()


@pytest.mark.parametrize("audience", ["manager", "leadership", "committee", "everyone"])
def test_no_theme_for_an_audience_whose_rule_is_not_themes(audience, themes_pairing, mentoree):
    with pytest.raises(ValidationError) as exc_info:
        services.theme_add(
            agreement=agreement_of(themes_pairing), by=mentoree, audience=audience, text=THEME_TEXT
        )
    assert "audience" in exc_info.value.error_dict
    assert not ConsentedTheme.objects.exists()


def test_no_theme_under_the_default_attendance_rule(active_pairing, mentoree):
    with pytest.raises(ValidationError):
        services.theme_add(
            agreement=agreement_of(active_pairing),
            by=mentoree,
            audience=Audience.COORDINATOR,
            text=THEME_TEXT,
        )
    assert not ConsentedTheme.objects.exists()


def test_an_empty_theme_is_refused(themes_pairing, mentoree):
    with pytest.raises(ValidationError) as exc_info:
        services.theme_add(
            agreement=agreement_of(themes_pairing),
            by=mentoree,
            audience=Audience.COORDINATOR,
            text="   ",
        )
    assert "text" in exc_info.value.error_dict


def test_a_theme_stops_being_readable_when_the_rule_is_tightened(themes_pairing, mentor, mentoree):
    agreement = agreement_of(themes_pairing)
    services.theme_add(
        agreement=agreement, by=mentoree, audience=Audience.COORDINATOR, text=THEME_TEXT
    )
    agreement = change_rules(themes_pairing, mentor, coordinator=Rule.ATTENDANCE)
    assert not selectors.themes_for_audience(agreement=agreement, audience=Audience.COORDINATOR)


def test_only_the_mentoree_withdraws_a_theme(themes_pairing, mentor, mentoree):
    theme = services.theme_add(
        agreement=agreement_of(themes_pairing),
        by=mentoree,
        audience=Audience.COORDINATOR,
        text=THEME_TEXT,
    )
    with pytest.raises(ValidationError):
        services.theme_withdraw(theme=theme, by=mentor)
    assert ConsentedTheme.objects.filter(pk=theme.pk).exists()
    services.theme_withdraw(theme=theme, by=mentoree)
    assert not ConsentedTheme.objects.filter(pk=theme.pk).exists()


# --- The pages --------------------------------------------------------------------------------


def agreement_urls(pairing, theme_id: int = 1) -> list[tuple[str, str]]:
    return [
        ("get", reverse("confidentiality:agreement", args=[pairing.pk])),
        ("post", reverse("confidentiality:agreement_sign", args=[pairing.pk])),
        ("post", reverse("confidentiality:agreement_rules", args=[pairing.pk])),
        ("post", reverse("confidentiality:theme_add", args=[pairing.pk])),
        ("post", reverse("confidentiality:theme_withdraw", args=[pairing.pk, theme_id])),
    ]


def state_of(pairing) -> tuple:
    agreement = agreement_of(pairing)
    return (
        agreement.version,
        agreement.rules(),
        Signature.objects.filter(agreement=agreement).count(),
        ConsentedTheme.objects.filter(agreement=agreement).count(),
    )


@pytest.mark.parametrize("who", NON_MEMBERS)
def test_every_agreement_page_is_a_404_outside_the_pair_and_the_attempt_is_logged(
    who, request, themes_pairing, mentor, mentoree, client_for
):
    """F8: each attempt is a refused access event on the pairing; nothing changes."""
    theme = services.theme_add(
        agreement=agreement_of(themes_pairing),
        by=mentoree,
        audience=Audience.COORDINATOR,
        text=THEME_TEXT,
    )
    user = request.getfixturevalue(who)
    client = client_for(user)
    before = state_of(themes_pairing)
    data = {
        "typed_name": user.get_full_name(),
        "confirmed": "on",
        "text_hash": agreement_of(themes_pairing).text_hash(),
        "manager": Rule.THEMES,
        "leadership": Rule.THEMES,
        "coordinator": Rule.THEMES,
        "committee": Rule.THEMES,
        "audience": Audience.COORDINATOR,
        "text": "A theme written by someone outside the pair.",
    }
    urls = agreement_urls(themes_pairing, theme.pk)
    for method, url in urls:
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 404, url
        assert THEME_TEXT not in response.content.decode()
    assert state_of(themes_pairing) == before
    assert refused_events(
        actor=user, object_type="pairing", object_id=themes_pairing.pk
    ).count() == len(urls)


def test_every_agreement_page_sends_the_anonymous_visitor_to_sign_in(pairing, client_for):
    client = client_for(None)
    for method, url in agreement_urls(pairing):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["mentor", "mentoree"])
def test_the_agreement_page_shows_the_members_the_text_they_sign(
    who, request, accepted_pairing, client_for
):
    response = client_for(request.getfixturevalue(who)).get(
        reverse("confidentiality:agreement", args=[accepted_pairing.pk])
    )
    assert response.status_code == 200
    agreement = agreement_of(accepted_pairing)
    assert response.context["text"] == agreement.text_to_sign()
    assert response.context["sign_form"].initial["text_hash"] == agreement.text_hash()
    assert agreement.text_hash() in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_post_only_agreement_addresses_refuse_get(accepted_pairing, mentor, client_for):
    client = client_for(mentor)
    for method, url in agreement_urls(accepted_pairing)[1:]:
        assert method == "post"
        assert client.get(url).status_code == 405


def test_a_wrong_name_in_the_browser_is_shown_on_the_form(accepted_pairing, mentor, client_for):
    response = client_for(mentor).post(
        reverse("confidentiality:agreement_sign", args=[accepted_pairing.pk]),
        {
            "typed_name": "Someone Else",
            "confirmed": "on",
            "text_hash": agreement_of(accepted_pairing).text_hash(),
        },
    )
    assert response.status_code == 400
    assert "typed_name" in response.context["sign_form"].errors
    assert not Signature.objects.exists()


def test_a_missing_confirmation_in_the_browser_is_refused(accepted_pairing, mentor, client_for):
    response = client_for(mentor).post(
        reverse("confidentiality:agreement_sign", args=[accepted_pairing.pk]),
        {"typed_name": "Helena Marsh", "text_hash": agreement_of(accepted_pairing).text_hash()},
    )
    assert response.status_code == 400
    assert "confirmed" in response.context["sign_form"].errors
    assert not Signature.objects.exists()


def test_a_missing_hash_in_the_browser_is_refused(accepted_pairing, mentor, client_for):
    response = client_for(mentor).post(
        reverse("confidentiality:agreement_sign", args=[accepted_pairing.pk]),
        {"typed_name": "Helena Marsh", "confirmed": "on"},
    )
    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_the_mentor_loosening_in_the_browser_is_refused_in_words(
    active_pairing, mentor, client_for
):
    agreement = agreement_of(active_pairing)
    response = client_for(mentor).post(
        reverse("confidentiality:agreement_rules", args=[active_pairing.pk]),
        {**agreement.rules(), "manager": Rule.THEMES},
    )
    assert response.status_code == 302
    assert any("mentoree" in message for message in flash_messages(response))
    assert agreement_of(active_pairing).rules() == agreement.rules()
    assert Pairing.objects.get(pk=active_pairing.pk).status == Pairing.Status.ACTIVE


def test_the_mentoree_loosening_in_the_browser_asks_both_to_sign_again(
    active_pairing, mentoree, client_for
):
    agreement = agreement_of(active_pairing)
    response = client_for(mentoree).post(
        reverse("confidentiality:agreement_rules", args=[active_pairing.pk]),
        {**agreement.rules(), "coordinator": Rule.THEMES},
    )
    assert response.status_code == 302
    fresh = agreement_of(active_pairing)
    assert (fresh.version, fresh.coordinator_rule) == (2, Rule.THEMES)
    assert Pairing.objects.get(pk=active_pairing.pk).status == Pairing.Status.AWAITING_AGREEMENT


def test_an_incomplete_rules_form_is_a_400_not_an_error(active_pairing, mentoree, client_for):
    response = client_for(mentoree).post(
        reverse("confidentiality:agreement_rules", args=[active_pairing.pk]),
        {"coordinator": "everything"},
    )
    assert response.status_code == 400
    assert agreement_of(active_pairing).version == 1


def test_themes_in_the_browser_mentoree_only_and_only_where_allowed(
    themes_pairing, mentor, mentoree, client_for
):
    url = reverse("confidentiality:theme_add", args=[themes_pairing.pk])
    response = client_for(mentor).post(url, {"audience": "coordinator", "text": THEME_TEXT})
    assert response.status_code == 400
    assert response.context["theme_form"].errors
    response = client_for(mentoree).post(url, {"audience": "committee", "text": THEME_TEXT})
    assert response.status_code == 400
    assert "audience" in response.context["theme_form"].errors
    assert not ConsentedTheme.objects.exists()

    response = client_for(mentoree).post(url, {"audience": "coordinator", "text": THEME_TEXT})
    assert response.status_code == 302
    [theme] = ConsentedTheme.objects.all()
    assert (theme.audience, theme.text) == ("coordinator", THEME_TEXT)

    withdraw = reverse("confidentiality:theme_withdraw", args=[themes_pairing.pk, theme.pk])
    response = client_for(mentor).post(withdraw)
    assert response.status_code == 302
    assert ConsentedTheme.objects.filter(pk=theme.pk).exists()
    response = client_for(mentoree).post(withdraw)
    assert response.status_code == 302
    assert not ConsentedTheme.objects.exists()


def test_the_mentoree_sees_their_consented_themes_on_the_agreement_page(
    themes_pairing, mentoree, client_for
):
    services.theme_add(
        agreement=agreement_of(themes_pairing),
        by=mentoree,
        audience=Audience.COORDINATOR,
        text=THEME_TEXT,
    )
    page = client_for(mentoree).get(reverse("confidentiality:agreement", args=[themes_pairing.pk]))
    assert page.status_code == 200
    assert [t.text for t in page.context["themes"]] == [THEME_TEXT]


def test_a_pairing_without_an_agreement_never_gives_a_server_error(pairing, mentoree):
    """The gate knows a pairing whose agreement is missing ("does not exist yet"); every
    agreement address must then answer with a page or a 404, never a server error."""
    Agreement.objects.filter(pairing=pairing).delete()
    client = Client(raise_request_exception=False)
    client.force_login(mentoree)
    data = {
        "typed_name": "Samuel Okoro",
        "confirmed": "on",
        "text_hash": "0" * 64,
        "manager": Rule.NOTHING,
        "leadership": Rule.NOTHING,
        "coordinator": Rule.NOTHING,
        "committee": Rule.NOTHING,
        "audience": Audience.COORDINATOR,
        "text": THEME_TEXT,
    }
    statuses = {
        url: getattr(client, method)(url, data if method == "post" else None).status_code
        for method, url in agreement_urls(pairing)
    }
    assert all(status != 500 for status in statuses.values()), statuses
