"""Demo talent reviews for North Bank: a "2027 mid-year" cycle with panels, including one
where the subject's mentor was kept off the panel and is on its recusal list."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from people.demo import demo_employee
from people.models import Employee
from reviews import services
from reviews.models import TalentReview


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

    # Samuel (the demo mentoree) is reviewed; his mentor Helena is kept off the panel.
    review = services.review_create(
        by=reviewer, subject=mentoree, cycle=cycle, scheduled_on=today + timedelta(days=21)
    )
    manager = mentoree.manager
    for member in [m for m in (manager, committee, executive) if m is not None]:
        services.seat_add(review=review, member=member, by=reviewer)
    # Refused in neutral words and listed as recused: the point of the demo.
    with contextlib.suppress(ValidationError):
        services.seat_add(review=review, member=mentor, by=reviewer)

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
        for member in [m for m in (subject.manager, committee) if m is not None]:
            services.seat_add(review=other, member=member, by=reviewer)
    return True
