"""Writes for many pairings at once (a matching run's publication): the hard constraints
of `pairings.services.pairing_refusals` and what `pairing_propose` writes, for thousands of
pairs in a fixed number of queries per batch, under the same locks, all or nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.db.models import Count

from core.refusals import refuse
from firewall.register import mentoring_hold_many, open_assessments
from notifications.messaging import Scheduled, messages_schedule_many
from pairings import signals
from pairings.models import Pairing, PairingUserObjectPermission
from pairings.services import ACCESS, refusal_words
from people.models import Employee, User
from people.selectors import reporting_chains_up_ids
from programs.models import Application, CommitmentAcceptance, Program
from programs.selectors import commitment_current

# Rows judged and created per round of queries.
PROPOSE_BATCH = 1000


class _Rules:
    """The hard constraints of `pairing_refusals`, for many pairs in a fixed number of queries
    per batch, with the very same words in the same order.

    Pairs are judged as if proposed one after another: a pair that passes takes its mentor's
    seat and its mentoree for the pairs judged after it (the publication's all-or-nothing
    then creates them all, or none).
    """

    def __init__(self, program: Program) -> None:
        self.program = program
        self.commitment = commitment_current(program=program)
        self.taken: Counter[int] = Counter()
        self.paired: set[int] = set()

    def judge(
        self,
        pairs: Sequence[tuple[int, int]],
        *,
        conflicted: set[tuple[int, int]] | None = None,
    ) -> tuple[dict[int, Employee], list[list[str]]]:
        """The people of these pairs (by id) and each pair's refusals. `conflicted`: pairs
        the register refused under its locks; read here (without a lock) when not given."""
        program = self.program
        mentor_ids = {m for m, _ in pairs}
        mentoree_ids = {e for _, e in pairs}
        ids = mentor_ids | mentoree_ids
        people = Employee.objects.only(
            "pk", "user_id", "first_name", "last_name", "level", "is_active"
        ).in_bulk(ids)
        admitted: dict[tuple[int, str], Application] = {}
        for application in Application.objects.filter(
            program=program, applicant_id__in=ids, status=Application.Status.ADMITTED
        ).order_by("-submitted_at", "-pk"):
            # The first by the model's order wins, as `_admitted` takes `.first()`.
            admitted[(application.applicant_id, application.role)] = application
        live = dict(
            Pairing.objects.filter(
                program=program, mentor_id__in=mentor_ids, status__in=Pairing.LIVE
            )
            .values("mentor_id")
            .annotate(n=Count("pk"))
            .values_list("mentor_id", "n")
        )
        paired = set(
            Pairing.objects.filter(
                program=program, mentoree_id__in=mentoree_ids, status__in=Pairing.LIVE
            ).values_list("mentoree_id", flat=True)
        )
        if conflicted is None:
            conflicted = open_assessments(
                person_ids=list(mentor_ids), subject_ids=list(mentoree_ids)
            )
        accepted = (
            set(
                CommitmentAcceptance.objects.filter(
                    commitment=self.commitment, employee_id__in=ids
                ).values_list("employee_id", flat=True)
            )
            if self.commitment is not None
            else set()
        )
        # The chain rule of `in_management_chain`: either is above the other.
        above = reporting_chains_up_ids(employee_ids=ids, depth=settings.PAIRING_CHAIN_DEPTH)
        verdicts = []
        for mentor_id, mentoree_id in pairs:
            mentor, mentoree = people[mentor_id], people[mentoree_id]
            reasons = refusal_words(
                program,
                mentor,
                mentoree,
                mentor_application=admitted.get((mentor_id, Application.Role.MENTOR)),
                mentoree_admitted=(mentoree_id, Application.Role.MENTOREE) in admitted,
                in_chain=mentoree_id in above[mentor_id] or mentor_id in above[mentoree_id],
                live=live.get(mentor_id, 0) + self.taken[mentor_id],
                mentoree_paired=mentoree_id in paired or mentoree_id in self.paired,
                conflicted=(mentor_id, mentoree_id) in conflicted,
                accepted=accepted,
            )
            if not reasons:
                self.taken[mentor_id] += 1
                self.paired.add(mentoree_id)
            verdicts.append(reasons)
        return people, verdicts


def pairing_refusals_many(*, program: Program, pairs: Sequence[tuple[int, int]]) -> list[list[str]]:
    """`pairing_refusals` for many (mentor id, mentoree id) pairs, as if they were proposed
    one after another in this order: each pair's refusals in the same words and order, in a
    fixed number of queries per batch. Reads only; `pairings_propose_many` locks first."""
    rules = _Rules(program)
    verdicts: list[list[str]] = []
    for start in range(0, len(pairs), PROPOSE_BATCH):
        verdicts.extend(rules.judge(pairs[start : start + PROPOSE_BATCH])[1])
    return verdicts


@dataclass(frozen=True)
class Proposal:
    """One pairing to propose in bulk."""

    mentor_id: int
    mentoree_id: int
    score: int | None = None


def _lock_applications(program: Program, ids: Sequence[int]) -> None:
    """Lock the program's application rows of these people, as `pairing_propose` locks the
    two it needs, in one global order (by primary key) so that neither can deadlock the
    other: read the keys first, then lock them in sorted batches."""
    wanted = sorted(ids)
    pks: list[int] = []
    for start in range(0, len(wanted), PROPOSE_BATCH):
        pks.extend(
            Application.objects.filter(
                program=program, applicant_id__in=wanted[start : start + PROPOSE_BATCH]
            ).values_list("pk", flat=True)
        )
    pks.sort()
    for start in range(0, len(pks), PROPOSE_BATCH):
        list(
            Application.objects.select_for_update()
            .filter(pk__in=pks[start : start + PROPOSE_BATCH])
            .order_by("pk")
            .values_list("pk", flat=True)
        )


@transaction.atomic
def pairings_propose_many(
    *,
    program: Program,
    proposals: Sequence[Proposal],
    by: User | None,
    progress: Callable[[int], None] | None = None,
) -> dict[int, list[str]]:
    """Propose many pairings at once, all or nothing: what `pairing_propose` does for each,
    in a fixed number of queries per batch of `PROPOSE_BATCH` rows.

    Returns the refusals by row index (in `pairing_refusals`' words) and creates nothing when
    any row is refused. Otherwise every pairing is made with its members' access, its
    register record (F3), its agreement (the `pairings_proposed` receivers) and its two
    messages, and an empty dict is returned.

    The same locks as the single path, taken in one global order before anything is read:
    every application row of the people involved (so a concurrent `pairing_propose` of the
    same mentoree, or for a mentor's last seat, waits or is waited for), then every register
    row of the pairs (so a concurrent panel seat of a mentor on their mentoree's review
    waits, or is seen). Everything is judged under those locks. `progress` is told a
    percentage now and then (judging is the first half, creating the second).
    """
    report = progress or (lambda percent: None)
    pairs = [(p.mentor_id, p.mentoree_id) for p in proposals]
    people_ids = {m for m, _ in pairs} | {e for _, e in pairs}
    _lock_applications(program, list(people_ids))
    conflicted = mentoring_hold_many(pairs=pairs)
    rules = _Rules(program)
    refused: dict[int, list[str]] = {}
    people: dict[int, Employee] = {}
    batches = range(0, len(pairs), PROPOSE_BATCH)
    for n, start in enumerate(batches):
        batch_people, verdicts = rules.judge(
            pairs[start : start + PROPOSE_BATCH], conflicted=conflicted
        )
        people.update(batch_people)
        for offset, reasons in enumerate(verdicts):
            if reasons:
                refused[start + offset] = reasons
        report(5 + 45 * (n + 1) // len(batches))
    if refused:
        transaction.set_rollback(True)  # the register records of the good rows go too
        return refused
    if signals.pairing_proposed.receivers and not signals.pairings_proposed.receivers:
        raise RuntimeError("A receiver of pairing_proposed has no bulk form (pairings_proposed).")
    access = Permission.objects.get(content_type__app_label="pairings", codename=ACCESS)
    for n, start in enumerate(batches):
        batch = proposals[start : start + PROPOSE_BATCH]
        try:
            made = Pairing.objects.bulk_create(
                [
                    Pairing(
                        program=program,
                        mentor_id=p.mentor_id,
                        mentoree_id=p.mentoree_id,
                        score=p.score,
                    )
                    for p in batch
                ]
            )
        except IntegrityError as exc:
            # The one-live-pairing constraint: a pairing made by a path that skipped the
            # application locks. The whole publication rolls back.
            raise refuse(
                "A pairing was made by hand at the same moment: nothing was published. "
                "Publish again to see which rows are still allowed.",
                "race",
            ) from exc
        PairingUserObjectPermission.objects.bulk_create(
            [
                PairingUserObjectPermission(
                    permission=access, user_id=people[member_id].user_id, content_object=pairing
                )
                for pairing in made
                for member_id in (pairing.mentor_id, pairing.mentoree_id)
            ]
        )
        signals.pairings_proposed.send(sender=Pairing, pairings=made)
        messages_schedule_many(
            messages=[
                Scheduled(
                    recipient_id=people[member_id].user_id,
                    kind="pairing_proposed",
                    key=f"pairing-proposed:{pairing.pk}",
                    object_id=pairing.pk,
                )
                for pairing in made
                for member_id in (pairing.mentor_id, pairing.mentoree_id)
            ]
        )
        report(50 + 50 * (n + 1) // len(batches))
    return {}
