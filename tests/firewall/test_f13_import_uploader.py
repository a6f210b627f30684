"""F6/F13 through the HRIS import: the HR admin who uploads a file cannot use it to place
someone under themselves (becoming the manager or a senior leader the sharing rules show
attendance and themes to) or to change their own grade or manager, which the admin's
employee form already refuses them. Another HR admin imports the same file; the command
line (the operator) is outside the app. Found by playing the insider against issue L."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from confidentiality.models import Rule
from people.hris import employee_import_csv
from people.hris_guard import UNDER_YOU, YOUR_OWN
from people.models import Employee, EmployeeImport
from tests.builders.confidentiality import change_rules
from tests.builders.pairings import sign_both
from tests.builders.people import named
from tests.factories import EmployeeFactory

HEADER = "employee_number,first_name,last_name,email,title,department,level,manager_number"
IMPORT_URL = reverse("admin:people_employee_import")


def row_of(employee: Employee, **changes) -> str:
    values = {
        "number": employee.number,
        "first": employee.first_name,
        "last": employee.last_name,
        "email": employee.email,
        "title": employee.title,
        "department": employee.department,
        "level": employee.level,
        "manager": employee.manager.number if employee.manager_id else "",
    } | changes
    return ",".join(str(v) for v in values.values())


def file_of(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def upload(client, text: str, capture) -> EmployeeImport:
    with capture(execute=True):
        response = client.post(
            IMPORT_URL, {"file": SimpleUploadedFile("hris.csv", text.encode(), "text/csv")}
        )
    assert response.status_code == 302
    return EmployeeImport.objects.latest("pk")


def test_an_hr_admin_cannot_import_a_mentoree_under_themselves(
    hr_admin,
    active_pairing,
    mentoree,
    signed_in_client,
    django_capture_on_commit_callbacks,
):
    change_rules(active_pairing, mentoree, manager=Rule.ATTENDANCE)
    sign_both(active_pairing)
    me = hr_admin.employee
    client = signed_in_client(hr_admin)
    text = file_of(row_of(mentoree.employee, manager=me.number))

    job = upload(client, text, django_capture_on_commit_callbacks)

    assert job.status == EmployeeImport.Status.FAILED
    message = UNDER_YOU.format(number=mentoree.employee.number)
    assert [(e["line"], e["message"]) for e in job.errors] == [(2, message)]
    mentoree.employee.refresh_from_db()
    assert mentoree.employee.manager_id is None
    assert client.get(reverse("confidentiality:shared_manager")).status_code == 404
    page = client.get(reverse("admin:people_employee_import_status", args=[job.pk]))
    assert "another HR admin imports this file" in page.content.decode()


def test_nor_under_someone_who_reports_to_them_nor_change_their_own_grade(
    hr_admin, mentoree, signed_in_client, django_capture_on_commit_callbacks
):
    me = hr_admin.employee
    report = EmployeeFactory(manager=me, level=5)
    client = signed_in_client(hr_admin)
    text = file_of(
        row_of(report),  # already under them: unchanged, allowed
        row_of(mentoree.employee, manager=report.number),
        row_of(me, level=me.level + 2),
    )

    job = upload(client, text, django_capture_on_commit_callbacks)

    assert [(e["line"], e["message"]) for e in job.errors] == [
        (3, UNDER_YOU.format(number=mentoree.employee.number)),
        (4, YOUR_OWN),
    ]
    mentoree.employee.refresh_from_db()
    me.refresh_from_db()
    assert (mentoree.employee.manager_id, me.level) == (None, named("hr_admin").employee.level)


def test_another_hr_admin_imports_the_same_file(
    hr_admin, mentoree, signed_in_client, django_capture_on_commit_callbacks
):
    colleague = EmployeeFactory(first_name="Hana", last_name="Ross").user
    colleague.groups.set(hr_admin.groups.all())
    colleague.is_staff = True
    colleague.save()
    text = file_of(row_of(mentoree.employee, manager=hr_admin.employee.number))

    job = upload(signed_in_client(colleague), text, django_capture_on_commit_callbacks)

    assert job.status == EmployeeImport.Status.DONE, job.errors
    mentoree.employee.refresh_from_db()
    assert mentoree.employee.manager_id == hr_admin.employee.pk


@pytest.mark.parametrize("by", ["nobody", "uploader"])
def test_the_direct_import_applies_the_rule_to_its_uploader_only(by, hr_admin, mentoree):
    text = file_of(row_of(mentoree.employee, manager=hr_admin.employee.number))

    result = employee_import_csv(file=text, by=hr_admin if by == "uploader" else None)

    mentoree.employee.refresh_from_db()
    if by == "uploader":
        assert [e.line for e in result.errors] == [2]
        assert mentoree.employee.manager_id is None
    else:  # the command line: the operator's, outside the app
        assert result.ok, result.errors
        assert mentoree.employee.manager_id == hr_admin.employee.pk
