"""Demo programs for North Bank: an executive mentoring program and a one-to-one program,
applications in every state, a committee of three, a President leading group sessions and
two resources. Built through the services, so the demo obeys every rule real data does."""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from demo.people import demo_employee
from people.models import Employee, User
from programs import services
from programs.models import Application, GroupSession, Program, Tag, Vote

EXEC_SLUG = "executive-mentoring-2027"
GROW_SLUG = "grow-2027"
TAGS = (
    "Leadership presence",
    "Strategic thinking",
    "Managing managers",
    "Stakeholder management",
    "Career direction",
    "Risk and regulation",
    "Technology strategy",
    "Public speaking",
    "Work-life balance",
    "Leading change",
    "Commercial acumen",
    "Coaching others",
)


def _pdf(title: str) -> bytes:
    """A small, valid one-page PDF with a title line."""
    text = title.replace("(", "[").replace(")", "]")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


@transaction.atomic
def load_demo_programs(*, seed: int = 2027) -> bool:
    """Create the demo programs once; returns False when they already exist."""
    if Program.objects.filter(slug__in=[EXEC_SLUG, GROW_SLUG]).exists():
        return False
    rng = random.Random(seed)
    today = timezone.localdate()
    coordinator = demo_employee("coordinator").user
    committee_lead = demo_employee("committee")
    hr_admin = demo_employee("hradmin").user
    tags = [Tag.objects.get_or_create(name=name)[0] for name in TAGS]

    common = {
        "applications_open_on": today - timedelta(days=10),
        "applications_close_on": today + timedelta(days=20),
        "starts_on": today + timedelta(days=30),
        "ends_on": today + timedelta(days=30 + 365),
    }
    executive = services.program_create(
        created_by=coordinator,
        coordinators=[coordinator],
        name="Executive Mentoring 2027",
        slug=EXEC_SLUG,
        kind=Program.Kind.EXECUTIVE,
        description=(
            "A year of one-to-one mentoring for directors preparing for executive roles, "
            "paired with senior leaders from another division, and group sessions led by "
            "the President and the executive team."
        ),
        audience="Directors (grade 7) nominated by their division. Mentors at grade 8.",
        min_mentor_level=8,
        max_mentoree_level=7,
        default_mentor_capacity=1,
        **common,
    )
    grow = services.program_create(
        created_by=coordinator,
        coordinators=[coordinator],
        name="Grow: one-to-one mentoring 2027",
        slug=GROW_SLUG,
        kind=Program.Kind.ONE_TO_ONE,
        description=(
            "Our company-wide program: anyone can ask for a mentor from another part of the "
            "bank to grow their career, and experienced colleagues can offer to mentor."
        ),
        audience="Everyone at grades 1 to 6 as mentorees; grade 5 and above as mentors.",
        min_mentor_level=5,
        max_mentoree_level=6,
        default_mentor_capacity=2,
        **common,
    )
    executive, grow = (
        services.program_transition(program=program, by=coordinator, to_status="accepting")
        for program in (executive, grow)
    )

    # A committee of three: the demo committee member and two directors from Finance and Risk.
    members = [committee_lead.user]
    for department in ("Finance", "Operations"):
        members.append(
            Employee.objects.filter(department=department, level__in=(7, 8))
            .order_by("number")
            .first()
            .user
        )
    for program in (executive, grow):
        for member in members:
            services.committee_member_add(program=program, by=coordinator, user=member)

    def apply(employee, program, role, motivation):
        return services.application_submit(
            applicant=employee,
            program=program,
            role=role,
            motivation=motivation,
            goals=rng.choice(
                (
                    "Grow my confidence in senior meetings and broaden my network.",
                    "Learn to lead through change and to manage managers.",
                    "Share what I have learnt about building teams across divisions.",
                )
            ),
            tags=rng.sample(tags, 3),
            availability=rng.choice(("Tuesday mornings", "Thursday afternoons", "Flexible")),
            # Most mentorees let a proposed mentor see their goals; some keep them (no draw
            # from rng, so the rest of the demo stays as it was).
            share_with_mentor=employee.number[-1] not in "37",
        )

    def decide(application, decision, reason):
        for member in members[: application.program.quorum_votes]:
            if not _recused(member, application):
                services.vote_cast(application=application, voter=member, choice=decision)
        if Vote.objects.filter(application=application).count() >= application.program.quorum_votes:
            services.application_decide(
                application=application, by=members[0], decision=decision, reason=reason
            )
        else:
            services.application_decide(
                application=application, by=coordinator, decision=decision, reason=reason
            )

    # The named demo people: admitted in Grow, mentor and mentoree, commitment accepted.
    mentor, mentoree = demo_employee("mentor"), demo_employee("mentoree")
    for person, role in ((mentor, "mentor"), (mentoree, "mentoree")):
        application = apply(person, grow, role, "I would like to take part in Grow this year.")
        decide(application, "admit", "Meets the program's aims; strong motivation.")
        services.commitment_accept(employee=person, program=grow)

    # Everyone else: a spread of applications in every state.
    mentors = list(
        Employee.objects.filter(level__in=(5, 6, 7, 8), is_active=True)
        .exclude(
            email__endswith="@northbank.example",
            email__regex=r"^(mentor|mentoree|coordinator|committee|reviewer|hradmin)@",
        )
        .order_by("number")[:60]
    )
    mentees = list(
        Employee.objects.filter(level__lte=4, is_active=True)
        .exclude(email="employee@northbank.example")
        .order_by("number")[:60]
    )
    rng.shuffle(mentors)
    rng.shuffle(mentees)
    plan = [
        ("admit", 8),
        ("decline", 2),
        ("waitlist", 2),
        ("withdraw", 1),
        ("pending", 4),
        ("pending-two-votes", 1),
        ("pending-majority", 1),
    ]
    for role, pool in (("mentor", mentors[:19]), ("mentoree", mentees[:19])):
        people = iter(pool)
        for state, count in plan:
            for _ in range(count):
                person = next(people)
                application = apply(person, grow, role, "I want to grow and help others grow.")
                if state in ("admit", "decline", "waitlist"):
                    decide(application, state, "Committee decision for the demo.")
                    if state == "admit":
                        services.commitment_accept(employee=person, program=grow)
                elif state == "withdraw":
                    services.application_withdraw(application=application, by=person)
                elif state.startswith("pending-"):
                    voters = members[:2] if state == "pending-two-votes" else members
                    for member in voters:
                        if not _recused(member, application):
                            services.vote_cast(
                                application=application, voter=member, choice="admit"
                            )

    # The executive program: senior mentors and director mentorees.
    exec_mentors = Employee.objects.filter(level=8).order_by("number")[:3]
    exec_mentees = Employee.objects.filter(level=7).exclude(pk=mentor.pk).order_by("number")[:4]
    for index, person in enumerate(exec_mentors):
        application = apply(person, executive, "mentor", "I want to give back to the bank.")
        if index < 2:
            decide(application, "admit", "Experienced leader from another division.")
            services.commitment_accept(employee=person, program=executive)
    for index, person in enumerate(exec_mentees):
        application = apply(person, executive, "mentoree", "Preparing for an executive role.")
        if index < 3:
            decide(application, "admit", "Nominated by the division; ready for the program.")
            if index < 2:
                services.commitment_accept(employee=person, program=executive)

    # Group sessions: the President and an executive lead groups instead of mentoring one-to-one.
    president, executive_lead = demo_employee("president"), demo_employee("executive")
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    services.session_create(
        program=executive,
        by=coordinator,
        leader=president,
        title="Leading a bank through uncertainty",
        description="The President shares how the board weighs risk and growth, and takes "
        "questions from the group.",
        starts_at=start + timedelta(days=35, hours=2),
        duration_minutes=90,
        location="Board room, 1 Bank Street, London",
        capacity=12,
    )
    services.session_create(
        program=executive,
        by=coordinator,
        leader=president,
        title="From director to executive: what changes",
        description="An open conversation with the President about the step up.",
        starts_at=start + timedelta(days=70, hours=2),
        duration_minutes=60,
        location="Video call (link sent to registered participants)",
        capacity=3,
    )
    session = services.session_create(
        program=grow,
        by=coordinator,
        leader=executive_lead,
        title="Owning your career in a regulated industry",
        description="The Chief Risk Officer on building a career in risk and regulation.",
        starts_at=start + timedelta(days=40, hours=3),
        duration_minutes=75,
        location="Auditorium, Edinburgh office",
        capacity=30,
    )
    for application in grow.applications.filter(status=Application.Status.ADMITTED)[:6]:
        services.session_register(session=session, employee=application.applicant)
    _sessions_under_way_and_past(grow, coordinator, executive_lead, [mentor, mentoree])

    services.resource_publish(
        by=hr_admin,
        program=None,
        title="Being a great mentor: a short guide",
        description="What mentors do and do not do, and how confidentiality works here.",
        file=SimpleUploadedFile(
            "being-a-great-mentor.pdf", _pdf("Being a great mentor"), "application/pdf"
        ),
    )
    services.resource_publish(
        by=coordinator,
        program=executive,
        title="Executive mentoring: a delicate balance",
        description="Why executives lead groups, and why mentors never assess their mentorees.",
        file=SimpleUploadedFile(
            "executive-mentoring.pdf",
            _pdf("Executive mentoring: a delicate balance"),
            "application/pdf",
        ),
    )
    return True


def _sessions_under_way_and_past(
    grow: Program, coordinator: User, leader: Employee, named: list[Employee]
) -> None:
    """A session that started half an hour ago (its leader, the demo executive, or the
    coordinator can take attendance now) and one held four weeks ago, attendance taken.
    Sessions can only be scheduled ahead and registered for before they start, so each is
    scheduled a minute ahead, filled, then moved to its time, as if the demo had been running
    for a while; no reminder is due for either (their reminder time has passed)."""
    now = timezone.now()
    admitted = [
        a.applicant
        for a in grow.applications.filter(status=Application.Status.ADMITTED)
        .select_related("applicant")
        .order_by("pk")
    ]
    participants = named + [p for p in admitted if p not in named][:8]
    plans = (
        ("Giving feedback that lands", now - timedelta(minutes=30), "Room 4.12, London office"),
        ("Your first ninety days as a mentor or mentoree", now - timedelta(weeks=4), "Video call"),
    )
    for title, starts_at, location in plans:
        session = services.session_create(
            program=grow,
            by=coordinator,
            leader=leader,
            title=title,
            description="A group session of the Grow program, open to every participant.",
            starts_at=now + timedelta(minutes=1),
            duration_minutes=90,
            location=location,
            capacity=20,
        )
        registrations = [
            services.session_register(session=session, employee=person) for person in participants
        ]
        GroupSession.objects.filter(pk=session.pk).update(starts_at=starts_at)
        session.refresh_from_db()
        if starts_at < now - timedelta(days=1):
            services.session_record_attendance(
                session=session, by=coordinator, attended_ids=[r.pk for r in registrations[:-2]]
            )


def _recused(member: User, application: Application) -> bool:
    from programs.selectors import is_recused

    return is_recused(user=member, application=application)
