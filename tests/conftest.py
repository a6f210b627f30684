"""Named people, the way healthchecks has alice, bob and charlie.

Each fixture is a signed-in-able `User` (password: the `password` fixture) with an
`Employee` entry (`user.employee`), except `superuser`, which is an administration account
outside the directory. Company-wide roles are given through `people.services.user_add_to_role`.
Nobody manages anybody here: tests that need a reporting line set `manager` themselves.
"""

import pytest
from django.test import Client

from people.roles import HR_ADMINS, TALENT_TEAM
from people.services import user_add_to_role
from tests.factories import DEFAULT_PASSWORD, EmployeeFactory, UserFactory


@pytest.fixture
def password() -> str:
    """The password every factory-made account signs in with."""
    return DEFAULT_PASSWORD


def _person(first_name, last_name, **kwargs):
    return EmployeeFactory(first_name=first_name, last_name=last_name, **kwargs).user


@pytest.fixture
def mentor(db):
    return _person("Helena", "Marsh", title="Director, Credit Risk", department="Risk", level=7)


@pytest.fixture
def mentoree(db):
    return _person("Samuel", "Okoro", title="Engineering Manager", department="Technology", level=5)


@pytest.fixture
def other_mentor(db):
    return _person("Karin", "Novak", title="Director, Payments", department="Operations", level=7)


@pytest.fixture
def coordinator(db):
    return _person(
        "Grace", "Whitfield", title="Mentoring Program Lead", department="People", level=6
    )


@pytest.fixture
def committee_member(db):
    return _person(
        "Arjun", "Mehta", title="Director, Leadership Development", department="People", level=7
    )


@pytest.fixture
def talent_reviewer(db):
    user = _person("Claire", "Dumont", title="Talent Review Partner", department="People", level=6)
    user_add_to_role(user=user, role=TALENT_TEAM)
    return user


@pytest.fixture
def hr_admin(db):
    user = _person("Tom", "Becker", title="HR Systems Administrator", department="People", level=6)
    user_add_to_role(user=user, role=HR_ADMINS)
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(
        first_name="Sam",
        last_name="Root",
        email="root@example.test",
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def outsider(db):
    """An employee with no part in any program, panel or role."""
    return _person("Lina", "Petrova", title="Personal Banker", department="Retail Banking")


@pytest.fixture
def signed_in_client(db):
    """`signed_in_client(user)` gives a fresh test client signed in as that user."""

    def sign_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded files (resources, imports) go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _celery_runs_tasks_in_process(request):
    """Tasks run in the test's own process, as in `make run`, even when REDIS_URL is set;
    tests marked `redis` are the ones that use a real broker and a real worker."""
    if request.node.get_closest_marker("redis"):
        yield
        return
    from mentoring.celery import app

    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was


@pytest.fixture
def deliver():
    """Deliver every due message now, as beat's sweep does in production: e-mails land in
    `django.core.mail.outbox`, in-app messages in `Notification`. Services only schedule rows
    (people.services.message_schedule); tests run inside a transaction that never commits,
    so the on-commit hand-off to a worker never fires and this stands in for it.
    Call it as `deliver()` or `deliver(now=...)` for messages due later."""
    from people.messaging import messages_sweep

    return messages_sweep


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the dashboard keeps its figures there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
