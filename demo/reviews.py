"""Demo talent reviews for North Bank: a "2027 mid-year" cycle with panels, including one
where the subject's mentor and a committee member who read his application were kept off the
panel and are on its recusal list. No panel holds a mentoring-side relation of its subject."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from demo.people import demo_employee
from firewall.register import conflicted_people
from people.models import Employee
from people.roles import HR_ADMINS, TALENT_TEAM
from reviews import services
from reviews.models import TalentReview


def _neutral_members(subject: Employee, wanted: int, exclude: set[int]) -> list[Employee]:
    """Senior people with no mentoring-side relation to the subject (F11): the register is
    asked, so the demo never seats a mentor, coordinator, committee member or session leader
    of the subject."""
    candidates = list(
        Employee.objects.filter(level__in=(7, 8), is_active=True, user__isnull=False)
        .exclude(pk__in=exclude | {subject.pk})
        .exclude(user__groups__name__in=[TALENT_TEAM, HR_ADMINS])
        .order_by("number")[:40]
    )
    blocked = conflicted_people(subject_id=subject.pk, person_ids=[c.pk for c in candidates])
    return [c for c in candidates if c.pk not in blocked][:wanted]


@transaction.atomic
def load_demo_reviews() -> bool:
    if TalentReview.objects.exists():
        return False
    reviewer = demo_employee("reviewer").user
    committee = demo_employee("committee")
    mentor, mentoree = demo_employee("mentor"), demo_employee("mentoree")
    executive = demo_employee("executive")
    today = timezone.localdate()
    cycle = "2027 mid-year"
    named = {committee.pk, mentor.pk, mentoree.pk, executive.pk}

    # Samuel (the demo mentoree) is reviewed by his manager and two directors with no
    # mentoring-side relation to him. His mentor Helena and Arjun, who sat on the committee
    # that read his application, are kept off the panel (F3, F11): the point of the demo.
    review = services.review_create(
        by=reviewer, subject=mentoree, cycle=cycle, scheduled_on=today + timedelta(days=21)
    )
    manager = mentoree.manager
    panel = [manager] if manager is not None and manager.pk not in named else []
    panel += _neutral_members(mentoree, 3 - len(panel), named | {p.pk for p in panel})
    for member in panel:
        services.seat_add(review=review, member=member, by=reviewer)
    for kept_off in (mentor, committee):
        # Refused in neutral words and listed as recused.
        with contextlib.suppress(ValidationError):
            services.seat_add(review=review, member=kept_off, by=reviewer)

    # Two more reviews of the cycle with their panels.
    others = (
        Employee.objects.filter(level__in=(5, 6), is_active=True, department="Operations")
        .exclude(pk__in=[mentor.pk, mentoree.pk])
        .order_by("number")[:2]
    )
    for subject in others:
        other = services.review_create(
            by=reviewer, subject=subject, cycle=cycle, scheduled_on=today + timedelta(days=28)
        )
        panel = [subject.manager] if subject.manager is not None else []
        blocked = conflicted_people(subject_id=subject.pk, person_ids=[p.pk for p in panel])
        panel = [p for p in panel if p.pk not in blocked and p.pk not in named]
        panel += _neutral_members(subject, 2 - len(panel), named | {p.pk for p in panel})
        for member in panel:
            services.seat_add(review=other, member=member, by=reviewer)
    return True
