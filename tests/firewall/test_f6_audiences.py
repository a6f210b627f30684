"""F6 Sharing rules, for the audiences that are people of the company: the mentoree's manager
and senior leadership. Each has a page ("Mentoring you may see as a manager", "... as a
senior leader") showing, for each live pairing whose rule in force allows it, exactly what the
rule allows (the held meetings' dates and durations; the themes consented for that audience)
and nothing else; a loosened rule only once both have signed it, a tightened one at once.
Being an HR admin, a superuser, on the Talent team or on the mentoree's review panel adds
nothing; someone who is not a manager (or not a senior leader) gets a 404. The mentoree reads
on their agreement page what each audience sees today.

One pair: Ivo (the mentoree) reports to Mara (a manager, grade 6), who reports to Sten
(a division head at the senior leadership grade). Nora mentors Ivo. Ivo and Nora have held two
meetings and have one upcoming; secrets sit in notes, goals and the agreement's terms.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from confidentiality import services as conf_services
from confidentiality.models import AgreementTemplate, Audience, Rule
from pairings import services as pairing_services
from pairings.models import Pairing
from people.roles import HR_ADMINS, TALENT_TEAM
from people.services import user_add_to_role
from programs.models import Program
from tests.builders.confidentiality import agreement_of, canary, change_rules, write_note
from tests.builders.pairings import accept_both, add_goal, log_meeting, propose, sign_both
from tests.builders.programs import make_program
from tests.builders.reviews import plan_review, seat
from tests.factories import EmployeeFactory

MANAGER_PAGE = reverse("confidentiality:shared_manager")
LEADERSHIP_PAGE = reverse("confidentiality:shared_leadership")
TERMS = canary("terms-")


@pytest.fixture
def program(coordinator) -> Program:
    program = make_program(coordinator=coordinator)
    template = AgreementTemplate.objects.create(
        name="Grow terms", version=1, terms=f"We keep our word. {TERMS}"
    )
    Program.objects.filter(pk=program.pk).update(agreement_template=template)
    program.refresh_from_db()
    return program


@pytest.fixture
def chain(db):
    senior = EmployeeFactory(
        first_name="Sten", title="Head of Technology", level=settings.SENIOR_LEADERSHIP_LEVEL
    )
    manager = EmployeeFactory(first_name="Mara", title="Engineering Manager", level=6)
    manager.manager = senior
    manager.save()
    return {"senior": senior, "manager": manager}


@pytest.fixture
def pair(program, chain, new_mentor, new_mentoree):
    mentoree = new_mentoree(first_name="Ivo", last_name="Quill", manager=chain["manager"])
    pairing = accept_both(propose(program, new_mentor(first_name="Nora"), mentoree, by=None))
    assert pairing.status == Pairing.Status.ACTIVE
    held = [log_meeting(pairing, days=-20, duration_minutes=45), log_meeting(pairing, days=-3)]
    upcoming = log_meeting(pairing, days=5, duration_minutes=90)
    secrets = [canary("note-"), canary("shared-"), canary("goal-"), TERMS]
    write_note(pairing, pairing.mentor.user, secrets[0])
    write_note(pairing, pairing.mentoree.user, secrets[1], shared=True)
    add_goal(pairing, secrets[2])
    return {"pairing": pairing, "held": held, "upcoming": upcoming, "secrets": secrets}


def day(meeting) -> date:
    return timezone.localtime(meeting.starts_at).date()


def page(client, url=MANAGER_PAGE):
    response = client.get(url)
    assert response.status_code == 200
    return response


def seen(response) -> dict:
    """What the page shows, row by row: the whole of what an audience learns."""
    return {
        row.mentoree: {
            "program": row.program,
            "held": row.meetings_held,
            "minutes": row.minutes_held,
            "meetings": [(timezone.localtime(s).date(), m) for s, m in row.meetings],
            "themes": row.themes,
        }
        for row in response.context["rows"]
    }


def loosen(pairing, **rules) -> None:
    """The mentoree loosens (only they may), then both sign: the rule comes into force."""
    change_rules(pairing, pairing.mentoree.user, **rules)
    sign_both(pairing)


def assert_only_what_the_rule_allows(response, pair, *, themes=()) -> None:
    pairing = pair["pairing"]
    assert seen(response) == {
        "Ivo Quill": {
            "program": pairing.program.name,
            "held": 2,
            "minutes": 105,
            "meetings": [(day(pair["held"][1]), 60), (day(pair["held"][0]), 45)],
            "themes": list(themes),
        }
    }
    html = response.content.decode()
    assert pairing.mentor.full_name not in html
    assert pairing.mentor.first_name not in html
    for secret in pair["secrets"]:
        assert secret not in html
    assert f"{day(pair['upcoming']):%-d %b %Y}" not in html


def test_f6_the_manager_sees_nothing_until_the_loosened_rule_is_signed_by_both(
    pair, chain, signed_in_client
):
    client = signed_in_client(chain["manager"].user)
    assert seen(page(client)) == {}
    assert MANAGER_PAGE not in client.get(reverse("home")).content.decode()

    change_rules(pair["pairing"], pair["pairing"].mentoree.user, manager=Rule.ATTENDANCE)
    assert seen(page(client)) == {}  # agreed, not yet signed by both: not in force
    sign_both(pair["pairing"])
    assert_only_what_the_rule_allows(page(client), pair)
    assert MANAGER_PAGE in client.get(reverse("home")).content.decode()


def test_f6_consented_themes_reach_the_manager_only_under_the_themes_rule(
    pair, chain, signed_in_client
):
    pairing = pair["pairing"]
    loosen(pairing, manager=Rule.THEMES, coordinator=Rule.THEMES, leadership=Rule.THEMES)
    agreement = agreement_of(pairing)
    for audience in (Audience.MANAGER, Audience.COORDINATOR, Audience.LEADERSHIP):
        conf_services.theme_add(
            agreement=agreement, by=pairing.mentoree.user, audience=audience, text=f"T-{audience}"
        )
    manager = page(signed_in_client(chain["manager"].user))
    assert_only_what_the_rule_allows(manager, pair, themes=["T-manager"])
    assert "T-coordinator" not in manager.content.decode()
    assert "T-leadership" not in manager.content.decode()
    leader = page(signed_in_client(chain["senior"].user), LEADERSHIP_PAGE)
    assert_only_what_the_rule_allows(leader, pair, themes=["T-leadership"])


@pytest.mark.parametrize("by", ["mentor", "mentoree"])
def test_f6_a_tightened_rule_takes_everything_away_at_once(by, pair, chain, signed_in_client):
    """Either member tightens; the page changes before anyone signs the new version."""
    pairing = pair["pairing"]
    loosen(pairing, manager=Rule.THEMES)
    conf_services.theme_add(
        agreement=agreement_of(pairing),
        by=pairing.mentoree.user,
        audience=Audience.MANAGER,
        text="Growing into a leadership role",
    )
    client = signed_in_client(chain["manager"].user)
    assert seen(page(client))["Ivo Quill"]["themes"] == ["Growing into a leadership role"]
    member = pairing.mentor.user if by == "mentor" else pairing.mentoree.user

    change_rules(pairing, member, manager=Rule.ATTENDANCE)
    response = page(client)
    assert_only_what_the_rule_allows(response, pair)
    assert "Growing into a leadership role" not in response.content.decode()

    change_rules(pairing, member, manager=Rule.NOTHING)
    response = page(client)
    assert seen(response) == {}
    assert "Ivo" not in response.content.decode()
    assert MANAGER_PAGE not in client.get(reverse("home")).content.decode()


def test_f6_an_ended_pairing_is_no_longer_shared(pair, chain, signed_in_client):
    pairing = pair["pairing"]
    loosen(pairing, manager=Rule.ATTENDANCE, leadership=Rule.ATTENDANCE)
    pairing_services.pairing_end(pairing=pairing, by=pairing.mentoree, category="goals_met")
    assert seen(page(signed_in_client(chain["manager"].user))) == {}
    assert seen(page(signed_in_client(chain["senior"].user), LEADERSHIP_PAGE)) == {}


def test_f6_only_the_mentorees_own_manager_and_the_leaders_above_them_see_it(
    pair, chain, signed_in_client
):
    """Another manager, and a senior leader of another branch, see nothing of this pair;
    the manager (below the senior grade) has no leadership page at all."""
    loosen(pair["pairing"], manager=Rule.ATTENDANCE, leadership=Rule.ATTENDANCE)
    other_manager = EmployeeFactory(level=6)
    EmployeeFactory(level=3, manager=other_manager)
    other_leader = EmployeeFactory(level=settings.SENIOR_LEADERSHIP_LEVEL)
    assert seen(page(signed_in_client(other_manager.user))) == {}
    assert seen(page(signed_in_client(other_leader.user), LEADERSHIP_PAGE)) == {}
    assert signed_in_client(chain["manager"].user).get(LEADERSHIP_PAGE).status_code == 404
    assert_only_what_the_rule_allows(
        page(signed_in_client(chain["senior"].user), LEADERSHIP_PAGE), pair
    )
    # The senior leader is not the direct manager: the manager's page shows them nothing.
    assert seen(page(signed_in_client(chain["senior"].user))) == {}


@pytest.mark.parametrize("who", ["outsider", "mentor", "coordinator", "hr_admin", "superuser"])
def test_f6_someone_who_manages_nobody_gets_a_404(who, request, pair, signed_in_client):
    loosen(pair["pairing"], manager=Rule.ATTENDANCE, leadership=Rule.ATTENDANCE)
    client = signed_in_client(request.getfixturevalue(who))
    assert client.get(MANAGER_PAGE).status_code == 404
    assert client.get(LEADERSHIP_PAGE).status_code == 404


@pytest.mark.parametrize("rule", [Rule.NOTHING, Rule.ATTENDANCE])
def test_f6_a_manager_with_every_other_power_gets_no_more_through_this_page(
    rule, pair, chain, talent_reviewer, signed_in_client
):
    """The manager is also an HR admin, on the Talent team, a superuser and seated on a
    talent review of the mentoree: the page shows exactly what the rule allows, no more."""
    pairing = pair["pairing"]
    if rule != Rule.NOTHING:
        loosen(pairing, manager=rule)
    manager = chain["manager"].user
    for role in (HR_ADMINS, TALENT_TEAM):
        user_add_to_role(user=manager, role=role)
    type(manager).objects.filter(pk=manager.pk).update(is_superuser=True, is_staff=True)
    review = plan_review(pairing.mentoree, by=talent_reviewer)
    seat(review, manager, by=talent_reviewer)

    response = page(signed_in_client(manager))
    if rule == Rule.NOTHING:
        assert seen(response) == {}
        assert "Ivo" not in response.content.decode()
    else:
        assert_only_what_the_rule_allows(response, pair)


def test_f6_the_mentoree_reads_what_each_audience_sees_today(pair, chain, signed_in_client):
    pairing = pair["pairing"]
    url = reverse("confidentiality:agreement", args=[pairing.pk])
    mentoree = signed_in_client(pairing.mentoree.user)
    told = {a.audience: a for a in mentoree.get(url).context["audiences_now"]}
    assert told[Audience.MANAGER].who == "Your manager, Mara " + chain["manager"].last_name
    assert told[Audience.MANAGER].sees.startswith("Nothing about your mentoring")
    assert chain["senior"].full_name in told[Audience.LEADERSHIP].who

    change_rules(pairing, pairing.mentoree.user, manager=Rule.ATTENDANCE)
    told = {a.audience: a for a in mentoree.get(url).context["audiences_now"]}
    assert told[Audience.MANAGER].sees.startswith("Nothing")  # not in force yet
    assert "Once you have both signed version" in told[Audience.MANAGER].after_signing
    sign_both(pairing)
    html = mentoree.get(url).content.decode()
    assert "What each audience sees today" in html
    assert "the dates and durations of the meetings you have held (2 so far)" in html
    # The mentor's page of the same agreement does not carry the mentoree's account.
    mentor_page = signed_in_client(pairing.mentor.user).get(url)
    assert mentor_page.context["audiences_now"] == []
    assert "What each audience sees today" not in mentor_page.content.decode()


def test_f6_once_the_pairing_ended_the_mentoree_is_told_their_manager_sees_nothing(
    pair, signed_in_client
):
    pairing = pair["pairing"]
    loosen(pairing, manager=Rule.ATTENDANCE, leadership=Rule.ATTENDANCE)
    pairing_services.pairing_end(pairing=pairing, by=pairing.mentoree, category="goals_met")
    url = reverse("confidentiality:agreement", args=[pairing.pk])
    told = {
        a.audience: a.sees
        for a in signed_in_client(pairing.mentoree.user).get(url).context["audiences_now"]
    }
    assert told[Audience.MANAGER] == told[Audience.LEADERSHIP]
    assert told[Audience.MANAGER] == "Nothing any more: your pairing has ended."


def test_f6_the_home_links_the_leaders_page_only_while_they_are_senior_and_it_has_something(
    pair, chain, signed_in_client
):
    """The home's count uses the same rule as the page: no link while the rule shares
    nothing; a link once it does; none (and a 404) for someone moved below the senior grade."""
    senior = chain["senior"]
    client = signed_in_client(senior.user)
    assert LEADERSHIP_PAGE not in client.get(reverse("home")).content.decode()
    loosen(pair["pairing"], leadership=Rule.ATTENDANCE)
    assert client.get(reverse("home")).context["home"].shared_as_leader == 1
    assert LEADERSHIP_PAGE in client.get(reverse("home")).content.decode()

    type(senior).objects.filter(pk=senior.pk).update(level=settings.SENIOR_LEADERSHIP_LEVEL - 1)
    assert LEADERSHIP_PAGE not in client.get(reverse("home")).content.decode()
    assert client.get(LEADERSHIP_PAGE).status_code == 404
