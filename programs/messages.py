"""The messages of programs: applications, decisions, the commitment, group sessions.

Renderers read fresh rows by id and return None when the message no longer applies. They pass
names, dates and links only (F9): never a motivation, a vote, a comment or a decision reason.
"""

from django.conf import settings
from django.urls import reverse

from notifications.messaging import Rendered, audience, register
from notifications.models import Message
from people.models import Employee
from people.roles import PROGRAM_COORDINATORS
from programs.models import (
    Application,
    Commitment,
    CommitmentAcceptance,
    GroupSession,
    Registration,
)
from programs.selectors import coordinated_programs


@audience("coordinator")
def coordinates(user) -> bool:
    """Coordinates a program, or may create one (and so coordinate it)."""
    return (
        coordinated_programs(user=user).exists()
        or user.groups.filter(name=PROGRAM_COORDINATORS).exists()
    )


@audience("session_leader")
def leads_sessions(user) -> bool:
    """Leads a group session, or is an executive at the group-only grade (who lead groups)."""
    return (
        GroupSession.objects.filter(leader__user_id=user.pk).exists()
        or Employee.objects.filter(
            user_id=user.pk, is_active=True, level__gte=settings.GROUP_ONLY_LEVEL
        ).exists()
    )


def _application(message: Message) -> Application | None:
    return Application.objects.select_related("program").filter(pk=message.object_id).first()


@register("application_received", label="Your application was received", optional=False)
def application_received(message: Message) -> Rendered | None:
    application = _application(message)
    if application is None or application.status == Application.Status.WITHDRAWN:
        return None
    return Rendered(
        subject=f"{application.program.name}: we received your application",
        url=reverse("programs:my_applications"),
        context={
            "program": application.program.name,
            "role": application.get_role_display().lower(),
        },
        action="See your applications",
    )


@register(
    "application_new",
    label="A new application is waiting for your program's committee (coordinators)",
    optional=True,
    audience="coordinator",
)
def application_new(message: Message) -> Rendered | None:
    application = _application(message)
    if application is None or application.status != Application.Status.SUBMITTED:
        return None
    return Rendered(
        subject=f"{application.program.name}: a new application is waiting for the committee",
        url=reverse("programs:manage", args=[application.program.slug]),
        context={"program": application.program.name},
        action="Open the program",
        group_title=f"new applications are waiting for the committee of {application.program.name}",
    )


@register("application_decided", label="The decision on your application", optional=False)
def application_decided(message: Message) -> Rendered | None:
    application = _application(message)
    # The key names the decision it announces: a later decision has a message of its own.
    if application is None or not message.key.endswith(f":{application.status}"):
        return None
    decided = application.get_status_display().lower()
    return Rendered(
        subject=f"{application.program.name}: your application was decided ({decided})",
        url=reverse("programs:my_applications"),
        context={
            "program": application.program.name,
            "decision": decided,
            "admitted": application.status == Application.Status.ADMITTED,
        },
        action="See the decision",
    )


@register(
    "commitment_to_accept",
    label="The program commitment to accept (and each new version)",
    optional=False,
)
def commitment_to_accept(message: Message) -> Rendered | None:
    commitment = Commitment.objects.select_related("program").filter(pk=message.object_id).first()
    if commitment is None:
        return None
    newer = Commitment.objects.filter(
        program_id=commitment.program_id, version__gt=commitment.version
    ).exists()
    accepted = CommitmentAcceptance.objects.filter(
        commitment=commitment, employee__user_id=message.recipient_id
    ).exists()
    if newer or accepted:
        return None
    program = commitment.program
    return Rendered(
        subject=(
            f"{program.name}: please read and accept the program commitment"
            if commitment.version == 1
            else f"{program.name}: the program commitment has a new version to accept"
        ),
        url=reverse("programs:commitment", args=[program.slug]),
        context={"program": program.name, "version": commitment.version},
        action="Read the commitment",
    )


def _session(message: Message) -> GroupSession | None:
    return (
        GroupSession.objects.select_related("program", "leader")
        .filter(pk=message.object_id)
        .first()
    )


def _session_context(session: GroupSession) -> dict[str, object]:
    return {
        "program": session.program.name,
        "session": session.title,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "duration": session.duration_minutes,
        "location": session.location,
        "leader": session.leader.full_name,
    }


@register(
    "session_leader", label="You lead a group session", optional=False, audience="session_leader"
)
def session_leader(message: Message) -> Rendered | None:
    session = _session(message)
    if session is None or session.leader.user_id != message.recipient_id:
        return None
    return Rendered(
        subject=f"{session.program.name}: you lead the group session '{session.title}'",
        url=reverse("programs:session", args=[session.pk]),
        context=_session_context(session),
        action="Open the session",
    )


@register("session_reminder", label="Reminder the day before a group session", optional=True)
def session_reminder(message: Message) -> Rendered | None:
    session = _session(message)
    if session is None or session.is_cancelled or session.starts_at <= message.due_at:
        return None
    leads = session.leader.user_id == message.recipient_id
    registered = Registration.objects.filter(
        session=session,
        participant__user_id=message.recipient_id,
        status=Registration.Status.REGISTERED,
    ).exists()
    if not (leads or registered):
        return None
    return Rendered(
        subject=f"Reminder: the group session '{session.title}' is coming up",
        url=reverse("programs:session", args=[session.pk]),
        context={**_session_context(session), "leads": leads},
        action="Open the session",
    )


@register(
    "session_seat", label="A seat opened for you in a group session (waiting list)", optional=False
)
def session_seat(message: Message) -> Rendered | None:
    registration = (
        Registration.objects.select_related("session__program", "session__leader")
        .filter(pk=message.object_id, status=Registration.Status.REGISTERED)
        .first()
    )
    if registration is None or registration.session.is_cancelled:
        return None
    session = registration.session
    return Rendered(
        subject=f"A seat opened: you are now registered for '{session.title}'",
        url=reverse("programs:session", args=[session.pk]),
        context=_session_context(session),
        action="Open the session",
    )


def _involves(session: GroupSession, user_id: int) -> bool:
    """The person leads the session or is registered or waiting for it."""
    return (
        session.leader.user_id == user_id
        or Registration.objects.filter(session=session, participant__user_id=user_id)
        .exclude(status=Registration.Status.CANCELLED)
        .exists()
    )


@register("session_changed", label="A group session you take part in has changed", optional=False)
def session_changed(message: Message) -> Rendered | None:
    """The session as it is now; a later change supersedes this notice (it has its own)."""
    session = _session(message)
    if (
        session is None
        or session.is_cancelled
        or not message.key.endswith(f":{session.sequence}")
        or not _involves(session, message.recipient_id)
    ):
        return None
    return Rendered(
        subject=f"Changed: the group session '{session.title}' ({session.program.name})",
        url=reverse("programs:session", args=[session.pk]),
        context=_session_context(session),
        action="Open the session",
    )


@register(
    "session_cancelled", label="A group session you take part in is cancelled", optional=False
)
def session_cancelled(message: Message) -> Rendered | None:
    session = _session(message)
    if session is None or not session.is_cancelled or not _involves(session, message.recipient_id):
        return None
    return Rendered(
        subject=f"Cancelled: the group session '{session.title}' ({session.program.name})",
        url=reverse("programs:session", args=[session.pk]),
        context=_session_context(session),
        action="Open the session",
    )
