"""F7 no-fault ending: either member ends a pairing with a category and an optional private
reason. The category is seen only as a count across the program; who ended it is recorded
nowhere a coordinator can look; the private reason is kept for its author and shown to nobody
else (the other member, the coordinator, the admin). The mentoree keeps their standing and can
be matched again at once.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from pairings import selectors, services
from pairings.models import Pairing, PrivateEndReason
from tests.builders.pairings import (
    ENDED_TITLE,
    accept_both,
    add_goal,
    flash_messages,
    log_meeting,
    propose,
    refusal_text,
)

PRIVATE_REASON = "Confidential: Helena kept cancelling and I felt judged by her."


def end_url(pairing) -> str:
    return reverse("pairings:end", args=[pairing.pk])


def end_in_browser(client, pairing, category=Pairing.EndCategory.FIT, reason=PRIVATE_REASON):
    return client.post(end_url(pairing), {"category": category, "private_reason": reason})


def other_member_of(pairing, who):
    return pairing.mentoree.user if who == pairing.mentor.user else pairing.mentor.user


# --- Either member ends it ---------------------------------------------------------------


@pytest.mark.parametrize("ender", ["mentor", "mentoree"])
def test_f7_either_member_ends_the_pairing_with_a_category_and_a_private_reason(
    ender, request, active_pairing, signed_in_client
):
    user = request.getfixturevalue(ender)

    response = end_in_browser(signed_in_client(user), active_pairing, reason=f"  {PRIVATE_REASON} ")

    assert response.status_code == 302
    assert response["Location"] == reverse("pairings:space", args=[active_pairing.pk])
    assert any("no fault" in message for message in flash_messages(response))
    active_pairing.refresh_from_db()
    assert active_pairing.status == Pairing.Status.ENDED
    assert active_pairing.ended_at is not None
    assert active_pairing.end_category == Pairing.EndCategory.FIT
    reason = PrivateEndReason.objects.get()
    assert (reason.pairing, reason.author, reason.text) == (active_pairing, user, PRIVATE_REASON)
    assert PRIVATE_REASON not in str(reason)


def test_f7_a_proposed_pairing_can_be_declined_by_ending_it(pairing, mentoree):
    pairing = services.pairing_end(
        pairing=pairing, by=mentoree.employee, category=Pairing.EndCategory.OTHER
    )

    assert pairing.status == Pairing.Status.ENDED


def test_f7_the_private_reason_is_optional(active_pairing, mentor, signed_in_client):
    response = end_in_browser(signed_in_client(mentor), active_pairing, reason="   ")

    assert response.status_code == 302
    active_pairing.refresh_from_db()
    assert active_pairing.status == Pairing.Status.ENDED
    assert not PrivateEndReason.objects.exists()


@pytest.mark.parametrize("ender", ["mentor", "mentoree"])
def test_f7_only_the_other_member_is_told_and_without_the_category_or_reason(
    ender, request, active_pairing, coordinator, deliver
):
    user = request.getfixturevalue(ender)
    other = other_member_of(active_pairing, user)
    deliver()  # what the pair was told before it ended
    before = set(Notification.objects.values_list("pk", flat=True))

    services.pairing_end(
        pairing=active_pairing,
        by=user.employee,
        category=Pairing.EndCategory.FIT,
        private_reason=PRIVATE_REASON,
    )
    deliver()

    new = Notification.objects.exclude(pk__in=before)
    assert [n.recipient for n in new] == [other]
    [note] = new
    assert ENDED_TITLE in note.title
    assert "no fault" in note.title
    assert PRIVATE_REASON not in note.title
    assert "fit" not in note.title.lower()
    assert not Notification.objects.filter(recipient=coordinator, title__contains="ended").exists()


def test_f7_a_category_is_required(active_pairing, mentor, signed_in_client):
    with pytest.raises(ValidationError) as refusal:
        services.pairing_end(pairing=active_pairing, by=mentor.employee, category="blame")
    assert "category" in refusal.value.message_dict

    response = signed_in_client(mentor).post(end_url(active_pairing), {"private_reason": "x"})

    assert response.status_code == 200
    assert "category" in response.context["form"].errors
    active_pairing.refresh_from_db()
    assert active_pairing.status == Pairing.Status.ACTIVE
    assert not PrivateEndReason.objects.exists()


def test_f7_ending_twice_is_refused_and_changes_nothing(
    active_pairing, mentor, mentoree, signed_in_client
):
    services.pairing_end(
        pairing=active_pairing,
        by=mentor.employee,
        category=Pairing.EndCategory.SCHEDULE,
        private_reason=PRIVATE_REASON,
    )
    active_pairing.refresh_from_db()
    ended_at = active_pairing.ended_at

    with pytest.raises(ValidationError) as refusal:
        services.pairing_end(
            pairing=active_pairing,
            by=mentoree.employee,
            category=Pairing.EndCategory.FIT,
            private_reason="Second thoughts",
        )
    assert "already ended" in refusal_text(refusal)

    response = end_in_browser(signed_in_client(mentoree), active_pairing, reason="Again")
    assert response.status_code == 302
    assert any("already ended" in message for message in flash_messages(response))

    active_pairing.refresh_from_db()
    assert (active_pairing.end_category, active_pairing.ended_at) == ("schedule", ended_at)
    assert list(PrivateEndReason.objects.values_list("text", flat=True)) == [PRIVATE_REASON]


@pytest.mark.parametrize("who", ["other_mentor", "coordinator", "superuser", "outsider"])
def test_f7_a_non_member_cannot_end_the_pairing(who, request, active_pairing, signed_in_client):
    user = request.getfixturevalue(who)

    page = signed_in_client(user).get(end_url(active_pairing))
    response = end_in_browser(signed_in_client(user), active_pairing)

    assert (page.status_code, response.status_code) == (404, 404)
    active_pairing.refresh_from_db()
    assert active_pairing.status == Pairing.Status.ACTIVE
    assert not PrivateEndReason.objects.exists()


def test_f7_the_service_refuses_a_non_member(active_pairing, other_mentor):
    with pytest.raises(ValidationError):
        services.pairing_end(
            pairing=active_pairing, by=other_mentor.employee, category=Pairing.EndCategory.FIT
        )

    active_pairing.refresh_from_db()
    assert active_pairing.status == Pairing.Status.ACTIVE


def test_f7_the_mentoree_can_be_matched_again_at_once(
    active_pairing, program, mentoree, other_mentor, coordinator, signed_in_client
):
    services.pairing_end(
        pairing=active_pairing, by=mentoree.employee, category=Pairing.EndCategory.FIT
    )

    assert mentoree.employee in [
        a.applicant for a in selectors.unmatched_mentorees(program=program)
    ]
    response = signed_in_client(coordinator).post(
        reverse("pairings:propose", args=[program.slug, mentoree.employee.pk]),
        {"mentor": other_mentor.employee.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("pairings:program", args=[program.slug])
    assert Pairing.objects.filter(
        mentoree=mentoree.employee, status=Pairing.Status.PROPOSED
    ).exists()


# --- The private reason is seen by nobody else ------------------------------------------------


@pytest.fixture
def ended_by_mentoree(active_pairing, mentoree):
    """The mentoree ended the active pair, with a private reason."""
    log_meeting(active_pairing, days=-3)
    add_goal(active_pairing, "Own the quarterly forecast")
    services.pairing_end(
        pairing=active_pairing,
        by=mentoree.employee,
        category=Pairing.EndCategory.FIT,
        private_reason=PRIVATE_REASON,
    )
    active_pairing.refresh_from_db()
    return active_pairing


def test_f7_the_private_reason_is_on_no_page_of_the_other_member(
    ended_by_mentoree, mentor, signed_in_client
):
    client = signed_in_client(mentor)
    urls = [
        reverse("pairings:space", args=[ended_by_mentoree.pk]),
        reverse("pairings:mine"),
        reverse("inbox"),
        reverse("home"),
    ]
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert PRIVATE_REASON not in html, url
        assert "Confidential" not in html, url
        # end.html promises the category is not shown to them either.
        assert Pairing.EndCategory.FIT.label not in html, url


def test_f7_the_private_reason_and_who_ended_it_are_not_on_the_coordinators_pages(
    ended_by_mentoree, program, coordinator, mentoree, signed_in_client, deliver
):
    deliver()
    client = signed_in_client(coordinator)
    urls = [
        reverse("pairings:program", args=[program.slug]),
        reverse("pairings:program", args=[program.slug]) + "?status=ended",
        reverse("pairings:suggestions", args=[program.slug, mentoree.employee.pk]),
        reverse("pairings:matching", args=[program.slug]),
        reverse("programs:manage", args=[program.slug]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert PRIVATE_REASON not in html, url
        assert "Confidential" not in html, url
        assert "ended by" not in html.lower(), url
    assert not Notification.objects.filter(recipient=coordinator, title__contains="ended").exists()


def _row_of(html: str, pairing) -> str:
    """The row of the pairings table naming both members."""
    names = (pairing.mentor.full_name, pairing.mentoree.full_name)
    [row] = [r for r in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if all(n in r for n in names)]
    return row


def test_f7_the_coordinators_rows_are_the_same_whoever_ended_the_pairing(
    program,
    enrolled,
    mentor,
    mentoree,
    other_mentor,
    new_mentoree,
    coordinator,
    signed_in_client,
):
    """Two pairings end in the same category, one by its mentor, one by its mentoree: once
    the names are taken out, their rows on the coordinator's page are identical."""
    first = accept_both(propose(program, mentor, mentoree, by=coordinator))
    second_mentoree = new_mentoree(first_name="Ruth", last_name="Ambler")
    second = accept_both(propose(program, other_mentor, second_mentoree, by=coordinator))
    services.pairing_end(
        pairing=first, by=mentor.employee, category="fit", private_reason="Mentor's own"
    )
    services.pairing_end(
        pairing=second, by=second_mentoree, category="fit", private_reason="Mentoree's own"
    )

    html = (
        signed_in_client(coordinator)
        .get(reverse("pairings:program", args=[program.slug]))
        .content.decode()
    )

    rows = []
    for pairing in (first, second):
        row = _row_of(html, pairing)
        row = row.replace(pairing.mentor.full_name, "MENTOR")
        row = row.replace(pairing.mentoree.full_name, "MENTOREE")
        rows.append(row)
    assert rows[0] == rows[1]
    assert "Mentor's own" not in html
    assert "Mentoree's own" not in html


def test_f7_the_coordinator_sees_ending_categories_only_as_counts_of_a_closed_month(
    program, enrolled, new_mentor, new_mentoree, coordinator, signed_in_client
):
    """Per month that is over, from five endings on (tests/firewall/test_f7_differencing.py
    has the rest): never live, never beside a pairing."""
    url = reverse("pairings:program", args=[program.slug])
    ended = []
    for category in ["fit", "fit", "schedule", "other", "goals_met"]:
        pairing = accept_both(propose(program, new_mentor(), new_mentoree(), by=coordinator))
        ended.append(services.pairing_end(pairing=pairing, by=pairing.mentor, category=category))
    labels = dict(Pairing.EndCategory.choices)

    html = signed_in_client(coordinator).get(url).content.decode()
    for label in labels.values():
        assert label not in html, label  # this month's: not broken down

    # A month later (the service stamps the present: the endings are moved back by hand).
    last_month = timezone.localtime().replace(day=1) - timedelta(days=1)
    Pairing.objects.filter(pk__in=[p.pk for p in ended]).update(ended_at=last_month)
    response = signed_in_client(coordinator).get(url)

    [month] = response.context["ending_months"]
    assert month.categories == [
        (labels["schedule"], 1),
        (labels["fit"], 2),
        (labels["goals_met"], 1),
        (labels["role_change"], 0),
        (labels["other"], 1),
    ]
    html = response.content.decode()
    # Each category's label appears once: in the table of counts, never beside a pairing.
    for label in labels.values():
        assert html.count(label) == 1, label


def test_f7_the_private_reason_is_not_in_the_admin(
    ended_by_mentoree, superuser, hr_admin, signed_in_client
):
    assert PrivateEndReason not in admin.site._registry
    assert Pairing not in admin.site._registry
    for user in (superuser, hr_admin):
        client = signed_in_client(user)
        index = client.get(reverse("admin:index"))
        assert index.status_code == 200
        assert "end reason" not in index.content.decode().lower()
        for model in admin.site._registry:
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            response = client.get(url)
            if response.status_code != 200:
                continue
            assert PRIVATE_REASON not in response.content.decode(), url
