"""The demo company: one documented sign-in per role, a sound reporting tree, safe to rerun."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from demo.people import DEMO_PASSWORD, DEMO_PEOPLE
from people.models import Employee
from people.roles import HR_ADMINS, TALENT_TEAM
from people.selectors import in_management_chain

User = get_user_model()

KEYS = {
    "president",
    "executive",
    "mentor",
    "mentoree",
    "employee",
    "coordinator",
    "committee",
    "reviewer",
    "hradmin",
}


def demo(key):
    return Employee.objects.select_related("user").get(email=f"{key}@northbank.example")


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_the_documented_roles_are_the_demo_people():
    assert {person.key for person in DEMO_PEOPLE} == KEYS


@pytest.fixture(scope="class")
def demo_company(django_db_setup, django_db_blocker):
    """Seeded once for the class, inside a transaction rolled back after its last test.

    Each test still runs in its own savepoint (the `db` fixture), so tests stay isolated.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        seed()
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo_company", "db")
class TestDemoCompany:
    def test_has_about_300_employees_each_with_an_account(self):
        assert 290 <= Employee.objects.count() <= 310
        assert User.objects.filter(employee__isnull=False).count() == Employee.objects.count()

    @pytest.mark.parametrize("key", sorted(KEYS))
    def test_each_demo_person_signs_in_with_the_demo_password(self, key):
        client = Client()

        response = client.post(
            reverse("login"), {"username": f"{key}@northbank.example", "password": DEMO_PASSWORD}
        )

        assert response.status_code == 302
        home = client.get(response.url)
        assert home.status_code == 200
        assert demo(key).full_name in home.content.decode()

    def test_hr_admin_and_talent_reviewer_have_their_roles_and_no_one_else_has_them(self):
        hradmin, reviewer = demo("hradmin").user, demo("reviewer").user
        assert hradmin.is_staff
        assert not hradmin.is_superuser
        assert list(User.objects.filter(groups__name=HR_ADMINS)) == [hradmin]
        assert list(User.objects.filter(groups__name=TALENT_TEAM)) == [reviewer]
        assert not User.objects.filter(is_superuser=True).exists()

    def test_executives_are_group_only_and_the_others_are_not(self):
        assert demo("president").is_group_only
        assert demo("executive").is_group_only
        for key in KEYS - {"president", "executive"}:
            assert not demo(key).is_group_only, key

    def test_mentor_and_mentoree_are_outside_each_others_management_chain(self):
        mentor, mentoree = demo("mentor"), demo("mentoree")

        assert not in_management_chain(a=mentor, b=mentoree)
        assert not in_management_chain(a=mentoree, b=mentor)

    def test_running_it_again_adds_nothing(self):
        before = row_counts()

        out = seed()

        assert row_counts() == before
        assert "already loaded" in out


def test_seed_demo_builds_a_company_of_the_size_asked_for_with_one_tree(db):
    seed("--employees", "1000")

    assert Employee.objects.count() == 1000
    manager_of = dict(Employee.objects.values_list("id", "manager_id"))
    roots = [pk for pk, manager in manager_of.items() if manager is None]
    assert roots == [demo("president").pk]
    for pk in manager_of:  # every chain reaches the president without looping
        seen = set()
        while manager_of[pk] is not None:
            assert pk not in seen, "management cycle"
            seen.add(pk)
            pk = manager_of[pk]
        assert pk == roots[0]


def test_seed_demo_refuses_a_company_too_small_for_the_demo_people(db):
    with pytest.raises(CommandError, match="at least"):
        seed("--employees", "10")
    assert Employee.objects.count() == 0
