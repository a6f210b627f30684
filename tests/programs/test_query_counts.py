"""List pages keep a fixed number of queries however many rows they show: the count is
measured with a few rows, then pinned with ten times as many (django_assert_num_queries)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs import services
from tests.builders.programs import apply, decide_by_committee, make_program, pdf_upload
from tests.factories import EmployeeFactory

FEW, MANY = 3, 30


def count_queries(client, url) -> int:
    client.get(url)  # warm caches that live for the process (content types, templates)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def assert_same_count(client, url, expected, django_assert_num_queries):
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.fixture
def tagged(coordinator, program):
    return [services.tag_create(by=coordinator, name=f"Topic {n}") for n in range(3)]


def test_committee_queue_query_count_does_not_grow_with_the_queue(
    program, committee, committee_member, tagged, signed_in_client, django_assert_num_queries
):
    def add_applications(n):
        for _ in range(n):
            application = apply(EmployeeFactory(level=4), program, tags=tagged)
            services.vote_cast(application=application, voter=committee[1], choice="admit")

    client = signed_in_client(committee_member)
    url = reverse("programs:committee_queue")
    add_applications(FEW)
    few = count_queries(client, url)

    add_applications(MANY - FEW)

    response = assert_same_count(client, url, few, django_assert_num_queries)
    assert response.context["page"].paginator.count == MANY


def test_program_list_query_count_does_not_grow_with_the_programs(
    coordinator, outsider, signed_in_client, django_assert_num_queries
):
    def add_programs(start, stop):
        for n in range(start, stop):
            make_program(coordinator=coordinator, name=f"Program {n}", slug=f"program-{n}")

    url = reverse("programs:list")
    add_programs(0, FEW)
    few = {who: count_queries(signed_in_client(who), url) for who in (coordinator, outsider)}

    add_programs(FEW, MANY)

    for who, expected in few.items():
        response = assert_same_count(
            signed_in_client(who), url, expected, django_assert_num_queries
        )
        assert response.context["page"].paginator.count == MANY


def test_manage_page_query_count_does_not_grow_with_the_applications(
    program, committee, coordinator, tagged, signed_in_client, django_assert_num_queries
):
    def add_applications(n):
        for index in range(n):
            person = EmployeeFactory(level=4)
            application = apply(person, program, tags=tagged)
            if index % 2 == 0:
                decide_by_committee(application, committee)
                services.commitment_accept(employee=person, program=program)
            else:
                services.vote_cast(application=application, voter=committee[0], choice="admit")

    client = signed_in_client(coordinator)
    url = reverse("programs:manage", args=[program.slug])
    add_applications(FEW)
    few = count_queries(client, url)

    add_applications(MANY - FEW)

    response = assert_same_count(client, url, few, django_assert_num_queries)
    assert response.context["applications"].paginator.count == MANY


def test_my_applications_query_count_does_not_grow_with_the_applications(
    coordinator, mentoree, signed_in_client, django_assert_num_queries
):
    def add(start, stop):
        for n in range(start, stop):
            program = make_program(coordinator=coordinator, name=f"P{n}", slug=f"p-{n}")
            apply(mentoree.employee, program)

    client = signed_in_client(mentoree)
    url = reverse("programs:my_applications")
    add(0, FEW)
    few = count_queries(client, url)

    add(FEW, MANY)

    assert_same_count(client, url, few, django_assert_num_queries)


def test_resource_list_query_count_does_not_grow_with_the_resources(
    media_root,
    program,
    coordinator,
    hr_admin,
    participant,
    signed_in_client,
    django_assert_num_queries,
):
    def add(n):
        for index in range(n):
            services.resource_publish(
                by=coordinator if index % 2 else hr_admin,
                program=program if index % 2 else None,
                title=f"Paper {index}",
                file=pdf_upload(f"paper-{index}.pdf"),
            )

    client = signed_in_client(participant)
    url = reverse("programs:resources")
    add(FEW)
    few = count_queries(client, url)

    add(MANY - FEW)

    assert_same_count(client, url, few, django_assert_num_queries)
