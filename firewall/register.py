"""The conflict-of-interest register: where mentoring and assessment meet without seeing
each other (F3, F11).

Keyed on people alone. The mentoring side writes that A mentors B, coordinates or sits on the
committee of a program B applied to, or leads a group session B registered for; HR declares
conflicts by hand. The assessment side writes that A sits on, or runs, an open review of B.
Each side asks one yes-or-no question and locks the same ConflictKey rows while it writes, so
a mentoring-side role and an assessment of the same two people can never both be taken,
however the requests interleave. This module imports neither side, and it is the only part of
`confidentiality` that `reviews` may import (an import-linter contract holds that). It never
says why there is a conflict.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Q
from django.utils import timezone

from firewall.access import actor_label
from firewall.models import AccessEvent, ConflictEntry, ConflictKey

Kind = ConflictEntry.Kind

NEUTRAL_MESSAGE = "has a declared conflict of interest with the subject"
NEUTRAL_PROGRAM_MESSAGE = "has a declared conflict of interest with a participant of this program"

# Mentoring-side knowledge of the subject: keeps the holder off every review of the subject.
MENTORING_SIDE = (Kind.MENTORING, Kind.COORDINATING, Kind.COMMITTEE, Kind.LEADING)
# An open assessment of the subject: keeps the holder from any mentoring-side role towards them.
ASSESSMENT_SIDE = (Kind.ASSESSING, Kind.RUNNING)


def _locked_keys(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], ConflictKey]:
    """The register rows for these (person, subject) pairs, created where missing and locked
    until commit, always in the same order (by person, then subject) so that two writers
    locking overlapping sets cannot deadlock."""
    wanted = sorted(set(pairs))
    if not wanted:
        return {}
    ConflictKey.objects.bulk_create(
        [ConflictKey(person_id=p, subject_id=s) for p, s in wanted], ignore_conflicts=True
    )
    by_person: dict[int, list[int]] = {}
    for person_id, subject_id in wanted:
        by_person.setdefault(person_id, []).append(subject_id)
    condition = Q()
    for person_id, subject_ids in by_person.items():
        condition |= Q(person_id=person_id, subject_id__in=subject_ids)
    keys = (
        ConflictKey.objects.select_for_update()
        .filter(condition)
        .order_by("person_id", "subject_id")
    )
    return {(k.person_id, k.subject_id): k for k in keys}


def _locked_key(person_id: int, subject_id: int) -> ConflictKey:
    return _locked_keys([(person_id, subject_id)])[(person_id, subject_id)]


def _conflict_q(prefix: str = "") -> Q:
    """Mentoring-side relations (current, or ended within the look-back) and declarations."""
    lookback = settings.CONFLICT_LOOKBACK_DAYS
    side = Q(**{f"{prefix}kind__in": MENTORING_SIDE})
    if lookback is not None:
        since = timezone.now() - timedelta(days=lookback)
        side &= Q(**{f"{prefix}ended_at__isnull": True}) | Q(**{f"{prefix}ended_at__gte": since})
    return side | Q(**{f"{prefix}kind": Kind.DECLARED})


def _open_assessment_q() -> Q:
    return Q(kind__in=ASSESSMENT_SIDE, ended_at__isnull=True)


def has_conflict(*, person_id: int, subject_id: int) -> bool:
    """Yes or no: may this person not assess that subject? Never says why."""
    return ConflictEntry.objects.filter(
        _conflict_q(), key__person_id=person_id, key__subject_id=subject_id
    ).exists()


def conflict_exists(*, person: Any, subject: Any) -> Exists:
    """An expression for querysets: does this person have a conflict with that subject?
    (Either is usually an `OuterRef` to the row's column.) Always false for a person outside
    the directory (None), who cannot hold a relation."""
    return Exists(
        ConflictEntry.objects.filter(
            _conflict_q(), key__person_id=0 if person is None else person, key__subject_id=subject
        )
    )


def conflicted_people(*, subject_id: int, person_ids: list[int]) -> set[int]:
    """Which of these people have a conflict with the subject (one query, for lists)."""
    return set(
        ConflictEntry.objects.filter(
            _conflict_q(), key__subject_id=subject_id, key__person_id__in=person_ids
        ).values_list("key__person_id", flat=True)
    )


def refusal_record(*, actor, object_type: str, request_id: str = "") -> None:
    """The refused attempt, as an access event: who and when, never why (F8)."""
    AccessEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label(actor),
        action=AccessEvent.Action.RECUSAL,
        object_type=object_type,
        object_id=None,
        outcome=AccessEvent.Outcome.REFUSED,
        request_id=request_id,
    )


@transaction.atomic
def assessment_hold(
    *,
    person_id: int,
    subject_id: int,
    seat_id: int | None = None,
    review_id: int | None = None,
    actor=None,
    request_id: str = "",
) -> bool:
    """Reviews asks: may this person assess the subject, by taking a panel seat (`seat_id`) or
    by running the review (`review_id`: creating, moving or concluding it)? If yes, the
    register notes the open assessment under the same lock and answers True. If no, it
    records the refused attempt (an access event, no reason given) and answers False."""
    key = _locked_key(person_id, subject_id)
    if key.entries.filter(_conflict_q()).exists():
        refusal_record(
            actor=actor,
            object_type="panel seat" if seat_id is not None else "talent review",
            request_id=request_id,
        )
        return False
    if seat_id is not None:
        ConflictEntry.objects.create(key=key, kind=Kind.ASSESSING, reference=seat_id)
    elif not key.entries.filter(kind=Kind.RUNNING, reference=review_id, ended_at__isnull=True):
        ConflictEntry.objects.create(key=key, kind=Kind.RUNNING, reference=review_id)
    return True


@transaction.atomic
def assessment_release(*, seat_ids: Iterable[int] = (), review_id: int | None = None) -> None:
    """Seats were removed or a review concluded: those assessments are no longer open."""
    now = timezone.now()
    ConflictEntry.objects.filter(
        kind=Kind.ASSESSING, reference__in=list(seat_ids), ended_at__isnull=True
    ).update(ended_at=now)
    if review_id is not None:
        ConflictEntry.objects.filter(
            kind=Kind.RUNNING, reference=review_id, ended_at__isnull=True
        ).update(ended_at=now)


@transaction.atomic
def role_hold(
    *,
    kind: str,
    person_id: int,
    subject_ids: Iterable[int],
    reference: int,
    actor=None,
    request_id: str = "",
) -> bool:
    """The mentoring side asks: may this person take a role (coordinator, committee member,
    session leader) towards these subjects (the program's applicants, the session's
    registrants)? No while the person sits on or runs an open review of any of them: the
    refused attempt is recorded, no reason given. If yes, each relation is recorded under
    the same locks the reviews side takes."""
    _check_role_kind(kind)
    subjects = sorted({s for s in subject_ids if s != person_id})
    keys = _locked_keys((person_id, s) for s in subjects)
    if ConflictEntry.objects.filter(_open_assessment_q(), key__in=keys.values()).exists():
        refusal_record(actor=actor, object_type="program role", request_id=request_id)
        return False
    _relations_add(kind=kind, keys=list(keys.values()), reference=reference)
    return True


def role_conflicts(*, person_id: int, subject_ids: Iterable[int]) -> bool:
    """Read-only: does this person sit on or run an open review of any of these subjects?
    (For a form that checks before it writes; the write itself asks `role_hold`.)"""
    return ConflictEntry.objects.filter(
        _open_assessment_q(), key__person_id=person_id, key__subject_id__in=list(subject_ids)
    ).exists()


@transaction.atomic
def relations_record(*, kind: str, person_ids: Iterable[int], subject_id: int, reference: int):
    """The subject's own act (applying to a program, registering for a session) makes each
    role holder a mentoring-side relation of the subject. Never refused: nobody's
    participation waits on an assessor; an assessor who becomes a relation is from then on
    out of the subject's reviews (the reviews side asks the register on every read)."""
    _check_role_kind(kind)
    keys = _locked_keys((p, subject_id) for p in set(person_ids) if p != subject_id)
    _relations_add(kind=kind, keys=list(keys.values()), reference=reference)


def _check_role_kind(kind: str) -> None:
    if kind not in (Kind.COORDINATING, Kind.COMMITTEE, Kind.LEADING):
        raise ValueError(f"not a program role: {kind}")


def _relations_add(*, kind: str, keys: list[ConflictKey], reference: int) -> None:
    already = set(
        ConflictEntry.objects.filter(
            key__in=keys, kind=kind, reference=reference, ended_at__isnull=True
        ).values_list("key_id", flat=True)
    )
    ConflictEntry.objects.bulk_create(
        ConflictEntry(key=key, kind=kind, reference=reference)
        for key in keys
        if key.pk not in already
    )


@transaction.atomic
def role_end(*, kind: str, person_id: int, reference: int) -> None:
    """A role was taken away: its relations end (and still count within the look-back)."""
    ConflictEntry.objects.filter(
        key__person_id=person_id, kind=kind, reference=reference, ended_at__isnull=True
    ).update(ended_at=timezone.now())


@transaction.atomic
def mentoring_hold(*, mentor_id: int, mentoree_id: int) -> bool:
    """Pairings asks: may this mentor be paired with the mentoree? No while the mentor sits
    on or runs an open review of the mentoree. If yes, the mentoring is recorded under the
    lock."""
    key = _locked_key(mentor_id, mentoree_id)
    if key.entries.filter(_open_assessment_q()).exists():
        return False
    ConflictEntry.objects.create(key=key, kind=Kind.MENTORING)
    return True


# How many register rows one query locks or checks in `mentoring_hold_many`.
HOLD_BATCH = 1000


@transaction.atomic
def mentoring_hold_many(*, pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """`mentoring_hold` for many (mentor, mentoree) pairs at once, for a publication: the
    pairs refused (the mentor sits on or runs an open review of the mentoree). Every other
    pair is recorded as mentoring, under the same locks `mentoring_hold` and the reviews side
    take. The rows are locked in one global order (by person, then subject), batch after
    batch, so that no other writer, which locks in that order too, can deadlock with this
    one. The locks last until the caller's transaction ends: a caller that then finds
    another reason to refuse rolls the whole transaction back, records included."""
    wanted = sorted({(p, s) for p, s in pairs if p != s})
    refused: set[tuple[int, int]] = set()
    for start in range(0, len(wanted), HOLD_BATCH):
        keys = _locked_keys(wanted[start : start + HOLD_BATCH])
        by_id = {key.pk: pair for pair, key in keys.items()}
        open_ = set(
            ConflictEntry.objects.filter(_open_assessment_q(), key_id__in=list(by_id))
            .order_by()
            .values_list("key_id", flat=True)
            .distinct()
        )
        refused.update(by_id[key_id] for key_id in open_)
        ConflictEntry.objects.bulk_create(
            ConflictEntry(key_id=key_id, kind=Kind.MENTORING)
            for key_id in by_id
            if key_id not in open_
        )
    return refused


def open_assessment_exists(*, mentor_id: int, mentoree_id: int) -> bool:
    return ConflictEntry.objects.filter(
        _open_assessment_q(), key__person_id=mentor_id, key__subject_id=mentoree_id
    ).exists()


def open_assessments(*, person_ids: list[int], subject_ids: list[int]) -> set[tuple[int, int]]:
    """(person, subject) pairs among these where the person sits on or runs an open review
    of the subject: pairs that matching must not propose. One query."""
    return set(
        ConflictEntry.objects.filter(
            _open_assessment_q(),
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
        kind=Kind.MENTORING,
        ended_at__isnull=True,
    ).update(ended_at=timezone.now())


@transaction.atomic
def conflict_declare(*, person_id: int, subject_id: int, by=None) -> ConflictEntry:
    """HR declares a conflict by hand (e.g. a former mentor from outside the app)."""
    key = _locked_key(person_id, subject_id)
    return ConflictEntry.objects.create(key=key, kind=Kind.DECLARED, declared_by=by)
