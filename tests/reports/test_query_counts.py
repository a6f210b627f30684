"""Every list page of the app keeps a fixed number of queries however many rows it shows
(STYLE.md): each test builds its rows through the services at a small size and at ten times
that size, and pins the same literal count at both with `django_assert_num_queries`.

The pages come from the URL configuration (`grep -n "path(" */urls.py mentoring/urls.py`):
programs (list, detail, my applications, my commitments, committee queue and application,
manage, sessions, session, resources, tags), the inbox and notification settings, the
calendar feed, pairings (mine, the pair's space, the coordinator's pairings, suggestions,
matching), confidentiality (agreement, notes), reviews (list, detail, dossier, recusals) and
reports (dashboard, overview, the three CSV exports).

Each measured request follows a warm-up request (content types, templates and other
per-process caches), by the same person unless the page changes what it shows on a visit
(the inbox marks messages read), where someone else warms it. Where a count differs between
SQLite and PostgreSQL it would be pinned per backend; measured on both, none does (the CSV
exports stream with `iterator()`, a server-side cursor on PostgreSQL, without extra queries).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from confidentiality import services as conf_services
from firewall.register import conflict_declare
from notifications.messaging import optional_kinds
from notifications.models import Notification
from notifications.services import calendar_feed_reset, message_opt_outs_set
from pairings import matching
from pairings import services as pairing_services
from pairings.models import MatchingRun, Pairing
from programs import services as program_services
from programs.models import GroupSession, Program
from reports.selectors import program_dashboard
from reviews import services as review_services
from reviews.models import TalentReview
from tests.builders.confidentiality import agreement_of, change_rules, write_note
from tests.builders.pairings import accept_both, add_goal, log_meeting, propose, sign_both
from tests.builders.programs import admit_alone, apply, join_program, make_program, pdf_upload
from tests.factories import EmployeeFactory

FEW, MANY = 3, 30
SIZES = pytest.mark.parametrize("size", [FEW, MANY], ids=["few", "many"])


def assert_queries(client, url, expected, django_assert_num_queries, *, warm: Client | None = None):
    """GET `url` once to warm per-process caches (with `warm` when given), then again
    counting queries; a streamed response (a CSV export) is read to the end inside the
    count, since its rows are queried as it streams."""
    response = (warm or client).get(url)
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)
    with django_assert_num_queries(expected):
        response = client.get(url)
        if response.streaming:
            body = b"".join(response.streaming_content)
    assert response.status_code == 200
    if response.streaming:
        response.body = body
    return response


# --- Fixtures and builders -----------------------------------------------------------------


@pytest.fixture
def program(coordinator) -> Program:
    return make_program(coordinator=coordinator)


@pytest.fixture
def executive(db):
    return EmployeeFactory(
        first_name="Victoria",
        last_name="Adeyemi",
        title="President",
        department="Executive Office",
        level=settings.GROUP_ONLY_LEVEL,
    )


@pytest.fixture
def tags(coordinator):
    return [program_services.tag_create(by=coordinator, name=f"Topic {n}") for n in range(3)]


def session_in(program, coordinator, leader, *, days=7, capacity=20, title="Session"):
    return program_services.session_create(
        program=program,
        by=coordinator,
        leader=leader,
        title=title,
        description="",
        starts_at=timezone.now() + timedelta(days=days),
        duration_minutes=60,
        location="Video call",
        capacity=capacity,
    )


def move_into_the_past(session, *, days=2):
    GroupSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(days=days)
    )
    session.refresh_from_db()
    return session


def grow_program(program, coordinator, leader, size: int) -> None:
    """`size` mentorees, all paired (a mentor for every three): one pairing in four ended
    (a category each), one in four active but sharing nothing with the coordinator, the
    others active and sharing attendance (so from ten pairings on, at least five share it
    and the meeting figures are computed, not withheld), with two meetings per active pair.
    Also a declined or waitlisted applicant per three, and `size // 3` past group sessions
    with registrations and attendance."""
    mentors = []
    categories = list(Pairing.EndCategory.values)
    mentorees = []
    for n in range(size):
        if n % 3 == 0:
            mentors.append(join_program(program, coordinator, "mentor", capacity=3))
            program_services.application_decide(
                application=apply(EmployeeFactory(level=4), program),
                by=coordinator,
                decision="decline" if n % 2 else "waitlist",
                reason="Not now.",
            )
        mentoree = join_program(program, coordinator)
        mentorees.append(mentoree)
        pairing = accept_both(propose(program, mentors[-1], mentoree, by=coordinator))
        if n % 4 == 3:
            pairing_services.pairing_end(
                pairing=pairing, by=mentoree, category=categories[n % len(categories)]
            )
            continue
        log_meeting(pairing, days=-(n % 28 + 1))
        log_meeting(pairing, days=-(n % 300 + 40))
        if n % 4 == 1:
            change_rules(pairing, mentors[-1].user, coordinator="nothing")
            sign_both(pairing)
    for index in range(max(size // 3, 1)):
        session = session_in(program, coordinator, leader, title=f"Session {index}")
        registrations = [
            program_services.session_register(session=session, employee=e)
            for e in mentorees[index * 3 : index * 3 + 3]
        ]
        move_into_the_past(session)
        program_services.session_record_attendance(
            session=session, by=coordinator, attended_ids=[r.pk for r in registrations[:2]]
        )


# --- programs -------------------------------------------------------------------------------


@SIZES
def test_program_list(size, coordinator, outsider, signed_in_client, django_assert_num_queries):
    for n in range(size):
        program = make_program(coordinator=coordinator, name=f"Program {n}", slug=f"program-{n}")
        if n % 2:
            apply(outsider.employee, program)
    for who, expected in ((coordinator, 7), (outsider, 6)):
        assert_queries(
            signed_in_client(who), reverse("programs:list"), expected, django_assert_num_queries
        )


@SIZES
def test_program_detail_for_a_participant(
    size, program, coordinator, executive, signed_in_client, django_assert_num_queries
):
    participant = join_program(program, coordinator)
    for n in range(size):
        session = session_in(program, coordinator, executive, days=n + 2, title=f"Session {n}")
        if n % 2:
            program_services.session_register(session=session, employee=participant)
        program_services.resource_publish(
            by=coordinator, program=program, title=f"Paper {n}", file=pdf_upload(f"p{n}.pdf")
        )
    assert_queries(
        signed_in_client(participant.user),
        reverse("programs:detail", args=[program.slug]),
        16,
        django_assert_num_queries,
    )


@SIZES
def test_my_applications(size, coordinator, mentoree, signed_in_client, django_assert_num_queries):
    for n in range(size):
        program = make_program(coordinator=coordinator, name=f"P{n}", slug=f"p-{n}")
        application = apply(mentoree.employee, program)
        if n % 3 == 1:
            admit_alone(application, coordinator)
        elif n % 3 == 2:
            program_services.application_withdraw(application=application, by=mentoree.employee)
    assert_queries(
        signed_in_client(mentoree),
        reverse("programs:my_applications"),
        5,
        django_assert_num_queries,
    )


@SIZES
def test_my_commitments(size, coordinator, mentoree, signed_in_client, django_assert_num_queries):
    for n in range(size):
        program = make_program(coordinator=coordinator, name=f"P{n}", slug=f"p-{n}")
        admit_alone(apply(mentoree.employee, program), coordinator)
        program_services.commitment_accept(employee=mentoree.employee, program=program)
    assert_queries(
        signed_in_client(mentoree),
        reverse("programs:my_commitments"),
        5,
        django_assert_num_queries,
    )


@SIZES
def test_committee_queue(
    size, program, committee, tags, signed_in_client, django_assert_num_queries
):
    for _ in range(size):
        application = apply(EmployeeFactory(level=4), program, tags=tags)
        program_services.vote_cast(application=application, voter=committee[1], choice="admit")
    assert_queries(
        signed_in_client(committee[0]),
        reverse("programs:committee_queue"),
        6,
        django_assert_num_queries,
    )


@SIZES
def test_committee_application_with_its_votes(
    size, program, coordinator, tags, signed_in_client, django_assert_num_queries
):
    """The votes listed grow with the committee."""
    members = [EmployeeFactory(title="Director", level=7).user for _ in range(size)]
    for member in members:
        program_services.committee_member_add(program=program, by=coordinator, user=member)
    application = apply(EmployeeFactory(level=4), program, tags=tags)
    for n, member in enumerate(members):
        program_services.vote_cast(
            application=application, voter=member, choice="admit" if n % 2 else "decline"
        )
    assert_queries(
        signed_in_client(members[0]),
        reverse("programs:committee_application", args=[application.pk]),
        14,
        django_assert_num_queries,
    )


@SIZES
def test_program_manage_page(
    size,
    program,
    coordinator,
    committee,
    executive,
    tags,
    signed_in_client,
    django_assert_num_queries,
):
    for n in range(size):
        person = EmployeeFactory(level=4)
        application = apply(person, program, tags=tags)
        if n % 2 == 0:
            for member in committee:
                program_services.vote_cast(application=application, voter=member, choice="admit")
            program_services.application_decide(
                application=application, by=committee[0], decision="admit", reason="Fits."
            )
            program_services.commitment_accept(employee=person, program=program)
        else:
            program_services.vote_cast(application=application, voter=committee[0], choice="admit")
        session_in(program, coordinator, executive, days=n + 2, title=f"Session {n}")
        program_services.resource_publish(
            by=coordinator, program=program, title=f"Paper {n}", file=pdf_upload(f"p{n}.pdf")
        )
    assert_queries(
        signed_in_client(coordinator),
        reverse("programs:manage", args=[program.slug]),
        19,  # sessions and resources paged (their counts); applications counted by status
        django_assert_num_queries,
    )


@SIZES
def test_my_sessions_for_a_participant_and_a_leader(
    size, program, coordinator, executive, signed_in_client, django_assert_num_queries
):
    participant = join_program(program, coordinator)
    for n in range(size):
        session = session_in(program, coordinator, executive, days=n + 2, title=f"Session {n}")
        program_services.session_register(session=session, employee=participant)
    url = reverse("programs:my_sessions")
    assert_queries(signed_in_client(participant.user), url, 6, django_assert_num_queries)
    assert_queries(signed_in_client(executive.user), url, 6, django_assert_num_queries)


@SIZES
def test_session_detail_with_its_registrations(
    size, program, coordinator, executive, signed_in_client, django_assert_num_queries
):
    session = session_in(program, coordinator, executive, capacity=max(size // 2, 1))
    for _ in range(size):
        program_services.session_register(
            session=session, employee=join_program(program, coordinator, accept=False)
        )
    assert_queries(
        signed_in_client(coordinator),
        reverse("programs:session", args=[session.pk]),
        8,
        django_assert_num_queries,
    )


@SIZES
def test_resource_list(
    size, program, coordinator, hr_admin, signed_in_client, django_assert_num_queries
):
    participant = join_program(program, coordinator)
    for n in range(size):
        program_services.resource_publish(
            by=coordinator if n % 2 else hr_admin,
            program=program if n % 2 else None,
            title=f"Paper {n}",
            file=pdf_upload(f"paper-{n}.pdf"),
        )
    assert_queries(
        signed_in_client(participant.user),
        reverse("programs:resources"),
        6,
        django_assert_num_queries,
    )


@SIZES
def test_tag_list(size, program, coordinator, signed_in_client, django_assert_num_queries):
    for n in range(size):
        program_services.tag_create(by=coordinator, name=f"Topic {n}")
    assert_queries(
        signed_in_client(coordinator), reverse("programs:tags"), 6, django_assert_num_queries
    )


# --- the home page: the signed-in floor, with its to-do list ---------------------------------


@SIZES
def test_home_with_its_to_do_list(
    size,
    program,
    coordinator,
    committee_member,
    executive,
    signed_in_client,
    django_assert_num_queries,
):
    """The to-do list is one query whatever its kinds and rows: a mentor with `size` matches
    to accept and agreements to sign, a committee member with `size` applications to vote on
    in `size` programs, a leader of `size` sessions without attendance, a coordinator with
    `size` programs' applications waiting for a decision (one of them the mentor's
    manager, whose report shares attendance: the audience page's link too)."""
    mentor = EmployeeFactory(level=7, title="Director", manager=EmployeeFactory(level=8))
    for n in range(size):
        other = make_program(coordinator=coordinator, name=f"Other {n}", slug=f"other-{n}")
        admit_alone(apply(mentor, other, "mentor"), coordinator)
        program_services.commitment_accept(employee=mentor, program=other)
        pairing = propose(other, mentor, join_program(other, coordinator), by=coordinator)
        if n % 2:
            pairing_services.pairing_accept(pairing=pairing, by=mentor)
        program_services.committee_member_add(program=other, by=coordinator, user=committee_member)
        apply(EmployeeFactory(level=4), other)
        apply(EmployeeFactory(level=4), program)
        session = session_in(program, coordinator, executive, title=f"Session {n}")
        program_services.session_register(
            session=session, employee=join_program(program, coordinator)
        )
        move_into_the_past(session, days=1)
    shared = accept_both(
        propose(
            program,
            join_program(program, coordinator, "mentor"),
            join_program(program, coordinator, manager=mentor),
            by=coordinator,
        )
    )
    change_rules(shared, shared.mentoree.user, manager="attendance")
    sign_both(shared)
    for who, expected, items in (
        # The session, the user with their directory entry, the roles, the to-do list; and
        # the manager's name where one is recorded (the mentor's is).
        (mentor.user, 5, size),
        (committee_member, 4, size),
        (executive.user, 4, size),
        (coordinator, 4, size + 1),
    ):
        response = assert_queries(
            signed_in_client(who), reverse("home"), expected, django_assert_num_queries
        )
        assert len(response.context["home"].todos) == items, who
    assert response.context["home"].shared_as_manager == 0
    mentors_home = signed_in_client(mentor.user).get(reverse("home")).context["home"]
    assert mentors_home.shared_as_manager == 1


# --- inbox, notification settings, calendar feed ---------------------------------------------


@SIZES
def test_inbox(
    size, program, coordinator, outsider, signed_in_client, deliver, django_assert_num_queries
):
    """The coordinator is told of every application; opening the inbox marks the page read."""
    for _ in range(size):
        apply(EmployeeFactory(level=4), program)
    apply(outsider.employee, program)
    deliver()
    assert Notification.objects.filter(recipient=coordinator, read_at=None).count() == size + 1
    assert_queries(
        signed_in_client(coordinator),
        reverse("inbox"),
        10,  # the lines' groups, their newest messages and the unread ones they stand for
        django_assert_num_queries,
        warm=signed_in_client(outsider),
    )


@SIZES
def test_notification_settings(
    size, program, coordinator, signed_in_client, deliver, django_assert_num_queries
):
    for _ in range(size):
        apply(EmployeeFactory(level=4), program)
    deliver()
    kinds = [k.name for k in optional_kinds()]
    message_opt_outs_set(user=coordinator, turned_off=kinds[: max(1, len(kinds) * size // MANY)])
    assert_queries(
        signed_in_client(coordinator),
        reverse("notification_settings"),
        11,  # which kinds the person can receive: one query per audience (pair members since
        # the group-only fix), and those received
        django_assert_num_queries,
    )


@SIZES
def test_calendar_feed(size, program, coordinator, executive, client, django_assert_num_queries):
    mentor = join_program(program, coordinator, "mentor")
    pairing = accept_both(
        propose(program, mentor, join_program(program, coordinator), by=coordinator)
    )
    for n in range(size):
        log_meeting(pairing, days=n - size // 2)
        session = session_in(program, coordinator, executive, days=n + 2, title=f"Session {n}")
        if n % 2:
            program_services.session_register(session=session, employee=mentor)
    token = calendar_feed_reset(user=mentor.user)
    assert_queries(client, reverse("calendar_feed", args=[token]), 3, django_assert_num_queries)


# --- pairings -------------------------------------------------------------------------------


@SIZES
def test_my_pairings(size, program, coordinator, signed_in_client, django_assert_num_queries):
    mentor = join_program(program, coordinator, "mentor", capacity=2)
    for n in range(size):
        pairing = propose(program, mentor, join_program(program, coordinator), by=coordinator)
        if n < size - 2:
            pairing_services.pairing_end(
                pairing=pairing, by=mentor, category=Pairing.EndCategory.SCHEDULE
            )
        elif n == size - 1:
            accept_both(pairing)
    assert_queries(
        signed_in_client(mentor.user),
        reverse("pairings:mine"),
        5,  # whether each active pairing waits for a new commitment version: in the list's query
        django_assert_num_queries,
    )


@SIZES
def test_the_pairs_space(size, program, coordinator, signed_in_client, django_assert_num_queries):
    mentor = join_program(program, coordinator, "mentor")
    pairing = accept_both(
        propose(program, mentor, join_program(program, coordinator), by=coordinator)
    )
    for n in range(size):
        log_meeting(pairing, days=(n + 1) * (1 if n % 2 else -1))
        add_goal(pairing, f"Goal {n}")
    assert_queries(
        signed_in_client(mentor.user),
        reverse("pairings:space", args=[pairing.pk]),
        # the meetings to come (planned and cancelled, one query), then a page of past
        # meetings with its count; the goals and their history; the F5 gate's agreement and
        # its signers in force (one query) and the agreement box (one query)
        12,
        django_assert_num_queries,
    )


@SIZES
def test_the_coordinators_pairings_page(
    size, program, coordinator, executive, signed_in_client, django_assert_num_queries
):
    grow_program(program, coordinator, executive, size)
    for _ in range(size):
        join_program(program, coordinator)  # admitted, not yet matched
    url = reverse("pairings:program", args=[program.slug])
    client = signed_in_client(coordinator)
    # The list's count is the sum of the status counts the page shows anyway; the themes are
    # read only when a pair shown has some for the coordinator (none here); the attendance
    # the rules share is read in the list's own query.
    assert_queries(client, url, 10, django_assert_num_queries)
    assert_queries(client, f"{url}?status=active", 10, django_assert_num_queries)


@SIZES
def test_suggestions(size, program, coordinator, tags, signed_in_client, django_assert_num_queries):
    mentoree = join_program(program, coordinator, tags=tags[:2])
    for n in range(size):
        join_program(program, coordinator, "mentor", tags=tags[n % 3 :])
    assert_queries(
        signed_in_client(coordinator),
        reverse("pairings:suggestions", args=[program.slug, mentoree.pk]),
        15,
        django_assert_num_queries,
    )


@SIZES
def test_the_matching_page_with_a_proposal(
    size, program, coordinator, signed_in_client, django_assert_num_queries
):
    mentors = [join_program(program, coordinator, "mentor", capacity=1) for _ in range(size)]
    mentorees = [join_program(program, coordinator) for _ in range(size)]
    for mentor, mentoree in list(zip(mentors, mentorees, strict=True))[: max(size // 3, 1)]:
        matching.pin_add(program=program, mentor=mentor, mentoree=mentoree, by=coordinator)
    run = matching.matching_run_start(program=program, by=coordinator)
    matching.matching_run_execute(run_id=run.pk)  # what the worker does once it commits
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.DONE
    assert run.pairs.count() == size
    assert_queries(
        signed_in_client(coordinator),
        reverse("pairings:matching", args=[program.slug]),
        8,  # who waits, counted and named in one query; the run with who started it and its count
        django_assert_num_queries,
    )


@SIZES
def test_the_matching_page_naming_who_is_left_out_or_without_a_pair(
    size, program, coordinator, signed_in_client, django_assert_num_queries
):
    """The bench's case: a run that proposed nobody, so every mentoree considered is named
    as left without a pair, and some left out (the commitment not accepted)."""
    for accept in [True] * size + [False] * size:
        join_program(program, coordinator, accept=accept)
    MatchingRun.objects.create(program=program, status=MatchingRun.Status.DONE)
    response = assert_queries(
        signed_in_client(coordinator),
        reverse("pairings:matching", args=[program.slug]),
        7,  # no proposal to list: the names and counts of who waits are one query
        django_assert_num_queries,
    )
    assert (
        response.context["gaps"].left_out_count,
        response.context["gaps"].without_pair_count,
    ) == (size, size)


# --- confidentiality --------------------------------------------------------------------------


@pytest.fixture
def pair(program, coordinator):
    mentor = join_program(program, coordinator, "mentor")
    mentoree = join_program(program, coordinator)
    return accept_both(propose(program, mentor, mentoree, by=coordinator))


@SIZES
def test_the_pairs_notes(size, pair, signed_in_client, django_assert_num_queries):
    mentor, mentoree = pair.mentor.user, pair.mentoree.user
    for n in range(size):
        meeting = log_meeting(pair, days=-(n + 1)) if n % 3 == 0 else None
        author = mentor if n % 2 else mentoree
        write_note(pair, author, f"Note {n}", shared=n % 4 < 2, meeting=meeting)
    assert_queries(
        signed_in_client(mentor),
        reverse("confidentiality:notes", args=[pair.pk]),
        8,  # with the paginator's count
        django_assert_num_queries,
    )


@SIZES
def test_the_agreement_with_its_themes(size, pair, signed_in_client, django_assert_num_queries):
    mentoree = pair.mentoree.user
    change_rules(pair, mentoree, coordinator="themes", committee="themes")
    sign_both(pair)
    for n in range(size):
        conf_services.theme_add(
            agreement=agreement_of(pair),
            by=mentoree,
            audience="coordinator" if n % 2 else "committee",
            text=f"Theme {n}",
        )
    assert_queries(
        signed_in_client(mentoree),
        reverse("confidentiality:agreement", args=[pair.pk]),
        9,  # with what each audience sees today: the managers above, the meetings held
        django_assert_num_queries,
    )


@SIZES
def test_mentoring_a_manager_may_see(
    size, program, coordinator, signed_in_client, django_assert_num_queries
):
    """`size` direct reports in mentoring, every other one sharing attendance and themes with
    their manager, each with meetings: three queries for the rows however many."""
    manager = EmployeeFactory(level=6)
    for n in range(size):
        mentor = join_program(program, coordinator, "mentor", capacity=1)
        mentoree = join_program(program, coordinator, manager=manager)
        pairing = accept_both(propose(program, mentor, mentoree, by=coordinator))
        for days in range(n % 4 + 1):
            log_meeting(pairing, days=-(days + 1))
        if n % 2 == 0:
            change_rules(pairing, mentoree.user, manager="themes")
            sign_both(pairing)
            conf_services.theme_add(
                agreement=agreement_of(pairing), by=mentoree.user, audience="manager", text="T"
            )
    response = assert_queries(
        signed_in_client(manager.user),
        reverse("confidentiality:shared_manager"),
        9,  # session, user, roles; a manager?, count, rows; figures, latest meetings, themes
        django_assert_num_queries,
    )
    assert len(response.context["rows"]) == min((size + 1) // 2, 25)


# --- reviews --------------------------------------------------------------------------------


def plan(subject, *, by, days=21, cycle="2027 mid-year") -> TalentReview:
    return review_services.review_create(
        by=by,
        subject=subject,
        cycle=cycle,
        scheduled_on=timezone.localdate() + timedelta(days=days),
    )


def seat(review, member, *, by):
    return review_services.seat_add(review=review, member=member, by=by)


def recuse(review, person, *, by) -> None:
    """A declared conflict keeps the person off the panel: the refusal records a recusal."""
    conflict_declare(person_id=person.pk, subject_id=review.subject_id, by=by)
    with pytest.raises(ValidationError):
        seat(review, person, by=by)


@SIZES
def test_review_list_for_the_talent_team_and_a_panel_member(
    size, talent_reviewer, signed_in_client, django_assert_num_queries
):
    member = EmployeeFactory(level=6, title="Head of Department")
    for n in range(size):
        review = plan(EmployeeFactory(), by=talent_reviewer, days=n + 1)
        seat(review, member, by=talent_reviewer)
    url = reverse("reviews:list")
    assert_queries(signed_in_client(talent_reviewer), url, 7, django_assert_num_queries)
    assert_queries(signed_in_client(member.user), url, 7, django_assert_num_queries)


@pytest.fixture
def crowded_review(request, talent_reviewer):
    """A review with `size` panel seats and `size` recusals."""
    size = request.node.callspec.params["size"]
    review = plan(EmployeeFactory(level=5), by=talent_reviewer)
    for _ in range(size):
        seat(review, EmployeeFactory(level=6), by=talent_reviewer)
        recuse(review, EmployeeFactory(level=6), by=talent_reviewer)
    return review


@SIZES
def test_review_detail_with_its_panel_and_recusals(
    size, crowded_review, talent_reviewer, signed_in_client, django_assert_num_queries
):
    assert crowded_review.recusals.count() == size
    assert_queries(
        signed_in_client(talent_reviewer),
        reverse("reviews:detail", args=[crowded_review.pk]),
        8,
        django_assert_num_queries,
    )


@SIZES
def test_recusal_list(
    size, crowded_review, talent_reviewer, signed_in_client, django_assert_num_queries
):
    assert_queries(
        signed_in_client(talent_reviewer),
        reverse("reviews:recusals", args=[crowded_review.pk]),
        6,
        django_assert_num_queries,
    )


@SIZES
def test_dossier_with_earlier_reviews_reports_and_a_long_reporting_line(
    size, talent_reviewer, signed_in_client, django_assert_num_queries
):
    manager = None
    for _ in range(size):
        manager = EmployeeFactory(level=8, manager=manager)
    subject = EmployeeFactory(level=5, manager=manager)
    for _ in range(size):
        EmployeeFactory(level=3, manager=subject)
    for n in range(size):
        earlier = plan(subject, by=talent_reviewer, days=-(n + 1) * 30, cycle=f"Cycle {n}")
        review_services.review_transition(
            review=earlier, by=talent_reviewer, to_status=TalentReview.Status.IN_SESSION
        )
        review_services.outcome_record(
            review=earlier, by=talent_reviewer, rating="strong", summary="Fine."
        )
        review_services.review_transition(
            review=earlier, by=talent_reviewer, to_status=TalentReview.Status.CONCLUDED
        )
    review = plan(subject, by=talent_reviewer)
    member = EmployeeFactory(level=6)
    seat(review, member, by=talent_reviewer)
    response = assert_queries(
        signed_in_client(member.user),
        reverse("reviews:dossier", args=[review.pk]),
        8,
        django_assert_num_queries,
    )
    dossier = response.context["dossier"]
    assert (len(dossier.reporting_line), dossier.direct_reports) == (size, size)
    assert len(dossier.earlier_reviews) == size


# --- reports --------------------------------------------------------------------------------


# The reports pages compute their meeting figures only from five pairs sharing attendance
# (fewer: withheld, and not queried), so their small size is ten pairings, not three.
REPORT_SIZES = pytest.mark.parametrize("size", [10, 100], ids=["few", "many"])


@pytest.fixture
def grown_program(request, program, coordinator, executive):
    size = request.node.callspec.params["size"]
    grow_program(program, coordinator, executive, size)
    figures = program_dashboard(program=program)
    assert figures.meetings_per_month is not None
    assert figures.sharing_pairs >= 5
    return program


@REPORT_SIZES
def test_reports_pages_of_a_grown_program(
    size,
    grown_program,
    coordinator,
    hr_admin,
    settings,
    signed_in_client,
    django_assert_num_queries,
):
    """The dashboard computed on every request, then from the cache, and the three exports:
    one program grown once (building it is most of the cost), each page's count pinned."""
    url = reverse("reports:dashboard", args=[grown_program.slug])
    cached_for = settings.REPORTS_CACHE_SECONDS

    # Every request computes the figures (no cache).
    settings.REPORTS_CACHE_SECONDS = 0
    assert_queries(signed_in_client(coordinator), url, 18, django_assert_num_queries)
    assert_queries(signed_in_client(hr_admin), url, 21, django_assert_num_queries)

    # The warm-up request leaves the figures in the cache; the next one reads them there.
    # The endings by month are read afresh (with their own access check): not in the cache.
    settings.REPORTS_CACHE_SECONDS = cached_for
    cache.clear()
    assert_queries(signed_in_client(coordinator), url, 7, django_assert_num_queries)

    for what, expected in (("participants", 6), ("meetings", 4), ("figures", 17)):
        response = assert_queries(
            signed_in_client(coordinator),
            reverse(f"reports:export_{what}", args=[grown_program.slug]),
            expected,
            django_assert_num_queries,
        )
        assert response.body.count(b"\n") > size // 3, what


@SIZES
def test_reports_overview(size, coordinator, hr_admin, signed_in_client, django_assert_num_queries):
    for n in range(size):
        program = make_program(coordinator=coordinator, name=f"Program {n}", slug=f"program-{n}")
        mentor = join_program(program, coordinator, "mentor")
        pairing = propose(program, mentor, join_program(program, coordinator), by=coordinator)
        if n % 2:
            accept_both(pairing)
        apply(EmployeeFactory(level=4), program)
    assert_queries(
        signed_in_client(hr_admin), reverse("reports:overview"), 6, django_assert_num_queries
    )
