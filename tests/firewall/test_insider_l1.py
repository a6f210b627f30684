"""The insiders against the people picker and the list filters (issue 16, item 1).

Played as: a Talent team member who also mentors someone, a committee member seated on a review
panel, a coordinator of one program poking at another, a plain employee, an HR admin and a
superuser. Each tries the picker's search addresses (other programs' slugs, other reviews' ids,
malformed and huge input), the forms' posted ids (forged, outside the set, not even numbers),
the admin's autocomplete and changelists, and the lists' search and filters (can a search,
a filter or an htmx fragment tell a recusal, a conflict or a confidential text apart?).
Rules: F2, F3, F11 (neutral refusals, reviews hidden from a mentoring-side relation), F13.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from confidentiality.models import Rule
from firewall.register import conflict_declare
from pairings.models import Pin
from people.accounts import user_add_to_role
from people.forms import SELF_ABOVE, SELF_GRADE
from people.roles import TALENT_TEAM
from programs import selectors as program_selectors
from programs.models import Application
from reviews.models import PanelSeat, TalentReview
from tests.builders.confidentiality import change_rules
from tests.builders.pairings import add_goal, person, sign_both
from tests.builders.programs import apply, join_program
from tests.builders.reviews import REASON_WORDS, main_content, plan_review, seat

FOR = {"for": "id_member", "name": "q"}
# Input a browser never sends: not ids, not numbers a column holds, digits of other scripts.
FORGED_IDS = ["²", "٣", "-1", "1e3", "0x10", str(2**63), "9" * 40, " ", "1;DROP", "\x00"]


def picker_urls(program, review) -> dict[str, str]:
    return {
        "committee": reverse("programs:people_committee", args=[program.slug]),
        "leader": reverse("programs:people_leader", args=[program.slug]),
        "pin mentor": reverse("pairings:pin_people", args=[program.slug, "mentor"]),
        "pin mentoree": reverse("pairings:pin_people", args=[program.slug, "mentoree"]),
        "subject": reverse("reviews:people_subject"),
        "panel": reverse("reviews:people_panel", args=[review.pk]),
    }


def option_ids(response) -> set[str]:
    return set(re.findall(r'data-id="(\d+)"', response.content.decode()))


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- The powerful and the plain: no picker lists anyone for them ------------------------------


@pytest.mark.parametrize("who", ["hr_admin", "superuser", "outsider", "committee_member"])
def test_f13_nobody_without_the_form_gets_a_list_from_any_picker(
    who, request, program, committee, review, mentor, signed_in_client
):
    """An HR admin, a superuser, a plain employee and a committee member hold none of the
    forms: every picker search is a refusal (403/404), never a list of people."""
    client = signed_in_client(request.getfixturevalue(who))
    for name, url in picker_urls(program, review).items():
        response = client.get(url, {**FOR, "q": mentor.email})
        assert response.status_code in (403, 404), (name, response.status_code)
        assert not option_ids(response), name


# --- A coordinator of one program poking at another -------------------------------------------


def test_a_coordinator_gets_no_picker_of_another_program_and_cannot_post_to_it(
    program, other_program, other_coordinator, mentor, coordinator, signed_in_client
):
    client = signed_in_client(coordinator)
    for kind in ("committee", "leader"):
        url = reverse(f"programs:people_{kind}", args=[other_program.slug])
        assert client.get(url, {**FOR, "q": mentor.email}).status_code == 404
    for role in ("mentor", "mentoree", "coach", "../mentor"):
        url = reverse("pairings:pin_people", args=[other_program.slug, "mentor"]).replace(
            "/mentor/", f"/{role}/"
        )
        assert client.get(url, {**FOR, "q": mentor.email}).status_code == 404
    # Its own program, an unknown role: a 404, not a list.
    unknown = reverse("pairings:pin_people", args=[program.slug, "coach"])
    assert client.get(unknown, {**FOR, "q": mentor.email}).status_code == 404

    before = program_selectors.committee_of(program=other_program)
    response = client.post(
        reverse("programs:committee_add", args=[other_program.slug]),
        {
            "member": mentor.employee.full_name,
            "member_id": mentor.employee.pk,
            "member_for": mentor.employee.full_name,
        },
    )
    assert response.status_code == 404
    assert program_selectors.committee_of(program=other_program) == before


def test_a_pin_posted_with_people_outside_the_program_is_refused_like_nobody(
    program, coordinator, signed_in_client
):
    """A forged id of a real employee who is not an admitted mentor of the program reads
    exactly like an id that names nobody: the form learns nothing of who exists."""
    mentoree = join_program(program, coordinator, "mentoree")
    stranger = person(first_name="Stan", last_name="Ger")
    url = reverse("pairings:pin_add", args=[program.slug])
    client = signed_in_client(coordinator)

    def attempt(mentor_id) -> str:
        response = client.post(
            url,
            {
                "mentor": "Someone",
                "mentor_id": mentor_id,
                "mentor_for": "Someone",
                "mentoree": mentoree.full_name,
                "mentoree_id": mentoree.pk,
                "mentoree_for": mentoree.full_name,
            },
        )
        assert response.status_code == 400
        return text_of(response.content.decode().split("<main", 1)[1])

    assert attempt(stranger.pk) == attempt(10**9)
    assert not Pin.objects.exists()


# --- Malformed input: a clear answer, never a crash -------------------------------------------


def test_forged_ids_in_a_picker_form_are_a_field_error_never_a_crash(
    program, coordinator, committee, signed_in_client
):
    client = signed_in_client(coordinator)
    url = reverse("programs:committee_add", args=[program.slug])
    for forged in FORGED_IDS:
        response = client.post(
            url, {"member": "Someone", "member_id": forged, "member_for": "Someone"}
        )
        assert response.status_code == 400, repr(forged)
        assert "Nobody you can choose here matches" in response.content.decode(), repr(forged)


def test_forged_ids_in_the_panel_form_change_nothing(review, talent_reviewer, signed_in_client):
    client = signed_in_client(talent_reviewer)
    url = reverse("reviews:seat_add", args=[review.pk])
    for forged in FORGED_IDS:
        response = client.post(
            url, {"member": "Someone", "member_pick": forged, "member_for": "Someone"}
        )
        assert response.status_code == 400, repr(forged)
    assert not PanelSeat.objects.filter(review=review).exists()


def test_huge_and_hostile_searches_answer_calmly_and_echo_nothing_raw(
    program, coordinator, signed_in_client
):
    client = signed_in_client(coordinator)
    url = reverse("programs:people_committee", args=[program.slug])
    hostile = [
        {"for": "<script>alert(1)</script>", "name": "q", "q": "a"},
        {"for": "id_member", "name": "for", "for_": "x"},
        {"for": "id_member", "name": "q", "q": "a " * 50_000},
        {"for": "id_member", "name": "q", "q": "%_%\\' OR 1=1 --"},
        {"for": "id_member", "name": "q" * 5000, "q": "x"},
    ]
    for params in hostile:
        response = client.get(url, params)
        assert response.status_code == 200
        body = response.content.decode()
        assert "<script>" not in body
        assert len(body) < 20_000
        assert response["Cache-Control"] == "private, no-store"


# --- The Talent team member who mentors someone (F3, F11) -------------------------------------


@pytest.fixture
def mentoring_reviewer(active_pairing, mentor):
    """The mentor of `active_pairing`, also on the Talent team."""
    user_add_to_role(user=mentor, role=TALENT_TEAM)
    return mentor


def test_f11_the_talent_mentor_gets_no_panel_picker_for_the_mentorees_review(
    mentoring_reviewer, mentoree, other_mentor, talent_reviewer, signed_in_client
):
    """Their mentoree's review is out of their sight: its panel search and its seat form are
    404s (as for a review that does not exist), so they never learn who sits on it (the
    search leaves out who is seated)."""
    review = plan_review(mentoree, by=talent_reviewer)
    seat(review, other_mentor.employee, by=talent_reviewer)
    client = signed_in_client(mentoring_reviewer)
    missing = 10**9

    for pk in (review.pk, missing):
        url = reverse("reviews:people_panel", args=[pk])
        assert client.get(url, {**FOR, "q": other_mentor.email}).status_code == 404
        response = client.post(
            reverse("reviews:seat_add", args=[pk]),
            {"member": other_mentor.employee.full_name},
        )
        assert response.status_code == 404
    assert PanelSeat.objects.filter(review=review).count() == 1


def test_f11_the_talent_mentor_cannot_find_the_mentorees_review_by_search_or_filter(
    mentoring_reviewer, mentoree, talent_reviewer, signed_in_client
):
    """Searching the mentoree's name reads as searching a name nobody has: the same words,
    the same counts (the review is outside their list altogether, before any search)."""
    review = plan_review(mentoree, by=talent_reviewer)
    plan_review(person(first_name="Other", last_name="Subject"), by=talent_reviewer)
    client = signed_in_client(mentoring_reviewer)
    url = reverse("reviews:list")

    def page(q: str, headers=None) -> str:
        response = client.get(url, {"q": q, "status": review.status}, headers=headers or {})
        assert response.status_code == 200
        return text_of(response.content.decode()).replace(q, "Q")

    name = mentoree.employee.last_name
    assert page(name) == page("Nobodyhasthisname")
    htmx = {"HX-Request": "true", "HX-Target": "reviews-results"}
    assert page(name, htmx) == page("Nobodyhasthisname", htmx)
    assert f"/reviews/{review.pk}/" not in client.get(url).content.decode()


def test_f3_the_talent_mentor_sees_the_mentoree_listed_as_subject_and_is_refused_neutrally(
    mentoring_reviewer, mentoree, signed_in_client
):
    """The subject picker does not leave the mentoree out (that would be an oracle); planning
    the review is refused in the register's neutral words."""
    client = signed_in_client(mentoring_reviewer)
    search = client.get(reverse("reviews:people_subject"), {**FOR, "q": mentoree.email})
    assert str(mentoree.employee.pk) in option_ids(search)
    response = client.post(
        reverse("reviews:create"),
        {
            "subject": mentoree.employee.full_name,
            "subject_id": mentoree.employee.pk,
            "subject_for": mentoree.employee.full_name,
            "cycle": "2027 mid-year",
            "scheduled_on": "2027-06-01",
        },
    )
    page = main_content(response)
    assert "You have a declared conflict of interest with the subject." in page
    assert not REASON_WORDS.search(page), REASON_WORDS.search(page)
    assert not TalentReview.objects.filter(subject=mentoree.employee).exists()


# --- The committee member seated on a review panel --------------------------------------------


def test_a_panel_member_cannot_use_the_seat_form_as_a_directory(
    staffed_review, panel_member, signed_in_client
):
    """A panel member is not the Talent team: posting the seat form with a name that fits many
    people shows no "Which one?" list, no one's address, and seats nobody."""
    for n in range(3):
        person(first_name="Aaron", last_name=f"Many{n}", email=f"aaron.many{n}@example.test")
    client = signed_in_client(panel_member)
    response = client.post(
        reverse("reviews:seat_add", args=[staffed_review.pk]), {"member": "Aaron"}
    )
    body = response.content.decode()
    assert "aaron.many" not in body
    assert "Which one?" not in body
    search = client.get(
        reverse("reviews:people_panel", args=[staffed_review.pk]), {**FOR, "q": "Aaron"}
    )
    assert search.status_code == 403
    assert not option_ids(search)
    assert staffed_review.seats.count() == 1


def test_f11_a_committee_member_never_finds_a_recused_applicant_by_searching(
    program, committee, committee_member, signed_in_client
):
    """The queue leaves out whom the member may not judge (their reports). Searching such an
    applicant's name, or filtering by the program, reads as a name nobody has."""
    report = person(first_name="Rita", last_name="Report", manager=committee_member.employee)
    apply(report, program)
    apply(person(first_name="Open", last_name="Applicant"), program)
    client = signed_in_client(committee_member)
    url = reverse("programs:committee_queue")

    def page(q: str, **extra) -> str:
        response = client.get(url, {"q": q, **extra})
        assert response.status_code == 200
        return text_of(response.content.decode()).replace(q, "Q")

    assert page("Report") == page("Zzyzx")
    assert page("Report", program=program.slug) == page("Zzyzx", program=program.slug)


def test_f2_a_program_filter_of_a_committee_one_does_not_sit_on_reads_as_an_unknown_one(
    program, committee, other_program, committee_member, signed_in_client
):
    client = signed_in_client(committee_member)
    url = reverse("programs:committee_queue")
    theirs = text_of(client.get(url, {"program": other_program.slug}).content.decode())
    nothing = text_of(client.get(url, {"program": "no-such-program"}).content.decode())
    assert theirs.replace(other_program.slug, "S") == nothing.replace("no-such-program", "S")
    assert other_program.name not in theirs


# --- Confidential words find nothing in any list ----------------------------------------------


def test_f6_no_list_finds_a_pairing_or_application_by_confidential_words(
    active_pairing, program, mentor, mentoree, coordinator, signed_in_client
):
    """Motivation, goals, goal titles and the agreement's text are never searched: the
    coordinator's pairings and applications and the members' own pairs find nothing by them."""
    secret = "Quetzalcoatlsecret"
    add_goal(active_pairing, f"{secret} goal")
    apply(person(first_name="Wanda", last_name="Writer"), program, motivation=f"{secret} why")
    lists = [
        (coordinator, reverse("pairings:program", args=[program.slug])),
        (coordinator, reverse("programs:manage", args=[program.slug])),
        (mentor, reverse("pairings:mine")),
        (mentoree, reverse("pairings:mine")),
    ]
    for who, url in lists:
        response = signed_in_client(who).get(url, {"q": secret})
        assert response.status_code == 200
        assert response.context["shown"] == 0, url


def test_htmx_fragments_hold_nothing_the_full_page_does_not(
    active_pairing, program, coordinator, mentor, signed_in_client
):
    """The results region sent to htmx is part of the page, never more (HX-Target spoofed to
    another list's region gives the whole page, not another list)."""
    client = signed_in_client(coordinator)
    cases = [
        (reverse("pairings:program", args=[program.slug]), "pairings-results"),
        (reverse("programs:manage", args=[program.slug]), "applications-results"),
    ]
    for url, region in cases:
        page = text_of(client.get(url, {"q": mentor.last_name}).content.decode())
        fragment = client.get(
            url, {"q": mentor.last_name}, headers={"HX-Request": "true", "HX-Target": region}
        )
        assert fragment.status_code == 200
        assert text_of(fragment.content.decode()) in page, url
        spoofed = client.get(
            url,
            {"q": mentor.last_name},
            headers={"HX-Request": "true", "HX-Target": "queue-results"},
        )
        assert text_of(spoofed.content.decode()) == page, url


# --- The admin: autocomplete and changelists --------------------------------------------------


@pytest.mark.parametrize("who", ["hr_admin", "superuser"])
def test_f13_the_autocomplete_answers_ids_only_whatever_to_field_says(
    who, request, mentor, signed_in_client
):
    client = signed_in_client(request.getfixturevalue(who))
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "firewall",
            "model_name": "conflictentry",
            "field_name": "person",
            "term": mentor.email,
            "to_field": "email",
        },
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [str(mentor.employee.pk)]


@pytest.mark.parametrize("who", ["hr_admin", "superuser"])
def test_f13_malformed_numbers_in_a_changelist_filter_are_no_crash(who, request, signed_in_client):
    client = signed_in_client(request.getfixturevalue(who))
    url = reverse("admin:programs_application_changelist")
    for value in ("²", "٣", "1²", str(2**64)):
        response = client.get(url, {"program__id__exact": value})
        assert response.status_code in (200, 302, 400), repr(value)


def test_f11_a_declared_conflict_keeps_the_person_listed_for_the_committee(
    program, coordinator, signed_in_client
):
    """A conflict HR declared by hand does not take the person out of the coordinator's
    committee picker (an absence would tell the coordinator there is a conflict)."""
    subject = person(first_name="Sue", last_name="Bject")
    apply(subject, program)
    judge = person(first_name="Jude", last_name="Conflicted")
    plain = person(first_name="Jude", last_name="Plain")
    conflict_declare(person_id=judge.pk, subject_id=subject.pk)
    client = signed_in_client(coordinator)
    response = client.get(
        reverse("programs:people_committee", args=[program.slug]), {**FOR, "q": "Jude"}
    )
    assert option_ids(response) == {str(judge.pk), str(plain.pk)}


def test_a_topic_id_in_another_script_is_an_unknown_topic_never_a_crash(
    program, outsider, signed_in_client
):
    """A plain employee posts the application form with a topic id "²" (a digit to
    str.isdigit, not to int()): a field error, no application."""

    client = signed_in_client(outsider)
    url = reverse("programs:apply", args=[program.slug, "mentoree"])
    for forged in ("²", "٣", "1²"):
        response = client.post(
            url, {"motivation": "I want to grow.", "goals": "Lead.", "tags": [forged]}
        )
        assert response.status_code in (200, 400), repr(forged)
    assert not Application.objects.filter(applicant=outsider.employee).exists()


def test_a_panel_member_finds_no_review_they_do_not_sit_on_by_search(
    staffed_review, other_review, panel_member, outsider, signed_in_client
):
    """The panel member of one review searches the subject of another: the page reads as a
    search for a name nobody has (the same counts and words), page and htmx region alike."""
    client = signed_in_client(panel_member)
    url = reverse("reviews:list")

    def page(q: str, headers=None) -> str:
        response = client.get(url, {"q": q}, headers=headers or {})
        assert response.status_code == 200
        return text_of(response.content.decode()).replace(q, "Q")

    name = outsider.employee.last_name
    assert page(name) == page("Nobodyhasthisname")
    htmx = {"HX-Request": "true", "HX-Target": "reviews-results"}
    assert page(name, htmx) == page("Nobodyhasthisname", htmx)


def test_the_error_page_of_a_picker_form_escapes_what_was_typed(
    program, coordinator, signed_in_client
):
    typed = '<img src=x onerror="alert(1)">'
    response = signed_in_client(coordinator).post(
        reverse("programs:committee_add", args=[program.slug]), {"member": typed}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert typed not in body
    assert "&lt;img src=x" in body


# --- F13 and F6: the admin's manager picker as a door to the manager's page -------------------


def admin_form_data(response) -> dict:
    """What the admin's change form posts back unchanged: every field's current value."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return data


@pytest.mark.parametrize("who", ["hr_admin", "superuser"])
def test_f13_nobody_names_themselves_a_mentorees_manager_in_the_admin(
    who, request, active_pairing, mentoree, signed_in_client
):
    """The mentoree's manager sees what the agreement shares with the manager (F6): an HR admin
    (or a superuser with a directory entry) who picks themselves as the mentoree's manager
    would grant themselves that page. Refused on the form; the entry keeps its manager."""

    actor = request.getfixturevalue(who)
    if who == "superuser":
        person(user=actor, first_name="Sam", last_name="Root", level=6)
        actor.refresh_from_db()
    change_rules(active_pairing, mentoree, manager=Rule.ATTENDANCE)
    sign_both(active_pairing)
    client = signed_in_client(actor)
    url = reverse("admin:people_employee_change", args=[mentoree.employee.pk])
    data = admin_form_data(client.get(url))
    data["manager"] = str(actor.employee.pk)

    response = client.post(url, data)

    assert response.status_code == 200
    assert escape(SELF_ABOVE) in response.content.decode()
    mentoree.employee.refresh_from_db()
    assert mentoree.employee.manager_id is None
    assert client.get(reverse("confidentiality:shared_manager")).status_code == 404


def test_f13_nobody_places_someone_under_themselves_through_a_report_or_raises_their_grade(
    hr_admin, mentoree, signed_in_client
):
    """Through someone who reports to the HR admin, the HR admin would be a senior leader
    above the mentoree; raising their own grade would make them one above their reports.
    Both refused; a colleague's own reporting line is changed as before."""
    report = person(first_name="Rae", last_name="Port", manager=hr_admin.employee)
    other = person(first_name="Otto", last_name="Ther")
    client = signed_in_client(hr_admin)

    def change(entry, **fields):
        url = reverse("admin:people_employee_change", args=[entry.pk])
        return client.post(url, {**admin_form_data(client.get(url)), **fields})

    refused = change(mentoree.employee, manager=str(report.pk))
    assert escape(SELF_ABOVE) in refused.content.decode()
    mine = change(hr_admin.employee, level="9")
    assert escape(SELF_GRADE) in mine.content.decode()
    assert change(mentoree.employee, manager=str(other.pk)).status_code == 302

    mentoree.employee.refresh_from_db()
    hr_admin.employee.refresh_from_db()
    assert mentoree.employee.manager_id == other.pk
    assert hr_admin.employee.level != 9
