"""What a signed-in person may do, as the navigation and the home page show it."""

from dataclasses import dataclass, field

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


def roles_for(user: User) -> Roles:
    """The roles of one user, in a handful of queries whatever their number of programs."""
    if not user.is_authenticated:
        return Roles()
    groups = {g.name for g in user.groups.all()}
    employee = employee_for_user(user=user)
    roles = Roles(
        employee=employee,
        is_hr_admin=HR_ADMINS in groups,
        is_talent_team=TALENT_TEAM in groups,
        is_group_only=bool(employee and employee.is_group_only),
        is_superuser=user.is_superuser,
        is_coordinator=program_selectors.is_any_coordinator(user=user),
        is_committee_member=program_selectors.committee_programs(user=user).exists(),
        can_create_programs=(
            PROGRAM_COORDINATORS in groups and user.has_perm("programs.add_program")
        ),
        leads_sessions=bool(employee and GroupSession.objects.filter(leader=employee).exists()),
        sits_on_panels=bool(employee and PanelSeat.objects.filter(member=employee).exists()),
        unread_count=user.notifications.filter(read_at__isnull=True).count(),
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
        caps.append(
            Capability(
                "Your mentoring pairs",
                "Accept a proposed match, plan and log your meetings, keep your goals, and end "
                "a pairing without fault if it does not work. Only the two of you see it.",
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
