"""Writes to the directory: the HRIS CSV import, role membership, the due-message table, and
who an account is (its sign-in address, password, active flag, flags and groups: F12)."""

from __future__ import annotations

import csv
import io
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import IO

from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from people.models import (
    AddressChange,
    CalendarFeed,
    Employee,
    EmployeeImport,
    Message,
    MessageOptOut,
    Notification,
    PasswordResetRequest,
    ReactivationRequest,
    User,
)
from people.roles import HR_ADMINS, ROLE_PERMISSIONS
from people.signals import identity_changed

REQUIRED_COLUMNS = (
    "employee_number",
    "first_name",
    "last_name",
    "email",
    "title",
    "department",
    "level",
    "manager_number",
)
OPTIONAL_COLUMNS = ("location", "active")
MAX_LEVEL = 100
# How many rows the background import checks between two writes of its progress.
PROGRESS_EVERY = 200
_TRUE = {"", "1", "yes", "y", "true", "t", "active"}
_FALSE = {"0", "no", "n", "false", "f", "inactive"}
_LIMITS = {
    "employee_number": 32,
    "first_name": 150,
    "last_name": 150,
    "email": 254,
    "title": 200,
    "department": 200,
    "location": 200,
}
# The import never writes an account's sign-in address or turns an account back on (F12):
# see `_apply`.
_USER_FIELDS = ["first_name", "last_name", "is_active"]
_EMPLOYEE_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "title",
    "department",
    "location",
    "level",
    "is_active",
]


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Asked for by the file, not made by it (F12): new sign-in addresses waiting for their
    # owners' confirmation, accounts to re-enable waiting for a second HR admin.
    addresses_pending: int = 0
    reactivations_pending: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} error(s); nothing was saved."
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged."
        if self.addresses_pending:
            text += (
                f" {self.addresses_pending} new sign-in address(es) wait for their owner's "
                "confirmation."
            )
        if self.reactivations_pending:
            text += (
                f" {self.reactivations_pending} account(s) to re-enable wait for a second "
                "HR admin's approval."
            )
        return text


@dataclass
class _Row:
    line: int
    number: str
    first_name: str
    last_name: str
    email: str
    title: str
    department: str
    location: str
    level: int
    manager_number: str
    is_active: bool


class _NotUtf8(Exception):
    def __init__(self, lines: list[int]):
        self.lines = lines


def _read_text(file: IO[bytes] | IO[str] | bytes | str) -> str:
    data = file.read() if hasattr(file, "read") else file
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            bad = []
            for number, line in enumerate(data.split(b"\n"), start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    bad.append(number)
            raise _NotUtf8(bad[:20]) from None
    return data.removeprefix("\ufeff")


def _parse(
    text: str,
    errors: list[RowError],
    numbers_in_file: set[str],
    progress: Callable[[int], None] | None = None,
) -> list[_Row]:
    """Check each row on its own. `progress`, if given, is called with the number of rows
    read so far after each row (the caller decides how often to record it)."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    if not header:
        errors.append(RowError(1, "the file is empty: its first line must name the columns"))
        return []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        errors.append(RowError(1, f"missing column(s): {', '.join(missing)}"))
        return []
    reader.fieldnames = header
    rows: list[_Row] = []
    for read, raw in enumerate(reader, start=1):
        if progress is not None:
            progress(read)
        line = reader.line_num
        if None in raw or any(v is None for v in raw.values()):
            errors.append(
                RowError(line, f"expected {len(header)} fields, as in the header, on this line")
            )
            continue
        values = {k: (v or "").strip() for k, v in raw.items()}
        if not any(values.values()):
            continue  # a blank line
        if values["employee_number"]:
            numbers_in_file.add(values["employee_number"])
        row_errors: list[str] = []
        for name in ("employee_number", "first_name", "last_name", "email", "title", "department"):
            if not values[name]:
                row_errors.append(f"{name} is empty")
        for name, limit in _LIMITS.items():
            if len(values.get(name, "")) > limit:
                row_errors.append(f"{name} is longer than {limit} characters")
        if any(ch in value for value in values.values() for ch in "\x00\r\n"):
            row_errors.append("a value holds a line break or a NUL character")
        email = values["email"].lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row_errors.append(f"'{values['email']}' is not a valid e-mail address")
        level = 0
        try:
            level = int(values["level"])
            if not 0 <= level <= MAX_LEVEL:
                raise ValueError
        except ValueError:
            row_errors.append(
                f"level '{values['level']}' is not a whole number from 0 to {MAX_LEVEL}"
            )
        active = values.get("active", "").lower()
        if active not in _TRUE | _FALSE:
            row_errors.append(f"active '{values['active']}' is not yes or no")
        if values["manager_number"] and values["manager_number"] == values["employee_number"]:
            row_errors.append("an employee cannot be their own manager")
        if row_errors:
            errors.extend(RowError(line, message) for message in row_errors)
            continue
        rows.append(
            _Row(
                line=line,
                number=values["employee_number"],
                first_name=values["first_name"],
                last_name=values["last_name"],
                email=email,
                title=values["title"],
                department=values["department"],
                location=values.get("location", ""),
                level=level,
                manager_number=values["manager_number"],
                is_active=active not in _FALSE,
            )
        )
    return rows


def _check_file(rows: list[_Row], errors: list[RowError], numbers_in_file: set[str]) -> None:
    """Cross-row rules: duplicates, e-mails taken, unknown managers and management cycles."""
    first_line_of_number: dict[str, int] = {}
    first_line_of_email: dict[str, int] = {}
    for row in rows:
        if row.number in first_line_of_number:
            errors.append(
                RowError(
                    row.line,
                    f"employee number {row.number} also appears on line "
                    f"{first_line_of_number[row.number]}",
                )
            )
        else:
            first_line_of_number[row.number] = row.line
        if row.email in first_line_of_email:
            errors.append(
                RowError(
                    row.line,
                    f"e-mail address {row.email} also appears on line "
                    f"{first_line_of_email[row.email]}",
                )
            )
        else:
            first_line_of_email[row.email] = row.line

    # E-mail addresses already held by someone else in the directory or by another account.
    emails = [row.email for row in rows]
    holder_of_email = {
        email.lower(): number
        for email, number in Employee.objects.annotate(lower_email=Lower("email"))
        .filter(lower_email__in=emails)
        .values_list("email", "number")
    }
    # Accounts own their sign-in address and username in any letter case: those outside the
    # directory (an admin, a superuser), and an employee's account whose confirmed address
    # is still the old one while a new one waits for confirmation (F12).
    account_of_email: dict[str, str | None] = {}
    for email, username, number in (
        User.objects.annotate(lower_email=Lower("email"), lower_username=Lower("username"))
        .filter(Q(lower_email__in=emails) | Q(lower_username__in=emails))
        .values_list("email", "username", "employee__number")
    ):
        account_of_email[email.lower()] = account_of_email[username.lower()] = number
    for row in rows:
        holder = holder_of_email.get(row.email)
        if holder is not None and holder != row.number:
            errors.append(
                RowError(row.line, f"e-mail address {row.email} belongs to employee {holder}")
            )
        elif row.email in account_of_email and account_of_email[row.email] != row.number:
            errors.append(
                RowError(row.line, f"e-mail address {row.email} is used by another account")
            )

    # The reporting tree as it would be after the import: the directory, overlaid by the file.
    manager_of: dict[str, str] = {}
    for number, manager_number in Employee.objects.values_list("number", "manager__number"):
        manager_of[number] = manager_number or ""
    for row in rows:
        manager_of[row.number] = row.manager_number
    for row in rows:
        if (
            row.manager_number
            and row.manager_number not in manager_of
            and row.manager_number not in numbers_in_file
        ):
            errors.append(
                RowError(
                    row.line,
                    f"manager {row.manager_number} is neither in the file nor in the directory",
                )
            )
    line_of = {row.number: row.line for row in rows}
    state: dict[str, int] = {}  # 1: on the current path, 2: known to reach the top
    for row in rows:
        path: list[str] = []
        number = row.number
        while number and state.get(number) is None:
            state[number] = 1
            path.append(number)
            number = manager_of.get(number, "")
        if number and state.get(number) == 1:
            cycle = path[path.index(number) :]
            described = " -> ".join([*cycle, number])
            errors.append(
                RowError(
                    min(line_of.get(n, row.line) for n in cycle),
                    f"management cycle: {described}",
                )
            )
        for seen in path:
            state[seen] = 2


@transaction.atomic
def employee_import_csv(
    *, file: IO[bytes] | IO[str] | bytes | str, by: User | None = None
) -> ImportResult:
    """Create and update employees from an HRIS CSV export, keyed by employee number.

    All or nothing: every row is checked first (each error named with its line), and if any
    row is bad nothing is saved. Managers may appear in any row order. New employees get an
    account with no usable password (they set one through "forgot password"); an inactive
    employee's account cannot sign in.

    The file never changes how an existing person signs in (F12): a new address for them is
    only asked for (`account_address_change_request`: the old address is told and keeps
    working until the person confirms the new one), and an inactive account the file says is
    active again waits for two HR admins (`account_reactivation_ask`; `by`, who uploaded the
    file, counts as the first). `by` is None for the command line.
    """
    result = ImportResult()
    try:
        text = _read_text(file)
    except _NotUtf8 as exc:
        result.errors.extend(
            RowError(line, "this line is not UTF-8 text; export the file as CSV UTF-8")
            for line in exc.lines
        )
        return result
    rows, _ = _validate(text, result.errors)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            _apply(rows, result, by)
    except IntegrityError as exc:
        result.errors.append(
            RowError(0, f"the directory refused the change ({exc.__class__.__name__})")
        )
        result.created = result.updated = result.unchanged = 0
    result.errors.sort(key=lambda e: e.line)
    return result


def _validate(
    text: str, errors: list[RowError], progress: Callable[[int], None] | None = None
) -> tuple[list[_Row], set[str]]:
    """Every check of the file, row by row then across rows; adds each problem to `errors`,
    sorted by line. Returns the good rows and every employee number the file names."""
    numbers_in_file: set[str] = set()
    rows = _parse(text, errors, numbers_in_file, progress)
    if not rows and not errors:
        errors.append(RowError(0, "the file holds no employees"))
    if errors and not rows:
        return rows, numbers_in_file
    # Cross-row checks run even when some rows are bad, so one upload lists every problem.
    _check_file(rows, errors, numbers_in_file)
    errors.sort(key=lambda e: e.line)
    return rows, numbers_in_file


def _apply(rows: list[_Row], result: ImportResult, by: User | None = None) -> None:
    existing = {
        e.number: e
        for e in Employee.objects.filter(number__in=[r.number for r in rows]).select_related("user")
    }
    new_rows = [row for row in rows if row.number not in existing]
    users = []
    for row in new_rows:
        user = User(
            username=row.email,
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            is_active=row.is_active,
        )
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=1000)
    created = [
        Employee(
            user=user,
            number=row.number,
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            title=row.title,
            department=row.department,
            location=row.location,
            level=row.level,
            is_active=row.is_active,
        )
        for row, user in zip(new_rows, users, strict=True)
    ]
    Employee.objects.bulk_create(created, batch_size=1000)
    result.created = len(created)

    changed_employees: list[Employee] = []
    changed_users: list[User] = []
    pending_address = dict(
        AddressChange.objects.filter(
            user__in=[e.user_id for e in existing.values()], status=AddressChange.Status.PENDING
        ).values_list("user_id", "new_email")
    )
    address_asks: list[tuple[User, str]] = []
    to_reactivate: list[User] = []
    deactivated: list[User] = []
    for row in rows:
        employee = existing.get(row.number)
        if employee is None:
            continue
        before = [getattr(employee, name) for name in _EMPLOYEE_FIELDS]
        for name in _EMPLOYEE_FIELDS:
            setattr(employee, name, getattr(row, name))
        user = employee.user
        user_before = [getattr(user, name) for name in _USER_FIELDS]
        user.first_name, user.last_name = row.first_name, row.last_name
        # The directory takes the file's address at once; the account only asks for it.
        pending = pending_address.get(user.pk)
        if row.email != user.email.lower():
            if pending is None or pending.lower() != row.email:
                address_asks.append((user, row.email))
            result.addresses_pending += 1
        elif pending is not None:
            address_asks.append((user, row.email))  # back to the confirmed one: withdrawn
        if row.is_active and not user.is_active:
            employee.is_active = False  # off until a second HR admin approves
            to_reactivate.append(user)
        elif not row.is_active and user.is_active:
            user.is_active = False
            deactivated.append(user)
        if before != [getattr(employee, name) for name in _EMPLOYEE_FIELDS]:
            changed_employees.append(employee)
        if user_before != [getattr(user, name) for name in _USER_FIELDS]:
            changed_users.append(user)
    User.objects.bulk_update(changed_users, _USER_FIELDS, batch_size=1000)
    Employee.objects.bulk_update(changed_employees, _EMPLOYEE_FIELDS, batch_size=1000)
    for user in deactivated:
        _identity_changed(user_id=user.pk, actor=by, detail=LABEL_ACTIVE, notify=False)
    for user, email in address_asks:
        account_address_change_request(
            user=user, by=by, new_email=email, source=AddressChange.Source.IMPORT
        )
    for user in to_reactivate:
        account_reactivation_ask(user=user, by=by, from_import=True)
    result.reactivations_pending = len(to_reactivate)

    # Managers last, once every number in the file has a row.
    id_of = dict(
        Employee.objects.filter(
            number__in={r.number for r in rows}
            | {r.manager_number for r in rows if r.manager_number}
        ).values_list("number", "id")
    )
    moved: list[Employee] = []
    by_number = {e.number: e for e in [*existing.values(), *created]}
    for row in rows:
        employee = by_number[row.number]
        manager_id = id_of[row.manager_number] if row.manager_number else None
        if employee.manager_id != manager_id:
            employee.manager_id = manager_id
            moved.append(employee)
    Employee.objects.bulk_update(moved, ["manager"], batch_size=1000)
    new_numbers = {e.number for e in created}
    changed = {e.number for e in changed_employees} | {
        e.number for e in moved if e.number not in new_numbers
    }
    result.updated = len(changed)
    result.unchanged = len(rows) - result.created - result.updated


def employee_rows_to_csv(rows: Iterable[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# --- The HRIS import in the browser: a job row and a background task ---------------------------

logger = logging.getLogger(__name__)

_UNEXPECTED = (
    "the import stopped on an unexpected error; nothing was saved. Try again, or ask an operator"
)


def _count_rows(text: str) -> int:
    """Rows below the header, as `_parse` reads them (csv records; blank lines skipped)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    return sum(1 for record in reader if record)


def employee_import_start(*, by: User, file: IO[bytes] | IO[str] | bytes | str) -> EmployeeImport:
    """Queue an uploaded HRIS file for import by a background task; returns the job.

    Only a file that cannot be an export at all is refused here (not UTF-8 text, empty, not
    CSV), with a ValidationError and nothing saved; every row is checked by the task. The
    task is dispatched once the job row is committed, so a worker always finds it.
    """
    from people.tasks import employee_import_run as run_task

    try:
        text = _read_text(file)
    except _NotUtf8 as exc:
        lines = ", ".join(str(line) for line in exc.lines)
        raise ValidationError(
            f"The file is not UTF-8 text (line {lines}). Export it from the HRIS as "
            "CSV UTF-8 and upload it again.",
            code="not_utf8",
        ) from None
    if not text.strip():
        raise ValidationError(
            "The file is empty: its first line must name the columns.", code="empty"
        )
    try:
        total = _count_rows(text)
    except csv.Error as exc:
        raise ValidationError(f"The file cannot be read as CSV ({exc}).", code="not_csv") from None
    name = os.path.basename(getattr(file, "name", "") or "") or "upload.csv"
    job = EmployeeImport(
        uploaded_by=by,
        file_name=name[-255:],
        csv_text=text,
        status=EmployeeImport.Status.QUEUED,
        total_rows=total,
    )
    job.full_clean()
    with transaction.atomic():
        job.save()
        transaction.on_commit(partial(run_task.delay, job.pk))
    return job


def employee_import_run(*, import_id: int) -> EmployeeImport:
    """Check and apply one queued HRIS file: the task's work.

    All or nothing, as `employee_import_csv`: if any row is bad the job ends `failed` with
    every bad line and the directory is untouched. It commits in steps on purpose, so the
    status page sees them: `validating` (with `rows_checked` every PROGRESS_EVERY rows),
    `applying`, then one transaction that re-checks the file against the directory as it is
    now (another import may have committed since), applies every row, and marks the job
    `done`. That last transaction locks the job row and starts by reading its status, so a
    redelivered task (acks_late) that overlaps a running one waits, finds `done` and applies
    nothing; a job already `done` or `failed` is returned as it is. A job interrupted before
    the end (a worker lost) is run again from the start by its redelivery.

    Any unexpected error ends the job `failed` with a generic message; the log records the
    job id and the error's class only, never a traceback or a row's values (F9).
    """
    job = EmployeeImport.objects.get(pk=import_id)
    if job.is_finished:
        return job
    try:
        return _employee_import_run(job)
    except Exception as exc:
        # The class only, no traceback: its frames and message can hold a row's values.
        logger.error("employee import %s failed: %s", import_id, exc.__class__.__name__)
        _employee_import_finish(import_id, errors=[RowError(0, _UNEXPECTED)])
        job.refresh_from_db()
        return job


def _employee_import_run(job: EmployeeImport) -> EmployeeImport:
    Status = EmployeeImport.Status
    job_rows = EmployeeImport.objects.filter(pk=job.pk)
    started = job.started_at or timezone.now()
    if not job_rows.exclude(status__in=EmployeeImport.FINISHED).update(
        status=Status.VALIDATING, started_at=started, rows_checked=0
    ):
        job.refresh_from_db()
        return job  # finished meanwhile by another delivery

    recorded = 0

    def progress(read: int) -> None:
        nonlocal recorded
        if read - recorded >= PROGRESS_EVERY:
            job_rows.filter(status=Status.VALIDATING).update(rows_checked=read)
            recorded = read

    errors: list[RowError] = []
    rows, numbers_in_file = _validate(job.csv_text, errors, progress)
    if errors:
        _employee_import_finish(job.pk, errors=errors, rows_checked=job.total_rows)
        job.refresh_from_db()
        return job
    if not job_rows.filter(status=Status.VALIDATING).update(
        status=Status.APPLYING, rows_checked=job.total_rows
    ):
        job.refresh_from_db()
        return job

    result = ImportResult()
    try:
        with transaction.atomic():
            locked = EmployeeImport.objects.select_for_update().get(pk=job.pk)
            if locked.is_finished:
                return locked
            # The directory may have changed since the rows were checked.
            _check_file(rows, result.errors, numbers_in_file)
            if result.errors:
                result.errors.sort(key=lambda e: e.line)
            else:
                _apply(rows, result, locked.uploaded_by)
                locked.status = Status.DONE
                locked.created, locked.updated, locked.unchanged = (
                    result.created,
                    result.updated,
                    result.unchanged,
                )
                locked.addresses_pending = result.addresses_pending
                locked.reactivations_pending = result.reactivations_pending
                locked.errors = []
                locked.finished_at = timezone.now()
                locked.save(
                    update_fields=[
                        "status",
                        "created",
                        "updated",
                        "unchanged",
                        "addresses_pending",
                        "reactivations_pending",
                        "errors",
                        "finished_at",
                    ]
                )
                return locked
    except IntegrityError as exc:
        result.errors = [
            RowError(0, f"the directory refused the change ({exc.__class__.__name__})")
        ]
    _employee_import_finish(job.pk, errors=result.errors)
    job.refresh_from_db()
    return job


def _employee_import_finish(
    import_id: int, *, errors: list[RowError], rows_checked: int | None = None
) -> None:
    """End a job as failed with its errors, unless it has already ended: a final status is
    never overwritten (a late duplicate delivery must not turn `done` into `failed`)."""
    more = {} if rows_checked is None else {"rows_checked": rows_checked}
    EmployeeImport.objects.filter(pk=import_id).exclude(status__in=EmployeeImport.FINISHED).update(
        **more,
        status=EmployeeImport.Status.FAILED,
        errors=[{"line": e.line, "message": e.message} for e in errors],
        created=0,
        updated=0,
        unchanged=0,
        finished_at=timezone.now(),
    )


@transaction.atomic
@transaction.atomic
def user_add_to_role(*, user: User, role: str, by: User | None = None) -> None:
    """Put a user in a company-wide role. HR admins get the admin site, never superuser.
    Run from the server (a shell, the demo, an operator's command): the admin cannot change
    groups. Each change is an identity change in the access log (F12), `by` its maker."""
    if role not in ROLE_PERMISSIONS:
        raise ValueError(f"unknown role {role!r}")
    group, _ = Group.objects.get_or_create(name=role)
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        _identity_changed(user_id=user.pk, actor=by, detail=LABEL_GROUPS, notify=False)
    if role == HR_ADMINS and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        _identity_changed(user_id=user.pk, actor=by, detail=LABEL_STAFF, notify=False)


def message_schedule(
    *,
    recipient: User | int,
    kind: str,
    key: str,
    object_id: int | None = None,
    due_at: datetime | None = None,
) -> bool:
    """Put a message in the due-message table; it is delivered once `due_at` (default: now)
    has passed. The same recipient and key make one row however often this is called, so a
    service may schedule on every path that leads to a message. Due-now messages are handed
    to a worker once the transaction commits; later ones wait for beat's sweep (no far-future
    ETA tasks). Returns whether a new row was made.

    Only ids and the kind go into the row and the task (F9); the text is rendered at delivery.
    """
    from people.messaging import kind as kind_of

    kind_of(kind)  # an undeclared kind is a programming error: fail here, not in a worker
    recipient_id = recipient if isinstance(recipient, int) else recipient.pk
    now = timezone.now()
    due_at = due_at or now
    with transaction.atomic():
        message, created = Message.objects.get_or_create(
            recipient_id=recipient_id,
            key=key[:120],
            defaults={"kind": kind, "object_id": object_id, "due_at": due_at},
        )
    if created and due_at <= now:
        from people.tasks import message_deliver

        transaction.on_commit(partial(message_deliver.delay, message.pk))
    return created


@transaction.atomic
def messages_cancel(*, keys: Iterable[str]) -> int:
    """Withdraw messages not yet delivered (the meeting was removed, the seat was given up)."""
    return Message.objects.filter(key__in=list(keys), status=Message.Status.PENDING).update(
        status=Message.Status.SKIPPED, skip_reason="withdrawn"
    )


def messages_stuck(*, older_than: timedelta, now: datetime | None = None) -> QuerySet[Message]:
    """Messages that failed for good, or that are overdue by more than `older_than` (no
    worker or beat has delivered them): what an operator looks at first."""
    now = now or timezone.now()
    return Message.objects.filter(
        Q(status=Message.Status.FAILED)
        | Q(status=Message.Status.PENDING, due_at__lte=now - older_than)
    ).order_by("due_at", "pk")


@transaction.atomic
def messages_requeue(*, ids: Iterable[int]) -> int:
    """Give failed or overdue messages a fresh start: pending, due now, attempts reset, and a
    delivery task for each once this commits."""
    from people.tasks import message_deliver

    ids = list(
        Message.objects.filter(
            pk__in=list(ids), status__in=[Message.Status.FAILED, Message.Status.PENDING]
        ).values_list("pk", flat=True)
    )
    Message.objects.filter(pk__in=ids).update(
        status=Message.Status.PENDING, due_at=timezone.now(), attempts=0, last_error=""
    )
    for message_id in ids:
        transaction.on_commit(partial(message_deliver.delay, message_id))
    return len(ids)


@transaction.atomic
def message_opt_outs_set(*, user: User, turned_off: Iterable[str]) -> None:
    """Record which optional kinds a person turned off; the others are on. Required kinds
    (decisions, what to sign, invitations) cannot be turned off and are ignored here."""
    from people.messaging import optional_kinds

    optional = {k.name for k in optional_kinds()}
    wanted = set(turned_off) & optional
    MessageOptOut.objects.filter(user=user).exclude(kind__in=wanted).delete()
    have = set(MessageOptOut.objects.filter(user=user).values_list("kind", flat=True))
    MessageOptOut.objects.bulk_create(
        [MessageOptOut(user=user, kind=name) for name in sorted(wanted - have)]
    )


@transaction.atomic
def calendar_feed_reset(*, user: User) -> str:
    """Give the person a new secret calendar address; the old one stops working at once."""
    import secrets

    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token": token})
    return token


@transaction.atomic
def notifications_mark_read(*, user: User, ids: Iterable[int]) -> int:
    return Notification.objects.filter(
        recipient=user, pk__in=list(ids), read_at__isnull=True
    ).update(read_at=timezone.now())


# --- Who an account is (F12: nobody becomes somebody else) -------------------------------------
#
# A session as somebody else needs their password or a reset link sent to an address one
# reads. So: nobody sets another person's password (there is no such service); a new sign-in
# address asked for by anyone is only a request, told to the confirmed address, until the
# person opens the link sent to the new one while signed in with the old one; an account
# turned off is turned on again only by two different HR admins. Every change is announced
# through `people.signals.identity_changed`, which the access log records with who made it.

LABEL_ADDRESS = "sign-in address"
LABEL_ADDRESS_CONFIRMED = "sign-in address confirmed"
LABEL_ADDRESS_WITHDRAWN = "sign-in address change withdrawn"
LABEL_PASSWORD = "password"  # noqa: S105 - a label, not a password
LABEL_PASSWORD_LINK = "password reset link sent"  # noqa: S105
LABEL_ACTIVE = "active flag"
LABEL_REACTIVATION_ASKED = "re-enabling asked"
LABEL_STAFF = "staff flag"
LABEL_SUPERUSER = "superuser flag"
LABEL_GROUPS = "groups"
LABEL_PERMISSIONS = "permissions"
LABEL_CREATED = "account created"
LABELS = (
    LABEL_ADDRESS,
    LABEL_ADDRESS_CONFIRMED,
    LABEL_ADDRESS_WITHDRAWN,
    LABEL_PASSWORD,
    LABEL_PASSWORD_LINK,
    LABEL_ACTIVE,
    LABEL_REACTIVATION_ASKED,
    LABEL_STAFF,
    LABEL_SUPERUSER,
    LABEL_GROUPS,
    LABEL_PERMISSIONS,
    LABEL_CREATED,
)

ADDRESS_TOKEN_SALT = "people.address-change"  # noqa: S105 - a salt, public by design
ADDRESS_TOKEN_MAX_AGE = timedelta(days=7)
APPROVE_REACTIVATION = "people.approve_reactivationrequest"
ASK_REACTIVATION = "people.add_reactivationrequest"


def _identity_changed(*, user_id: int, actor: User | None, detail: str, notify: bool) -> None:
    """Announce one change: ids and a fixed label only (people.signals)."""
    if detail not in LABELS:
        raise ValueError(f"unknown identity label {detail!r}")
    identity_changed.send(
        sender=User,
        user_id=user_id,
        actor_id=actor.pk if actor is not None else None,
        detail=detail,
        notify=notify,
    )


def address_taken(*, email: str, user: User | None = None) -> bool:
    """Whether the address is, in any letter case, another account's sign-in address or
    username, or another person's directory address."""
    accounts = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
    directory = Employee.objects.filter(email__iexact=email)
    if user is not None:
        accounts = accounts.exclude(pk=user.pk)
        directory = directory.exclude(user_id=user.pk)
    return accounts.exists() or directory.exists()


def address_change_token(*, change: AddressChange) -> str:
    """The credential of the confirmation link sent to the new address: signed, not stored."""
    return signing.dumps({"c": change.pk, "e": change.new_email}, salt=ADDRESS_TOKEN_SALT)


def address_change_pending(*, user: User) -> AddressChange | None:
    return AddressChange.objects.filter(user=user, status=AddressChange.Status.PENDING).first()


@transaction.atomic
def account_address_change_request(
    *, user: User, by: User | None, new_email: str, source: str
) -> AddressChange | None:
    """Ask for a new sign-in address for `user`; it is not used until the person confirms it.

    The account keeps signing in, and receiving password resets, at its confirmed address.
    Two messages go out: a notice to the confirmed (previous) address, and the confirmation
    link to the new one, which only works for the person signed in with their old address
    (`account_address_change_confirm`). So whoever asks, the HRIS import or an admin, cannot
    send the account's password reset to a mailbox of their choice (F12).

    Asking again for the same address changes nothing; asking for another one replaces the
    request; asking for the confirmed address withdraws the request. Returns the pending
    request, or None when there is none.
    """
    new_email = new_email.strip()
    validate_email(new_email)
    user = User.objects.select_for_update().get(pk=user.pk)
    pending = address_change_pending(user=user)
    now = timezone.now()
    if new_email.casefold() == user.email.casefold():
        if pending is not None:
            pending.status, pending.decided_at = AddressChange.Status.SUPERSEDED, now
            pending.save(update_fields=["status", "decided_at"])
            _identity_changed(
                user_id=user.pk, actor=by, detail=LABEL_ADDRESS_WITHDRAWN, notify=False
            )
        return None
    if pending is not None and pending.new_email.casefold() == new_email.casefold():
        return pending
    if address_taken(email=new_email, user=user):
        raise ValidationError(
            "This e-mail address is already used by another account.", code="address_taken"
        )
    if pending is not None:
        pending.status, pending.decided_at = AddressChange.Status.SUPERSEDED, now
        pending.save(update_fields=["status", "decided_at"])
    change = AddressChange(
        user=user, old_email=user.email, new_email=new_email, requested_by=by, source=source
    )
    change.full_clean()
    change.save()
    message_schedule(
        recipient=user,
        kind="address_change_notice",
        key=f"address-change:{change.pk}:notice",
        object_id=change.pk,
    )
    message_schedule(
        recipient=user,
        kind="address_change_confirm",
        key=f"address-change:{change.pk}:confirm",
        object_id=change.pk,
    )
    _identity_changed(user_id=user.pk, actor=by, detail=LABEL_ADDRESS, notify=False)
    return change


def address_change_for_token(*, user: User, token: str) -> AddressChange:
    """The person's own pending change the link names; AddressChange.DoesNotExist for a
    link that is bad, expired, replaced, someone else's or already used (the view: 404)."""
    try:
        data = signing.loads(token, salt=ADDRESS_TOKEN_SALT, max_age=ADDRESS_TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise AddressChange.DoesNotExist from None
    if not isinstance(data, dict) or not isinstance(data.get("c"), int):
        raise AddressChange.DoesNotExist
    change = AddressChange.objects.filter(
        pk=data["c"], user_id=user.pk, status=AddressChange.Status.PENDING
    ).first()
    if change is None or change.new_email != data.get("e"):
        raise AddressChange.DoesNotExist
    return change


@transaction.atomic
def account_address_change_confirm(*, user: User, token: str) -> AddressChange:
    """The person, signed in, opened the link sent to the new address: it becomes their
    sign-in address (and username, when that followed the address), and the old one stops.

    Both halves are needed: the signed-in session proves the person, the link proves the
    new mailbox. Raises AddressChange.DoesNotExist for any link that is not the person's
    pending change, ValidationError when the address has been taken since.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    change = address_change_for_token(user=user, token=token)
    if address_taken(email=change.new_email, user=user):
        raise ValidationError(
            "This e-mail address is now used by another account; ask HR.", code="address_taken"
        )
    old = user.email
    user.email = change.new_email
    fields = ["email"]
    if user.username.casefold() == old.casefold():
        user.username = change.new_email.lower()
        fields.append("username")
    user.save(update_fields=fields)
    # A change asked for in the admin's user form: the directory follows the account.
    Employee.objects.filter(user=user, email__iexact=old).update(email=change.new_email)
    change.status, change.decided_at = AddressChange.Status.CONFIRMED, timezone.now()
    change.save(update_fields=["status", "decided_at"])
    _identity_changed(user_id=user.pk, actor=user, detail=LABEL_ADDRESS_CONFIRMED, notify=True)
    return change


@transaction.atomic
def account_address_change_cancel(*, user: User) -> bool:
    """The person turns down the pending change: their address stays as it is."""
    updated = AddressChange.objects.filter(user=user, status=AddressChange.Status.PENDING).update(
        status=AddressChange.Status.CANCELLED, decided_at=timezone.now()
    )
    if updated:
        _identity_changed(user_id=user.pk, actor=user, detail=LABEL_ADDRESS_WITHDRAWN, notify=False)
    return bool(updated)


@transaction.atomic
def account_password_set(*, user: User, by: User, password: str) -> None:
    """Set a password: the person's own, never anyone else's (F12). Used by the password
    change page (signed in) and the reset link (which proves the confirmed mailbox)."""
    if by.pk != user.pk:
        raise PermissionDenied("Nobody sets another person's password.")
    user.set_password(password)
    user.save(update_fields=["password"])
    _identity_changed(user_id=user.pk, actor=by, detail=LABEL_PASSWORD, notify=True)


def account_password_reset_ask(*, email: str) -> None:
    """The "Forgot your password?" form: write the request and hand it to a worker, no more.

    The same single insert whether or not an account has the address, so the answer's time
    and queries reveal nothing (the lookup runs in `password_reset_lookup`, in a worker).
    """
    from people.tasks import password_reset_lookup as lookup_task

    with transaction.atomic():
        asked = PasswordResetRequest.objects.create(email=email.strip()[:254])
        transaction.on_commit(partial(lookup_task.delay, asked.pk))


@transaction.atomic
def password_reset_lookup(*, request_id: int) -> int:
    """Look a reset request up and delete it: an active account whose confirmed address it
    is (any letter case; a pending address never counts) gets a reset message, sent to that
    confirmed address. Accounts without a usable password are included: it is how imported
    employees choose their first one. Returns how many messages were scheduled."""
    asked = PasswordResetRequest.objects.select_for_update().filter(pk=request_id).first()
    if asked is None:
        return 0
    email = asked.email
    asked.delete()
    users = [
        user
        for user in User.objects.filter(email__iexact=email, is_active=True)
        if constant_time_compare(email.casefold(), (user.email or "").casefold())
    ]
    for user in users:
        message_schedule(recipient=user, kind="password_reset", key=f"password-reset:{request_id}")
    return len(users)


def password_resets_lookup_overdue(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """The sweep's backstop for a lookup task that never ran (the broker lost it)."""
    overdue = PasswordResetRequest.objects.filter(
        created_at__lte=timezone.now() - older_than
    ).values_list("pk", flat=True)[:500]
    return sum(password_reset_lookup(request_id=pk) for pk in list(overdue))


@transaction.atomic
def account_password_link_send(*, user: User, by: User) -> bool:
    """An HR admin's only way to help with a password: a reset link sent to the person's
    confirmed address, which they alone read. False for an inactive account."""
    import secrets

    if not user.is_active:
        return False
    message_schedule(
        recipient=user,
        kind="password_reset",
        key=f"password-link:{by.pk}:{secrets.token_hex(8)}",
    )
    _identity_changed(user_id=user.pk, actor=by, detail=LABEL_PASSWORD_LINK, notify=False)
    return True


@transaction.atomic
def account_create(*, user: User, by: User) -> User:
    """Make an account in the admin (an administrator outside the directory). It gets no
    usable password: the link sent to its address lets its owner choose one (F12)."""
    user.email = user.email.strip()
    user.username = user.email.lower()
    if address_taken(email=user.email):
        raise ValidationError(
            "This e-mail address is already used by another account.", code="address_taken"
        )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    message_schedule(recipient=user, kind="password_reset", key=f"account-created:{user.pk}")
    _identity_changed(user_id=user.pk, actor=by, detail=LABEL_CREATED, notify=False)
    return user


@transaction.atomic
def account_deactivate(*, user: User, by: User | None) -> bool:
    """Turn an account (and its directory entry) off at once: it signs nobody in any more,
    and its sessions end with their next request. Returns whether it was on."""
    Employee.objects.filter(user_id=user.pk).update(is_active=False)
    if not User.objects.filter(pk=user.pk, is_active=True).update(is_active=False):
        return False
    user.is_active = False
    _identity_changed(user_id=user.pk, actor=by, detail=LABEL_ACTIVE, notify=False)
    return True


@transaction.atomic
def account_reactivation_ask(
    *, user: User, by: User | None, from_import: bool = False
) -> ReactivationRequest | None:
    """Ask to turn an inactive account on again; a different HR admin must approve.

    An account that can no longer confirm anything (it cannot sign in) must not be given
    back on one person's word: one asks, another approves (`account_reactivation_approve`).
    The import asks in the name of who uploaded the file, or of nobody from the command
    line: then an HR admin must ask before a second one can approve. Returns the pending
    request (None for an account that is already active).
    """
    if by is not None and not by.has_perm(ASK_REACTIVATION):
        if not from_import:
            raise PermissionDenied("Only HR admins ask to re-enable an account.")
        by = None
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return None
    pending = ReactivationRequest.objects.filter(
        user=user, status=ReactivationRequest.Status.PENDING
    ).first()
    if pending is not None:
        if pending.requested_by_id is None and by is not None:
            pending.requested_by = by
            pending.save(update_fields=["requested_by"])
            _identity_changed(
                user_id=user.pk, actor=by, detail=LABEL_REACTIVATION_ASKED, notify=False
            )
        return pending
    asked = ReactivationRequest.objects.create(user=user, requested_by=by, from_import=from_import)
    _identity_changed(user_id=user.pk, actor=by, detail=LABEL_REACTIVATION_ASKED, notify=False)
    return asked


@transaction.atomic
def account_reactivation_approve(*, request_id: int, by: User) -> User:
    """The second HR admin's approval: the account (and its directory entry) is on again,
    and the person is told. Refused, with a reason, for the admin who asked, for a request
    nobody has asked for yet (the import's from the command line), and for one no longer
    pending."""
    if not by.has_perm(APPROVE_REACTIVATION):
        raise PermissionDenied("Only HR admins approve re-enabling an account.")
    asked = (
        ReactivationRequest.objects.select_for_update()
        .filter(pk=request_id, status=ReactivationRequest.Status.PENDING)
        .first()
    )
    if asked is None:
        raise ValidationError("This request is no longer waiting for approval.", code="decided")
    if asked.requested_by_id is None:
        raise ValidationError(
            "The HRIS import asked for this: an HR admin must ask to re-enable the account "
            "first, and a different one approve.",
            code="nobody_asked",
        )
    if asked.requested_by_id == by.pk:
        raise ValidationError(
            "You asked to re-enable this account yourself: a different HR admin must approve it.",
            code="same_admin",
        )
    user = User.objects.select_for_update().get(pk=asked.user_id)
    user.is_active = True
    user.save(update_fields=["is_active"])
    Employee.objects.filter(user=user).update(is_active=True)
    asked.status, asked.approved_by, asked.decided_at = (
        ReactivationRequest.Status.APPROVED,
        by,
        timezone.now(),
    )
    asked.save(update_fields=["status", "approved_by", "decided_at"])
    _identity_changed(user_id=user.pk, actor=by, detail=LABEL_ACTIVE, notify=True)
    return user


@transaction.atomic
def account_flags_set(*, user: User, by: User, is_staff: bool, is_superuser: bool) -> list[str]:
    """Set the staff and superuser flags; each change is logged and told to the person.
    Only a superuser makes another one. Returns the labels of what changed."""
    if is_superuser and not by.is_superuser:
        raise PermissionDenied("Only a superuser makes another superuser.")
    user = User.objects.select_for_update().get(pk=user.pk)
    changed = []
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        changed.append(LABEL_STAFF)
    if user.is_superuser != is_superuser:
        user.is_superuser = is_superuser
        changed.append(LABEL_SUPERUSER)
    if changed:
        user.save(update_fields=["is_staff", "is_superuser"])
    for label in changed:
        _identity_changed(user_id=user.pk, actor=by, detail=label, notify=True)
    return changed


@transaction.atomic
def account_access_set(
    *, user: User, by: User, groups: Iterable[Group], permissions: Iterable[Permission]
) -> list[str]:
    """Set the account's groups and direct permissions; each change is logged and told to
    the person. Returns the labels of what changed."""
    changed = []
    wanted_groups = {g.pk for g in groups}
    if set(user.groups.values_list("pk", flat=True)) != wanted_groups:
        user.groups.set(wanted_groups)
        changed.append(LABEL_GROUPS)
    wanted_permissions = {p.pk for p in permissions}
    if set(user.user_permissions.values_list("pk", flat=True)) != wanted_permissions:
        user.user_permissions.set(wanted_permissions)
        changed.append(LABEL_PERMISSIONS)
    for label in changed:
        _identity_changed(user_id=user.pk, actor=by, detail=label, notify=True)
    return changed


@dataclass
class AccountUpdate:
    """What an admin's edit of an account did, for the admin's messages."""

    changed: list[str] = field(default_factory=list)
    address_change: AddressChange | None = None
    reactivation: ReactivationRequest | None = None


@transaction.atomic
def account_update(
    *,
    user: User,
    by: User,
    first_name: str,
    last_name: str,
    email: str,
    is_active: bool,
    is_staff: bool,
    is_superuser: bool,
) -> AccountUpdate:
    """The admin's account form: names are saved; everything that makes the account who it
    is goes through its own service above (a new address is only asked for, turning on
    needs a second HR admin, flags are logged). Username and password are not editable."""
    done = AccountUpdate()
    locked = User.objects.select_for_update().get(pk=user.pk)
    if (locked.first_name, locked.last_name) != (first_name, last_name):
        locked.first_name, locked.last_name = first_name, last_name
        locked.save(update_fields=["first_name", "last_name"])
    done.changed += account_flags_set(
        user=locked, by=by, is_staff=is_staff, is_superuser=is_superuser
    )
    if email.casefold() != locked.email.casefold():
        done.address_change = account_address_change_request(
            user=locked, by=by, new_email=email, source=AddressChange.Source.ADMIN
        )
    if locked.is_active and not is_active:
        account_deactivate(user=locked, by=by)
        done.changed.append(LABEL_ACTIVE)
    elif is_active and not locked.is_active:
        done.reactivation = account_reactivation_ask(user=locked, by=by)
    return done
