"""The HRIS import in the browser: an uploaded file becomes a job row that a background task
checks and applies (`people.hris`, all or nothing) while the admin shows its progress.
"""

from __future__ import annotations

import csv
import io
import logging
import os
from typing import IO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.dispatch import task_on_commit
from people import hris
from people.hris import ImportResult, RowError
from people.hris_guard import uploader_problems
from people.models import EmployeeImport, User

# How many rows the background import checks between two writes of its progress.
PROGRESS_EVERY = 200

logger = logging.getLogger(__name__)

_UNEXPECTED = (
    "the import stopped on an unexpected error; nothing was saved. Try again, or ask an operator"
)


def _count_rows(text: str) -> int:
    """Rows below the header, as `hris.validate` reads them (csv records; blank lines skipped)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    return sum(1 for record in reader if record)


def employee_import_start(*, by: User, file: IO[bytes] | IO[str] | bytes | str) -> EmployeeImport:
    """Queue an uploaded HRIS file for import by a background task; returns the job.

    Only a file that cannot be an export at all is refused here (not UTF-8 text, empty, not
    CSV), with a ValidationError and nothing saved; every row is checked by the task. The
    task is dispatched once the job row is committed, so a worker always finds it.
    """
    try:
        text = hris.read_text(file)
    except hris.NotUtf8 as exc:
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
        task_on_commit("people.employee_import_run", job.pk)
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
    rows, numbers_in_file = hris.validate(job.csv_text, errors, progress)
    if not errors:
        errors.extend(RowError(*p) for p in uploader_problems(rows, job.uploaded_by))
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
            hris.check_file(rows, result.errors, numbers_in_file)
            if not result.errors:
                result.errors.extend(
                    RowError(*p) for p in uploader_problems(rows, locked.uploaded_by)
                )
            if result.errors:
                result.errors.sort(key=lambda e: e.line)
            else:
                hris.apply(rows, result, locked.uploaded_by)
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
