"""Writes to the directory: the HRIS CSV import and role membership."""

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

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from people.models import (
    CalendarFeed,
    Employee,
    EmployeeImport,
    Message,
    MessageOptOut,
    Notification,
    User,
)
from people.roles import HR_ADMINS, ROLE_PERMISSIONS

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
_USER_FIELDS = ["username", "email", "first_name", "last_name", "is_active"]
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

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} error(s); nothing was saved."
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged."


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
    # Accounts outside the directory (an admin, a superuser) own their address and username
    # in any letter case.
    account_emails = set()
    for email, username in (
        User.objects.annotate(lower_email=Lower("email"), lower_username=Lower("username"))
        .filter(Q(lower_email__in=emails) | Q(lower_username__in=emails), employee__isnull=True)
        .values_list("email", "username")
    ):
        account_emails.update({email.lower(), username.lower()})
    for row in rows:
        holder = holder_of_email.get(row.email)
        if holder is not None and holder != row.number:
            errors.append(
                RowError(row.line, f"e-mail address {row.email} belongs to employee {holder}")
            )
        elif row.email in account_emails:
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
def employee_import_csv(*, file: IO[bytes] | IO[str] | bytes | str) -> ImportResult:
    """Create and update employees from an HRIS CSV export, keyed by employee number.

    All or nothing: every row is checked first (each error named with its line), and if any
    row is bad nothing is saved. Managers may appear in any row order. New employees get an
    account with no usable password (they set one through "forgot password"); an inactive
    employee's account cannot sign in.
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
            _apply(rows, result)
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


def _apply(rows: list[_Row], result: ImportResult) -> None:
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
    for row in rows:
        employee = existing.get(row.number)
        if employee is None:
            continue
        before = [getattr(employee, name) for name in _EMPLOYEE_FIELDS]
        for name in _EMPLOYEE_FIELDS:
            setattr(employee, name, getattr(row, name))
        user = employee.user
        user_before = [getattr(user, name) for name in _USER_FIELDS]
        user.username, user.email = row.email, row.email
        user.first_name, user.last_name, user.is_active = (
            row.first_name,
            row.last_name,
            row.is_active,
        )
        if before != [getattr(employee, name) for name in _EMPLOYEE_FIELDS]:
            changed_employees.append(employee)
        if user_before != [getattr(user, name) for name in _USER_FIELDS]:
            changed_users.append(user)
    User.objects.bulk_update(changed_users, _USER_FIELDS, batch_size=1000)
    Employee.objects.bulk_update(changed_employees, _EMPLOYEE_FIELDS, batch_size=1000)

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
                _apply(rows, result)
                locked.status = Status.DONE
                locked.created, locked.updated, locked.unchanged = (
                    result.created,
                    result.updated,
                    result.unchanged,
                )
                locked.errors = []
                locked.finished_at = timezone.now()
                locked.save(
                    update_fields=[
                        "status",
                        "created",
                        "updated",
                        "unchanged",
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
def user_add_to_role(*, user: User, role: str) -> None:
    """Put a user in a company-wide role. HR admins get the admin site, never superuser."""
    if role not in ROLE_PERMISSIONS:
        raise ValueError(f"unknown role {role!r}")
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    if role == HR_ADMINS and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


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
