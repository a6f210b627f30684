"""The HRIS import in the browser: an uploaded file becomes a job that a background task
checks and applies, all or nothing, while the admin shows its progress.

Tests run inside a transaction that never commits, so the upload is posted inside
`django_capture_on_commit_callbacks(execute=True)`: the task runs (eagerly) as the commit of
the request would start it.
"""

import io
import logging
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertInHTML

import people.hris
from people.models import Employee, EmployeeImport, User
from people.services import employee_import_csv, employee_import_run, employee_rows_to_csv
from people.tasks import employee_import_run as employee_import_task
from tests.factories import UserFactory

IMPORT_URL = reverse("admin:people_employee_import")
HISTORY_URL = reverse("admin:people_employeeimport_changelist")


def status_url(job_id):
    return reverse("admin:people_employee_import_status", args=[job_id])


def person(number, first, last, email, *, manager="", title="Analyst", level=3):
    return {
        "employee_number": number,
        "first_name": first,
        "last_name": last,
        "email": email,
        "title": title,
        "department": "Operations",
        "level": level,
        "manager_number": manager,
        "location": "London",
        "active": "yes",
    }


# The head comes after her report, on purpose: managers resolve in any row order.
COMPANY = employee_rows_to_csv(
    [
        person("E2", "Lina", "Petrova", "lina.petrova@example.com", manager="E1"),
        person("E1", "Margaret", "Ellison", "margaret.ellison@example.com", level=9),
        person("E3", "Noah", "Quinn", "noah.quinn@example.com", manager="E1"),
    ]
)


def upload(content, name="hris.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def directory():
    """Everything an import may touch, to compare before and after."""
    return (
        sorted(
            Employee.objects.values_list(
                "number", "first_name", "last_name", "email", "title", "level", "manager_id"
            )
        ),
        sorted(User.objects.values_list("username", "email", "first_name", "is_active")),
    )


@pytest.fixture
def hr(hr_admin, signed_in_client):
    return signed_in_client(hr_admin)


@pytest.fixture
def post_and_run(hr, django_capture_on_commit_callbacks):
    """Upload in the admin as an HR admin; the task runs when the request's work commits."""

    def post(content, name="hris.csv"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = hr.post(IMPORT_URL, {"file": upload(content, name)})
        post.callbacks = callbacks
        return response

    return post


@pytest.fixture
def existing(db):
    """Two people already in the directory, made by the import itself: D2 reports to D1."""
    result = employee_import_csv(
        file=employee_rows_to_csv(
            [
                person("D1", "Victor", "Adeyemi", "victor.adeyemi@example.com", level=9),
                person("D2", "Priya", "Shah", "priya.shah@example.com", manager="D1"),
            ]
        )
    )
    assert result.ok, result.errors
    return Employee.objects.get(number="D2")


# --- A good file --------------------------------------------------------------------------------


def test_good_file_becomes_a_job_that_imports_everyone_and_reports_its_counts(
    hr, hr_admin, post_and_run
):
    response = post_and_run(COMPANY)

    job = EmployeeImport.objects.get()
    assert response.status_code == 302
    assert response.url == status_url(job.pk)
    assert len(post_and_run.callbacks) == 1, "one task, dispatched on commit"
    assert (job.status, job.uploaded_by, job.file_name) == ("done", hr_admin, "hris.csv")
    assert (job.total_rows, job.rows_checked, job.errors) == (3, 3, [])
    assert (job.created, job.updated, job.unchanged) == (3, 0, 0)
    assert job.started_at <= job.finished_at
    assert str(job) == f"employee import #{job.pk}"
    by_number = {e.number: e for e in Employee.objects.select_related("manager")}
    assert set(by_number) >= {"E1", "E2", "E3"}
    assert by_number["E2"].manager.number == "E1"
    page = hr.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "3 created, 0 updated, 0 unchanged" in " ".join(html.split())
    assert 'http-equiv="refresh"' not in html, "a finished job stops refreshing"
    assert "<progress" not in html


def test_reimport_reports_updates_and_unchanged_rows(hr, existing, post_and_run):
    text = employee_rows_to_csv(
        [
            person("D1", "Victor", "Adeyemi", "victor.adeyemi@example.com", level=9),
            person("D2", "Priya", "Shah", "priya.shah@example.com", manager="D1", title="Lead"),
            person("D3", "Ben", "Bauer", "ben.bauer@example.com", manager="D2"),
        ]
    )

    post_and_run(text)

    job = EmployeeImport.objects.get()
    assert (job.status, job.created, job.updated, job.unchanged) == ("done", 1, 1, 1)
    assert Employee.objects.get(number="D2").title == "Lead"


# --- A file with bad rows: the job fails, every bad line is listed, nothing changes -------------


def test_file_with_bad_rows_fails_lists_each_line_and_changes_nothing(hr, existing, post_and_run):
    text = employee_rows_to_csv(
        [
            # line 2: a valid change to someone already in the directory; must not be applied
            person("D2", "Priya", "Shah-Okafor", "priya.shah@example.com", title="Head"),
            person("N1", "Ada", "Osei", "ada.osei@example.com", manager="X999"),  # line 3
            person("N2", "Ben", "Bauer", "ben.bauer@example.com"),  # line 4
            person("N2", "Chen", "Costa", "chen.costa@example.com"),  # line 5: duplicate
            person("N3", "Dana", "Diaz", "dana.diaz.example.com"),  # line 6: bad e-mail
        ]
    )
    text += "N4,Eli,Eze,eli.eze@example.com,Analyst\n"  # line 7: too few fields
    before = directory()
    d2_before = Employee.objects.values().get(pk=existing.pk)

    response = post_and_run(text)

    job = EmployeeImport.objects.get()
    assert response.url == status_url(job.pk)
    assert job.status == "failed"
    assert job.finished_at is not None
    assert (job.created, job.updated, job.unchanged) == (0, 0, 0)
    lines = {error["line"]: error["message"] for error in job.errors}
    assert sorted(lines) == [3, 5, 6, 7], job.errors
    assert "X999" in lines[3]
    assert "line 4" in lines[5]
    assert "dana.diaz.example.com" in lines[6]
    assert "fields" in lines[7]
    assert directory() == before
    assert Employee.objects.values().get(pk=existing.pk) == d2_before
    assert not Employee.objects.filter(number__in=["N1", "N2", "N3", "N4"]).exists()

    html = hr.get(status_url(job.pk)).content.decode()
    for line in (3, 5, 6, 7):
        assertInHTML(f"<td>{line}</td>", html)
    assert "X999" in html
    assert "dana.diaz.example.com" in html
    assert "Nothing was saved" in html
    assert f'href="{IMPORT_URL}"' in html, "a link back to upload a corrected file"
    assert 'http-equiv="refresh"' not in html


def test_file_with_only_a_header_fails_with_a_message(post_and_run):
    post_and_run(employee_rows_to_csv([]))

    job = EmployeeImport.objects.get()
    assert job.status == "failed"
    assert "no employees" in job.errors[0]["message"]


def test_directory_changed_after_the_check_is_checked_again_before_saving(
    post_and_run, monkeypatch
):
    """Another import may commit between this job's check and its save: the save re-checks
    in its own transaction, so an address taken meanwhile fails the job, not the database."""
    real_validate = people.hris.validate

    calls = []

    def validate_then_someone_else_imports(*args, **kwargs):
        calls.append(1)
        found = real_validate(*args, **kwargs)
        if len(calls) == 1:  # the job's check; the import below checks its own file
            other = person("Z1", "Lina", "Other", "lina.petrova@example.com")
            assert employee_import_csv(file=employee_rows_to_csv([other])).ok
        return found

    monkeypatch.setattr(people.hris, "validate", validate_then_someone_else_imports)
    post_and_run(COMPANY)

    job = EmployeeImport.objects.get()
    assert job.status == "failed"
    assert [e["line"] for e in job.errors] == [2]
    assert "belongs to employee Z1" in job.errors[0]["message"]
    assert not Employee.objects.filter(number__in=["E1", "E2", "E3"]).exists()


# --- Files refused at the upload: a message, no job ---------------------------------------------


def test_upload_that_is_not_utf8_is_refused_with_a_message_and_makes_no_job(hr, post_and_run):
    text = employee_rows_to_csv([person("E1", "José", "Pereira", "jose.pereira@example.com")])

    response = post_and_run(text.encode("latin-1"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "not UTF-8" in html
    assert "line 2" in html
    assert not EmployeeImport.objects.exists()
    assert not Employee.objects.filter(number="E1").exists()
    assert post_and_run.callbacks == []


@pytest.mark.parametrize("content", [b"", b"\n\n"], ids=["empty", "blank lines"])
def test_empty_upload_is_refused_with_a_message_and_makes_no_job(hr, content):
    response = hr.post(IMPORT_URL, {"file": upload(content)})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not EmployeeImport.objects.exists()


# --- The status page while the job runs ---------------------------------------------------------


@pytest.mark.parametrize("status", ["queued", "validating", "applying"])
def test_status_page_of_a_running_job_shows_progress_that_htmx_polls(hr, hr_admin, status):
    job = EmployeeImport.objects.create(
        uploaded_by=hr_admin,
        file_name="hris.csv",
        csv_text=COMPANY,
        status=status,
        total_rows=1000,
        rows_checked={"queued": 0, "validating": 400, "applying": 1000}[status],
    )

    response = hr.get(status_url(job.pk))

    html = response.content.decode()
    assert response.status_code == 200
    head = html[: html.index("</head>")]
    assert 'http-equiv="refresh"' not in html  # no self-reloading page (WCAG F41)
    assert "/static/vendor/htmx/htmx.min.js" in head
    progress_url = reverse("admin:people_employee_import_progress", args=[job.pk])
    assert f'role="status" hx-get="{progress_url}" hx-trigger="every 2s"' in html
    assert f'<a href="{status_url(job.pk)}">Refresh</a>' in html  # without JavaScript
    progress = f'max="1000" value="{job.rows_checked}"'
    assert "<progress" in html
    assert progress in html
    if status == "validating":
        assert "400 of 1000 rows checked" in html


def test_status_page_has_no_inline_script(hr, hr_admin):
    """The site's content security policy allows no inline script: htmx comes from static/
    and is configured by a meta tag."""
    job = EmployeeImport.objects.create(
        uploaded_by=hr_admin, file_name="hris.csv", csv_text=COMPANY, status="validating"
    )

    html = hr.get(status_url(job.pk)).content.decode()

    content = html[html.index('<div id="content-main">') :]
    assert "<script" not in content
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false' in html


def test_progress_is_recorded_while_the_rows_are_checked(post_and_run, monkeypatch):
    """`rows_checked` is written every PROGRESS_EVERY rows as the rows are read, so another
    request sees it move; the cross-row checks start once every row has been read."""
    rows = [person("P0", "Ada", "Lead", "p0@example.com", level=9)]
    rows += [
        person(f"P{n}", "Ada", f"Row{n}", f"p{n}@example.com", manager="P0") for n in range(1, 450)
    ]
    seen = []
    real_check = people.hris.check_file

    def check_and_look(*args, **kwargs):
        seen.append(EmployeeImport.objects.values_list("status", "rows_checked").get())
        return real_check(*args, **kwargs)

    monkeypatch.setattr(people.hris, "check_file", check_and_look)
    post_and_run(employee_rows_to_csv(rows))

    assert seen[0] == ("validating", 400)  # after rows 200 and 400 of 450
    job = EmployeeImport.objects.get()
    assert (job.status, job.total_rows, job.rows_checked, job.created) == ("done", 450, 450, 450)


# --- Who may start and see imports --------------------------------------------------------------


@pytest.fixture
def finished_job(hr_admin):
    return EmployeeImport.objects.create(
        uploaded_by=hr_admin, file_name="hris.csv", csv_text=COMPANY, status="done"
    )


def test_staff_member_who_is_not_hr_admin_is_refused_imports(db, signed_in_client, finished_job):
    staff = signed_in_client(UserFactory(is_staff=True))

    assert staff.get(IMPORT_URL).status_code == 403
    assert staff.post(IMPORT_URL, {"file": upload(COMPANY)}).status_code == 403
    assert staff.get(status_url(finished_job.pk)).status_code == 403
    assert staff.get(HISTORY_URL).status_code == 403
    assert EmployeeImport.objects.count() == 1


def test_employee_outside_the_admin_is_sent_to_sign_in(outsider, signed_in_client, finished_job):
    client = signed_in_client(outsider)

    for response in (client.get(status_url(finished_job.pk)), client.get(HISTORY_URL)):
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_unknown_job_is_not_found(hr, finished_job):
    assert hr.get(status_url(finished_job.pk + 1)).status_code == 404


# --- Redelivery, unexpected errors --------------------------------------------------------------


def test_running_the_same_job_twice_applies_it_once(hr, post_and_run):
    post_and_run(COMPANY)
    job = EmployeeImport.objects.get()
    after_first = directory()

    again = employee_import_run(import_id=job.pk)
    employee_import_task.delay(job.pk)  # the broker redelivers the task

    assert again.status == "done"
    assert (again.created, again.updated, again.unchanged) == (3, 0, 0), "counts of the run"
    assert directory() == after_first
    job.refresh_from_db()
    assert (job.status, job.created, job.finished_at) == ("done", 3, again.finished_at)


def test_failed_job_is_not_run_again(post_and_run):
    post_and_run(employee_rows_to_csv([person("N1", "Ada", "Osei", "not-an-email")]))
    job = EmployeeImport.objects.get()
    assert job.status == "failed"

    again = employee_import_run(import_id=job.pk)

    assert (again.status, again.errors, again.finished_at) == (
        "failed",
        job.errors,
        job.finished_at,
    )


def test_task_for_a_job_that_is_gone_does_nothing(db):
    employee_import_task.delay(987654)  # no exception


def test_unexpected_error_fails_the_job_with_a_generic_message_and_logs_no_row(
    post_and_run, monkeypatch, caplog
):
    def broken_apply(rows, result, by=None):
        Employee.objects.all().delete()  # half done: must be rolled back
        raise RuntimeError(f"cannot save {rows[0].email}")

    monkeypatch.setattr(people.hris, "apply", broken_apply)
    caplog.set_level(logging.INFO)
    before_hr = Employee.objects.count()

    post_and_run(COMPANY)

    job = EmployeeImport.objects.get()
    assert job.status == "failed"
    assert len(job.errors) == 1
    message = job.errors[0]["message"]
    assert "unexpected error" in message
    assert "Traceback" not in message
    assert "example.com" not in message
    assert Employee.objects.count() == before_hr, "the half-done apply is rolled back"
    assert "RuntimeError" in caplog.text
    assert "example.com" not in caplog.text
    assert "Traceback" not in caplog.text
    assert all(record.exc_info is None for record in caplog.records)


# --- Past imports in the admin ------------------------------------------------------------------


def test_hr_admin_sees_past_imports_read_only_without_the_file_text(hr, hr_admin, post_and_run):
    post_and_run(COMPANY, name="march.csv")
    job = EmployeeImport.objects.get()

    listing = hr.get(HISTORY_URL)
    detail = hr.get(reverse("admin:people_employeeimport_change", args=[job.pk]))

    assert listing.status_code == 200
    assert "march.csv" in listing.content.decode()
    assert f'href="{status_url(job.pk)}"' in listing.content.decode()
    assert detail.status_code == 200
    for page in (listing, detail):
        assert "margaret.ellison@example.com" not in page.content.decode()
        assert "Ellison" not in page.content.decode()
    assert hr.get(reverse("admin:people_employeeimport_add")).status_code == 403
    assert hr.post(reverse("admin:people_employeeimport_delete", args=[job.pk])).status_code == 403
    assert EmployeeImport.objects.count() == 1


def test_past_imports_list_costs_the_same_queries_for_ten_times_the_rows(hr, hr_admin):
    def make(count):
        EmployeeImport.objects.bulk_create(
            EmployeeImport(uploaded_by=hr_admin, file_name=f"{n}.csv", csv_text="x", status="done")
            for n in range(count)
        )

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert hr.get(HISTORY_URL).status_code == 200
        return len(context.captured_queries)

    make(3)
    few = queries()
    make(27)
    assert queries() == few


# --- The command line is unchanged --------------------------------------------------------------


def test_import_employees_command_still_imports_at_once_without_a_job(db, tmp_path):
    path = tmp_path / "hris.csv"
    path.write_text(COMPANY, encoding="utf-8")
    out = io.StringIO()

    call_command("import_employees", str(path), stdout=out)

    assert "3 created, 0 updated, 0 unchanged" in out.getvalue()
    assert set(Employee.objects.values_list("number", flat=True)) == {"E1", "E2", "E3"}
    assert not EmployeeImport.objects.exists()


# --- The progress fragment the status page polls ------------------------------------------------


def progress_url(job_id):
    return reverse("admin:people_employee_import_progress", args=[job_id])


def test_progress_fragment_follows_the_job_then_tells_htmx_to_stop(hr, hr_admin):
    job = EmployeeImport.objects.create(
        uploaded_by=hr_admin,
        file_name="hris.csv",
        csv_text=COMPANY,
        status="validating",
        total_rows=1000,
        rows_checked=400,
    )

    response = hr.get(progress_url(job.pk))

    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    assert "400 of 1000 rows checked." in html
    assert '<progress id="import-progress" max="1000" value="400">40%</progress>' in html
    # The status in the page's details is updated alongside (out of band).
    assert '<dd id="import-status" data-status="validating" hx-swap-oob="true">' in html
    assert "<html" not in html and "<script" not in html

    EmployeeImport.objects.filter(pk=job.pk).update(
        status="done", rows_checked=1000, created=990, updated=10, unchanged=0
    )
    response = hr.get(progress_url(job.pk))

    assert response.status_code == 286  # htmx's "stop polling"
    html = " ".join(response.content.decode().split())
    assert "The directory is up to date: 990 created, 10 updated, 0 unchanged." in html
    assert f'<a href="{status_url(job.pk)}">Show the result</a>' in html
    assert 'data-status="done"' in html


def test_progress_fragment_of_a_failed_import_points_to_the_problems(hr, hr_admin):
    job = EmployeeImport.objects.create(
        uploaded_by=hr_admin,
        file_name="hris.csv",
        csv_text=COMPANY,
        status="failed",
        errors=[{"line": 3, "message": "No e-mail."}, {"line": 4, "message": "No name."}],
    )

    response = hr.get(progress_url(job.pk))

    assert response.status_code == 286
    html = " ".join(response.content.decode().split())
    assert "Nothing was saved: 2 problems in the file." in html
    assert "No e-mail." not in html  # the list is on the page itself


def test_progress_fragment_is_refused_like_the_page(hr_admin, client):
    """Only those who may import read an import's progress (the page's own rule)."""
    job = EmployeeImport.objects.create(
        uploaded_by=hr_admin, file_name="hris.csv", csv_text=COMPANY, status="validating"
    )
    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    assert client.get(progress_url(job.pk)).status_code == 403
    assert client.get(status_url(job.pk)).status_code == 403
    client.logout()
    assert client.get(progress_url(job.pk)).status_code == 302
