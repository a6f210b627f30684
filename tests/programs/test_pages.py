"""Who sees and does what on every page of programs/urls.py.

The suite's world (tests/builders/world.py: a program with its coordinator, committee,
participants, sessions and resources, and another program with its own coordinator) and one
matrix: every URL x every role x the
expected status of a GET. Objects a user may not see are 404, never 403; pages that exist
for everyone but need a role (create a program, publish for everyone, tags) may answer 403.
State-changing URLs refuse GET (405); POSTs by people who may not act change nothing.
A new URL in programs/urls.py without a row here fails test_every_program_url_has_a_row.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from notifications.models import Message, Notification
from programs.models import (
    Application,
    CommitmentAcceptance,
    GroupSession,
    Program,
    ProgramUserObjectPermission,
    Registration,
    Resource,
    Tag,
    Vote,
)
from programs.urls import urlpatterns
from tests.builders.programs import make_program

ROLES = [
    "coordinator",  # of this program
    "other_coordinator",  # of another program
    "committee_member",  # of this program
    "participant",  # admitted to this program, commitment accepted
    "leader",  # the executive leading this program's session (F4)
    "outsider",
    "hr_admin",
    "superuser",
]


# The matrix's roles, as people of the suite's world (tests/builders/world.py).
PERSON = {
    "coordinator": "coordinator",
    "other_coordinator": "other_coordinator",
    "committee_member": "committee_member",
    "participant": "other_mentoree",
    "leader": "executive",
    "outsider": "outsider",
    "hr_admin": "hr_admin",
    "superuser": "superuser",
}


@dataclass
class Objects:
    """The objects of the suite's world these pages act on."""

    program: Program
    other_program: Program
    undecided: Application  # in the committee's queue, no vote yet
    open_application: Application  # the participant's, to the other program
    acceptance: CommitmentAcceptance  # the participant's, of this program's commitment
    session: GroupSession  # led by the leader, nobody registered, not started
    resource: Resource
    tag: Tag
    users: dict


@pytest.fixture
def objects(world) -> Objects:
    participant = world.user("other_mentoree")
    return Objects(
        program=world.program,
        other_program=world.other_program,
        undecided=world.voting_application,
        open_application=world.participants_open_application,
        acceptance=CommitmentAcceptance.objects.get(
            commitment__program=world.program, employee=participant.employee
        ),
        session=GroupSession.objects.get(pk=world.this.session),
        resource=Resource.objects.get(pk=world.this.resource),
        tag=Tag.objects.get(pk=world.this.tag),
        users={role: world.user(person) for role, person in PERSON.items()},
    )


def url_for(name: str, w: Objects) -> str:
    slug = w.program.slug
    args = {
        "application_edit": [w.open_application.pk],
        "application_withdraw": [w.open_application.pk],
        "application_consent": [w.open_application.pk],
        "acceptance": [w.acceptance.pk],
        "committee_application": [w.undecided.pk],
        "vote": [w.undecided.pk],
        "decide": [w.undecided.pk],
        "session": [w.session.pk],
        "session_register": [w.session.pk],
        "session_cancel": [w.session.pk],
        "session_attendance": [w.session.pk],
        "session_ics": [w.session.pk],
        "session_edit": [w.session.pk],
        "session_call_off": [w.session.pk],
        "resource_download": [w.resource.pk],
        "tag_delete": [w.tag.pk],
        "committee_remove": [slug, w.users["committee_member"].pk],
        "apply": [slug, "mentoree"],
    }.get(name)
    if args is None:
        needs_slug = {
            "detail",
            "edit",
            "transition",
            "manage",
            "committee_add",
            "people_committee",
            "people_leader",
            "commitment",
            "commitment_publish",
            "session_create",
            "program_resource_create",
        }
        args = [slug] if name in needs_slug else []
    return reverse(f"programs:{name}", args=args)


def only(statuses: dict[str, int], otherwise: int) -> dict[str, int]:
    return {role: statuses.get(role, otherwise) for role in ROLES}


ALL_200 = only({}, 200)
POST_ONLY = only({}, 405)
COORDINATOR_ONLY = only({"coordinator": 200}, 404)
SESSION_PEOPLE = only({"coordinator": 200, "participant": 200, "leader": 200}, 404)

# GET: url name -> role -> status.
GET_MATRIX: dict[str, dict[str, int]] = {
    "list": ALL_200,
    # The creator coordinates the program: only coordinators create here; HR admins and
    # superusers create programs in the admin, where nobody names themselves (F13).
    "create": only({"coordinator": 200, "other_coordinator": 200}, 403),
    "my_applications": ALL_200,
    "application_edit": only({"participant": 200}, 404),
    "application_withdraw": POST_ONLY,
    "application_consent": POST_ONLY,
    # The superuser account is not in the directory: no commitments of its own.
    "my_commitments": only({"superuser": 404}, 200),
    "acceptance": only({"participant": 200}, 404),
    "committee_queue": only({"committee_member": 200}, 404),
    "committee_application": only({"coordinator": 200, "committee_member": 200}, 404),
    "vote": POST_ONLY,
    "decide": POST_ONLY,
    "my_sessions": ALL_200,
    "session": SESSION_PEOPLE,
    "session_register": POST_ONLY,
    "session_cancel": POST_ONLY,
    "session_attendance": POST_ONLY,
    "session_ics": SESSION_PEOPLE,
    # Its leader and the program's coordinators change it; participants see it, no more.
    "session_edit": only({"coordinator": 200, "leader": 200}, 404),
    "session_call_off": POST_ONLY,
    "resources": ALL_200,
    "resource_create": only({"hr_admin": 200, "superuser": 200}, 403),
    "resource_download": only({"coordinator": 200, "participant": 200}, 404),
    "tags": only({"coordinator": 200, "other_coordinator": 200}, 403),
    "tag_delete": POST_ONLY,
    "detail": ALL_200,  # accepting applications: open to every employee
    "edit": COORDINATOR_ONLY,
    "transition": POST_ONLY,
    "manage": COORDINATOR_ONLY,
    "committee_add": POST_ONLY,
    # The people picker's searches: the program's coordinator, as the forms they serve.
    "people_committee": COORDINATOR_ONLY,
    "people_leader": COORDINATOR_ONLY,
    "committee_remove": POST_ONLY,
    # Everyone in the directory may open it (the page says why they cannot apply).
    "apply": only({"superuser": 404}, 200),
    "commitment": only({"coordinator": 200, "participant": 200}, 404),
    "commitment_publish": COORDINATOR_ONLY,
    "session_create": COORDINATOR_ONLY,
    "program_resource_create": COORDINATOR_ONLY,
}


def test_every_program_url_has_a_row():
    assert set(GET_MATRIX) == {pattern.name for pattern in urlpatterns}


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(objects, signed_in_client, role):
    client = signed_in_client(objects.users[role])
    wrong = []

    for name, expected in GET_MATRIX.items():
        url = url_for(name, objects)
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)  # reading to the end closes the file
        if response.status_code != expected[role]:
            wrong.append(f"{name} {url}: {response.status_code}, expected {expected[role]}")

    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", ["detail", "apply", "commitment", "edit", "manage"])
def test_draft_program_is_seen_by_its_coordinators_only(world, signed_in_client, name):
    coordinator = world.user("coordinator")
    draft = make_program(coordinator=coordinator, status="draft", slug="draft-27")
    url = reverse(
        f"programs:{name}", args=[draft.slug, "mentoree"] if name == "apply" else [draft.slug]
    )

    assert signed_in_client(coordinator).get(url).status_code == 200
    for who in ("other_coordinator", "outsider", "hr_admin", "superuser"):
        assert signed_in_client(world.user(who)).get(url).status_code == 404, who


def test_program_list_shows_public_programs_and_ones_own_drafts(world, signed_in_client):
    coordinator = world.user("coordinator")
    make_program(coordinator=coordinator, status="draft", slug="secret-draft", name="Secret draft")
    make_program(coordinator=coordinator, status="closed", slug="old", name="Old closed one")

    mine = signed_in_client(coordinator).get(reverse("programs:list")).content.decode()
    theirs = signed_in_client(world.user("outsider")).get(reverse("programs:list")).content
    theirs = theirs.decode()

    assert "Secret draft" in mine and "Old closed one" in mine
    assert "Grow 2027" in theirs and "Lead 2027" in theirs
    assert "Secret draft" not in theirs and "Old closed one" not in theirs
    assert "Draft 2028" not in theirs and "Draft 2028" not in mine  # the other coordinator's


# --- POST: people who may not act change nothing ------------------------------------------------


def snapshot():
    return {
        "programs": sorted(Program.objects.values_list("slug", "status", "name")),
        "applications": sorted(
            Application.objects.values_list("pk", "status", "motivation", "share_with_mentor")
        ),
        "votes": Vote.objects.count(),
        "registrations": sorted(Registration.objects.values_list("pk", "status", "attended")),
        "tags": Tag.objects.count(),
        "resources": Resource.objects.count(),
        "sessions": sorted(
            GroupSession.objects.values_list("pk", "title", "starts_at", "sequence", "cancelled_at")
        ),
        "acceptances": CommitmentAcceptance.objects.count(),
        "commitments": sorted(Program.objects.values_list("slug", "commitments__version")),
        "perms": sorted(
            ProgramUserObjectPermission.objects.values_list(
                "user_id", "content_object_id", "permission__codename"
            )
        ),
    }


def post_data(name, w):
    return {
        "vote": {"choice": "admit", "comment": "Yes"},
        "decide": {"decision": "admit", "reason": "Because."},
        "session_attendance": {"attended": []},
        "application_consent": {"share": "yes"},
        "transition": {"to": "running"},
        "committee_add": {"member": w.users["outsider"].email},
        "create": {"name": "X", "slug": "x"},
        "edit": {"name": "X"},
        "commitment_publish": {"text": "A new promise " * 10},
        "apply": {"motivation": "Let me in."},
        "application_edit": {"motivation": "Changed"},
        "tags": {"name": "New tag"},
    }.get(name, {})


# url name -> (role -> status of a POST that must change nothing, the role that may act)
POST_MATRIX: dict[str, tuple[dict[str, int], str | None]] = {
    "application_withdraw": (only({"participant": None}, 404), "participant"),
    "application_consent": (only({"participant": None}, 404), "participant"),
    "vote": (only({"coordinator": 400, "committee_member": None}, 404), "committee_member"),
    # Nobody decides here: the committee has three eligible members and no votes yet.
    "decide": (only({"coordinator": 400, "committee_member": 400}, 404), None),
    "session_register": (
        only({"coordinator": 302, "leader": 302, "participant": None}, 404),
        "participant",
    ),
    # Nobody is registered, and the session has not started (no attendance yet).
    "session_cancel": (only({"coordinator": 302, "leader": 302, "participant": 302}, 404), None),
    # An empty form changes nothing; only a coordinator cancels (the leader is told why).
    "session_edit": (only({"coordinator": 200, "leader": 200}, 404), None),
    "session_call_off": (only({"coordinator": None, "leader": 302}, 404), "coordinator"),
    "session_attendance": (
        only({"coordinator": 302, "leader": 302, "participant": 302}, 404),
        None,
    ),
    "tag_delete": (only({"coordinator": None, "other_coordinator": None}, 403), "coordinator"),
    "transition": (only({"coordinator": None}, 404), "coordinator"),
    "committee_add": (only({"coordinator": None}, 404), "coordinator"),
    "committee_remove": (only({"coordinator": None}, 404), "coordinator"),
    "edit": (only({"coordinator": None}, 404), None),
    "manage": (only({"coordinator": 405}, 405), None),
    # The coordinator's POST is a preview; publishing needs its token (test_commitment_preview).
    "commitment_publish": (only({"coordinator": None}, 404), None),
    # The participant already accepted the current version: accepting again changes nothing.
    "commitment": (only({"coordinator": 404, "participant": 302}, 404), None),
    "session_create": (only({"coordinator": None}, 404), None),
    "program_resource_create": (only({"coordinator": None}, 404), None),
    "resource_create": (only({"hr_admin": None, "superuser": None}, 403), None),
    "create": (
        only(
            {"coordinator": None, "other_coordinator": None, "hr_admin": None, "superuser": None},
            403,
        ),
        None,
    ),
    "application_edit": (only({"participant": None}, 404), "participant"),
    "resource_download": (only({}, 405), None),
    "session_ics": (only({}, 405), None),
}


@pytest.mark.parametrize("name", sorted(POST_MATRIX))
def test_post_by_people_who_may_not_act_changes_nothing(objects, signed_in_client, name):
    refused, actor = POST_MATRIX[name]
    url = url_for(name, objects)
    before = snapshot()
    notifications = Notification.objects.count(), Message.objects.count()
    wrong = []

    for role, expected in refused.items():
        if expected is None:
            continue  # may act: checked below, or not at all when it needs a full form
        response = signed_in_client(objects.users[role]).post(url, post_data(name, objects))
        if response.status_code != expected:
            wrong.append(f"{role}: {response.status_code}, expected {expected}")

    assert not wrong, f"{name}:\n" + "\n".join(wrong)
    assert snapshot() == before
    assert (Notification.objects.count(), Message.objects.count()) == notifications

    if actor:
        response = signed_in_client(objects.users[actor]).post(url, post_data(name, objects))
        assert response.status_code == 302, (actor, response.status_code)
        assert snapshot() != before, f"{actor} should have changed something with {name}"
