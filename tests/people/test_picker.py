"""The people picker (people/picker.py, people/forms.py PersonField): who it finds, who it
offers for each purpose, how a form resolves what was typed without JavaScript, and the
search views behind the combobox."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from pairings.matching import services as matching
from pairings.matching.picker import PURPOSES
from people.forms import PersonField
from people.picker import PICKER_LIMIT, Purpose, active_employees, fold, people_choosable
from programs import selectors as program_selectors
from programs.models import Application
from programs.selectors.picker import COMMITTEE_MEMBER, SESSION_LEADER
from reviews.picker import PANEL_MEMBER, REVIEW_SUBJECT
from tests.builders.pairings import flash_messages, person, propose
from tests.builders.programs import apply
from tests.builders.reviews import main_content

EVERYONE = Purpose(name="anyone active", candidates=lambda *, user, within: active_employees())


def find(query: str, user=None, purpose: Purpose = EVERYONE, within=None) -> list[str]:
    return [
        p.email for p in people_choosable(user=user, purpose=purpose, within=within, query=query)
    ]


# --- Searching --------------------------------------------------------------------------------


@pytest.fixture
def zoe(db):
    return person(
        first_name="Zoë",
        last_name="Ångström",
        email="zoe.angstrom@example.test",
        number="E-77001",
        title="Treasury Analyst",
        department="Treasury",
    )


@pytest.mark.parametrize(
    "query",
    [
        "Zoë",
        "zoe",
        "ZOE",
        "angstrom",
        "Ångström",
        "zoe angstrom",
        "Ångström Zoë",
        "zoe.angstrom@",
        "e-77001",
        "E-77001",
        "treasury",
        "Treasury zoe",
    ],
)
def test_a_person_is_found_by_name_email_number_or_department_whatever_the_case_or_accents(
    zoe, query
):
    assert find(query) == [zoe.email]


def test_every_word_typed_must_match_something(zoe):
    assert find("zoe finance") == []
    assert find("") == []
    assert find("   ") == []


def test_fold_takes_off_case_and_accents_the_same_way_everywhere():
    assert fold("ÉLODIE Núñez-Çelik") == "elodie nunez-celik"
    # Letters with no one-letter base are compared as they are.
    assert fold("Øystein Straße") == "Øystein straße"


def test_namesakes_are_both_found_with_what_tells_them_apart(db):
    finance = person(
        first_name="Aisha", last_name="Andersen", title="Controller", department="Finance"
    )
    legal = person(first_name="Aisha", last_name="Andersen", title="Counsel", department="Legal")

    found = people_choosable(user=None, purpose=EVERYONE, query="aisha andersen")

    assert {p.pk for p in found} == {finance.pk, legal.pk}
    assert {(p.title, p.department) for p in found} == {
        ("Controller", "Finance"),
        ("Counsel", "Legal"),
    }


def test_an_exact_match_comes_first_then_names_that_start_with_the_word(db):
    ann = person(first_name="Ann", last_name="Lee", email="ann.lee@example.test")
    joann = person(first_name="Joann", last_name="Brown", email="joann.brown@example.test")
    annabel = person(first_name="Annabel", last_name="Cole", email="annabel.cole@example.test")

    found = people_choosable(user=None, purpose=EVERYONE, query="ann lee")
    assert [p.pk for p in found] == [ann.pk]
    assert found[0].picker_rank == 0

    # Then by last name among those whose name starts with it; a name that holds it last.
    assert find("ann") == [annabel.email, ann.email, joann.email]


def test_inactive_people_are_never_offered(db):
    gone = person(first_name="Ivo", last_name="Left", is_active=False)

    assert find("ivo left") == []
    assert gone.pk not in {p.pk for p in active_employees()}


def test_at_most_ten_come_back(db):
    for n in range(PICKER_LIMIT + 5):
        person(first_name="Kim", last_name=f"Park{n}")

    assert len(find("kim")) == PICKER_LIMIT


@pytest.mark.parametrize("how_many", [3, 30])
def test_one_query_whatever_the_number_of_matches(db, django_assert_num_queries, how_many):
    for n in range(how_many):
        person(first_name="Lee", last_name=f"Smith{n}", department="Audit")

    with django_assert_num_queries(1):
        found = find("lee audit")

    assert len(found) == min(how_many, PICKER_LIMIT)


# --- Who each purpose offers ----------------------------------------------------------------


def test_committee_offers_active_people_but_the_coordinator_and_those_already_on_it(
    program, coordinator, committee_member, committee, outsider
):
    offered = {
        p.pk
        for p in people_choosable(
            user=coordinator,
            purpose=COMMITTEE_MEMBER,
            within=program,
            query="example.test",
            limit=500,
        )
    }

    assert outsider.employee.pk in offered
    assert committee_member.employee.pk not in offered
    assert coordinator.employee.pk not in offered


def test_nothing_is_offered_to_someone_who_does_not_coordinate_the_program(
    program, other_coordinator, outsider
):
    for purpose in (COMMITTEE_MEMBER, SESSION_LEADER):
        found = people_choosable(
            user=other_coordinator, purpose=purpose, within=program, query=outsider.email
        )
        assert found == []


def test_pins_offer_admitted_mentors_and_admitted_mentorees_without_a_mentor_or_pin(
    program, coordinator, new_mentor, new_mentoree, outsider, join
):
    mentor = new_mentor(first_name="Pia", last_name="Mentor")
    waiting = new_mentoree(first_name="Pia", last_name="Waiting")
    paired = new_mentoree(first_name="Pia", last_name="Paired")
    pinned = new_mentoree(first_name="Pia", last_name="Pinned")
    applied = person(first_name="Pia", last_name="Applied", level=7)
    apply(applied, program, Application.Role.MENTOR)
    propose(program, mentor.user, paired.user, by=coordinator)
    matching.pin_add(
        program=program, mentor=new_mentor(first_name="Other"), mentoree=pinned, by=coordinator
    )

    def offered(role):
        return {
            p.pk
            for p in people_choosable(
                user=coordinator, purpose=PURPOSES[role], within=program, query="pia"
            )
        }

    assert offered("mentor") == {mentor.pk}
    assert offered("mentoree") == {waiting.pk}


def test_the_panel_offers_neither_the_subject_nor_who_already_sits_on_it(
    staffed_review, mentoree, panel_member, talent_reviewer, outsider
):
    offered = {
        p.pk
        for p in people_choosable(
            user=talent_reviewer,
            purpose=PANEL_MEMBER,
            within=staffed_review,
            query="example.test",
            limit=500,
        )
    }

    assert outsider.employee.pk in offered
    assert mentoree.employee.pk not in offered
    assert panel_member.employee.pk not in offered


def test_only_the_talent_team_is_offered_review_subjects(talent_reviewer, coordinator, outsider):
    def offered(user):
        return people_choosable(user=user, purpose=REVIEW_SUBJECT, query=outsider.email)

    assert [p.pk for p in offered(talent_reviewer)] == [outsider.employee.pk]
    assert offered(coordinator) == []


# --- The form without JavaScript --------------------------------------------------------------


@pytest.fixture
def namesakes(db):
    return [
        person(first_name="Aisha", last_name="Andersen", title="Controller", department="Finance"),
        person(first_name="Aisha", last_name="Andersen", title="Counsel", department="Legal"),
    ]


def add_member(client, program, **data):
    return client.post(reverse("programs:committee_add", args=[program.slug]), data)


def is_member(program, employee) -> bool:
    return program_selectors.is_committee_member(user=employee.user, program=program)


def test_one_match_is_chosen(program, coordinator, signed_in_client, outsider):
    response = add_member(signed_in_client(coordinator), program, member="lina petrova")

    assert response.status_code == 302
    assert is_member(program, outsider.employee)
    assert "Lina Petrova joined the committee." in flash_messages(response)


def test_several_matches_come_back_as_which_one_with_title_and_department(
    program, coordinator, signed_in_client, namesakes
):
    client = signed_in_client(coordinator)

    response = add_member(client, program, member="Aisha Andersen")

    assert response.status_code == 400
    page = main_content(response)
    assert "Several people match “Aisha Andersen”: which one?" in page
    assert "<legend>Which one?</legend>" in page
    assert "Controller, Finance" in page and "Counsel, Legal" in page
    assert page.count('type="radio" name="member_pick"') == 2
    assert not any(is_member(program, e) for e in namesakes)

    # The second step: the radio picked, for the text it answered.
    legal = namesakes[1]
    response = add_member(
        client, program, member="Aisha Andersen", member_pick=legal.pk, member_for="Aisha Andersen"
    )

    assert response.status_code == 302
    assert is_member(program, legal) and not is_member(program, namesakes[0])


def test_nobody_found_is_a_field_error_and_changes_nothing(program, coordinator, signed_in_client):
    response = add_member(signed_in_client(coordinator), program, member="Nobody Atall")

    assert response.status_code == 400
    assert "Nobody you can choose here matches “Nobody Atall”" in main_content(response)
    assert len(program_selectors.committee_of(program=program)) == 0


def test_an_empty_box_asks_for_a_name(program, coordinator, signed_in_client):
    response = add_member(signed_in_client(coordinator), program, member="")

    assert response.status_code == 400
    assert "Type a name, e-mail address, employee number or department." in main_content(response)


@pytest.mark.parametrize(
    "forged", ["other program's member", "inactive", "missing", "junk", "huge"]
)
def test_a_forged_id_gets_the_same_error_as_nobody_found(
    program, coordinator, committee_member, committee, signed_in_client, forged, db
):
    ids = {
        "other program's member": committee_member.employee.pk,  # already on it: not offered
        "inactive": person(first_name="Ivo", last_name="Left", is_active=False).pk,
        "missing": 10**9,
        "junk": "1 OR 1=1",
        "huge": str(2**70),
    }
    before = len(program_selectors.committee_of(program=program))

    response = add_member(
        signed_in_client(coordinator),
        program,
        member="Arjun",
        member_id=ids[forged],
        member_for="Arjun",
    )

    assert response.status_code == 400
    assert "Nobody you can choose here matches “Arjun”" in main_content(response)
    assert len(program_selectors.committee_of(program=program)) == before


def test_a_choice_counts_only_for_the_text_it_was_made_for(
    program, coordinator, signed_in_client, outsider, namesakes
):
    """Without JavaScript the hidden id stays when the name is edited: the new text wins."""
    response = add_member(
        signed_in_client(coordinator),
        program,
        member="Lina Petrova",
        member_id=namesakes[0].pk,
        member_for="Aisha Andersen",
    )

    assert response.status_code == 302
    assert is_member(program, outsider.employee)
    assert not is_member(program, namesakes[0])


def test_the_field_keeps_the_current_person_sent_back_unchanged(session, coordinator, executive):
    field = PersonField(purpose=SESSION_LEADER)
    field.bind(user=coordinator, within=session.program, search_url="/", current=executive.employee)
    executive.employee.is_active = False  # no longer choosable, still the leader
    executive.employee.save(update_fields=["is_active"])

    name = executive.employee.full_name
    assert field.clean({"text": name, "id": str(executive.employee.pk), "for": name}) == (
        executive.employee
    )


# --- The search views ---------------------------------------------------------------------------


def search(client, url, text, box="id_member", name="member"):
    return client.get(url, {"for": box, "name": name, name: text})


def test_the_search_answers_the_listbox_options_and_how_many(
    program, coordinator, signed_in_client, namesakes
):
    url = reverse("programs:people_committee", args=[program.slug])

    response = search(signed_in_client(coordinator), url, "aisha")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="option"') == 2
    for employee in namesakes:
        assert f'id="id_member-option-{employee.pk}"' in html
        assert f'data-id="{employee.pk}"' in html
    assert "Controller, Finance" in html and "Counsel, Legal" in html
    assert re.search(r'id="id_member-status" hx-swap-oob="innerHTML">2 people found', html)
    assert response["Cache-Control"] == "private, no-store"


def test_the_search_says_when_nobody_is_found_and_drops_a_strange_box_id(
    program, coordinator, signed_in_client
):
    url = reverse("programs:people_committee", args=[program.slug])

    response = search(signed_in_client(coordinator), url, "zzz", box='x"><script>')

    html = response.content.decode()
    assert 'role="option"' not in html
    assert 'id="person-status"' in html and "Nobody found." in html
    assert "<script>" not in html


def test_a_nul_byte_typed_is_a_space_in_the_search_and_in_the_form(
    program, coordinator, signed_in_client, namesakes
):
    """PostgreSQL refuses NUL in a text parameter: it was a 500 on both the search and the
    form (tests/security/test_hostile_forms.py found it on PostgreSQL)."""
    client = signed_in_client(coordinator)
    url = reverse("programs:people_committee", args=[program.slug])

    response = search(client, url, "aisha\x00legal")
    assert response.status_code == 200
    assert response.content.decode().count('role="option"') == 1

    response = add_member(client, program, member="\x00\x00")
    assert response.status_code == 400
    assert not any(is_member(program, employee) for employee in namesakes)


@pytest.mark.parametrize("name", ["programs:people_committee", "programs:people_leader"])
def test_program_searches_are_for_its_coordinators_any_other_program_is_404(
    program, other_program, coordinator, other_coordinator, outsider, signed_in_client, name
):
    url = reverse(name, args=[program.slug])

    assert search(signed_in_client(coordinator), url, "lina").status_code == 200
    assert search(signed_in_client(other_coordinator), url, "lina").status_code == 404
    assert search(signed_in_client(outsider), url, "lina").status_code == 404
    assert (
        search(
            signed_in_client(coordinator), reverse(name, args=[other_program.slug]), "lina"
        ).status_code
        == 404
    )


def test_pin_searches_are_for_the_coordinator_and_know_only_two_roles(
    program, coordinator, other_coordinator, signed_in_client
):
    client = signed_in_client(coordinator)
    for role in ("mentor", "mentoree"):
        url = reverse("pairings:pin_people", args=[program.slug, role])
        assert search(client, url, "a").status_code == 200
        assert search(signed_in_client(other_coordinator), url, "a").status_code == 404
    assert (
        search(client, reverse("pairings:pin_people", args=[program.slug, "boss"]), "a").status_code
        == 404
    )


def test_review_searches_are_for_the_talent_team_on_reviews_it_may_see(
    review, talent_reviewer, coordinator, panel_member, signed_in_client, client
):
    subject_url = reverse("reviews:people_subject")
    panel_url = reverse("reviews:people_panel", args=[review.pk])

    assert search(signed_in_client(talent_reviewer), subject_url, "lina").status_code == 200
    assert search(signed_in_client(talent_reviewer), panel_url, "lina").status_code == 200
    assert search(signed_in_client(coordinator), subject_url, "lina").status_code == 403
    assert search(signed_in_client(coordinator), panel_url, "lina").status_code == 404
    assert search(client, panel_url, "lina").status_code == 302  # to sign in


def test_a_seated_panel_member_is_not_offered_again(
    staffed_review, panel_member, talent_reviewer, signed_in_client
):
    url = reverse("reviews:people_panel", args=[staffed_review.pk])

    html = search(signed_in_client(talent_reviewer), url, panel_member.email).content.decode()

    assert 'role="option"' not in html
