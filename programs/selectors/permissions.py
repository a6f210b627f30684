"""Who holds which role in a program: coordinators and committee members, by object permission."""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from core.prepared import Prepared
from people.models import Employee, User
from people.roles import PROGRAM_COORDINATORS
from programs.models import Program, ProgramGroupObjectPermission, ProgramUserObjectPermission

COORDINATE = "programs.coordinate_program"
REVIEW = "programs.review_applications"
PUBLIC_STATUSES = (Program.Status.ACCEPTING, Program.Status.RUNNING)


def _programs_with_perm(user: User, perm: str) -> QuerySet[Program]:
    """Programs on which the user holds an explicit object permission, directly or through a
    group. No superuser or global-permission shortcut: per-program roles are granted, never
    implied. (What guardian's get_objects_for_user answers with `with_superuser=False,
    accept_global_perms=False`, read from its direct tables: its query took a few
    milliseconds of Python to build on every page.)"""
    if not user.is_authenticated or not user.is_active:
        return Program.objects.none()
    codename = perm.split(".", 1)[-1]
    return Program.objects.filter(_grants(codename, program=OuterRef("pk"), user=user.pk))


def coordinated_programs(*, user: User) -> QuerySet[Program]:
    return _programs_with_perm(user, COORDINATE)


def committee_programs(*, user: User) -> QuerySet[Program]:
    return _programs_with_perm(user, REVIEW)


def _grants(codename: str, *, program, user) -> Q:
    """The user holds the program permission `codename` directly or through a group. Read
    from guardian's direct foreign-key tables in one query: what get_objects_for_user and
    get_users_with_perms answer (no superuser, no global permission), without their
    per-call query building, which the checks below do dozens of times a request."""
    direct = ProgramUserObjectPermission.objects.filter(
        content_object=program, user=user, permission__codename=codename
    )
    via_group = ProgramGroupObjectPermission.objects.filter(
        content_object=program, group__user=user, permission__codename=codename
    )
    return Q(Exists(direct)) | Q(Exists(via_group))


def holds_on_any_program(codename: str, *, user) -> Q:
    """An expression: the user (an id or an OuterRef) holds the program permission
    `codename` on at least one program, directly or through a group. The same tables and
    rules as `_grants` (no superuser, no global permission), for `mentoring.roles` to ask
    every role of the navigation in one query."""
    direct = ProgramUserObjectPermission.objects.filter(user=user, permission__codename=codename)
    via_group = ProgramGroupObjectPermission.objects.filter(
        group__user=user, permission__codename=codename
    )
    return Q(Exists(direct)) | Q(Exists(via_group))


def _holding(codename: str) -> Prepared:
    """Does `user` hold `codename` on `program`: asked a dozen times a request, so built once
    (core.prepared)."""
    return Prepared(
        lambda user, program: Program.objects.filter(
            _grants(codename, program=OuterRef("pk"), user=user), pk=program
        ).values("pk")[:1],
        "user",
        "program",
    )


_HOLDING = {
    codename: _holding(codename) for codename in ("coordinate_program", "review_applications")
}


def _holds(user: User, program: Program, codename: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return _HOLDING[codename].exists(user=user.pk, program=program.pk)


def committee_programs_of(user) -> QuerySet[Program]:
    """The programs whose committee `user` (an id, or a stand-in of core.prepared) sits on,
    to build a query on; no check of the account: `committee_programs` makes it."""
    return Program.objects.filter(_grants("review_applications", program=OuterRef("pk"), user=user))


# The ids of the programs whose committee a user sits on (built once: core.prepared).
_COMMITTEE_PROGRAM_IDS = Prepared(
    lambda user: committee_programs_of(user).values_list("pk"), "user"
)


def committee_program_ids(*, user: User) -> list[int]:
    """Ids of the programs whose committee the user sits on: `committee_programs`, asked on
    every committee page, built once (core.prepared)."""
    if not user.is_authenticated or not user.is_active:
        return []
    return [pk for (pk,) in _COMMITTEE_PROGRAM_IDS.rows(user=user.pk)]


# A program by its slug, for one of its coordinators (built once: core.prepared).
_PROGRAM_COLUMNS = tuple(field.attname for field in Program._meta.concrete_fields)
_COORDINATED_BY_SLUG = Prepared(
    lambda user, slug: Program.objects.filter(
        _grants("coordinate_program", program=OuterRef("pk"), user=user), slug=slug
    ).values_list(*_PROGRAM_COLUMNS),
    "user",
    texts=("slug",),
)


def coordinated_program(*, user: User, slug: str) -> Program | None:
    """`coordinated_programs(user=user).filter(slug=slug).first()` in one prepared query:
    every coordinator's page opens with it, and building that query cost 1.5 ms of Python."""
    if not user.is_authenticated or not user.is_active:
        return None
    rows = _COORDINATED_BY_SLUG.rows(user=user.pk, slug=slug)
    return Program.from_db(connection.alias, _PROGRAM_COLUMNS, rows[0]) if rows else None


def is_coordinator(*, user: User, program: Program) -> bool:
    return _holds(user, program, "coordinate_program")


def is_committee_member(*, user: User, program: Program) -> bool:
    return _holds(user, program, "review_applications")


def is_any_coordinator(*, user: User) -> bool:
    return coordinated_programs(user=user).exists()


def _users_with(program: Program, codename: str) -> QuerySet[User]:
    """Users holding this object permission directly or through a group; never superusers
    for being superusers."""
    return User.objects.filter(_grants(codename, program=program.pk, user=OuterRef("pk")))


def creates_programs(*, user: User) -> bool:
    """Who may create a program in the browser and coordinate it: a coordinator (a member of
    "Program coordinators", which only a grant by someone else makes) with the permission."""
    return (
        user.is_authenticated
        and user.has_perm("programs.add_program")
        and user.groups.filter(name=PROGRAM_COORDINATORS).exists()
    )


def _holder_employees(codename: str) -> Prepared:
    return Prepared(
        lambda program: Employee.objects.filter(
            _grants(codename, program=program, user=OuterRef("user_id"))
        ).values_list("pk"),
        "program",
    )


_HOLDER_EMPLOYEES = {
    codename: _holder_employees(codename)
    for codename in ("coordinate_program", "review_applications")
}


def role_holder_employee_ids(*, program: Program, codename: str) -> list[int]:
    """Directory ids of everyone holding this program role, active or not (asked on every
    application, so built once: core.prepared)."""
    return [pk for (pk,) in _HOLDER_EMPLOYEES[codename].rows(program=program.pk)]


def coordinators_of(*, program: Program) -> list[User]:
    return list(_users_with(program, "coordinate_program").filter(is_active=True))


def committee_of(*, program: Program) -> list[User]:
    return list(
        _users_with(program, "review_applications")
        .filter(is_active=True)
        .select_related("employee")
        .order_by("last_name", "first_name")
    )
