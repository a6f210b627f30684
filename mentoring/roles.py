"""What a signed-in person may do, as the navigation and the home page show it."""

from dataclasses import dataclass, field

from people.models import User
from people.roles import HR_ADMINS, TALENT_TEAM
from people.selectors import employee_for_user


@dataclass(frozen=True)
class Capability:
    title: str
    description: str
    url: str = ""


@dataclass
class Roles:
    employee: object | None = None
    is_hr_admin: bool = False
    is_talent_team: bool = False
    is_group_only: bool = False
    is_superuser: bool = False
    capabilities: list[Capability] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        labels = []
        if self.employee is not None:
            labels.append("Executive" if self.is_group_only else "Employee")
        if self.is_hr_admin:
            labels.append("HR admin")
        if self.is_talent_team:
            labels.append("Talent team")
        if self.is_superuser:
            labels.append("Superuser")
        return labels


def roles_for(user: User) -> Roles:
    """The roles of one user, read with one query for the directory entry and one for groups."""
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
    )
    caps = roles.capabilities
    if employee is not None:
        if roles.is_group_only:
            caps.append(
                Capability(
                    "Lead group mentoring sessions",
                    "At your level you share your experience with a whole group rather than "
                    "mentoring one person, so no single mentoree's career depends on your view.",
                )
            )
        else:
            caps.append(
                Capability(
                    "Join a mentoring program",
                    "Browse the open programs and apply as a mentor or as a mentoree. Taking "
                    "part never puts your job at risk, and what you discuss stays in the pair.",
                )
            )
    if roles.is_talent_team:
        caps.append(
            Capability(
                "Staff talent reviews",
                "Set up review panels. Mentors of a subject are recused automatically.",
            )
        )
    if roles.is_hr_admin or user.is_staff:
        caps.append(
            Capability(
                "Manage the directory",
                "Import the HRIS export, maintain employees and read the access log in the "
                "admin. Confidential text is never shown there.",
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
