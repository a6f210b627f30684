"""The conflict-of-interest register: where mentoring and assessment meet without seeing
each other (F3).

Keyed on people alone. `pairings` writes that A mentors B; `reviews` writes that A assesses B
on an open review. Each side asks one yes-or-no question and locks the same ConflictKey row
while it writes, so the two can never both succeed for the same two people. This module
imports neither side, and it is the only part of `confidentiality` that `reviews` may import
(an import-linter contract holds that). It never says why there is a conflict.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from confidentiality.models import AccessEvent, ConflictEntry, ConflictKey

NEUTRAL_MESSAGE = "has a declared conflict of interest with the subject"


def _locked_key(person_id: int, subject_id: int) -> ConflictKey:
    """The register row for these two people, created if needed, locked until commit."""
    try:
        with transaction.atomic():
            ConflictKey.objects.get_or_create(person_id=person_id, subject_id=subject_id)
    except IntegrityError:
        pass  # created concurrently by the other side: it exists now
    return ConflictKey.objects.select_for_update().get(person_id=person_id, subject_id=subject_id)


def _conflict_q() -> Q:
    """Mentoring (current, or ended within the look-back) and declarations are conflicts."""
    lookback = settings.CONFLICT_LOOKBACK_DAYS
    mentoring = Q(kind=ConflictEntry.Kind.MENTORING)
    if lookback is not None:
        since = timezone.now() - timedelta(days=lookback)
        mentoring &= Q(ended_at__isnull=True) | Q(ended_at__gte=since)
    return mentoring | Q(kind=ConflictEntry.Kind.DECLARED)


def has_conflict(*, person_id: int, subject_id: int) -> bool:
    """Yes or no: may this person not assess that subject? Never says why."""
    return ConflictEntry.objects.filter(
        _conflict_q(), key__person_id=person_id, key__subject_id=subject_id
    ).exists()


def conflicted_people(*, subject_id: int, person_ids: list[int]) -> set[int]:
    """Which of these people have a conflict with the subject (one query, for lists)."""
    return set(
        ConflictEntry.objects.filter(
            _conflict_q(), key__subject_id=subject_id, key__person_id__in=person_ids
        ).values_list("key__person_id", flat=True)
    )


@transaction.atomic
def assessment_hold(
    *, person_id: int, subject_id: int, seat_id: int, actor=None, request_id: str = ""
) -> bool:
    """Reviews asks: may this person assess the subject? If yes, the register notes the open
    assessment under the same lock and answers True. If no, it records the refused attempt
    (an access event, no reason given) and answers False."""
    key = _locked_key(person_id, subject_id)
    if key.entries.filter(_conflict_q()).exists():
        AccessEvent.objects.create(
            actor=actor if actor is not None and actor.is_authenticated else None,
            actor_label=(
                f"{actor.get_full_name() or actor.username} (user {actor.pk})"
                if actor is not None and actor.is_authenticated
                else "system"
            ),
            action=AccessEvent.Action.RECUSAL,
            object_type="panel seat",
            object_id=None,
            outcome=AccessEvent.Outcome.REFUSED,
            request_id=request_id,
        )
        return False
    ConflictEntry.objects.create(key=key, kind=ConflictEntry.Kind.ASSESSING, reference=seat_id)
    return True


@transaction.atomic
def assessment_release(*, seat_ids: list[int]) -> None:
    """A seat was removed or its review concluded: the assessment is no longer open."""
    ConflictEntry.objects.filter(
        kind=ConflictEntry.Kind.ASSESSING, reference__in=seat_ids, ended_at__isnull=True
    ).update(ended_at=timezone.now())


@transaction.atomic
def mentoring_hold(*, mentor_id: int, mentoree_id: int) -> bool:
    """Pairings asks: may this mentor be paired with the mentoree? No while the mentor sits
    on an open review of the mentoree. If yes, the mentoring is recorded under the lock."""
    key = _locked_key(mentor_id, mentoree_id)
    if key.entries.filter(kind=ConflictEntry.Kind.ASSESSING, ended_at__isnull=True).exists():
        return False
    ConflictEntry.objects.create(key=key, kind=ConflictEntry.Kind.MENTORING)
    return True


def open_assessment_exists(*, mentor_id: int, mentoree_id: int) -> bool:
    return ConflictEntry.objects.filter(
        key__person_id=mentor_id,
        key__subject_id=mentoree_id,
        kind=ConflictEntry.Kind.ASSESSING,
        ended_at__isnull=True,
    ).exists()


def open_assessments(*, person_ids: list[int], subject_ids: list[int]) -> set[tuple[int, int]]:
    """(person, subject) pairs among these where the person sits on an open review of the
    subject: pairs that matching must not propose. One query."""
    return set(
        ConflictEntry.objects.filter(
            kind=ConflictEntry.Kind.ASSESSING,
            ended_at__isnull=True,
            key__person_id__in=person_ids,
            key__subject_id__in=subject_ids,
        ).values_list("key__person_id", "key__subject_id")
    )


@transaction.atomic
def mentoring_end(*, mentor_id: int, mentoree_id: int) -> None:
    """The pairing ended: the record stays (the look-back counts from here)."""
    ConflictEntry.objects.filter(
        key__person_id=mentor_id,
        key__subject_id=mentoree_id,
        kind=ConflictEntry.Kind.MENTORING,
        ended_at__isnull=True,
    ).update(ended_at=timezone.now())


@transaction.atomic
def conflict_declare(*, person_id: int, subject_id: int, by=None) -> ConflictEntry:
    """HR declares a conflict by hand (e.g. a former mentor from outside the app)."""
    key = _locked_key(person_id, subject_id)
    return ConflictEntry.objects.create(key=key, kind=ConflictEntry.Kind.DECLARED, declared_by=by)
