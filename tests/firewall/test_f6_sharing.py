"""F6 Sharing rules: each agreement says, per audience, what may be shared: nothing,
attendance only, or themes with the mentoree's consent. Every view outside the pair shows no
more than these rules allow.

Three active pairs of one program, each with meetings: the coordinator's rule is nothing for
one, attendance for another, themes for the third. The coordinator's pairings page shows
meeting counts and the last meeting date only for the second and third, the consented themes
only for the third (and not once the pair tightens the rule again), and no page of the
coordinator or the committee ever shows a note, a goal or the agreement's text.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from confidentiality import services as conf_services
from confidentiality.models import AgreementTemplate, Audience, Rule
from pairings.models import Pairing
from programs.models import Application, Program
from tests.builders.confidentiality import (
    agreement_of,
    canary,
    change_rules,
    write_note,
)
from tests.builders.pairings import (
    accept_both,
    add_goal,
    log_meeting,
    propose,
    sign_both,
)
from tests.builders.programs import make_program

AGREEMENT_TERMS = canary("terms-")


@pytest.fixture
def program(coordinator) -> Program:
    """The program, with agreement terms of its own (a canary, to find them anywhere)."""
    program = make_program(coordinator=coordinator)
    template = AgreementTemplate.objects.create(
        name="Grow terms", version=1, terms=f"We keep our word. {AGREEMENT_TERMS}"
    )
    Program.objects.filter(pk=program.pk).update(agreement_template=template)
    program.refresh_from_db()
    return program


def date_strings(day: date) -> list[str]:
    """The ways a template could print this date."""
    return [
        f"{day.day} {day:%b %Y}",
        f"{day:%d %b %Y}",
        f"{day.day} {day:%B %Y}",
        f"{day:%Y-%m-%d}",
        f"{day:%d/%m/%Y}",
    ]


def day_of(meeting) -> date:
    return timezone.localtime(meeting.starts_at).date()


@pytest.fixture
def pairs(program, enrolled, active_pairing, coordinator, new_mentor, new_mentoree):
    """Three active pairs whose coordinator rule is nothing, attendance, themes; each with
    meetings in the past and one upcoming; secrets written into notes and goals."""
    secrets = {"note": canary("note-"), "shared": canary("shared-"), "goal": canary("goal-")}

    hidden = accept_both(
        propose(program, new_mentor(first_name="Nora"), new_mentoree(first_name="Ivo"), by=None)
    )
    hidden_meeting = log_meeting(hidden, days=-11)
    log_meeting(hidden, days=4)
    change_rules(hidden, hidden.mentor.user, coordinator=Rule.NOTHING)
    hidden = sign_both(hidden)

    attendance = active_pairing
    log_meeting(attendance, days=-20)
    attendance_last = log_meeting(attendance, days=-3)
    log_meeting(attendance, days=6)
    write_note(attendance, attendance.mentor.user, secrets["note"])
    write_note(attendance, attendance.mentoree.user, secrets["shared"], shared=True)
    add_goal(attendance, secrets["goal"])

    themes = accept_both(
        propose(program, new_mentor(first_name="Otto"), new_mentoree(first_name="Pia"), by=None)
    )
    themes_last = log_meeting(themes, days=-6)
    change_rules(themes, themes.mentoree.user, coordinator=Rule.THEMES, committee=Rule.THEMES)
    themes = sign_both(themes)
    coordinator_theme = canary("theme-coordinator-")
    committee_theme = canary("theme-committee-")
    conf_services.theme_add(
        agreement=agreement_of(themes),
        by=themes.mentoree.user,
        audience=Audience.COORDINATOR,
        text=coordinator_theme,
    )
    conf_services.theme_add(
        agreement=agreement_of(themes),
        by=themes.mentoree.user,
        audience=Audience.COMMITTEE,
        text=committee_theme,
    )
    for pairing in (hidden, attendance, themes):
        assert pairing.status == Pairing.Status.ACTIVE
    return {
        "hidden": hidden,
        "hidden_meeting": hidden_meeting,
        "attendance": attendance,
        "attendance_last": attendance_last,
        "themes": themes,
        "themes_last": themes_last,
        "coordinator_theme": coordinator_theme,
        "committee_theme": committee_theme,
        **secrets,
    }


def pairings_page(client, program):
    response = client.get(reverse("pairings:program", args=[program.slug]))
    assert response.status_code == 200
    rows = {p.pk: p for p in response.context["page"].object_list}
    return response, rows


def test_f6_the_coordinator_sees_attendance_only_where_the_rule_allows_it(
    pairs, program, coordinator, client_for
):
    """F6: meetings held and the last meeting's date for the attendance and themes pairs; for
    the pair whose coordinator rule is nothing, no count, no date, not even in the HTML."""
    response, rows = pairings_page(client_for(coordinator), program)
    html = response.content.decode()

    hidden = rows[pairs["hidden"].pk]
    assert not hidden.attendance_visible
    assert hidden.meetings_held == 0
    assert hidden.last_meeting is None
    for text in date_strings(day_of(pairs["hidden_meeting"])):
        assert text not in html

    attendance = rows[pairs["attendance"].pk]
    assert attendance.attendance_visible
    assert attendance.meetings_held == 2  # the upcoming one is not held yet
    assert attendance.last_meeting == pairs["attendance_last"].starts_at
    assert any(text in html for text in date_strings(day_of(pairs["attendance_last"])))

    themes = rows[pairs["themes"].pk]
    assert themes.attendance_visible
    assert themes.meetings_held == 1
    assert themes.last_meeting == pairs["themes_last"].starts_at


def test_f6_consented_themes_reach_the_coordinator_only_under_the_themes_rule(
    pairs, program, coordinator, client_for
):
    """F6: the coordinator's theme of the themes pair is there; its committee theme is not
    (wrong audience); the other pairs have none."""
    response, rows = pairings_page(client_for(coordinator), program)
    assert rows[pairs["themes"].pk].coordinator_themes == [pairs["coordinator_theme"]]
    assert rows[pairs["attendance"].pk].coordinator_themes == []
    assert rows[pairs["hidden"].pk].coordinator_themes == []
    html = response.content.decode()
    assert pairs["coordinator_theme"] in html
    assert pairs["committee_theme"] not in html


@pytest.mark.parametrize("by", ["mentor", "mentoree"])
def test_f6_a_theme_vanishes_when_the_pair_tightens_the_rule_again(
    by, pairs, program, coordinator, client_for
):
    """F6: tightening the coordinator's rule (either member may) takes the theme away at
    once, before anyone signs the new version."""
    themes = pairs["themes"]
    member = themes.mentor.user if by == "mentor" else themes.mentoree.user
    change_rules(themes, member, coordinator=Rule.ATTENDANCE)

    response, rows = pairings_page(client_for(coordinator), program)
    assert rows[themes.pk].coordinator_themes == []
    assert pairs["coordinator_theme"] not in response.content.decode()
    # Attendance is still allowed.
    assert rows[themes.pk].meetings_held == 1

    change_rules(themes, member, coordinator=Rule.NOTHING)
    response, rows = pairings_page(client_for(coordinator), program)
    assert rows[themes.pk].meetings_held == 0
    assert rows[themes.pk].last_meeting is None
    for text in date_strings(day_of(pairs["themes_last"])):
        assert text not in response.content.decode()


def coordinator_pages(program, pairs) -> list[str]:
    unmatched = Application.objects.filter(
        program=program, role=Application.Role.MENTOREE, status=Application.Status.ADMITTED
    ).first()
    urls = [
        reverse("pairings:program", args=[program.slug]),
        reverse("pairings:program", args=[program.slug]) + "?status=active",
        reverse("pairings:matching", args=[program.slug]),
        reverse("programs:manage", args=[program.slug]),
        reverse("programs:detail", args=[program.slug]),
        reverse("home"),
        reverse("inbox"),
    ]
    if unmatched is not None:
        urls.append(reverse("pairings:suggestions", args=[program.slug, unmatched.applicant_id]))
    return urls


def committee_pages(program, pairs) -> list[str]:
    urls = [
        reverse("programs:committee_queue"),
        reverse("programs:detail", args=[program.slug]),
        reverse("home"),
        reverse("inbox"),
    ]
    for pairing in (pairs["attendance"], pairs["themes"]):
        application = Application.objects.get(
            program=program, applicant=pairing.mentoree, role=Application.Role.MENTOREE
        )
        urls.append(reverse("programs:committee_application", args=[application.pk]))
    return urls


@pytest.mark.parametrize("who", ["coordinator", "committee_member"])
def test_f6_coordinator_and_committee_pages_never_show_notes_goals_or_the_agreement(
    who, request, pairs, program, client_for
):
    """F6: whatever the rules, nothing the pair wrote reaches the coordinator or the
    committee: no note, no goal, no agreement text; the committee gets no theme either
    (there is no committee page that shows themes, so its theme stays with the pair)."""
    user = request.getfixturevalue(who)
    client = client_for(user)
    urls = (
        coordinator_pages(program, pairs)
        if who == "coordinator"
        else committee_pages(program, pairs)
    )
    secrets = [pairs["note"], pairs["shared"], pairs["goal"], AGREEMENT_TERMS]
    secrets.append(pairs["committee_theme"])
    if who == "committee_member":
        secrets.append(pairs["coordinator_theme"])
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for secret in secrets:
            assert secret not in html, (url, secret)
