"""Talent reviews: the Talent team plans reviews and staffs their panels; a panel member sees
the reviews they sit on and nothing else (a 404, as for a review that does not exist); the
outcome is recorded by the panel and the Talent team; a review moves planned -> in session
-> concluded and a concluded review's panel is closed; HR admins see reviews in the admin as
metadata only; the dossier is an allow-list of directory facts and earlier reviews, built in
a fixed number of queries."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from reviews import services
from reviews.models import PanelSeat, TalentReview
from reviews.selectors import Dossier, EarlierReview, dossier_for, review_list_for
from tests.builders.confidentiality import canary
from tests.builders.pairings import flash_messages
from tests.builders.reviews import (
    CYCLE,
    conclude,
    main_content,
    move,
    plan_review,
    seat,
    staff_member,
)
from tests.factories import EmployeeFactory

NOT_TALENT_TEAM = "Only the Talent team staffs talent reviews."
NOT_PANEL = "Only the panel and the Talent team record the outcome."
BAD_STEP = "A review moves from planned to in session to concluded, one step at a time."
CLOSED = "This review has concluded; its panel is closed."
OWN_PANEL = "The subject of a review does not sit on its panel."
NOT_YET = "The outcome is recorded once the review is in session."

OUTSIDERS = ["outsider", "mentor", "coordinator", "committee_member", "hr_admin", "superuser"]
STATUS = TalentReview.Status


def refusal(exc_info) -> list[str]:
    return exc_info.value.messages


# --- Planning reviews ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", OUTSIDERS)
def test_only_the_talent_team_plans_reviews_others_get_403(
    role, request, mentoree, signed_in_client
):
    client = signed_in_client(request.getfixturevalue(role))
    url = reverse("reviews:create")

    assert client.get(url).status_code == 403
    response = client.post(
        url, {"subject": mentoree.email, "cycle": CYCLE, "scheduled_on": "2027-06-01"}
    )

    assert response.status_code == 403
    assert not TalentReview.objects.exists()


def test_talent_team_plans_a_review_in_the_browser(mentoree, talent_reviewer, signed_in_client):
    client = signed_in_client(talent_reviewer)
    url = reverse("reviews:create")
    assert client.get(url).status_code == 200

    response = client.post(
        url, {"subject": mentoree.email, "cycle": f"  {CYCLE} ", "scheduled_on": "2027-06-01"}
    )

    review = TalentReview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:detail", args=[review.pk])
    assert (review.subject, review.cycle, review.scheduled_on) == (
        mentoree.employee,
        CYCLE,
        date(2027, 6, 1),
    )
    assert (review.status, review.created_by) == (STATUS.PLANNED, talent_reviewer)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_review_create_service_refuses_anyone_outside_the_talent_team_in_words(
    role, request, mentoree
):
    with pytest.raises(ValidationError) as exc_info:
        plan_review(mentoree, by=request.getfixturevalue(role))

    assert refusal(exc_info) == [NOT_TALENT_TEAM]
    assert not TalentReview.objects.exists()


def test_a_former_talent_team_member_whose_account_is_inactive_plans_nothing(
    mentoree, talent_reviewer
):
    talent_reviewer.is_active = False
    talent_reviewer.save(update_fields=["is_active"])

    with pytest.raises(ValidationError) as exc_info:
        plan_review(mentoree, by=talent_reviewer)

    assert refusal(exc_info) == [NOT_TALENT_TEAM]


def test_reviews_are_for_active_employees(mentoree, talent_reviewer, signed_in_client):
    mentoree.employee.is_active = False
    mentoree.employee.save(update_fields=["is_active"])

    with pytest.raises(ValidationError, match="Reviews are for active employees"):
        plan_review(mentoree, by=talent_reviewer)
    response = signed_in_client(talent_reviewer).post(
        reverse("reviews:create"),
        {"subject": mentoree.email, "cycle": CYCLE, "scheduled_on": "2027-06-01"},
    )

    assert response.status_code == 200
    assert f"Nobody you can choose here matches “{mentoree.email}”" in main_content(response)
    assert not TalentReview.objects.exists()


# --- Staffing panels ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", OUTSIDERS)
def test_seat_add_service_refuses_anyone_outside_the_talent_team_in_words(
    role, request, review, panel_member
):
    with pytest.raises(ValidationError) as exc_info:
        seat(review, panel_member, by=request.getfixturevalue(role))

    assert refusal(exc_info) == [NOT_TALENT_TEAM]
    assert not PanelSeat.objects.exists()


def test_a_panel_member_cannot_staff_the_panel_refused_in_words(
    staffed_review, panel_member, outsider, signed_in_client
):
    """The panel member may see the review, so the refusal is in words on the page."""
    response = signed_in_client(panel_member).post(
        reverse("reviews:seat_add", args=[staffed_review.pk]), {"member": outsider.email}
    )

    assert response.status_code == 400
    assert main_content(response).count(NOT_TALENT_TEAM) == 1  # said once, not twice
    assert not PanelSeat.objects.filter(member=outsider.employee).exists()


@pytest.mark.parametrize("role", OUTSIDERS)
def test_people_who_cannot_see_the_review_get_404_on_its_panel_forms(
    role, request, staffed_review, panel_member, outsider, signed_in_client
):
    client = signed_in_client(request.getfixturevalue(role))
    the_seat = staffed_review.seats.get()
    posts = {
        "seat_add": ([staffed_review.pk], {"member": outsider.email}),
        "seat_remove": ([staffed_review.pk, the_seat.pk], {}),
        "transition": ([staffed_review.pk], {"to": STATUS.IN_SESSION}),
        "outcome": ([staffed_review.pk], {"rating": "strong", "summary": "x"}),
    }

    for name, (args, data) in posts.items():
        assert client.post(reverse(f"reviews:{name}", args=args), data).status_code == 404, name

    staffed_review.refresh_from_db()
    assert list(staffed_review.seats.all()) == [the_seat]
    assert (staffed_review.status, staffed_review.rating) == (STATUS.PLANNED, "")


def test_talent_team_seats_a_member_in_the_browser_who_is_told_and_may_see_it(
    review, panel_member, talent_reviewer, signed_in_client, deliver
):
    response = signed_in_client(talent_reviewer).post(
        reverse("reviews:seat_add", args=[review.pk]), {"member": panel_member.email}
    )
    deliver()

    assert response.status_code == 302
    assert PanelSeat.objects.filter(review=review, member=panel_member.employee).exists()
    detail = reverse("reviews:detail", args=[review.pk])
    assert panel_member.notifications.filter(url=detail).exists()
    assert signed_in_client(panel_member).get(detail).status_code == 200


def test_a_panel_member_cannot_remove_a_seat_or_move_the_review(
    staffed_review, panel_member, signed_in_client
):
    client = signed_in_client(panel_member)
    the_seat = staffed_review.seats.get()

    removed = client.post(reverse("reviews:seat_remove", args=[staffed_review.pk, the_seat.pk]))
    moved = client.post(
        reverse("reviews:transition", args=[staffed_review.pk]), {"to": STATUS.IN_SESSION}
    )

    assert removed.status_code == 302 and NOT_TALENT_TEAM in flash_messages(removed)
    assert moved.status_code == 302 and NOT_TALENT_TEAM in flash_messages(moved)
    staffed_review.refresh_from_db()
    assert staffed_review.status == STATUS.PLANNED
    assert PanelSeat.objects.filter(pk=the_seat.pk).exists()


def test_the_subject_cannot_sit_on_their_own_panel(
    review, mentoree, talent_reviewer, signed_in_client
):
    """The service refuses in words; the people picker does not even offer the subject, so
    typing them finds nobody, said once, on the form."""
    with pytest.raises(ValidationError) as exc_info:
        seat(review, mentoree, by=talent_reviewer)
    response = signed_in_client(talent_reviewer).post(
        reverse("reviews:seat_add", args=[review.pk]), {"member": mentoree.email}
    )

    assert refusal(exc_info) == [OWN_PANEL]
    assert response.status_code == 400
    not_offered = f"Nobody you can choose here matches “{mentoree.email}”"
    assert main_content(response).count(not_offered) == 1
    assert not flash_messages(response)
    page = response.content.decode()
    form = page[page.index('action="' + reverse("reviews:seat_add", args=[review.pk])) :]
    assert not_offered in form[: form.index("</form>")]
    assert not PanelSeat.objects.exists()


def test_a_member_sits_on_a_panel_once(staffed_review, panel_member, talent_reviewer):
    with pytest.raises(ValidationError) as exc_info:
        seat(staffed_review, panel_member, by=talent_reviewer)

    assert refusal(exc_info) == [f"{panel_member.employee.full_name} already sits on this panel."]
    assert staffed_review.seats.count() == 1


def test_the_database_holds_one_seat_per_member_too(staffed_review, panel_member):
    with pytest.raises(IntegrityError), transaction.atomic():
        PanelSeat.objects.create(review=staffed_review, member=panel_member.employee)


def test_an_inactive_employee_is_not_seated(review, panel_member, talent_reviewer):
    panel_member.employee.is_active = False
    panel_member.employee.save(update_fields=["is_active"])

    with pytest.raises(ValidationError, match="no longer an active employee"):
        seat(review, panel_member, by=talent_reviewer)


def test_removing_a_seat_takes_the_review_out_of_the_members_sight(
    staffed_review, panel_member, talent_reviewer, signed_in_client
):
    client = signed_in_client(panel_member)
    detail = reverse("reviews:detail", args=[staffed_review.pk])
    assert client.get(detail).status_code == 200

    response = signed_in_client(talent_reviewer).post(
        reverse("reviews:seat_remove", args=[staffed_review.pk, staffed_review.seats.get().pk])
    )

    assert response.status_code == 302
    assert not staffed_review.seats.exists()
    assert client.get(detail).status_code == 404
    assert not review_list_for(user=panel_member).exists()


# --- The life cycle -----------------------------------------------------------------------------


def test_a_review_moves_planned_then_in_session_then_concluded(review, talent_reviewer):
    assert review.status == STATUS.PLANNED

    review = move(review, by=talent_reviewer, to=STATUS.IN_SESSION)
    assert review.status == STATUS.IN_SESSION and review.is_open
    review = move(review, by=talent_reviewer, to=STATUS.CONCLUDED)

    review.refresh_from_db()
    assert review.status == STATUS.CONCLUDED and not review.is_open


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (STATUS.PLANNED, STATUS.CONCLUDED),
        (STATUS.PLANNED, STATUS.PLANNED),
        (STATUS.IN_SESSION, STATUS.PLANNED),
        (STATUS.IN_SESSION, STATUS.IN_SESSION),
        (STATUS.CONCLUDED, STATUS.IN_SESSION),
        (STATUS.CONCLUDED, STATUS.PLANNED),
        (STATUS.CONCLUDED, STATUS.CONCLUDED),
        (STATUS.PLANNED, "cancelled"),
    ],
)
def test_no_other_status_change_is_allowed(start, to, review, talent_reviewer):
    if start != STATUS.PLANNED:
        move(review, by=talent_reviewer, to=STATUS.IN_SESSION)
    if start == STATUS.CONCLUDED:
        move(review, by=talent_reviewer, to=STATUS.CONCLUDED)

    with pytest.raises(ValidationError) as exc_info:
        move(review, by=talent_reviewer, to=to)

    assert refusal(exc_info) == [BAD_STEP]
    review.refresh_from_db()
    assert review.status == start


def test_skipping_a_step_in_the_browser_is_refused_in_words(
    review, talent_reviewer, signed_in_client
):
    response = signed_in_client(talent_reviewer).post(
        reverse("reviews:transition", args=[review.pk]), {"to": STATUS.CONCLUDED}
    )

    assert response.status_code == 302
    assert BAD_STEP in flash_messages(response)
    review.refresh_from_db()
    assert review.status == STATUS.PLANNED


def test_only_the_talent_team_moves_a_review(review, panel_member, talent_reviewer):
    seat(review, panel_member, by=talent_reviewer)

    with pytest.raises(ValidationError) as exc_info:
        move(review, by=panel_member, to=STATUS.IN_SESSION)

    assert refusal(exc_info) == [NOT_TALENT_TEAM]


def test_a_concluded_reviews_panel_is_closed_to_new_members(
    staffed_review, outsider, talent_reviewer, signed_in_client
):
    conclude(staffed_review, by=talent_reviewer)

    with pytest.raises(ValidationError) as exc_info:
        seat(staffed_review, outsider, by=talent_reviewer)
    response = signed_in_client(talent_reviewer).post(
        reverse("reviews:seat_add", args=[staffed_review.pk]), {"member": outsider.email}
    )

    assert refusal(exc_info) == [CLOSED]
    assert response.status_code == 400
    assert CLOSED in main_content(response)
    assert not PanelSeat.objects.filter(member=outsider.employee).exists()


def test_a_concluded_reviews_panel_keeps_its_members(
    staffed_review, panel_member, talent_reviewer, signed_in_client
):
    """Closed means closed both ways: nobody is taken off the panel of a concluded review
    (the page says "its panel can no longer change"), so the panel member keeps reading it."""
    conclude(staffed_review, by=talent_reviewer)
    the_seat = staffed_review.seats.get()

    with pytest.raises(ValidationError) as exc_info:
        services.seat_remove(seat=the_seat, by=talent_reviewer)

    assert refusal(exc_info) == [CLOSED]
    assert PanelSeat.objects.filter(pk=the_seat.pk).exists()
    assert panel_member.has_perm("reviews.sit_on_panel", staffed_review)


# --- Who sees which review ----------------------------------------------------------------------


def test_a_panel_member_sees_the_reviews_they_sit_on_and_nothing_else(
    staffed_review, other_review, panel_member, signed_in_client
):
    client = signed_in_client(panel_member)

    listing = client.get(reverse("reviews:list"))

    assert listing.status_code == 200
    assert list(listing.context["page"].object_list) == [staffed_review]
    for name in ("detail", "dossier", "recusals"):
        assert client.get(reverse(f"reviews:{name}", args=[staffed_review.pk])).status_code == 200
        assert client.get(reverse(f"reviews:{name}", args=[other_review.pk])).status_code == 404
    assert other_review.subject.full_name not in listing.content.decode()


def test_a_review_that_does_not_exist_and_one_not_yours_look_the_same(
    staffed_review, other_review, panel_member, signed_in_client
):
    client = signed_in_client(panel_member)
    missing = TalentReview.objects.order_by("-pk").first().pk + 100

    not_yours = client.get(reverse("reviews:detail", args=[other_review.pk]))
    not_there = client.get(reverse("reviews:detail", args=[missing]))

    assert not_yours.status_code == not_there.status_code == 404
    assert main_content(not_yours) == main_content(not_there)


def test_the_talent_team_sees_every_review(
    staffed_review, other_review, talent_reviewer, signed_in_client
):
    client = signed_in_client(talent_reviewer)

    listing = client.get(reverse("reviews:list"))

    assert set(listing.context["page"].object_list) == {staffed_review, other_review}
    for review in (staffed_review, other_review):
        for name in ("detail", "dossier", "recusals"):
            assert client.get(reverse(f"reviews:{name}", args=[review.pk])).status_code == 200


@pytest.mark.parametrize("role", OUTSIDERS)
def test_no_role_or_superuser_status_shows_a_review(
    role, request, staffed_review, signed_in_client
):
    """Only a seat or the Talent team: HR admins and superusers read reviews in the admin,
    as metadata, not on the panel's pages."""
    client = signed_in_client(request.getfixturevalue(role))

    assert list(client.get(reverse("reviews:list")).context["page"].object_list) == []
    for name in ("detail", "dossier", "recusals"):
        assert client.get(reverse(f"reviews:{name}", args=[staffed_review.pk])).status_code == 404


# --- The outcome --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["panel_member", "talent_reviewer"])
def test_the_panel_and_the_talent_team_record_the_outcome(
    who, request, in_session_review, signed_in_client
):
    response = signed_in_client(request.getfixturevalue(who)).post(
        reverse("reviews:outcome", args=[in_session_review.pk]),
        {"rating": "strong", "summary": "  Led the platform migration.  "},
    )

    assert response.status_code == 302
    in_session_review.refresh_from_db()
    assert (in_session_review.rating, in_session_review.summary) == (
        "strong",
        "Led the platform migration.",
    )


def test_the_outcome_waits_until_the_review_is_in_session(
    staffed_review, panel_member, signed_in_client
):
    with pytest.raises(ValidationError) as exc_info:
        services.outcome_record(review=staffed_review, by=panel_member, rating="strong", summary="")
    response = signed_in_client(panel_member).post(
        reverse("reviews:outcome", args=[staffed_review.pk]), {"rating": "strong"}
    )

    assert refusal(exc_info) == [NOT_YET]
    assert response.status_code == 400
    staffed_review.refresh_from_db()
    assert staffed_review.rating == ""


@pytest.mark.parametrize("role", OUTSIDERS)
def test_nobody_else_records_the_outcome(role, request, in_session_review):
    with pytest.raises(ValidationError) as exc_info:
        services.outcome_record(
            review=in_session_review, by=request.getfixturevalue(role), rating="strong", summary=""
        )

    assert refusal(exc_info) == [NOT_PANEL]
    in_session_review.refresh_from_db()
    assert in_session_review.rating == ""


def test_a_removed_panel_member_no_longer_records_the_outcome(
    in_session_review, panel_member, talent_reviewer
):
    services.seat_remove(seat=in_session_review.seats.get(), by=talent_reviewer)

    with pytest.raises(ValidationError) as exc_info:
        services.outcome_record(
            review=in_session_review, by=panel_member, rating="strong", summary=""
        )

    assert refusal(exc_info) == [NOT_PANEL]


def test_the_outcome_uses_the_companys_rating_scale(
    in_session_review, panel_member, signed_in_client
):
    with pytest.raises(ValidationError, match="rating on the company"):
        services.outcome_record(
            review=in_session_review, by=panel_member, rating="10/10", summary=""
        )
    response = signed_in_client(panel_member).post(
        reverse("reviews:outcome", args=[in_session_review.pk]), {"rating": "10/10"}
    )

    assert response.status_code == 400
    in_session_review.refresh_from_db()
    assert in_session_review.rating == ""


# --- The admin: metadata for HR admins ----------------------------------------------------------


def test_hr_admin_lists_reviews_in_the_admin_as_metadata_without_rating_or_summary(
    in_session_review, other_review, panel_member, hr_admin, signed_in_client
):
    staffed_review = in_session_review
    summary = canary("summary-")
    services.outcome_record(
        review=staffed_review, by=panel_member, rating="exceptional", summary=summary
    )
    client = signed_in_client(hr_admin)

    changelist = client.get(reverse("admin:reviews_talentreview_changelist"))
    change = client.get(reverse("admin:reviews_talentreview_change", args=[staffed_review.pk]))

    assert changelist.status_code == 200 and change.status_code == 200
    listed = changelist.content.decode()
    for review in (staffed_review, other_review):
        assert review.subject.full_name in listed
    assert CYCLE in listed
    for page in (listed, change.content.decode()):
        assert summary not in page
        assert "Exceptional" not in page
    assert staffed_review.subject.full_name in change.content.decode()


def test_hr_admin_cannot_add_change_or_delete_reviews_in_the_admin(
    staffed_review, hr_admin, signed_in_client
):
    client = signed_in_client(hr_admin)

    assert client.get(reverse("admin:reviews_talentreview_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:reviews_talentreview_change", args=[staffed_review.pk]),
            {"cycle": "changed", "status": STATUS.CONCLUDED},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:reviews_talentreview_delete", args=[staffed_review.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )
    staffed_review.refresh_from_db()
    assert (staffed_review.cycle, staffed_review.status) == (CYCLE, STATUS.PLANNED)


# --- The dossier: an allow-list -----------------------------------------------------------------

ALLOW_LIST = [
    "name",
    "title",
    "department",
    "location",
    "grade",
    "reporting_line",
    "direct_reports",
    "earlier_reviews",
]


def chain_of(depth: int):
    """`depth` managers, the top one first; returns (managers top-down, the nearest)."""
    managers = []
    for level in range(depth):
        managers.append(
            staff_member(
                first_name="Boss",
                last_name=f"Level{level}",
                title=f"Head {level}",
                manager=managers[-1] if managers else None,
            )
        )
    return managers


def dossier_world(talent_reviewer, panel_member, *, scale: int):
    """A subject with `scale` managers above, `scale` active direct reports (and one who left),
    `scale` earlier concluded reviews, and the open review the panel member sits on."""
    managers = chain_of(scale)
    subject = staff_member(
        first_name="Dana",
        last_name="Quist",
        title="Head of Lending",
        department="Retail Banking",
        location="Leeds",
        level=6,
        manager=managers[-1],
    )
    for _ in range(scale):
        EmployeeFactory(manager=subject)
    EmployeeFactory(manager=subject, is_active=False)
    for year in range(scale):
        earlier = plan_review(subject, by=talent_reviewer, cycle=f"{2015 + year} year-end")
        TalentReview.objects.filter(pk=earlier.pk).update(scheduled_on=date(2015 + year, 12, 1))
        earlier = move(earlier, by=talent_reviewer, to=STATUS.IN_SESSION)
        services.outcome_record(
            review=earlier, by=talent_reviewer, rating="solid", summary="Steady."
        )
        move(earlier, by=talent_reviewer, to=STATUS.CONCLUDED)
    review = plan_review(subject, by=talent_reviewer)
    seat(review, panel_member, by=talent_reviewer)
    return subject, managers, review


def test_dossier_has_exactly_the_allow_listed_fields():
    assert [f.name for f in dataclasses.fields(Dossier)] == ALLOW_LIST
    assert [f.name for f in dataclasses.fields(EarlierReview)] == [
        "cycle",
        "scheduled_on",
        "rating",
    ]


def test_dossier_holds_directory_facts_and_earlier_concluded_reviews_only(
    talent_reviewer, panel_member, other_panel_member
):
    subject, managers, review = dossier_world(talent_reviewer, panel_member, scale=2)
    # Neither an open review, nor this one, nor someone else's counts as an earlier review.
    plan_review(subject, by=talent_reviewer, cycle="2030 mid-year", days=400)
    someone_else = plan_review(other_panel_member, by=talent_reviewer, cycle="Not theirs")
    conclude(someone_else, by=talent_reviewer)
    unrated = plan_review(subject, by=talent_reviewer, cycle="2017 year-end")
    TalentReview.objects.filter(pk=unrated.pk).update(scheduled_on=date(2017, 12, 1))
    conclude(unrated, by=talent_reviewer)

    dossier = dossier_for(review=review)

    assert dossier == Dossier(
        name="Dana Quist",
        title="Head of Lending",
        department="Retail Banking",
        location="Leeds",
        grade=6,
        reporting_line=["Boss Level1, Head 1", "Boss Level0, Head 0"],
        direct_reports=2,
        earlier_reviews=[
            EarlierReview("2017 year-end", date(2017, 12, 1), "No rating"),
            EarlierReview("2016 year-end", date(2016, 12, 1), "Solid"),
            EarlierReview("2015 year-end", date(2015, 12, 1), "Solid"),
        ],
    )
    assert managers[-1].full_name == "Boss Level1"


def test_dossier_page_shows_the_dossier(talent_reviewer, panel_member, signed_in_client):
    _, _, review = dossier_world(talent_reviewer, panel_member, scale=2)

    response = signed_in_client(panel_member).get(reverse("reviews:dossier", args=[review.pk]))

    assert response.status_code == 200
    assert response.context["dossier"] == dossier_for(review=review)
    page = main_content(response)
    for fact in ("Dana Quist", "Head of Lending", "Retail Banking", "Leeds", "Boss Level1"):
        assert fact in page
    assert "2016 year-end" in page


# The dossier page's queries: the session and its user, the navigation's roles, the review
# (with its subject) through the panel member's seat, the reporting chain, the direct reports
# and the earlier reviews. The same however long the chain and the history.
DOSSIER_QUERIES_PANEL_MEMBER = 8
DOSSIER_QUERIES_TALENT_TEAM = 8


@pytest.mark.parametrize("scale", [1, 10])
def test_dossier_query_count_is_pinned_for_a_panel_member(
    scale, talent_reviewer, panel_member, signed_in_client, django_assert_num_queries
):
    _, _, review = dossier_world(talent_reviewer, panel_member, scale=scale)
    client = signed_in_client(panel_member)
    url = reverse("reviews:dossier", args=[review.pk])
    client.get(url)  # warm the process-wide caches (content types, permissions)

    with django_assert_num_queries(DOSSIER_QUERIES_PANEL_MEMBER):
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["dossier"].earlier_reviews) == scale
    assert len(response.context["dossier"].reporting_line) == scale


@pytest.mark.parametrize("scale", [1, 10])
def test_dossier_query_count_is_pinned_for_the_talent_team(
    scale, talent_reviewer, panel_member, signed_in_client, django_assert_num_queries
):
    _, _, review = dossier_world(talent_reviewer, panel_member, scale=scale)
    client = signed_in_client(talent_reviewer)
    url = reverse("reviews:dossier", args=[review.pk])
    client.get(url)  # warm the process-wide caches (content types, permissions)

    with django_assert_num_queries(DOSSIER_QUERIES_TALENT_TEAM):
        response = client.get(url)

    assert response.status_code == 200


# The review list's queries, the same for one review and for ten.
LIST_QUERIES_PANEL_MEMBER = 7
LIST_QUERIES_TALENT_TEAM = 7


@pytest.mark.parametrize("count", [1, 10])
def test_review_list_query_count_is_pinned(
    count, talent_reviewer, panel_member, signed_in_client, django_assert_num_queries
):
    for _ in range(count):
        review = plan_review(staff_member(), by=talent_reviewer)
        seat(review, panel_member, by=talent_reviewer)
    url = reverse("reviews:list")

    for user, queries in (
        (panel_member, LIST_QUERIES_PANEL_MEMBER),
        (talent_reviewer, LIST_QUERIES_TALENT_TEAM),
    ):
        client = signed_in_client(user)
        client.get(url)  # warm the process-wide caches (content types, permissions)
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert len(response.context["page"].object_list) == count
