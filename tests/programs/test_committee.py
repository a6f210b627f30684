"""The committee: a queue of the member's programs only, recusal of the applicant and anyone
above them in the management chain, votes with comments seen only by the committee, and a
decision recorded with its reason once the quorum is met."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from notifications.models import Notification
from programs import selectors, services
from programs.models import Application, Vote
from tests.builders.programs import apply, decide_by_committee
from tests.factories import EmployeeFactory

SECRET_COMMENT = "Struggles with stakeholder conflict, say the rumours"


@pytest.fixture
def application(program, committee, mentoree):
    return apply(mentoree.employee, program)


def vote(application, member, choice, comment=""):
    return services.vote_cast(application=application, voter=member, choice=choice, comment=comment)


def decide(application, by, decision="admit", reason="Meets the program's aims."):
    return services.application_decide(
        application=application, by=by, decision=decision, reason=reason
    )


def reports_to(manager_user, depth=1):
    """An employee `depth` levels below `manager_user` in the management chain."""
    boss = manager_user.employee
    for _ in range(depth):
        boss = EmployeeFactory(level=5, manager=boss)
    return boss


def assert_undecided(application):
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.decided_at is None
    assert application.decided_by is None
    assert application.decision_reason == ""


# --- The queue -------------------------------------------------------------------------------


def test_queue_lists_undecided_applications_of_the_members_programs_only(
    program, other_program, other_coordinator, committee, committee_member, mentor, mentoree
):
    waiting = apply(mentoree.employee, program)
    decided = decide_by_committee(apply(EmployeeFactory(level=4), program), committee)
    withdrawn = apply(EmployeeFactory(level=4), program)
    services.application_withdraw(application=withdrawn, by=withdrawn.applicant)
    elsewhere = apply(mentor.employee, other_program, "mentor")

    queue = list(selectors.committee_queue_for(user=committee_member))

    assert queue == [waiting]
    assert decided not in queue and elsewhere not in queue


def test_queue_counts_votes_and_marks_the_members_own(application, committee):
    vote(application, committee[1], "admit")

    mine, theirs = (
        selectors.committee_queue_for(user=committee[0]).get(),
        selectors.committee_queue_for(user=committee[1]).get(),
    )

    assert (mine.vote_count, mine.voted) == (1, False)
    assert (theirs.vote_count, theirs.voted) == (1, True)


@pytest.mark.parametrize("depth", [1, 2, 3], ids=["manager", "skip-level", "three-up"])
def test_member_above_the_applicant_in_the_chain_is_recused_everywhere(
    program, committee, committee_member, signed_in_client, depth
):
    report = reports_to(committee_member, depth)
    application = apply(report, program)
    client = signed_in_client(committee_member)

    assert application not in selectors.committee_queue_for(user=committee_member)
    assert selectors.is_recused(user=committee_member, application=application)
    queue_page = client.get(reverse("programs:committee_queue")).content.decode()
    assert report.full_name not in queue_page
    page = reverse("programs:committee_application", args=[application.pk])
    assert client.get(page).status_code == 404
    with pytest.raises(ValidationError, match="recused"):
        vote(application, committee_member, "admit")
    assert (
        client.post(
            reverse("programs:vote", args=[application.pk]), {"choice": "admit"}
        ).status_code
        == 404
    )
    decide_url = reverse("programs:decide", args=[application.pk])
    assert client.post(decide_url, {"decision": "admit", "reason": "Mine."}).status_code == 404
    assert not Vote.objects.exists()
    assert_undecided(application)


def test_other_members_still_see_and_vote_on_the_application_of_a_recused_members_report(
    program, committee, committee_member
):
    application = apply(reports_to(committee_member), program)

    assert application in selectors.committee_queue_for(user=committee[1])
    assert vote(application, committee[1], "admit").pk


def test_member_below_the_applicant_is_not_recused(program, committee, committee_member):
    boss = EmployeeFactory(level=7)
    committee_member.employee.manager = boss
    committee_member.employee.save()

    application = apply(boss, program, "mentor")

    assert application in selectors.committee_queue_for(user=committee_member)


def test_member_who_applies_does_not_see_or_vote_on_their_own_application(
    program, committee, committee_member, signed_in_client
):
    own = apply(committee_member.employee, program, "mentor")

    assert own not in selectors.committee_queue_for(user=committee_member)
    with pytest.raises(ValidationError, match="recused"):
        vote(own, committee_member, "admit")
    page = reverse("programs:committee_application", args=[own.pk])
    assert signed_in_client(committee_member).get(page).status_code == 404


def test_recused_member_cannot_decide_even_with_a_quorum(program, committee, committee_member):
    """The two other members and a new one give a quorum; the recused member still cannot."""
    application = apply(reports_to(committee_member, 2), program)
    extra = EmployeeFactory(level=7).user
    services.committee_member_add(
        program=program, by=selectors.coordinators_of(program=program)[0], user=extra
    )
    for member in (committee[1], committee[2], extra):
        vote(application, member, "admit")

    with pytest.raises(ValidationError, match="recused"):
        decide(application, committee_member)

    assert_undecided(application)


def test_coordinator_who_manages_the_applicant_cannot_decide(program, committee, coordinator):
    application = apply(reports_to(coordinator), program)
    for member in committee:
        vote(application, member, "admit")

    with pytest.raises(ValidationError, match="recused"):
        decide(application, coordinator)

    assert_undecided(application)


@pytest.mark.parametrize("who", ["other_coordinator", "outsider", "superuser", "coordinator"])
def test_only_committee_members_of_the_program_vote(request, application, who):
    with pytest.raises(ValidationError, match="Only committee members"):
        vote(application, request.getfixturevalue(who), "admit")

    assert not Vote.objects.exists()


@pytest.mark.parametrize("who", ["other_coordinator", "outsider", "superuser"])
def test_only_the_committee_or_a_coordinator_decides(request, application, committee, who):
    for member in committee:
        vote(application, member, "admit")

    with pytest.raises(ValidationError, match="Only the committee or a coordinator"):
        decide(application, request.getfixturevalue(who))

    assert_undecided(application)


# --- Votes, quorum and the decision -----------------------------------------------------------


@pytest.mark.parametrize("choice", ["admit", "decline", "waitlist"])
def test_member_votes_with_a_comment_and_may_change_the_vote(application, committee, choice):
    vote(application, committee[0], "admit", comment="First thoughts")

    changed = vote(application, committee[0], choice, comment=SECRET_COMMENT)

    assert Vote.objects.get() == changed
    assert (changed.choice, changed.comment) == (choice, SECRET_COMMENT)
    assert changed.voter == committee[0]


def test_unknown_vote_choice_is_refused(application, committee):
    with pytest.raises(ValidationError, match="Choose admit, decline or waiting list"):
        vote(application, committee[0], "maybe")

    assert not Vote.objects.exists()


def test_no_vote_once_the_application_is_decided(application, committee):
    decide_by_committee(application, committee)

    with pytest.raises(ValidationError, match="already been decided"):
        vote(application, committee[0], "decline")


def test_no_decision_before_the_quorum_of_three_votes(application, committee):
    vote(application, committee[0], "admit")
    vote(application, committee[1], "admit")

    with pytest.raises(ValidationError, match="quorum is not met"):
        decide(application, committee[0])

    assert_undecided(application)


@pytest.mark.parametrize(
    "choices",
    [("admit", "decline", "waitlist")],
)
def test_no_decision_without_a_strict_majority(application, committee, choices):
    for member, choice in zip(committee, choices, strict=True):
        vote(application, member, choice)

    for decision in ("admit", "decline", "waitlist"):
        with pytest.raises(ValidationError, match="quorum is not met"):
            decide(application, committee[0], decision)

    assert_undecided(application)


def test_a_tie_of_four_is_no_majority(program, application, committee, coordinator):
    fourth = EmployeeFactory(level=7).user
    services.committee_member_add(program=program, by=coordinator, user=fourth)
    for member, choice in zip(
        [*committee, fourth], ["admit", "admit", "decline", "decline"], strict=True
    ):
        vote(application, member, choice)

    with pytest.raises(ValidationError, match="quorum is not met"):
        decide(application, committee[0], "admit")

    assert_undecided(application)


def test_decision_is_recorded_with_its_reason_once_a_majority_of_the_quorum_agrees(
    application, committee
):
    vote(application, committee[0], "admit")
    vote(application, committee[1], "admit")
    vote(application, committee[2], "decline", comment=SECRET_COMMENT)

    decided = decide(application, committee[2], "admit", reason="Strong motivation.")

    decided.refresh_from_db()
    assert decided.status == Application.Status.ADMITTED
    assert decided.decision_reason == "Strong motivation."
    assert decided.decided_by == committee[2]
    assert decided.decided_at is not None


def test_only_the_majoritys_choice_can_be_recorded(application, committee):
    vote(application, committee[0], "decline")
    vote(application, committee[1], "decline")
    vote(application, committee[2], "admit")

    with pytest.raises(ValidationError, match="majority voted to decline"):
        decide(application, committee[2], "admit")

    assert_undecided(application)


def test_decision_needs_a_reason(application, committee):
    for member in committee:
        vote(application, member, "admit")

    with pytest.raises(ValidationError, match="reason"):
        decide(application, committee[0], reason="  ")

    assert_undecided(application)


def test_decision_is_recorded_only_once(application, committee):
    decide_by_committee(application, committee, "decline")

    with pytest.raises(ValidationError, match="already been decided"):
        decide(application, committee[0], "decline", reason="Twice")

    application.refresh_from_db()
    assert application.decision_reason == "Fits."


def test_coordinator_does_not_decide_alone_when_the_committee_can_reach_a_quorum(
    application, committee, coordinator
):
    with pytest.raises(ValidationError, match="quorum is not met"):
        decide(application, coordinator)

    assert_undecided(application)


def test_coordinator_decides_alone_when_the_committee_is_smaller_than_the_quorum(
    program, coordinator, committee_member, mentoree
):
    services.committee_member_add(program=program, by=coordinator, user=committee_member)
    application = apply(mentoree.employee, program)

    with pytest.raises(ValidationError, match="quorum is not met"):
        decide(application, committee_member)
    decided = decide(application, coordinator, "decline", reason="Program is full.")

    assert decided.status == Application.Status.DECLINED
    assert decided.decided_by == coordinator


def test_recused_members_do_not_count_towards_the_committee_size(
    program, committee, committee_member, coordinator
):
    """Three members but one is the applicant's manager: two can vote, fewer than the quorum,
    so the coordinator may decide alone."""
    application = apply(reports_to(committee_member), program)

    assert selectors.eligible_committee_size(application=application) == 2
    decided = decide(application, coordinator, "admit", reason="Committee too small.")

    assert decided.status == Application.Status.ADMITTED


def test_only_a_coordinator_decides_on_the_waiting_list(application, committee, coordinator):
    decide_by_committee(application, committee, "waitlist")

    with pytest.raises(ValidationError, match="Only a coordinator admits or declines"):
        decide(application, committee[0], "admit", reason="A place opened.")

    decided = decide(application, coordinator, "admit", reason="A place opened.")
    assert decided.status == Application.Status.ADMITTED


# --- What the applicant is told ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "words"),
    [("admit", "(admitted)"), ("decline", "(declined)"), ("waitlist", "(waiting list)")],
)
def test_applicant_is_told_the_decision_and_never_the_votes_or_comments(
    application, committee, mentoree, decision, words, deliver
):
    for member in committee:
        vote(application, member, decision, comment=SECRET_COMMENT)
    decide(application, committee[0], decision, reason="Clear majority of the committee.")
    deliver()

    told = Notification.objects.filter(recipient=mentoree, title__contains="was decided")
    assert told.count() == 1
    assert words in told.get().title
    for note in Notification.objects.filter(recipient=mentoree):
        assert SECRET_COMMENT not in note.title
        assert "vote" not in note.title.lower()
        assert "Clear majority" not in note.title


def test_admitted_applicant_is_asked_to_accept_the_commitment(
    application, committee, mentoree, deliver
):
    decide_by_committee(application, committee)
    deliver()

    assert Notification.objects.filter(
        recipient=mentoree,
        title__contains="accept the program commitment",
        url=reverse("programs:commitment", args=[application.program.slug]),
    ).exists()


def test_applicants_pages_never_show_votes_or_comments(
    application, committee, mentoree, signed_in_client
):
    for member in committee:
        vote(application, member, "admit", comment=SECRET_COMMENT)
    decide(application, committee[0], "admit", reason="Clear majority of the committee.")
    client = signed_in_client(mentoree)

    for url in (
        reverse("programs:my_applications"),
        reverse("inbox"),
        reverse("programs:detail", args=[application.program.slug]),
    ):
        page = client.get(url).content.decode()
        assert SECRET_COMMENT not in page, url
        if url != reverse("programs:detail", args=[application.program.slug]):
            assert committee[1].get_full_name() not in page, url
        else:
            # F13: the program page lists who sits on the committee (and since when), never
            # how anyone voted.
            roles = page.split('id="role-holders"')[1]
            assert committee[1].get_full_name() in roles
            assert committee[1].get_full_name() not in page.split('id="role-holders"')[0]
    committee_page = reverse("programs:committee_application", args=[application.pk])
    assert client.get(committee_page).status_code == 404


# --- In the browser ----------------------------------------------------------------------------


def test_member_reads_the_application_and_the_committees_comments(
    application, committee, signed_in_client
):
    vote(application, committee[1], "admit", comment=SECRET_COMMENT)

    page = signed_in_client(committee[0]).get(
        reverse("programs:committee_application", args=[application.pk])
    )

    assert page.status_code == 200
    assert SECRET_COMMENT in page.content.decode()


def test_committee_votes_and_decides_in_the_browser(application, committee, signed_in_client):
    for member in committee:
        response = signed_in_client(member).post(
            reverse("programs:vote", args=[application.pk]),
            {"choice": "admit", "comment": SECRET_COMMENT},
        )
        assert response.status_code == 302
    assert Vote.objects.filter(application=application, choice="admit").count() == 3

    response = signed_in_client(committee[0]).post(
        reverse("programs:decide", args=[application.pk]),
        {"decision": "admit", "reason": "Unanimous."},
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == ("admitted", "Unanimous.")


def test_decision_without_quorum_in_the_browser_shows_why_and_changes_nothing(
    application, committee, signed_in_client
):
    response = signed_in_client(committee[0]).post(
        reverse("programs:decide", args=[application.pk]),
        {"decision": "admit", "reason": "Looks good."},
    )

    assert response.status_code == 400
    assert "quorum is not met" in response.content.decode()
    assert_undecided(application)


def test_committee_member_of_another_program_gets_404(
    program, other_program, other_coordinator, application, signed_in_client
):
    stranger = EmployeeFactory(level=7).user
    services.committee_member_add(program=other_program, by=other_coordinator, user=stranger)
    client = signed_in_client(stranger)

    assert client.get(reverse("programs:committee_queue")).status_code == 200
    assert (
        client.get(reverse("programs:committee_application", args=[application.pk])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("programs:vote", args=[application.pk]), {"choice": "admit"}
        ).status_code
        == 404
    )
    assert not Vote.objects.exists()


def test_decision_against_the_majority_in_the_browser_shows_why(
    application, committee, signed_in_client
):
    for member in committee:
        vote(application, member, "decline")

    response = signed_in_client(committee[0]).post(
        reverse("programs:decide", args=[application.pk]),
        {"decision": "admit", "reason": "I disagree."},
    )

    assert response.status_code == 400
    assert "majority voted to decline" in response.content.decode()
    assert_undecided(application)


def test_vote_of_a_member_who_became_the_applicants_manager_no_longer_counts(
    program, committee, coordinator, mentoree
):
    """A reorganisation after the vote makes the member the applicant's manager: they are
    recused now, so their vote must not help reach the quorum."""
    application = apply(mentoree.employee, program)
    for member in committee:
        vote(application, member, "admit")
    mentoree.employee.manager = committee[0].employee
    mentoree.employee.save()
    assert selectors.is_recused(user=committee[0], application=application)

    with pytest.raises(ValidationError, match="quorum is not met"):
        decide(application, committee[1])

    assert_undecided(application)


def test_vote_of_a_member_who_left_the_committee_no_longer_counts(
    program, committee, coordinator, mentoree
):
    application = apply(mentoree.employee, program)
    vote(application, committee[0], "admit")
    services.committee_member_remove(program=program, by=coordinator, user=committee[0])
    vote(application, committee[1], "admit")
    vote(application, committee[2], "admit")

    with pytest.raises(ValidationError, match="quorum is not met"):
        decide(application, committee[1])

    assert_undecided(application)


def test_admin_shows_application_metadata_but_no_motivation_or_committee_text(
    application, committee, hr_admin, signed_in_client
):
    vote(application, committee[0], "admit", comment=SECRET_COMMENT)
    client = signed_in_client(hr_admin)

    for url in (
        reverse("admin:programs_application_changelist"),
        reverse("admin:programs_application_change", args=[application.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert application.motivation not in page
        assert SECRET_COMMENT not in page


def test_mentor_promoted_to_the_group_only_level_before_the_decision_is_not_admitted(
    program, committee, other_mentor, settings
):
    """F4: someone who reaches the group-only level while their mentor application waits
    leads group sessions instead; the committee may decline but not admit them as a mentor."""
    application = apply(other_mentor.employee, program, "mentor")
    for member in committee:
        vote(application, member, "admit")
    other_mentor.employee.level = settings.GROUP_ONLY_LEVEL
    other_mentor.employee.save()

    with pytest.raises(ValidationError, match="lead group mentoring sessions instead"):
        decide(application, committee[0], "admit")

    assert_undecided(application)
