"""Search and filters of the program lists (issue 16, item 1): the committee queue (program,
applicant, whether the member voted), the applicant's own applications (program name,
status) and the applications on the coordinator's manage page (applicant, status). A plain
GET form that works without JavaScript; htmx gets the results region alone. Filters only ever
narrow what the page already shows: a program the member does not sit on gives nothing, and
confidential text (motivations, goals) is never searched."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.listing import UNKNOWN_PROGRAM, UNKNOWN_STATUS
from programs import selectors, services
from tests.builders.programs import admit_alone, apply, make_program
from tests.factories import EmployeeFactory

QUEUE = reverse("programs:committee_queue")
HTMX = {"HX-Request": "true", "HX-Target": "queue-results"}
SECRET_MOTIVATION = "Zanzibar confidential motivation"


def names(response) -> list[str]:
    """The applicants' names in the rows the queue shows (programs.views.committee.QueueRow)."""
    return [row.applicant for row in response.context["page"]]


@pytest.fixture
def two_committees(program, other_program, other_coordinator, committee, committee_member):
    """`committee_member` sits on `program` and `other_program`; a third program, run by the
    same coordinator, has a committee without them."""
    services.committee_member_add(
        program=other_program, by=other_coordinator, user=committee_member
    )
    third = make_program(
        coordinator=other_coordinator, name="Finance Circle", slug="finance-circle"
    )
    return program, other_program, third


@pytest.fixture
def applicants(two_committees):
    program, other_program, third = two_committees
    aisha = EmployeeFactory(
        first_name="Aisha", last_name="Andersen", number="E-4411", department="Legal"
    )
    aisha_too = EmployeeFactory(first_name="Aisha", last_name="Berg", department="Sales")
    bruno = EmployeeFactory(first_name="Bruno", last_name="Costa", department="Legal")
    hidden = EmployeeFactory(first_name="Aisha", last_name="Hidden", department="Legal")
    return {
        "aisha": apply(aisha, program, motivation=SECRET_MOTIVATION),
        "aisha_too": apply(aisha_too, other_program),
        "bruno": apply(bruno, program, goals="Zanzibar goals, never searched"),
        "hidden": apply(hidden, third),
    }


# --- The committee queue ---------------------------------------------------------------------


def test_the_queue_shows_a_search_form_and_counts_every_application(
    applicants, committee_member, signed_in_client
):
    response = signed_in_client(committee_member).get(QUEUE)
    html = response.content.decode()

    assert sorted(names(response)) == ["Aisha Andersen", "Aisha Berg", "Bruno Costa"]
    assert 'role="search"' in html and 'method="get"' in html
    assert '<button type="submit" class="button">Search</button>' in html
    assert 'role="status"' in html and "3 applications" in html
    assert 'hx-get="/programs/committee/"' in html and 'hx-push-url="true"' in html
    # Only the member's programs are offered.
    assert "Finance Circle" not in html
    assert response.context["filter_form"].fields["program"].choices == [
        ("", "All your programs"),
        (applicants["aisha"].program.slug, "Grow 2027"),
        ("lead-2027", "Lead 2027"),
    ]


def test_the_queue_filters_by_program(applicants, committee_member, signed_in_client):
    response = signed_in_client(committee_member).get(QUEUE, {"program": "lead-2027"})

    assert names(response) == ["Aisha Berg"]
    assert "1 of 3 applications" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("aisha", ["Aisha Andersen", "Aisha Berg"]),
        ("Aisha Andersen", ["Aisha Andersen"]),
        ("andersen aisha", ["Aisha Andersen"]),
        ("e-4411", ["Aisha Andersen"]),
        ("bruno.costa", ["Bruno Costa"]),
        ("legal", ["Aisha Andersen", "Bruno Costa"]),
    ],
    ids=["first-name", "full-name", "words-any-order", "number", "e-mail", "department"],
)
def test_the_queue_searches_names_email_number_and_department(
    applicants, committee_member, signed_in_client, query, expected
):
    response = signed_in_client(committee_member).get(QUEUE, {"q": query})

    assert sorted(names(response)) == expected


def test_the_queue_never_searches_motivations_or_goals(
    applicants, committee_member, signed_in_client
):
    response = signed_in_client(committee_member).get(QUEUE, {"q": "Zanzibar"})
    html = response.content.decode()

    assert names(response) == []
    assert "No application matches “Zanzibar”." in html
    assert "0 of 3 applications" in html
    assert f'href="{QUEUE}"' in html  # the way back


def test_the_queue_combines_program_search_and_vote(
    applicants, committee, committee_member, signed_in_client
):
    services.vote_cast(application=applicants["aisha"], voter=committee_member, choice="admit")
    client = signed_in_client(committee_member)
    program = applicants["aisha"].program

    both = client.get(QUEUE, {"q": "aisha", "program": program.slug})
    voted = client.get(QUEUE, {"status": "voted"})
    waiting = client.get(QUEUE, {"status": "waiting", "q": "legal"})
    nothing = client.get(QUEUE, {"q": "aisha", "program": "lead-2027", "status": "voted"})

    assert names(both) == ["Aisha Andersen"]
    assert names(voted) == ["Aisha Andersen"]
    assert names(waiting) == ["Bruno Costa"]
    assert names(nothing) == []
    assert (
        "No application matches “aisha”, in Lead 2027, with the status You voted."
        in nothing.content.decode()
    )


def test_a_program_the_member_does_not_sit_on_widens_nothing(
    applicants, committee_member, signed_in_client
):
    """The filter is dropped with a calm message, the same as for a program that does not
    exist: the member still sees only their own programs' queue, never the third one."""
    client = signed_in_client(committee_member)
    theirs = client.get(QUEUE, {"program": "finance-circle", "q": "aisha"})
    unknown = client.get(QUEUE, {"program": "no-such-program", "q": "aisha"})

    for response in (theirs, unknown):
        assert response.status_code == 200
        assert sorted(names(response)) == ["Aisha Andersen", "Aisha Berg"]
        assert UNKNOWN_PROGRAM in response.content.decode()
    assert "Aisha Hidden" not in theirs.content.decode()


def test_the_selector_gives_nothing_for_a_program_not_among_the_members(
    applicants, committee_member
):
    programs = selectors.committee_programs_for_filter(user=committee_member)
    queue = selectors.committee_queue_filtered(
        user=committee_member,
        program_ids=[pk for pk, _, _ in programs],
        program_id=applicants["hidden"].program_id,
    )

    assert list(queue.rows) == [] and queue.shown == 0 and queue.total == 3


@pytest.mark.parametrize(
    "params",
    [
        {"status": "admitted"},
        {"status": "<script>"},
        {"program": "12"},
        {"program": "../etc"},
        {"page": "abc"},
        {"q": "x" * 5000},
        {"q": "%_\\"},
    ],
    ids=["other-status", "markup", "numeric-program", "path", "bad-page", "huge", "wildcards"],
)
def test_bad_filter_values_are_calm(applicants, committee_member, signed_in_client, params):
    response = signed_in_client(committee_member).get(QUEUE, params)
    html = response.content.decode()

    assert response.status_code == 200
    assert "<script>" not in html.split("<main", 1)[1]
    if "status" in params:
        assert UNKNOWN_STATUS in html
        assert len(names(response)) == 3
    if "program" in params:
        assert UNKNOWN_PROGRAM in html
        assert len(names(response)) == 3


def test_pagination_keeps_the_filters(program, committee, committee_member, signed_in_client):
    for n in range(30):
        apply(
            EmployeeFactory(first_name="Aisha", last_name=f"Page{n}", department="Legal"), program
        )
    apply(EmployeeFactory(first_name="Bruno", last_name="Other", department="Legal"), program)
    client = signed_in_client(committee_member)

    first = client.get(QUEUE, {"q": "aisha", "program": program.slug})
    html = first.content.decode()
    second = client.get(QUEUE, {"q": "aisha", "program": program.slug, "page": "2"})

    assert f"?q=aisha&amp;program={program.slug}&amp;page=2" in html
    assert "25 of 31 applications" not in html and "30 of 31 applications" in html
    assert len(names(second)) == 5
    assert all(name.startswith("Aisha") for name in names(second))


def test_htmx_gets_the_results_region_alone(applicants, committee_member, signed_in_client):
    response = signed_in_client(committee_member).get(QUEUE, {"q": "bruno"}, headers=HTMX)
    html = response.content.decode()

    assert html.lstrip().startswith('<div id="queue-results"')
    assert "<html" not in html and 'role="search"' not in html
    assert "Bruno Costa" in html and "Aisha" not in html
    # The count goes to the live region kept on the page.
    assert '<span id="queue-results-count" hx-swap-oob="innerHTML">1 of 3 applications' in html
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(applicants, committee_member, signed_in_client):
    response = signed_in_client(committee_member).get(
        QUEUE, {"q": "bruno"}, headers={**HTMX, "HX-History-Restore-Request": "true"}
    )

    assert "<html" in response.content.decode()


def test_someone_on_no_committee_still_gets_a_404_whatever_the_filters(
    applicants, outsider, signed_in_client
):
    response = signed_in_client(outsider).get(QUEUE, {"program": "finance-circle"}, headers=HTMX)

    assert response.status_code == 404


@pytest.mark.parametrize("size", [3, 30], ids=["few", "many"])
def test_the_filtered_queue_keeps_its_query_count(
    size, two_committees, committee_member, signed_in_client, django_assert_num_queries
):
    program, other_program, _ = two_committees
    for _ in range(size):
        apply(EmployeeFactory(first_name="Aisha", department="Legal"), program)
        apply(EmployeeFactory(department="Legal"), other_program)
    client = signed_in_client(committee_member)
    url = f"{QUEUE}?q=aisha+legal&program={program.slug}&status=waiting"
    client.get(url)
    with django_assert_num_queries(6):  # the same as the queue without filters
        response = client.get(url)
    assert len(names(response)) == min(size, 25)
    with django_assert_num_queries(5):  # the region alone: no navigation, so no roles
        client.get(url, headers=HTMX)


# --- The applicant's own applications --------------------------------------------------------


@pytest.fixture
def my_applications(program, other_program, coordinator, mentoree):
    admitted = admit_alone(apply(mentoree.employee, program), coordinator)
    waiting = apply(mentoree.employee, other_program)
    return admitted, waiting


MINE = reverse("programs:my_applications")


def test_my_applications_filter_by_status_and_search_by_program(
    my_applications, mentoree, signed_in_client
):
    client = signed_in_client(mentoree)
    admitted = client.get(MINE, {"status": "admitted"})
    by_name = client.get(MINE, {"q": "lead 2027"})
    none = client.get(MINE, {"q": "lead 2027", "status": "admitted"})

    assert [a.pk for a in admitted.context["page"]] == [my_applications[0].pk]
    assert [a.pk for a in by_name.context["page"]] == [my_applications[1].pk]
    assert list(none.context["page"]) == []
    assert "No application matches “lead 2027”, with the status Admitted." in (
        none.content.decode()
    )
    assert "1 of 2 applications" in admitted.content.decode()


def test_my_applications_never_show_someone_elses(
    my_applications, mentor, program, signed_in_client
):
    apply(mentor.employee, program, "mentor")

    response = signed_in_client(mentor).get(MINE, {"q": "lead"})

    assert list(response.context["page"]) == []
    assert "0 of 1 application" in response.content.decode()


def test_my_applications_without_any_show_no_form(mentoree, signed_in_client):
    html = signed_in_client(mentoree).get(MINE).content.decode()

    assert 'role="search"' not in html
    assert "You have not applied to a program yet." in html


def test_my_applications_htmx_region(my_applications, mentoree, signed_in_client):
    response = signed_in_client(mentoree).get(
        MINE,
        {"status": "submitted"},
        headers={"HX-Request": "true", "HX-Target": "applications-results"},
    )

    assert response.content.decode().lstrip().startswith('<div id="applications-results"')


# --- The coordinator's manage page -----------------------------------------------------------


def test_the_manage_page_searches_and_filters_applications(
    applicants, program, coordinator, signed_in_client
):
    url = reverse("programs:manage", args=[program.slug])
    client = signed_in_client(coordinator)

    found = client.get(url, {"q": "andersen", "status": "submitted"})
    secret = client.get(url, {"q": "Zanzibar"})
    html = found.content.decode()

    assert [a.applicant.full_name for a in found.context["applications"]] == ["Aisha Andersen"]
    assert "1 of 2 applications" in html
    assert list(secret.context["applications"]) == []
    # The counts by status stay those of the whole program.
    assert found.context["status_counts"]["submitted"] == 2


def test_the_manage_page_region_for_htmx(applicants, program, coordinator, signed_in_client):
    response = signed_in_client(coordinator).get(
        reverse("programs:manage", args=[program.slug]),
        {"q": "bruno"},
        headers={"HX-Request": "true", "HX-Target": "applications-results"},
    )
    html = response.content.decode()

    assert html.lstrip().startswith('<div id="applications-results"')
    assert "Bruno Costa" in html and "Participants" not in html


def test_the_manage_page_stays_closed_to_a_committee_member_with_filters(
    applicants, program, committee_member, signed_in_client
):
    response = signed_in_client(committee_member).get(
        reverse("programs:manage", args=[program.slug]), {"q": "aisha"}
    )

    assert response.status_code == 404


# --- The powerful get no more through a filter -------------------------------------------------


@pytest.mark.parametrize("who", ["superuser", "hr_admin", "talent_reviewer"])
def test_the_powerful_get_no_queue_whatever_they_filter(applicants, request, signed_in_client, who):
    client = signed_in_client(request.getfixturevalue(who))

    for params in ({"program": "finance-circle"}, {"q": "aisha"}, {"status": "waiting"}):
        assert client.get(QUEUE, params).status_code == 404
        assert client.get(QUEUE, params, headers=HTMX).status_code == 404


@pytest.mark.parametrize("who", ["superuser", "hr_admin"])
def test_the_powerful_find_no_pairing_or_review_by_searching(
    applicants, staffed_review, program, request, signed_in_client, who
):
    client = signed_in_client(request.getfixturevalue(who))

    pairings = client.get(reverse("pairings:program", args=[program.slug]), {"q": "aisha"})
    reviews = client.get(reverse("reviews:list"), {"q": "okoro"})

    assert pairings.status_code == 404
    assert list(reviews.context["page"]) == []
    assert "Samuel Okoro" not in reviews.content.decode()
