"""The account of every signed-in request is read by one prepared query (issue K: the ORM
spent 0.9 ms building it on every page): it must be what `select_related("employee")`
returns, field for field, with the directory entry (or its absence) known without another
query, and a change to the account shows on the next request."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from people.backends import EmailBackend, signed_in_account
from people.models import Employee
from tests.factories import EmployeeFactory

User = get_user_model()


def _values(instance) -> dict[str, object]:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_account_and_its_entry_are_the_orms(db, django_assert_num_queries):
    employee = EmployeeFactory(title="Head of Treasury", level=7)
    orm = User.objects.select_related("employee").get(pk=employee.user.pk)

    with django_assert_num_queries(1):
        user = signed_in_account(employee.user.pk)
        assert user.employee.title == "Head of Treasury"
        assert user.employee.user is user

    assert _values(user) == _values(orm)
    assert _values(user.employee) == _values(orm.employee)
    assert user._state.adding is False and user._state.db == "default"
    # An instance the ORM could have made: it saves as one.
    user.first_name = "Renamed"
    user.save(update_fields=["first_name"])
    assert User.objects.get(pk=user.pk).first_name == "Renamed"


def test_an_account_without_an_entry_says_so_without_a_query(db, django_assert_num_queries):
    account = User.objects.create_user(username="operator", email="ops@example.com")

    with django_assert_num_queries(1):
        user = signed_in_account(account.pk)
        assert not hasattr(user, "employee")
        with pytest.raises(Employee.DoesNotExist):
            user.employee  # noqa: B018 (the descriptor raises)


@pytest.mark.parametrize("user_id", [987654, "987654", "not a number", None])
def test_no_account_is_none(db, user_id):
    assert signed_in_account(user_id) is None


def test_an_inactive_account_is_signed_out(db):
    employee = EmployeeFactory()
    assert EmailBackend().get_user(employee.user.pk) == employee.user
    employee.user.is_active = False
    employee.user.save()
    assert EmailBackend().get_user(employee.user.pk) is None


def test_a_change_to_the_account_shows_on_the_next_request(db):
    employee = EmployeeFactory()
    client = Client()
    client.force_login(employee.user, backend="people.backends.EmailBackend")
    assert client.get("/").status_code == 200
    User.objects.filter(pk=employee.user.pk).update(is_active=False)
    response = client.get("/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]
