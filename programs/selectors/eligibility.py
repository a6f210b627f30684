"""Whether an employee may apply to a program, and if not, why in words."""

from __future__ import annotations

from datetime import date

from django.conf import settings

from people.models import Employee
from programs.models import (
    Application,
    Program,
)


def apply_refusal(*, employee: Employee, program: Program, role: str, today: date) -> str:
    """Why this person cannot apply in this role now, in plain words; '' when they can."""
    if program.status != Program.Status.ACCEPTING:
        return "This program is not accepting applications."
    if today < program.applications_open_on:
        return f"Applications open on {program.applications_open_on:%d %B %Y}."
    if today > program.applications_close_on:
        return f"Applications closed on {program.applications_close_on:%d %B %Y}."
    if not employee.is_active:
        return "Only active employees can apply."
    if role not in Application.Role.values:
        return "Apply as a mentor or as a mentoree."
    if role == Application.Role.MENTOR:
        if not program.has_mentors:
            return "This is a group program: participants join sessions led by executives."
        if employee.level >= settings.GROUP_ONLY_LEVEL:
            return (
                "At your level you do not mentor one person: you lead group mentoring "
                "sessions instead, so that no single mentoree's career depends on your view. "
                "Ask the program coordinator to schedule a session for you."
            )
        if employee.level < program.min_mentor_level:
            return f"Mentors in this program are at grade {program.min_mentor_level} or above."
    if role == Application.Role.MENTOREE and employee.level > program.max_mentoree_level:
        return f"Mentorees in this program are at grade {program.max_mentoree_level} or below."
    if (
        Application.objects.filter(program=program, applicant=employee)
        .exclude(status=Application.Status.WITHDRAWN)
        .exists()
    ):
        return "You have already applied to this program."
    return ""


def is_admitted(*, employee: Employee, program: Program) -> bool:
    return Application.objects.filter(
        program=program, applicant=employee, status=Application.Status.ADMITTED
    ).exists()
