"""What waits for the signed-in person: the to-do list at the top of the home page.

Every kind of pending action is one part of a single `UNION ALL` query, so the list costs
one query whatever the number of kinds and rows (the home page is the signed-in floor that
`bench_pages` measures). Each part reads the same rules as the page its link opens, so the
list never shows what that page would hide: a committee member's count leaves out the
applications they are recused from (their own, and those of anyone below them), a person
sees only their own pairings, applications, sessions and address, and nothing names a
mentoree to anyone but their pair. Each row becomes one item with one link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Concat, Now
from django.urls import reverse

from confidentiality.audiences import SHARES
from confidentiality.models import Signature
from core.prepared import Prepared
from pairings.models import Pairing
from people.models import AddressChange, Employee, User
from people.selectors import reporting_chain_down
from programs.models import (
    Application,
    Commitment,
    CommitmentAcceptance,
    GroupSession,
    Program,
    Registration,
    Vote,
)
from programs.selectors import committee_programs, coordinated_programs

# How long after a group session started its leader is asked to record who came.
ATTENDANCE_ASKED_FOR = timedelta(days=14)

# The columns every part of the union returns, in this order.
COLUMNS = ("kind", "target", "label", "slug", "person", "n")

# The order the list shows its kinds in: what blocks someone else first.
ORDER = (
    "accept",
    "sign",
    "resign",
    "commitment",
    "recommit",
    "attendance",
    "vote",
    "decide",
    "address",
)


@dataclass(frozen=True)
class ToDo:
    title: str
    detail: str
    url: str


@dataclass(frozen=True)
class Home:
    """What the home page shows above the capabilities: the to-do list, and the pages of
    mentoring shared with this person as a manager or a senior leader (F6), if any."""

    todos: list[ToDo]
    shared_as_manager: int = 0
    shared_as_leader: int = 0


def _text(value: str) -> Value:
    return Value(value, output_field=CharField())


NO_TEXT = _text("")
NO_NUMBER = Value(0, output_field=IntegerField())


def _row(kind, *, target=NO_NUMBER, label=NO_TEXT, slug=NO_TEXT, person=NO_TEXT) -> dict:
    return {
        "todo_kind": _text(kind) if isinstance(kind, str) else kind,
        "todo_target": target,
        "todo_label": label,
        "todo_slug": slug,
        "todo_person": person,
    }


def _rows(qs: QuerySet, kind, **columns) -> QuerySet:
    """One row of the union per object: every column an annotation, in COLUMNS order."""
    named = {**_row(kind, **columns), "todo_n": NO_NUMBER}
    return qs.order_by().annotate(**named).values_list(*named)


def _counted(qs: QuerySet, kind: str, **columns) -> QuerySet:
    """One row of the union per group of the columns given, with its number of objects."""
    named = _row(kind, **columns)
    return qs.order_by().values(**named).annotate(todo_n=Count("pk")).values_list(*named, "todo_n")


def _exists_then(subquery: QuerySet, yes: str, no: str) -> Case:
    return Case(
        When(Exists(subquery), then=_text(yes)), default=_text(no), output_field=CharField()
    )


def _full_name(prefix: str) -> Concat:
    return Concat(F(f"{prefix}__first_name"), _text(" "), F(f"{prefix}__last_name"))


def _pairing_parts(user: User, employee: Employee) -> list[QuerySet]:
    """Accept the match; then sign the agreement, or sign its new version."""
    mine = Q(mentor_id=employee.pk) | Q(mentoree_id=employee.pk)
    live = Pairing.objects.filter(mine, status__in=Pairing.LIVE)
    not_accepted = Q(mentor_id=employee.pk, mentor_accepted_at__isnull=True) | Q(
        mentoree_id=employee.pk, mentoree_accepted_at__isnull=True
    )
    other = Case(
        When(mentor_id=employee.pk, then=_full_name("mentoree")),
        default=_full_name("mentor"),
        output_field=CharField(),
    )
    signed_now = Signature.objects.filter(
        agreement=OuterRef("agreement"), version=OuterRef("agreement__version"), signer=user.pk
    )
    signed_before = Signature.objects.filter(
        agreement=OuterRef("agreement"), version__lt=OuterRef("agreement__version"), signer=user.pk
    )
    to_sign = live.exclude(not_accepted).filter(agreement__isnull=False)
    return [
        _rows(
            live.filter(not_accepted),
            "accept",
            target=F("pk"),
            label=F("program__name"),
            person=other,
        ),
        _rows(
            to_sign.exclude(Exists(signed_now)),
            _exists_then(signed_before, "resign", "sign"),
            target=F("pk"),
            label=F("program__name"),
            person=other,
        ),
    ]


def _commitment_part(employee: Employee) -> QuerySet:
    """Admitted to a program that runs, and its current commitment not accepted: for the
    first time, or again after a new version."""
    current = (
        Commitment.objects.filter(program=OuterRef("program")).order_by("-version").values("pk")[:1]
    )
    accepted_before = CommitmentAcceptance.objects.filter(
        employee_id=employee.pk, commitment__program=OuterRef("program")
    )
    admitted = (
        Application.objects.filter(
            applicant_id=employee.pk,
            status=Application.Status.ADMITTED,
            program__status__in=(Program.Status.ACCEPTING, Program.Status.RUNNING),
        )
        .annotate(current=Subquery(current))
        .filter(current__isnull=False)
        .exclude(
            Exists(
                CommitmentAcceptance.objects.filter(
                    employee_id=employee.pk, commitment=OuterRef("current")
                )
            )
        )
    )
    return _rows(
        admitted,
        _exists_then(accepted_before, "recommit", "commitment"),
        target=F("program_id"),
        label=F("program__name"),
        slug=F("program__slug"),
    )


def _committee_parts(user: User, employee: Employee | None) -> list[QuerySet]:
    """Per program: applications waiting for this member's vote (what the committee queue
    shows them: never one they are recused from), and for a coordinator the applications
    waiting for a decision (what the program's management page lists)."""
    submitted = Application.objects.filter(status=Application.Status.SUBMITTED)
    to_vote = submitted.filter(program__in=committee_programs(user=user)).exclude(
        Exists(Vote.objects.filter(application=OuterRef("pk"), voter=user.pk))
    )
    if employee is not None:
        to_vote = to_vote.exclude(applicant_id=employee.pk).exclude(
            applicant__in=reporting_chain_down(employee=employee).values("pk")
        )
    program = {"target": F("program_id"), "label": F("program__name"), "slug": F("program__slug")}
    return [
        _counted(to_vote, "vote", **program),
        _counted(
            submitted.filter(program__in=coordinated_programs(user=user)), "decide", **program
        ),
    ]


def _attendance_part(employee: Employee) -> QuerySet:
    """Sessions the person leads that have started, within the last two weeks, with
    registered people whose attendance nobody has recorded yet. The database's clock, so
    the query is built once (core.prepared)."""
    unrecorded = Registration.objects.filter(
        session=OuterRef("pk"), status=Registration.Status.REGISTERED, attended__isnull=True
    )
    asked_since = ExpressionWrapper(
        Now() - Value(ATTENDANCE_ASKED_FOR), output_field=DateTimeField()
    )
    sessions = GroupSession.objects.filter(
        Exists(unrecorded), leader_id=employee.pk, starts_at__lte=Now(), starts_at__gte=asked_since
    )
    return _rows(sessions, "attendance", target=F("pk"), label=F("title"), slug=F("program__name"))


def _address_part(user: User) -> QuerySet:
    pending = AddressChange.objects.filter(user_id=user.pk, status=AddressChange.Status.PENDING)
    return _rows(pending, "address", target=F("pk"), label=F("new_email"))


def _shared_parts(employee: Employee) -> list[QuerySet]:
    """How many live pairings each audience page would show this person (F6): those of
    their direct reports whose manager rule in force shares something, and for a senior
    leader those below them whose leadership rule does. The pages read the same rules
    (confidentiality.audiences)."""
    live = Pairing.objects.filter(status__in=Pairing.LIVE)
    parts = [
        _counted(
            live.filter(
                mentoree__manager_id=employee.pk, agreement__in_force_manager_rule__in=SHARES
            ),
            "shared_manager",
        )
    ]
    if employee.level >= settings.SENIOR_LEADERSHIP_LEVEL:
        below = reporting_chain_down(employee=employee).values("pk")
        parts.append(
            _counted(
                live.filter(mentoree__in=below, agreement__in_force_leadership_rule__in=SHARES),
                "shared_leadership",
            )
        )
    return parts


def _union(user: User, employee: Employee | None) -> QuerySet:
    parts = [*_committee_parts(user, employee), _address_part(user)]
    if employee is not None:
        parts += [
            *_pairing_parts(user, employee),
            _commitment_part(employee),
            _attendance_part(employee),
            *_shared_parts(employee),
        ]
    first, *rest = parts
    return first.union(*rest, all=True).order_by()


def _prepared(*, with_employee: bool, senior: bool) -> Prepared:
    """The union, built once per process with stand-ins for the person's ids (core.prepared):
    the ORM took tens of milliseconds of Python to build it, on the page every signed-in
    person sees first. Three shapes: no directory entry; an employee; a senior leader (who
    also gets the leadership page's count)."""
    level = settings.SENIOR_LEADERSHIP_LEVEL if senior else -1
    if not with_employee:
        return Prepared(lambda user: _union(User(pk=user), None), "user")
    return Prepared(
        lambda user, employee: _union(User(pk=user), Employee(pk=employee, level=level)),
        "user",
        "employee",
    )


_UNIONS = {
    (False, False): _prepared(with_employee=False, senior=False),
    (True, False): _prepared(with_employee=True, senior=False),
    (True, True): _prepared(with_employee=True, senior=True),
}


def _todo_rows(user: User, employee: Employee | None) -> list[tuple]:
    if employee is None:
        return _UNIONS[False, False].rows(user=user.pk)
    senior = employee.level >= settings.SENIOR_LEADERSHIP_LEVEL
    return _UNIONS[True, senior].rows(user=user.pk, employee=employee.pk)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _item(kind: str, target: int, label: str, slug: str, person: str, n: int) -> ToDo | None:
    if kind == "accept":
        return ToDo(
            f"Accept your match with {person}",
            f"{label}: you were proposed as a pair. Read who they are and accept the match.",
            reverse("pairings:space", args=[target]),
        )
    if kind == "sign":
        return ToDo(
            f"Sign your confidentiality agreement with {person}",
            f"{label}: the pairing starts once you have both signed it.",
            reverse("confidentiality:agreement", args=[target]),
        )
    if kind == "resign":
        return ToDo(
            f"Sign the new version of your agreement with {person}",
            f"{label}: the agreement changed since you signed it. Until you have both signed "
            "the new version, the pairing waits.",
            reverse("confidentiality:agreement", args=[target]),
        )
    if kind == "commitment":
        return ToDo(
            f"Accept the program commitment of {label}",
            "You were admitted. Accept the commitment before you can be paired.",
            reverse("programs:commitment", args=[slug]),
        )
    if kind == "recommit":
        return ToDo(
            f"Accept the new version of the {label} commitment",
            "The commitment changed since you accepted it. Until you accept the new version "
            "you cannot be placed in a new pairing.",
            reverse("programs:commitment", args=[slug]),
        )
    if kind == "attendance":
        return ToDo(
            f"Record who attended {label}",
            f"{slug}: the session you led has started. Mark who came.",
            reverse("programs:session", args=[target]),
        )
    if kind == "vote":
        return ToDo(
            f"Vote on {_plural(n, 'application', 'applications')} to {label}",
            "They wait for your vote in the committee queue.",
            reverse("programs:committee_queue"),
        )
    if kind == "decide":
        return ToDo(
            f"{_plural(n, 'application', 'applications')} to {label} "
            f"{'waits' if n == 1 else 'wait'} for a decision",
            "Follow the committee's votes, and decide where the committee is too small.",
            reverse("programs:manage", args=[slug]) + "?status=submitted",
        )
    if kind == "address":
        return ToDo(
            "Confirm your new sign-in address",
            f"We sent a link to {label}. Open it while signed in here, or cancel the change.",
            reverse("account_address"),
        )
    return None


def home_for(*, user: User, employee: Employee | None) -> Home:
    """The signed-in person's to-do list and audience pages, in one query."""
    if not user.is_authenticated or not user.is_active:
        return Home(todos=[])
    rows = _todo_rows(user, employee)
    shared = {kind: n for kind, _, _, _, _, n in rows if kind.startswith("shared_")}
    rank = {kind: index for index, kind in enumerate(ORDER)}
    rows = sorted(
        (row for row in rows if row[0] in rank), key=lambda row: (rank[row[0]], row[2], row[4])
    )
    todos = [item for row in rows if (item := _item(*row)) is not None]
    return Home(
        todos=todos,
        shared_as_manager=shared.get("shared_manager", 0),
        shared_as_leader=shared.get("shared_leadership", 0),
    )
