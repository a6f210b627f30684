"""The HRIS CSV import: an export of the directory checked row by row and across rows, then
applied all or nothing, with the report of what it did (`ImportResult`).

The same checks and the same application serve the command line (`employee_import_csv`)
and the upload's background job (`people.hris_jobs`). The file never changes how an
existing person signs in (F12): it only asks, through `people.accounts`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower

from people.accounts import (
    LABEL_ACTIVE,
    account_address_change_request,
    account_reactivation_ask,
    identity_change_announce,
)
from people.hris_guard import uploader_problems
from people.models import AddressChange, Employee, User

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
# see `apply`.
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


class NotUtf8(Exception):
    """The file is not UTF-8 text; `lines` are the first (up to 20) lines that are not."""

    def __init__(self, lines: list[int]):
        self.lines = lines


def read_text(file: IO[bytes] | IO[str] | bytes | str) -> str:
    """The file's text, without a byte-order mark; NotUtf8 for bytes that are not UTF-8."""
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
            raise NotUtf8(bad[:20]) from None
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


def check_file(rows: list[_Row], errors: list[RowError], numbers_in_file: set[str]) -> None:
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
        text = read_text(file)
    except NotUtf8 as exc:
        result.errors.extend(
            RowError(line, "this line is not UTF-8 text; export the file as CSV UTF-8")
            for line in exc.lines
        )
        return result
    rows, _ = validate(text, result.errors)
    if not result.errors:
        result.errors.extend(RowError(*problem) for problem in uploader_problems(rows, by))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            apply(rows, result, by)
    except IntegrityError as exc:
        result.errors.append(
            RowError(0, f"the directory refused the change ({exc.__class__.__name__})")
        )
        result.created = result.updated = result.unchanged = 0
    result.errors.sort(key=lambda e: e.line)
    return result


def validate(
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
    check_file(rows, errors, numbers_in_file)
    errors.sort(key=lambda e: e.line)
    return rows, numbers_in_file


def apply(rows: list[_Row], result: ImportResult, by: User | None = None) -> None:
    """Write checked rows to the directory and count them in `result`; the caller holds the
    transaction. New sign-in addresses and accounts to re-enable are only asked for (F12)."""
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
        identity_change_announce(user_id=user.pk, actor=by, detail=LABEL_ACTIVE, notify=False)
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
