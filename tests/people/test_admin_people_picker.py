"""The admin's people picker: every place the admin chooses a person (a program's
coordinators, an employee's manager and account, a declared conflict's person and subject)
searches by name, e-mail address, employee number and department, labels each person so that
namesakes differ, lists only who may be chosen, answers only whoever may use the form and view
the people, and tells nothing of mentoring (F3, F11, F13).

The browser side (select2, keyboard) is tests/browser/test_admin_people_picker.py.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from firewall.models import AccessEvent, ConflictEntry
from firewall.register import NEUTRAL_MESSAGE, NEUTRAL_PROGRAM_MESSAGE
from people.admin import ACCOUNT_TAKEN
from people.admin_base import NOT_CHOOSABLE, PERSON_LABEL_FIELDS, person_label
from people.models import Employee, User
from people.roles import TALENT_TEAM
from people.services import user_add_to_role
from programs import selectors as program_selectors
from programs.models import Application
from tests.builders.pairings import accept_both, enrol_in, person, propose
from tests.builders.programs import apply
from tests.builders.reviews import plan_review, seat
from tests.factories import UserFactory

AUTOCOMPLETE = reverse("admin:autocomplete")

# Every picker of the admin's forms: (app label, model name, field name) -> what it chooses.
PICKERS = {
    ("programs", "program", "coordinators"): User,
    ("people", "employee", "manager"): Employee,
    ("people", "employee", "user"): User,
    ("firewall", "conflictentry", "person"): Employee,
    ("firewall", "conflictentry", "subject"): Employee,
}
COORDINATORS = ("programs", "program", "coordinators")
MANAGER = ("people", "employee", "manager")
ENTRY_ACCOUNT = ("people", "employee", "user")  # a new entry's account: one without an entry
# The pickers that offer people of the directory.
DIRECTORY_PICKERS = [picker for picker in PICKERS if picker != ENTRY_ACCOUNT]


def ask(client, picker, term: str = "", **extra):
    app_label, model_name, field_name = picker
    return client.get(
        AUTOCOMPLETE,
        {
            "app_label": app_label,
            "model_name": model_name,
            "field_name": field_name,
            "term": term,
            **extra,
        },
    )


def offered(client, picker, term: str = "") -> list[dict]:
    response = ask(client, picker, term)
    assert response.status_code == 200, response.status_code
    return response.json()["results"]


def offered_ids(client, picker, term: str = "") -> set[int]:
    return {int(result["id"]) for result in offered(client, picker, term)}


def person_pk(picker, employee: Employee) -> int:
    return employee.user.pk if PICKERS[picker] is User else employee.pk


@pytest.fixture
def namesakes(db):
    """The demo's two Aisha Andersens: same name, different title, department and address."""
    return [
        person(
            first_name="Aisha",
            last_name="Andersen",
            title="Accountant",
            department="Finance",
            email="aisha.andersen@northbank.example",
            number="NB000213",
        ),
        person(
            first_name="Aisha",
            last_name="Andersen",
            title="Operations Analyst",
            department="Operations",
            email="aisha.andersen2@northbank.example",
            number="NB000294",
        ),
    ]


def program_form(client, program) -> dict:
    """The program's change form as the browser posts it, with its current coordinators."""
    url = reverse("admin:programs_program_change", args=[program.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    for name in ("applications_open_on", "applications_close_on", "starts_on", "ends_on"):
        if data.get(name):
            data[name] = str(data[name])
    data["coordinators"] = [str(u.pk) for u in program_selectors.coordinators_of(program=program)]
    return {**data, "_save": "Save"}


# --- Namesakes told apart ----------------------------------------------------------------------


@pytest.mark.parametrize("picker", DIRECTORY_PICKERS)
def test_namesakes_are_labelled_with_title_department_and_address(
    picker, namesakes, hr_admin, signed_in_client
):
    results = offered(signed_in_client(hr_admin), picker, "Aisha And")

    assert [(int(r["id"]), r["text"]) for r in results] == [
        (
            person_pk(picker, namesakes[1]),
            "Aisha Andersen — Operations Analyst, Operations — aisha.andersen2@northbank.example",
        ),
        (
            person_pk(picker, namesakes[0]),
            "Aisha Andersen — Accountant, Finance — aisha.andersen@northbank.example",
        ),
    ]


def test_an_account_outside_the_directory_is_labelled_by_name_and_address(
    hr_admin, superuser, signed_in_client
):
    [result] = offered(signed_in_client(hr_admin), COORDINATORS, superuser.email)

    assert result == {
        "id": str(superuser.pk),
        "text": f"{superuser.get_full_name() or superuser.username} — no directory entry — "
        f"{superuser.email}",
    }


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("aisha.andersen2@northbank", [1]),  # part of the e-mail address
        ("NB000213", [0]),  # the employee number
        ("Finance", [0]),  # the department
        ("Andersen Operations", [1]),  # a name and a department together
        ("aisha andersen", [1, 0]),  # the name, any case
    ],
)
@pytest.mark.parametrize("picker", DIRECTORY_PICKERS)
def test_the_picker_searches_name_address_employee_number_and_department(
    picker, term, found, namesakes, hr_admin, signed_in_client
):
    ids = offered_ids(signed_in_client(hr_admin), picker, term)

    assert ids == {person_pk(picker, namesakes[i]) for i in found}


def test_the_change_forms_show_the_chosen_people_by_their_labels(
    program, coordinator, namesakes, hr_admin, superuser, signed_in_client
):
    namesakes[0].manager = namesakes[1]
    namesakes[0].save()
    client = signed_in_client(superuser)

    program_page = client.get(reverse("admin:programs_program_change", args=[program.pk]))
    employee_page = client.get(reverse("admin:people_employee_change", args=[namesakes[0].pk]))

    entry = coordinator.employee
    assert (
        f'<option value="{coordinator.pk}" selected>{coordinator.get_full_name()} — '
        f"{entry.title}, {entry.department} — {coordinator.email}</option>"
    ) in program_page.content.decode()
    assert (
        f'<option value="{namesakes[1].pk}" selected>Aisha Andersen — Operations Analyst, '
        "Operations — aisha.andersen2@northbank.example</option>"
    ) in employee_page.content.decode()
    for page in (program_page, employee_page):
        assert 'class="admin-autocomplete"' in page.content.decode()


def test_the_label_reads_only_the_declared_metadata(
    namesakes, superuser, django_assert_num_queries
):
    """F13: what the label shows is declared (PERSON_LABEL_FIELDS), and the insiders' test
    holds the declaration to metadata: a row loaded with those fields alone is labelled
    without a further query (a field read beyond them would load it)."""
    employee = Employee.objects.only(*PERSON_LABEL_FIELDS[Employee]).get(pk=namesakes[0].pk)
    users = User.objects.select_related("employee").only(*PERSON_LABEL_FIELDS[User])
    people = [employee, users.get(pk=namesakes[1].user_id), users.get(pk=superuser.pk)]
    with django_assert_num_queries(0):
        labels = [person_label(someone) for someone in people]

    assert labels[0] == "Aisha Andersen — Accountant, Finance — aisha.andersen@northbank.example"
    assert labels[1].startswith("Aisha Andersen — Operations Analyst, Operations — ")


# --- Only who may be chosen ------------------------------------------------------------------


@pytest.mark.parametrize("picker", DIRECTORY_PICKERS)
@pytest.mark.parametrize("off", ["account", "entry"])
def test_people_turned_off_are_never_offered(picker, off, namesakes, hr_admin, signed_in_client):
    gone = namesakes[0]
    if off == "account":
        User.objects.filter(pk=gone.user_id).update(is_active=False)
    else:
        Employee.objects.filter(pk=gone.pk).update(is_active=False)

    ids = offered_ids(signed_in_client(hr_admin), picker, "Aisha")

    assert ids == {person_pk(picker, namesakes[1])}


def test_a_new_entry_is_offered_only_active_accounts_without_one(hr_admin, signed_in_client):
    loose = UserFactory(first_name="Aisha", last_name="Andersen", email="aisha@example.test")
    UserFactory(first_name="Aisha", last_name="Andersen", is_active=False)
    person(first_name="Aisha", last_name="Andersen")

    results = offered(signed_in_client(hr_admin), ENTRY_ACCOUNT, "Aisha")

    assert results == [
        {"id": str(loose.pk), "text": "Aisha Andersen — no directory entry — aisha@example.test"}
    ]


def test_a_new_entry_is_made_for_an_account_chosen_in_the_picker(hr_admin, signed_in_client):
    loose = UserFactory(first_name="Aisha", last_name="Andersen", email="aisha@example.test")
    taken = person(first_name="Aisha", last_name="Andersen")
    client = signed_in_client(hr_admin)
    [found] = offered(client, ENTRY_ACCOUNT, "aisha@example")
    entry = {
        "number": "NB000999",
        "first_name": "Aisha",
        "last_name": "Andersen",
        "email": "aisha@example.test",
        "title": "Auditor",
        "department": "Audit",
        "level": 4,
        "is_active": "on",
        "_save": "Save",
    }
    url = reverse("admin:people_employee_add")

    refused = client.post(url, {**entry, "user": taken.user_id})
    made = client.post(url, {**entry, "user": found["id"]})

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["user"] == [ACCOUNT_TAKEN]
    assert made.status_code == 302, made.context["adminform"].form.errors
    assert Employee.objects.get(number="NB000999").user == loose


def test_a_person_turned_off_posted_as_coordinator_is_refused_and_nothing_changes(
    program, namesakes, superuser, signed_in_client
):
    gone = namesakes[0]
    User.objects.filter(pk=gone.user_id).update(is_active=False)
    client = signed_in_client(superuser)
    data = program_form(client, program)
    before = program_selectors.coordinators_of(program=program)

    response = client.post(
        reverse("admin:programs_program_change", args=[program.pk]),
        {**data, "coordinators": [*data["coordinators"], str(gone.user_id)]},
    )

    assert response.status_code == 200
    assert NOT_CHOOSABLE in response.context["adminform"].form.errors["coordinators"]
    assert program_selectors.coordinators_of(program=program) == before


def test_a_coordinator_whose_entry_was_turned_off_stays_when_the_program_is_saved_again(
    program, coordinator, superuser, signed_in_client
):
    """Nothing is taken away unasked: the picker would not offer them any more, the form keeps
    them (a turned-off account is no coordinator the form lists: programs.selectors)."""
    Employee.objects.filter(user=coordinator).update(is_active=False)
    client = signed_in_client(superuser)
    url = reverse("admin:programs_program_change", args=[program.pk])

    page = client.get(url)
    response = client.post(url, {**program_form(client, program), "name": "Grow 2027, renamed"})

    assert f'<option value="{coordinator.pk}" selected>' in page.content.decode()
    assert response.status_code == 302
    assert program_selectors.coordinators_of(program=program) == [coordinator]


def test_a_manager_turned_off_stays_but_is_not_chosen_anew(namesakes, superuser, signed_in_client):
    """Re-saving an entry keeps the manager it has; a manager newly chosen must be active."""
    worker, manager = namesakes
    worker.manager = manager
    worker.save()
    Employee.objects.filter(pk=manager.pk).update(is_active=False)
    url = reverse("admin:people_employee_change", args=[worker.pk])
    client = signed_in_client(superuser)
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}

    kept = client.post(url, {**data, "title": "Senior Accountant", "_save": "Save"})

    assert kept.status_code == 302, kept.context["adminform"].form.errors
    worker.refresh_from_db()
    assert (worker.title, worker.manager) == ("Senior Accountant", manager)

    other = person(first_name="Noor", last_name="Haddad", is_active=False)
    refused = client.post(url, {**data, "manager": other.pk, "_save": "Save"})

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["manager"] == [NOT_CHOOSABLE]
    worker.refresh_from_db()
    assert worker.manager == manager


def test_a_conflict_is_declared_only_between_active_people(namesakes, hr_admin, signed_in_client):
    Employee.objects.filter(pk=namesakes[1].pk).update(is_active=False)

    response = signed_in_client(hr_admin).post(
        reverse("admin:firewall_conflictentry_add"),
        {"person": namesakes[0].pk, "subject": namesakes[1].pk},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["subject"] == [NOT_CHOOSABLE]
    assert not ConflictEntry.objects.filter(kind=ConflictEntry.Kind.DECLARED).exists()


# --- Who may ask --------------------------------------------------------------------------------


def staff(*codenames: str) -> User:
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize(
    ("picker", "perms"),
    [
        # May run programs in the admin, may not view the people: Django's own check.
        (COORDINATORS, ("view_program", "change_program", "add_program")),
        (MANAGER, ("view_conflictentry", "add_conflictentry")),
        # May view the people, may not open the form that offers the picker.
        (COORDINATORS, ("view_user", "view_employee")),
        (("firewall", "conflictentry", "person"), ("view_employee", "view_user")),
    ],
)
def test_staff_without_the_form_or_the_people_are_refused(
    picker, perms, namesakes, signed_in_client
):
    response = ask(signed_in_client(staff(*perms)), picker, "Aisha")

    assert response.status_code == 403
    assert "Andersen" not in response.content.decode()


def test_staff_with_the_form_and_the_people_are_answered(namesakes, signed_in_client):
    client = signed_in_client(staff("view_program", "change_program", "view_user"))

    assert len(offered(client, COORDINATORS, "Aisha")) == 2


@pytest.mark.parametrize("who", ["superuser", "hr_admin"])
@pytest.mark.parametrize(
    "picker",
    [
        # Relations to people that no form of the admin offers a picker for.
        ("programs", "program", "created_by"),
        ("programs", "application", "applicant"),
        ("programs", "groupsession", "leader"),
        ("reviews", "talentreview", "subject"),
        ("pairings", "pairing", "mentor"),
        ("pairings", "pin", "mentoree"),
        ("firewall", "conflictkey", "person"),
        ("people", "user", "groups"),
        ("programs", "program", "nothing"),
    ],
)
def test_no_other_relation_is_a_door_to_the_directory(
    who, picker, request, namesakes, signed_in_client
):
    response = ask(signed_in_client(request.getfixturevalue(who)), picker, "Aisha")

    assert response.status_code == 403
    assert "Andersen" not in response.content.decode()


def test_a_signed_out_visitor_is_sent_to_the_sign_in(namesakes, client):
    response = ask(client, COORDINATORS, "Aisha")

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# --- Nothing of mentoring ----------------------------------------------------------------------


def test_the_picker_says_nothing_of_who_mentors_whom(
    program, committee, coordinator, hr_admin, signed_in_client
):
    """F11, F13: a mentor and their mentoree are offered exactly as before they were paired,
    in every picker: nobody is left out or marked for what they take part in."""
    mentor = person(first_name="Hedda", last_name="Lund", title="Director", level=7)
    mentoree = person(first_name="Hedvig", last_name="Lund", level=4)
    client = signed_in_client(hr_admin)

    def answers():
        return {picker: ask(client, picker, "Lund").content for picker in PICKERS}

    before = answers()
    enrol_in(program, committee, mentor, Application.Role.MENTOR, capacity=2)
    enrol_in(program, committee, mentoree, Application.Role.MENTOREE)
    accept_both(propose(program, mentor, mentoree, by=coordinator))

    assert answers() == before
    for picker, content in before.items():
        results = json.loads(content)["results"]
        assert len(results) == (0 if picker == ENTRY_ACCOUNT else 2), picker
        assert all(set(result) == {"id", "text"} for result in results)


@pytest.mark.parametrize("how", ["seat", "run"])
def test_f11_an_assessor_chosen_in_the_picker_is_refused_in_neutral_words_on_save(
    how, program, talent_reviewer, superuser, signed_in_client
):
    """A superuser finds, in the coordinators picker, a person who sits on (or runs) an open
    review of one of the program's applicants: the picker offers them like anyone (it would
    otherwise tell who assesses whom); saving is refused in the neutral words, recorded, and
    nothing changes."""
    subject = person(level=4)
    apply(subject, program)
    if how == "seat":
        assessor = person(first_name="Ivo", last_name="Brandt", level=7).user
        seat(plan_review(subject, by=talent_reviewer), assessor.employee, by=talent_reviewer)
    else:
        assessor = person(first_name="Ivo", last_name="Brandt", level=6).user
        user_add_to_role(user=assessor, role=TALENT_TEAM)
        plan_review(subject, by=assessor)
    client = signed_in_client(superuser)
    [found] = offered(client, COORDINATORS, "Ivo Brandt")
    data = program_form(client, program)
    before = program_selectors.coordinators_of(program=program)
    refusals = AccessEvent.objects.filter(outcome=AccessEvent.Outcome.REFUSED).count()

    response = client.post(
        reverse("admin:programs_program_change", args=[program.pk]),
        {**data, "coordinators": [*data["coordinators"], found["id"]]},
    )

    assert response.status_code == 200
    assert f"Ivo Brandt {NEUTRAL_PROGRAM_MESSAGE}." in response.content.decode()
    page = response.content.decode().lower()
    for word in ("review", "panel", "assess", "talent"):
        assert word not in page.split('id="content"', 1)[1], word
    assert program_selectors.coordinators_of(program=program) == before
    assert AccessEvent.objects.filter(outcome=AccessEvent.Outcome.REFUSED).count() == refusals + 1


def test_f3_a_conflict_declared_through_the_pickers_keeps_the_person_off_the_panel(
    namesakes, hr_admin, talent_reviewer, signed_in_client
):
    """HR finds both people in the pickers and declares the conflict; the panel refuses the
    person in the neutral words (F3)."""
    client = signed_in_client(hr_admin)
    [who] = offered(client, ("firewall", "conflictentry", "person"), "NB000213")
    [subject] = offered(client, ("firewall", "conflictentry", "subject"), "NB000294")

    response = client.post(
        reverse("admin:firewall_conflictentry_add"),
        {"person": who["id"], "subject": subject["id"]},
    )

    assert response.status_code == 302
    review = plan_review(namesakes[1], by=talent_reviewer)
    with pytest.raises(ValidationError) as refused:
        seat(review, namesakes[0], by=talent_reviewer)
    assert f"Aisha Andersen {NEUTRAL_MESSAGE}." in refused.value.messages


# --- Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("picker", DIRECTORY_PICKERS)
def test_the_picker_answers_in_a_fixed_number_of_queries(
    picker, hr_admin, signed_in_client, django_assert_num_queries
):
    """Session, account, the HR admin's permissions (one query: their own and their groups'),
    the count, the page of people with their entries: five, for two people found as for
    thirty (a page of twenty)."""
    client = signed_in_client(hr_admin)
    for many in (2, 30):
        for n in range(many):
            person(first_name=f"Ola{n}", last_name=f"Quist{many}", title=f"Title {n}")
        with django_assert_num_queries(5):
            results = offered(client, picker, f"Quist{many}")
        assert len(results) == min(many, 20)
        assert all("Title" in r["text"] for r in results)


def test_the_program_form_renders_in_the_same_queries_for_one_coordinator_or_six(
    program, coordinator, hr_admin, superuser, signed_in_client
):
    client = signed_in_client(superuser)
    url = reverse("admin:programs_program_change", args=[program.pk])

    def render() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.status_code == 200
        return len(queries), page.content.decode()

    one, _ = render()
    data = program_form(client, program)
    added = [person(first_name="Lead", last_name=f"Number{n}").user for n in range(5)]
    response = client.post(
        url, {**data, "coordinators": [str(u.pk) for u in [coordinator, *added]]}
    )
    assert response.status_code == 302
    six, content = render()

    assert six == one
    for user in added:
        assert f'<option value="{user.pk}" selected>{user.get_full_name()} — ' in content
