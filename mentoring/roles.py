"""What a signed-in person may do, as the navigation and the home page show it."""

from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.prepared import Prepared
from notifications.models import Notification
from people.models import Employee, User
from people.roles import HR_ADMINS, PROGRAM_COORDINATORS, TALENT_TEAM
from people.selectors import employee_for_user
from programs import selectors as program_selectors
from programs.models import GroupSession
from reviews.models import PanelSeat


@dataclass(frozen=True)
class Capability:
    title: str
    description: str
    url: str = ""


@dataclass
class Roles:
    employee: Employee | None = None
    is_hr_admin: bool = False
    is_talent_team: bool = False
    is_group_only: bool = False
    is_superuser: bool = False
    is_coordinator: bool = False
    is_committee_member: bool = False
    can_create_programs: bool = False
    leads_sessions: bool = False
    sits_on_panels: bool = False
    unread_count: int = 0
    capabilities: list[Capability] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        labels = []
        if self.employee is not None:
            labels.append("Executive" if self.is_group_only else "Employee")
        if self.is_coordinator:
            labels.append("Coordinator")
        if self.is_committee_member:
            labels.append("Committee")
        if self.is_hr_admin:
            labels.append("HR admin")
        if self.is_talent_team:
            labels.append("Talent team")
        if self.is_superuser:
            labels.append("Superuser")
        return labels


FLAGS = (
    "hr_admin",
    "talent_team",
    "in_coordinators",
    "may_add_program",
    "coordinates",
    "on_committee",
    "leads",
    "on_panels",
    "unread",
)


def _in_group(name: str) -> Exists:
    return Exists(User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=name))


def _flags_query(me: int, staff: int) -> QuerySet:
    """A row of the user with one EXISTS per role and the unread count: the same tables and
    rules as the selectors that guard the pages (guardian's direct permission tables, no
    superuser or global permission for a program role). Building it took the ORM about
    14 ms of Python, running it well under one: it is built once (core.prepared)."""
    user = OuterRef("pk")
    add_program = Q(content_type__app_label="programs", codename="add_program")
    unread = (
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        User.objects.filter(pk=me)
        .annotate(
            hr_admin=_in_group(HR_ADMINS),
            talent_team=_in_group(TALENT_TEAM),
            in_coordinators=_in_group(PROGRAM_COORDINATORS),
            may_add_program=Exists(Permission.objects.filter(add_program, user=user))
            | Exists(Permission.objects.filter(add_program, group__user=user)),
            coordinates=program_selectors.holds_on_any_program("coordinate_program", user=user),
            on_committee=program_selectors.holds_on_any_program("review_applications", user=user),
            leads=Exists(GroupSession.objects.filter(leader_id=staff)),
            on_panels=Exists(PanelSeat.objects.filter(member_id=staff)),
            unread=Coalesce(Subquery(unread), 0),
        )
        .values_list(*FLAGS)
    )


_FLAGS = Prepared(_flags_query, "me", "staff")


def _flags(user: User, employee: Employee | None) -> dict[str, object]:
    """Every role the navigation needs, in one query."""
    staff = employee.pk if employee is not None else None
    (row,) = _FLAGS.rows(me=user.pk, staff=staff)
    return dict(zip(FLAGS, row, strict=True))


def roles_for(user: User) -> Roles:
    """The roles of one user: their directory entry (which the page needs anyway) and one
    query for every role, whatever their number of programs."""
    if not user.is_authenticated:
        return Roles()
    employee = employee_for_user(user=user)
    flags = _flags(user, employee)
    # What user.has_perm("programs.add_program") answers (ModelBackend), in the query above.
    may_add_program = user.is_active and (user.is_superuser or bool(flags["may_add_program"]))
    roles = Roles(
        employee=employee,
        is_hr_admin=bool(flags["hr_admin"]),
        is_talent_team=bool(flags["talent_team"]),
        is_group_only=bool(employee and employee.is_group_only),
        is_superuser=user.is_superuser,
        # Per-program roles are granted, never implied: an inactive account holds none.
        is_coordinator=user.is_active and bool(flags["coordinates"]),
        is_committee_member=user.is_active and bool(flags["on_committee"]),
        can_create_programs=bool(flags["in_coordinators"]) and may_add_program,
        leads_sessions=employee is not None and bool(flags["leads"]),
        sits_on_panels=employee is not None and bool(flags["on_panels"]),
        unread_count=int(flags["unread"]),
    )
    caps = roles.capabilities
    if employee is not None:
        if roles.is_group_only:
            caps.append(
                Capability(
                    "Lead group mentoring sessions",
                    "At your level you share your experience with a whole group rather than "
                    "mentoring one person, so no single mentoree's career depends on your view.",
                    "/programs/sessions/",
                )
            )
        else:
            caps.append(
                Capability(
                    "Join a mentoring program",
                    "Browse the open programs and apply as a mentor or as a mentoree. Taking "
                    "part never puts your job at risk, and what you discuss stays in the pair.",
                    "/programs/",
                )
            )
        if not roles.is_group_only:  # F4: never in a one-to-one pair
            caps.append(
                Capability(
                    "Your mentoring pairs",
                    "Accept a proposed match, plan and log your meetings, keep your goals, and "
                    "end a pairing without fault if it does not work. Only the two of you see it.",
                    "/pairings/",
                )
            )
        caps.append(
            Capability(
                "Your applications",
                "Follow, edit or withdraw your applications, and reread the commitments you "
                "accepted.",
                "/programs/applications/",
            )
        )
    if roles.is_coordinator or roles.can_create_programs:
        caps.append(
            Capability(
                "Run your programs",
                "Create programs, open and close applications, name the committee, match "
                "mentorees with mentors, schedule group sessions and publish resources.",
                "/programs/",
            )
        )
    if roles.is_committee_member:
        caps.append(
            Capability(
                "Review applications",
                "Vote on the applications waiting for the committee and record decisions. "
                "You never see the application of someone you manage.",
                "/programs/committee/",
            )
        )
    if roles.is_talent_team:
        caps.append(
            Capability(
                "Staff talent reviews",
                "Plan reviews and seat their panels. Anyone with a conflict of interest with "
                "the subject is kept off the panel automatically, in neutral words.",
                "/reviews/",
            )
        )
    elif roles.sits_on_panels:
        caps.append(
            Capability(
                "Your review panels",
                "The talent reviews you sit on, with each subject's dossier.",
                "/reviews/",
            )
        )
    if roles.is_hr_admin or user.is_staff:
        caps.append(
            Capability(
                "Manage the directory",
                "Import the HRIS export, maintain employees and programs and read the access "
                "log in the admin. Confidential text is never shown there.",
                "/admin/",
            )
        )
    caps.append(
        Capability(
            "Change your password",
            "Keep your account safe with a password only you know.",
            "/account/password/change/",
        )
    )
    return roles
