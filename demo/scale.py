"""The demo at company scale: `seed_demo --employees 10000` adds a company-wide program with
5,000 participants, 2,000 active pairs, 100,000 meetings and 100,000 notes (and the named demo
pair gets 200 notes), for the benchmark and for trying the dashboard on real volumes.

Services make one row at a time with its permissions, records and messages; at this volume
that would take an hour, so this loader writes the same rows in bulk, exactly as the services
would leave them: admitted applications with their commitment acceptances, pairings with the
members' access permission, the conflict register's mentoring record, agreements signed by
both members over the hash of the text, meetings, and notes encrypted at rest with their
read/manage permissions. Demo data only; the shapes are checked by tests/reports.

Sizes follow the company: participants = employees / 2, pairs = employees / 5, meetings and
notes = employees x 10 each. Below SCALE_FROM employees nothing is added.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from confidentiality.models import Agreement, Note, NoteUserObjectPermission, Signature
from confidentiality.services import default_template
from demo.people import DEMO_PEOPLE, demo_employee
from firewall.models import ConflictEntry, ConflictKey
from pairings.models import Meeting, Pairing, PairingUserObjectPermission
from people.models import Employee
from programs.models import Application, CommitmentAcceptance, Program
from programs.selectors import commitment_current
from programs.services import committee_member_add, program_create, program_transition

SCALE_FROM = 2000
SLUG = "company-wide-2027"
NAMED_PAIR_NOTES = 200
BATCH = 2000

RULES = ["attendance"] * 7 + ["nothing"] * 2 + ["themes"]
NOTE_TEXTS = (
    "Talked through the quarter's priorities and where to say no.",
    "Practised the opening of the steering committee presentation.",
    "Agreed to try delegating the weekly report for a month.",
    "Reflected on the feedback conversation; next time start with the facts.",
    "Mapped the stakeholders for the migration and who to meet first.",
    "Discussed how to grow the team's confidence in estimates.",
)


def _perm(codename: str, app_label: str) -> Permission:
    return Permission.objects.get(codename=codename, content_type__app_label=app_label)


def _bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def _notes(pairs: list[Pairing], per_pair: int, rng: random.Random) -> int:
    """`per_pair` notes on each pairing, a third of them shared, with their permissions."""
    read, manage = _perm("read_note", "confidentiality"), _perm("manage_note", "confidentiality")
    made = 0
    for start in range(0, len(pairs), 200):
        chunk = pairs[start : start + 200]
        notes: list[Note] = []
        for pairing in chunk:
            for index in range(per_pair):
                author = pairing.mentor.user_id if index % 2 else pairing.mentoree.user_id
                notes.append(
                    Note(
                        pairing=pairing,
                        author_id=author,
                        shared=rng.random() < 0.33,
                        text=rng.choice(NOTE_TEXTS),
                    )
                )
        _bulk(Note, notes)
        members = {p.pk: (p.mentor.user_id, p.mentoree.user_id) for p in chunk}
        grants = []
        for note in notes:
            grants.append(
                NoteUserObjectPermission(
                    content_object=note, user_id=note.author_id, permission=read
                )
            )
            grants.append(
                NoteUserObjectPermission(
                    content_object=note, user_id=note.author_id, permission=manage
                )
            )
            if note.shared:
                mentor, mentoree = members[note.pairing_id]
                other = mentoree if note.author_id == mentor else mentor
                grants.append(
                    NoteUserObjectPermission(content_object=note, user_id=other, permission=read)
                )
        _bulk(NoteUserObjectPermission, grants)
        made += len(notes)
    return made


@transaction.atomic
def load_demo_scale(*, employees: int, seed: int = 2027) -> dict[str, int] | None:
    """Add the company-wide program at the company's scale; None when the company is small
    or the program exists already (safe to run again)."""
    if employees < SCALE_FROM or Program.objects.filter(slug=SLUG).exists():
        return None
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    coordinator = demo_employee("coordinator").user
    program = program_create(
        created_by=coordinator,
        coordinators=[coordinator],
        name="Company-wide mentoring 2027",
        slug=SLUG,
        kind=Program.Kind.ONE_TO_ONE,
        description="One-to-one mentoring open to everyone in the bank, at the bank's scale.",
        applications_open_on=today - timedelta(days=200),
        applications_close_on=today + timedelta(days=30),
        starts_on=today - timedelta(days=180),
        ends_on=today + timedelta(days=365),
    )
    program = program_transition(
        program=program, by=coordinator, to_status=Program.Status.ACCEPTING
    )
    committee_member_add(program=program, by=coordinator, user=demo_employee("committee").user)
    commitment = commitment_current(program=program)
    if commitment is None:  # program_create always writes version 1
        raise RuntimeError("the new program has no commitment")

    named = {p.email for p in DEMO_PEOPLE}
    pool = list(
        Employee.objects.filter(is_active=True, level__lt=settings.GROUP_ONLY_LEVEL)
        .exclude(email__in=named)
        .select_related("user")
        .order_by("pk")
    )
    rng.shuffle(pool)
    participants = min(employees // 2, len(pool))
    n_pairs = employees // 5
    n_mentors = max(n_pairs // 2, 1)
    mentors, mentorees = pool[:n_mentors], pool[n_mentors:participants]
    waiting = pool[participants : participants + max(employees // 50, 10)]

    decided_at = now - timedelta(days=150)
    applications = (
        [
            Application(
                program=program,
                applicant=person,
                role=Application.Role.MENTOR,
                motivation="I would like to give back what my own mentors gave me.",
                mentor_capacity=2,
                status=Application.Status.ADMITTED,
                decided_at=decided_at,
                decided_by=coordinator,
                decision_reason="Admitted at the program's launch.",
            )
            for person in mentors
        ]
        + [
            Application(
                program=program,
                applicant=person,
                role=Application.Role.MENTOREE,
                motivation="I want to grow as a leader.",
                status=Application.Status.ADMITTED,
                decided_at=decided_at,
                decided_by=coordinator,
                decision_reason="Admitted at the program's launch.",
            )
            for person in mentorees
        ]
        + [
            Application(
                program=program,
                applicant=person,
                role=Application.Role.MENTOREE,
                motivation="I am starting a new role and want a sounding board.",
            )
            for person in waiting  # awaiting the committee: the committee queue at scale
        ]
    )
    _bulk(Application, applications)
    _bulk(
        CommitmentAcceptance,
        [
            CommitmentAcceptance(
                commitment=commitment, employee=person, text_hash=commitment.text_hash
            )
            for person in mentors + mentorees
        ],
    )

    # Pairs: each mentor takes up to two mentorees from another department (never in the
    # same management chain: departments meet only at the division heads and the President,
    # who are above the group-only level and mentor no one).
    pairs: list[Pairing] = []
    load = dict.fromkeys((m.pk for m in mentors), 0)
    by_department: dict[str, list] = {}
    for mentor in mentors:
        by_department.setdefault(mentor.department, []).append(mentor)
    cursor = 0
    for mentoree in mentorees[:n_pairs]:
        for _ in range(len(mentors)):
            mentor = mentors[cursor % len(mentors)]
            cursor += 1
            if mentor.department != mentoree.department and load[mentor.pk] < 2:
                break
        else:
            continue
        load[mentor.pk] += 1
        activated = now - timedelta(days=rng.randint(30, 140))
        pairs.append(
            Pairing(
                program=program,
                mentor=mentor,
                mentoree=mentoree,
                status=Pairing.Status.ACTIVE,
                score=rng.randint(55, 95),
                mentor_accepted_at=activated,
                mentoree_accepted_at=activated,
                activated_at=activated,
            )
        )
    _bulk(Pairing, pairs)
    # Proposed a few days to a few weeks after admission, accepted within the week.
    Pairing.objects.filter(program=program).update(
        proposed_at=F("activated_at") - timedelta(days=4)
    )
    access = _perm("access_pairing", "pairings")
    _bulk(
        PairingUserObjectPermission,
        [
            PairingUserObjectPermission(
                content_object=pairing, user_id=member.user_id, permission=access
            )
            for pairing in pairs
            for member in (pairing.mentor, pairing.mentoree)
        ],
    )
    keys = _bulk(ConflictKey, [ConflictKey(person=p.mentor, subject=p.mentoree) for p in pairs])
    _bulk(
        ConflictEntry, [ConflictEntry(key=key, kind=ConflictEntry.Kind.MENTORING) for key in keys]
    )

    template = default_template()
    agreements = []
    for pairing in pairs:
        rule = rng.choice(RULES)
        agreements.append(
            Agreement(
                pairing=pairing,
                template=template,
                terms=template.terms,
                coordinator_rule=rule,
                in_force_coordinator_rule=rule,
            )
        )
    _bulk(Agreement, agreements)
    _bulk(
        Signature,
        [
            Signature(
                agreement=agreement,
                version=agreement.version,
                signer_id=member.user_id,
                typed_name=member.full_name,
                confirmed=True,
                text_hash=agreement.text_hash(),
            )
            for agreement, pairing in zip(agreements, pairs, strict=True)
            for member in (pairing.mentor, pairing.mentoree)
        ],
    )

    per_pair = max((employees * 10) // max(len(pairs), 1), 1)
    meetings = 0
    for start in range(0, len(pairs), 400):
        rows = []
        for pairing in pairs[start : start + 400]:
            first = pairing.activated_at
            step = max((now - first) / per_pair, timedelta(hours=2))
            for index in range(per_pair):
                starts_at = (first + step * index).replace(second=0, microsecond=0)
                rows.append(
                    Meeting(
                        pairing=pairing,
                        starts_at=starts_at + timedelta(minutes=index),
                        duration_minutes=rng.choice((30, 45, 60, 60, 90)),
                        format=rng.choice(Meeting.Format.values),
                        created_by_id=pairing.mentor.user_id,
                    )
                )
        _bulk(Meeting, rows)
        meetings += len(rows)

    notes = _notes(pairs, per_pair, rng)

    # The named demo pair (Helena Marsh and Samuel Okoro, in Grow) keeps 200 notes, the
    # benchmark's "pair's space with 200 notes".
    named_pair = (
        Pairing.objects.filter(mentor=demo_employee("mentor"), mentoree=demo_employee("mentoree"))
        .select_related("mentor", "mentoree")
        .first()
    )
    if named_pair is not None:
        have = Note.objects.filter(pairing=named_pair).count()
        if have < NAMED_PAIR_NOTES:
            notes += _notes([named_pair], NAMED_PAIR_NOTES - have, rng)
    return {
        "participants": len(mentors) + len(mentorees),
        "waiting": len(waiting),
        "pairs": len(pairs),
        "meetings": meetings,
        "notes": notes,
    }
