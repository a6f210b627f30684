"""The named people of the whole suite, the way healthchecks has alice, bob and charlie: one
registry, used by the fixtures (tests/fixtures/people.py), the authorization matrix's world
and the security suite's world, so a name means the same person everywhere.

`named("mentor")` makes the person (an account with its directory entry) and gives the
company-wide role the name implies (Talent team, HR admins). Overrides change a field for
one world (a level, an address) without forking the registry.
"""

from __future__ import annotations

from django.conf import settings

from people.models import User
from people.roles import HR_ADMINS, TALENT_TEAM
from people.services import user_add_to_role
from tests.factories import EmployeeFactory, UserFactory

NAMED: dict[str, dict[str, object]] = {
    "mentor": {
        "first_name": "Helena",
        "last_name": "Marsh",
        "title": "Director, Credit Risk",
        "department": "Risk",
        "level": 7,
    },
    "mentoree": {
        "first_name": "Samuel",
        "last_name": "Okoro",
        "title": "Engineering Manager",
        "department": "Technology",
        "level": 5,
    },
    "other_mentor": {
        "first_name": "Karin",
        "last_name": "Novak",
        "title": "Director, Payments",
        "department": "Operations",
        "level": 7,
    },
    "other_mentoree": {"first_name": "Nadia", "last_name": "Farah", "title": "Analyst", "level": 4},
    "coordinator": {
        "first_name": "Grace",
        "last_name": "Whitfield",
        "title": "Mentoring Program Lead",
        "department": "People",
        "level": 6,
    },
    "other_coordinator": {
        "first_name": "Oscar",
        "last_name": "Lindqvist",
        "title": "Program Lead",
        "level": 6,
    },
    "committee_member": {
        "first_name": "Arjun",
        "last_name": "Mehta",
        "title": "Director, Leadership Development",
        "department": "People",
        "level": 7,
    },
    "talent_reviewer": {
        "first_name": "Claire",
        "last_name": "Dumont",
        "title": "Talent Review Partner",
        "department": "People",
        "level": 6,
    },
    "hr_admin": {
        "first_name": "Tom",
        "last_name": "Becker",
        "title": "HR Systems Administrator",
        "department": "People",
        "level": 6,
    },
    "outsider": {
        "first_name": "Lina",
        "last_name": "Petrova",
        "title": "Personal Banker",
        "department": "Retail Banking",
    },
    "executive": {
        "first_name": "Victoria",
        "last_name": "Adeyemi",
        "title": "Chief Risk Officer",
        "level": "GROUP_ONLY_LEVEL",
    },
    "panel_member": {
        "first_name": "Ingrid",
        "last_name": "Solberg",
        "title": "Head of Data",
        "department": "Technology",
        "level": 6,
    },
    "other_panel_member": {
        "first_name": "Marco",
        "last_name": "Bellini",
        "title": "Head of Payments",
        "department": "Operations",
        "level": 6,
    },
    "applicant": {"first_name": "Rosa", "last_name": "Diaz", "level": 4},
    "inactive": {
        "first_name": "Ivan",
        "last_name": "Gone",
        "title": "Former Analyst",
        "is_active": False,
    },
}

ROLE_OF = {"talent_reviewer": TALENT_TEAM, "hr_admin": HR_ADMINS}

# The administration account outside the directory.
SUPERUSER = {
    "first_name": "Sam",
    "last_name": "Root",
    "email": "root@example.test",
    "is_staff": True,
    "is_superuser": True,
}


def named(name: str, **overrides) -> User:
    """The named person, made now (see NAMED); `superuser` has no directory entry."""
    if name == "superuser":
        return UserFactory(**{**SUPERUSER, **overrides})
    fields = {**NAMED[name], **overrides}
    if fields.get("level") == "GROUP_ONLY_LEVEL":
        fields["level"] = settings.GROUP_ONLY_LEVEL
    user = EmployeeFactory(**fields).user
    if name in ROLE_OF:
        user_add_to_role(user=user, role=ROLE_OF[name])
    return user
