"""The HRIS CSV import: the service, the management command and the admin page.

The import is all or nothing: a file with any bad row saves nothing and names every bad line,
so HR can fix the export and upload it again.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from people.models import AddressChange, Employee, EmployeeImport
from people.services import (
    account_address_change_confirm,
    address_change_token,
    employee_import_csv,
)
from tests.factories import UserFactory

User = get_user_model()

HEADER = (
    "employee_number,first_name,last_name,email,title,department,level,manager_number,"
    "location,active"
)


def row(
    number,
    first,
    last,
    email,
    *,
    title="Analyst",
    department="Operations",
    level="3",
    manager="",
    location="London",
    active="yes",
):
    return ",".join(
        [number, first, last, email, title, department, str(level), manager, location, active]
    )


def csv_text(*rows, header=HEADER):
    return "\n".join([header, *rows]) + "\n"


# A small company: the president, a director who reports to her, and an analyst who
# reports to the director. The analyst's row comes before the director's row.
COMPANY = csv_text(
    row("E1", "Margaret", "Ellison", "Margaret.Ellison@Example.COM", title="President", level=10),
    row("E3", "Lina", "Petrova", "lina.petrova@example.com", manager="E2"),
    row(
        "E2", "Helena", "Marsh", "helena.marsh@example.com", title="Director", level=7, manager="E1"
    ),
)


def counts():
    return Employee.objects.count(), User.objects.count()


def lines_of(result):
    return [error.line for error in result.errors]


@pytest.fixture
def company(db):
    result = employee_import_csv(file=COMPANY)
    assert result.ok, result.errors
    return {e.number: e for e in Employee.objects.all()}


# --- A good file ----------------------------------------------------------------------------


def test_good_file_creates_employees_with_accounts_that_have_no_usable_password(db):
    result = employee_import_csv(file=COMPANY)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    president = Employee.objects.get(number="E1")
    assert president.email == "margaret.ellison@example.com"
    assert (president.first_name, president.last_name, president.title, president.level) == (
        "Margaret",
        "Ellison",
        "President",
        10,
    )
    account = president.user
    assert account.username == "margaret.ellison@example.com"
    assert account.email == "margaret.ellison@example.com"
    assert (account.first_name, account.last_name) == ("Margaret", "Ellison")
    assert account.is_active
    assert not account.has_usable_password()
    assert User.objects.filter(employee__isnull=False).count() == 3


def test_managers_are_resolved_whatever_the_row_order(db):
    employee_import_csv(file=COMPANY)

    by_number = {e.number: e for e in Employee.objects.select_related("manager")}
    assert by_number["E3"].manager.number == "E2"  # E2's row comes after E3's
    assert by_number["E2"].manager.number == "E1"
    assert by_number["E1"].manager is None


def test_file_exported_by_excel_with_a_byte_order_mark_is_read(db):
    result = employee_import_csv(file=io.BytesIO(("\ufeff" + COMPANY).encode("utf-8")))

    assert result.errors == []
    assert Employee.objects.count() == 3


def test_reimport_updates_people_by_employee_number(company):
    second = csv_text(
        row(
            "E1", "Margaret", "Ellison", "margaret.ellison@example.com", title="President", level=10
        ),
        row("E3", "Lina", "Petrova", "lina.petrova@example.com", manager="E1"),  # moved
        row(
            "E2",
            "Helena",
            "Marsh",
            "helena.marsh@example.com",
            title="Chief Risk Officer",
            level=9,
            manager="E1",
        ),  # promoted
        row("E4", "Noah", "Quinn", "noah.quinn@example.com", manager="E2"),  # joined
    )

    result = employee_import_csv(file=second)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (1, 2, 1)
    assert Employee.objects.count() == 4
    assert User.objects.count() == 4
    helena = Employee.objects.get(number="E2")
    assert (helena.title, helena.level, helena.pk) == ("Chief Risk Officer", 9, company["E2"].pk)
    assert Employee.objects.get(number="E3").manager.number == "E1"
    assert Employee.objects.get(number="E4").manager.number == "E2"


def test_reimporting_the_same_file_changes_nothing(company):
    result = employee_import_csv(file=COMPANY)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert counts() == (3, 3)


def test_changed_email_renames_the_account_only_once_its_owner_confirms(company):
    """F12: the directory takes the new address at once; the account keeps signing in with
    the old one until the person confirms the new one (tests/firewall/test_insiders_identity.py
    replays the whole path through the browser)."""
    changed = COMPANY.replace("lina.petrova@example.com", "Lina.Smith@Example.com")

    result = employee_import_csv(file=changed)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert result.addresses_pending == 1
    assert "1 new sign-in address(es) wait for their owner's confirmation" in result.summary()
    assert Employee.objects.get(number="E3").email == "lina.smith@example.com"
    account = Employee.objects.get(number="E3").user
    assert (account.username, account.email) == (
        "lina.petrova@example.com",
        "lina.petrova@example.com",
    )
    change = AddressChange.objects.get(user=account, status=AddressChange.Status.PENDING)
    assert change.new_email == "lina.smith@example.com"

    account_address_change_confirm(user=account, token=address_change_token(change=change))

    account.refresh_from_db()
    assert (account.username, account.email) == ("lina.smith@example.com", "lina.smith@example.com")
    assert account.pk == company["E3"].user.pk


def test_deactivated_employee_cannot_sign_in(company, password):
    lina = company["E3"].user
    lina.set_password(password)
    lina.save()
    client = Client()
    login = {"username": "lina.petrova@example.com", "password": password}
    assert client.post(reverse("login"), login).status_code == 302
    client.post(reverse("logout"))

    result = employee_import_csv(file=COMPANY.replace("E2,London,yes", "E2,London,no"))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert not Employee.objects.get(number="E3").is_active
    assert not User.objects.get(pk=lina.pk).is_active
    response = client.post(reverse("login"), login)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# --- Bad files: nothing saved, every error named with its line --------------------------------

GOOD_ROW = row("G1", "Grace", "Whitfield", "grace.whitfield@example.com", level=6)


def _directory(db):
    """Two people already in the directory: D2 reports to D1."""
    result = employee_import_csv(
        file=csv_text(
            row("D1", "Victor", "Adeyemi", "victor.adeyemi@example.com", level=9),
            row("D2", "Priya", "Shah", "priya.shah@example.com", manager="D1"),
        )
    )
    assert result.ok


BAD_FILES = {
    "unknown manager": (
        csv_text(GOOD_ROW, row("E2", "Ben", "Bauer", "ben.bauer@example.com", manager="E999")),
        3,
        "E999",
    ),
    "own manager": (
        csv_text(GOOD_ROW, row("E2", "Ben", "Bauer", "ben.bauer@example.com", manager="E2")),
        3,
        "own manager",
    ),
    "management cycle within the file": (
        csv_text(
            GOOD_ROW,
            row("E1", "Ada", "Abara", "ada.abara@example.com", manager="E3"),
            row("E2", "Ben", "Bauer", "ben.bauer@example.com", manager="E1"),
            row("E3", "Chen", "Costa", "chen.costa@example.com", manager="E2"),
        ),
        3,
        "cycle",
    ),
    "management cycle with the directory": (
        # D2 already reports to D1; the file makes D1 report to D2.
        csv_text(
            GOOD_ROW,
            row("D1", "Victor", "Adeyemi", "victor.adeyemi@example.com", level=9, manager="D2"),
        ),
        3,
        "cycle",
    ),
    "duplicate employee number": (
        csv_text(GOOD_ROW, row("G1", "Ben", "Bauer", "ben.bauer@example.com")),
        3,
        "line 2",
    ),
    "duplicate e-mail in the file": (
        csv_text(GOOD_ROW, row("E2", "Grace", "Whitfield", "Grace.Whitfield@example.com")),
        3,
        "line 2",
    ),
    "e-mail of another employee": (
        csv_text(GOOD_ROW, row("E9", "Priya", "Shah", "priya.shah@example.com")),
        3,
        "D2",
    ),
    "bad e-mail": (
        csv_text(GOOD_ROW, row("E2", "Ben", "Bauer", "ben.bauer.example.com")),
        3,
        "ben.bauer.example.com",
    ),
    "missing column": (
        csv_text(
            "G1,Grace,Whitfield,grace.whitfield@example.com,Analyst,Operations,",
            header="employee_number,first_name,last_name,email,title,department,manager_number",
        ),
        1,
        "level",
    ),
    "non-integer level": (
        csv_text(GOOD_ROW, row("E2", "Ben", "Bauer", "ben.bauer@example.com", level="three")),
        3,
        "three",
    ),
    "level out of range": (
        csv_text(GOOD_ROW, row("E2", "Ben", "Bauer", "ben.bauer@example.com", level="-1")),
        3,
        "level",
    ),
    "active neither yes nor no": (
        csv_text(GOOD_ROW, row("E2", "Ben", "Bauer", "ben.bauer@example.com", active="maybe")),
        3,
        "maybe",
    ),
    "too few fields": (
        csv_text(GOOD_ROW, "E2,Ben,Bauer,ben.bauer@example.com,Analyst,Operations,3"),
        3,
        "fields",
    ),
    "too many fields": (
        csv_text(GOOD_ROW, row("E2", "Ben", "Bauer", "ben.bauer@example.com") + ",extra"),
        3,
        "fields",
    ),
    "value too long": (
        csv_text(GOOD_ROW, row("E2", "Ben", "Bauer", "ben.bauer@example.com", title="x" * 201)),
        3,
        "title",
    ),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_row_saves_nothing_and_names_its_line(db, kind):
    text, line, keyword = BAD_FILES[kind]
    _directory(db)
    before = counts()
    d1_manager_before = Employee.objects.get(number="D1").manager_id

    result = employee_import_csv(file=text)

    assert not result.ok
    assert lines_of(result) == [line], result.errors
    assert keyword in result.errors[0].message
    assert (result.created, result.updated) == (0, 0)
    assert counts() == before
    assert not Employee.objects.filter(number="G1").exists()
    assert Employee.objects.get(number="D1").manager_id == d1_manager_before


@pytest.mark.parametrize("account_email", ["sam.root@example.test", "Sam.Root@example.test"])
def test_email_of_an_account_outside_the_directory_is_refused_in_any_letter_case(db, account_email):
    """Two accounts with one address would make sign-in by e-mail pick either of them.

    `createsuperuser` keeps the letter case of the local part, so such accounts exist.
    """
    UserFactory(email=account_email, username="sam", is_staff=True, is_superuser=True)
    before = counts()

    result = employee_import_csv(
        file=csv_text(GOOD_ROW, row("E2", "Sam", "Root", "sam.root@example.test"))
    )

    assert lines_of(result) == [3], result.errors
    assert "another account" in result.errors[0].message
    assert counts() == before


@pytest.mark.parametrize(
    "column", ["employee_number", "first_name", "last_name", "email", "title", "department"]
)
def test_empty_required_field_saves_nothing_and_names_its_line(db, column):
    values = dict(zip(HEADER.split(","), GOOD_ROW.split(","), strict=True))
    values[column] = ""
    text = csv_text(row("E2", "Ben", "Bauer", "ben.bauer@example.com"), ",".join(values.values()))

    result = employee_import_csv(file=text)

    assert lines_of(result) == [3]
    assert column in result.errors[0].message
    assert counts() == (0, 0)


def test_file_that_is_not_utf8_saves_nothing_and_names_the_line(db):
    text = csv_text(GOOD_ROW, row("E2", "José", "Pereira", "jose.pereira@example.com"))

    result = employee_import_csv(file=io.BytesIO(text.encode("latin-1")))

    assert not result.ok
    assert "UTF-8" in result.errors[0].message
    assert lines_of(result) == [3], "the error should name the line with the bad bytes"
    assert counts() == (0, 0)


@pytest.mark.parametrize("content", [b"", b"\n"], ids=["empty", "blank line"])
def test_empty_file_saves_nothing(db, content):
    result = employee_import_csv(file=io.BytesIO(content))

    assert not result.ok
    assert lines_of(result) == [1]
    assert "empty" in result.errors[0].message
    assert counts() == (0, 0)


def test_header_without_rows_is_refused(db):
    result = employee_import_csv(file=csv_text())

    assert not result.ok
    assert "no employees" in result.errors[0].message
    assert counts() == (0, 0)


def test_file_with_several_bad_rows_lists_them_all(db):
    text = csv_text(
        GOOD_ROW,
        row("E2", "Ben", "Bauer", "not-an-email"),
        row("E3", "Chen", "Costa", "chen.costa@example.com"),
        row("E4", "Dmitri", "Dubois", "dmitri.dubois@example.com", level="senior"),
        row("E5", "", "Eriksson", "elena.eriksson@example.com"),
    )

    result = employee_import_csv(file=text)

    assert lines_of(result) == [3, 5, 6]
    assert counts() == (0, 0)


def test_file_with_bad_values_and_unknown_managers_lists_every_bad_line(db):
    """A bad value on one line must not hide an unknown manager or a duplicate on another."""
    text = csv_text(
        GOOD_ROW,
        row("E2", "Ben", "Bauer", "not-an-email"),
        row("E3", "Chen", "Costa", "chen.costa@example.com", manager="E999"),
        row("G1", "Dmitri", "Dubois", "dmitri.dubois@example.com"),
    )

    result = employee_import_csv(file=text)

    assert lines_of(result) == [3, 4, 5], result.errors
    assert counts() == (0, 0)


# --- The management command --------------------------------------------------------------------


def test_import_employees_command_reports_what_it_did(db, tmp_path):
    path = tmp_path / "hris.csv"
    path.write_text(COMPANY, encoding="utf-8")
    out = io.StringIO()

    call_command("import_employees", str(path), stdout=out)

    assert "3 created, 0 updated, 0 unchanged" in out.getvalue()
    assert Employee.objects.count() == 3


def test_import_employees_command_fails_with_each_error_and_its_line(db, tmp_path):
    path = tmp_path / "hris.csv"
    path.write_text(
        csv_text(
            GOOD_ROW,
            row("E2", "Ben", "Bauer", "not-an-email"),
            row("E3", "Chen", "Costa", "chen.costa@example.com", level="x"),
        ),
        encoding="utf-8",
    )
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("import_employees", str(path), stdout=io.StringIO(), stderr=err)

    printed = err.getvalue().splitlines()
    assert any(line.startswith("line 3:") and "not-an-email" in line for line in printed)
    assert any(line.startswith("line 4:") and "level" in line for line in printed)
    assert counts() == (0, 0)


def test_import_employees_command_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_employees", str(tmp_path / "missing.csv"))


# --- The admin import page -------------------------------------------------------------------

IMPORT_URL = reverse("admin:people_employee_import")


def upload(text, name="hris.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def post_and_run(client, text, *, capture):
    """Upload in the admin and run the import task, as the commit of the request would."""
    with capture(execute=True):
        response = client.post(IMPORT_URL, {"file": upload(text)})
    return response


def test_hr_admin_imports_a_good_file_in_the_admin(
    hr_admin, signed_in_client, django_capture_on_commit_callbacks
):
    client = signed_in_client(hr_admin)
    assert client.get(IMPORT_URL).status_code == 200

    response = post_and_run(client, COMPANY, capture=django_capture_on_commit_callbacks)

    job = EmployeeImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:people_employee_import_status", args=[job.pk])
    assert set(Employee.objects.values_list("number", flat=True)) >= {"E1", "E2", "E3"}
    page = client.get(response.url)
    assert "3 created" in page.content.decode()


def test_hr_admin_sees_every_bad_line_and_nothing_is_saved(
    hr_admin, signed_in_client, django_capture_on_commit_callbacks
):
    client = signed_in_client(hr_admin)
    before = counts()
    text = csv_text(
        GOOD_ROW,
        row("E2", "Ben", "Bauer", "not-an-email"),
        row("E3", "Chen", "Costa", "chen.costa@example.com", level="x"),
    )

    response = post_and_run(client, text, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assertInHTML("<td>3</td>", html)
    assertInHTML("<td>4</td>", html)
    assert "not-an-email" in html
    assert counts() == before


def test_admin_import_refuses_a_file_that_is_not_csv(hr_admin, signed_in_client):
    client = signed_in_client(hr_admin)

    response = client.post(IMPORT_URL, {"file": upload(COMPANY, name="hris.xlsx")})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert Employee.objects.filter(number="E1").count() == 0
    assert not EmployeeImport.objects.exists()


def test_outsider_cannot_reach_the_admin_import(outsider, signed_in_client):
    client = signed_in_client(outsider)
    before = counts()

    get = client.get(IMPORT_URL)
    post = client.post(IMPORT_URL, {"file": upload(COMPANY)})

    for response in (get, post):
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    assert counts() == before
    assert not EmployeeImport.objects.exists()


def test_anonymous_visitor_cannot_reach_the_admin_import(db):
    before = counts()

    response = Client().post(IMPORT_URL, {"file": upload(COMPANY)})

    assert response.status_code == 302
    assert counts() == before
