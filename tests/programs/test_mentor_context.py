"""Mentor context before accepting (issue L, item 6): a mentoree may consent, when applying,
to show the goals and topics of their application to the mentor proposed to them. Consent
is off unless ticked; only that mentor sees them, only before accepting; nobody else gains
anything from it, through any page, the admin or an export (F-style: the powerful insiders
crawl every door)."""

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse

from pairings import services as pairing_services
from pairings.models import Pairing
from pairings.selectors import mentoree_context_for
from programs import services
from programs.models import Application, Tag
from tests.builders.pairings import enrol_in, person, propose
from tests.builders.programs import apply, decide_by_committee
from tests.builders.reviews import plan_review

MARK = "Canary goal: learn to say no to the chief risk officer"
TOPIC = "Canary topic: stakeholder diplomacy"


@pytest.fixture
def topic(db):
    return Tag.objects.create(name=TOPIC)


def mentoree_applies(program, committee, *, consent: bool, topic, **fields):
    fields.setdefault("level", 4)
    employee = person(first_name="Ines", **fields)
    application = apply(employee, program, goals=MARK, tags=[topic], share_with_mentor=consent)
    decide_by_committee(application, committee)
    services.commitment_accept(employee=employee, program=program)
    return employee


@pytest.fixture
def proposed(program, committee, coordinator, topic):
    """`proposed(consent)`: a mentor proposed to a mentoree who applied with their goals
    (the canary) and a topic, consenting or not."""

    def _proposed(consent: bool) -> Pairing:
        mentor = person(first_name="Marta", level=7, title="Director")
        enrol_in(program, committee, mentor, Application.Role.MENTOR, capacity=2)
        mentoree = mentoree_applies(program, committee, consent=consent, topic=topic)
        return propose(program, mentor, mentoree, by=coordinator)

    return _proposed


def space(client, pairing):
    return client.get(reverse("pairings:space", args=[pairing.pk]))


# --- Consent when applying -----------------------------------------------------------------------


def test_the_consent_box_is_offered_to_mentorees_unticked(program, mentoree, signed_in_client):
    page = signed_in_client(mentoree).get(
        reverse("programs:apply", args=[program.slug, "mentoree"])
    )

    field = page.context["form"]["share_with_mentor"]
    assert field.value() is False
    html = page.content.decode()
    assert 'name="share_with_mentor"' in html
    assert 'name="share_with_mentor" id="id_share_with_mentor" checked' not in html


def test_applying_without_ticking_gives_no_consent_and_ticking_gives_it(
    program, mentoree, mentor, signed_in_client
):
    url = reverse("programs:apply", args=[program.slug, "mentoree"])
    signed_in_client(mentoree).post(url, {"motivation": "To grow.", "goals": MARK})
    assert Application.objects.get(applicant=mentoree.employee).share_with_mentor is False

    application = Application.objects.get(applicant=mentoree.employee)
    signed_in_client(mentoree).post(
        reverse("programs:application_edit", args=[application.pk]),
        {"motivation": "To grow.", "goals": MARK, "share_with_mentor": "on"},
    )
    application.refresh_from_db()
    assert application.share_with_mentor is True


def test_mentors_are_not_asked_and_cannot_consent(program, mentor, signed_in_client):
    url = reverse("programs:apply", args=[program.slug, "mentor"])
    page = signed_in_client(mentor).get(url)
    assert "share_with_mentor" not in page.context["form"].fields

    application = apply(mentor.employee, program, "mentor", share_with_mentor=True)
    assert application.share_with_mentor is False


# --- The proposed mentor's page ----------------------------------------------------------------


def test_the_proposed_mentor_sees_the_goals_and_topics_with_consent(proposed, signed_in_client):
    pairing = proposed(consent=True)

    html = space(signed_in_client(pairing.mentor.user), pairing).content.decode()

    assert MARK in html and TOPIC in html
    assert "shown to you with their consent" in html


def test_without_consent_the_mentor_is_told_the_mentoree_chose_not_to_share(
    proposed, signed_in_client
):
    pairing = proposed(consent=False)

    html = space(signed_in_client(pairing.mentor.user), pairing).content.decode()

    assert "Ines chose not to share their goals and topics" in html
    assert MARK not in html and TOPIC not in html


def test_the_context_is_gone_once_the_mentor_accepted(proposed, signed_in_client):
    pairing = proposed(consent=True)
    pairing = pairing_services.pairing_accept(pairing=pairing, by=pairing.mentor)

    html = space(signed_in_client(pairing.mentor.user), pairing).content.decode()

    assert MARK not in html
    assert mentoree_context_for(pairing=pairing, user=pairing.mentor.user) is None


def test_only_the_proposed_mentor_is_given_the_context(
    proposed, coordinator, hr_admin, superuser, talent_reviewer
):
    pairing = proposed(consent=True)
    others = [pairing.mentoree.user, coordinator, hr_admin, superuser, talent_reviewer]

    assert mentoree_context_for(pairing=pairing, user=pairing.mentor.user).goals == MARK
    assert [mentoree_context_for(pairing=pairing, user=u) for u in others] == [None] * 5


def test_the_mentoree_does_not_see_the_mentor_view_of_their_own_goals(proposed, signed_in_client):
    pairing = proposed(consent=True)

    html = space(signed_in_client(pairing.mentoree.user), pairing).content.decode()

    assert MARK not in html and "shown to you with their consent" not in html


# --- Nobody else, through any door -------------------------------------------------------------


def admin_urls(models, objects) -> list[str]:
    urls = [reverse("admin:index")]
    for model in models:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        urls += [changelist, f"{changelist}?q=Canary", f"{changelist}?q=chief+risk"]
        for obj in objects.get(model, []):
            for view in ("change", "history", "delete"):
                urls.append(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])
                )
    return urls


def test_f_no_reviewer_hr_admin_superuser_or_coordinator_sees_the_consented_goals(
    program,
    proposed,
    coordinator,
    committee,
    hr_admin,
    superuser,
    talent_reviewer,
    signed_in_client,
):
    """Consent opens one door, the proposed mentor's accept page. Every other door stays
    shut to the canary: the admin (changelists, searches, change, history and delete pages
    of every programs and pairings model), the coordinator's pages, figures and exports,
    and the review side (a review of the mentoree and its dossier)."""
    pairing = proposed(consent=True)
    application = Application.objects.get(applicant=pairing.mentoree, role="mentoree")
    review = plan_review(pairing.mentoree, by=talent_reviewer)
    registered = [m for m in admin.site._registry if m._meta.app_label in ("programs", "pairings")]
    objects = {Application: [application], Pairing: [pairing], type(program): [program]}
    program_pages = [
        reverse("programs:detail", args=[program.slug]),
        reverse("programs:manage", args=[program.slug]),
        reverse("pairings:program", args=[program.slug]),
        reverse("pairings:matching", args=[program.slug]),
        reverse("pairings:space", args=[pairing.pk]),
        reverse("reports:overview"),
        reverse("reports:dashboard", args=[program.slug]),
        reverse("reports:export_participants", args=[program.slug]),
        reverse("reports:export_meetings", args=[program.slug]),
        reverse("reports:export_figures", args=[program.slug]),
        reverse("inbox"),
        reverse("home"),
    ]
    review_pages = [
        reverse("reviews:list"),
        reverse("reviews:detail", args=[review.pk]),
        reverse("reviews:dossier", args=[review.pk]),
    ]
    doors = {
        "hr_admin": (hr_admin, admin_urls(registered, objects) + program_pages + review_pages),
        "superuser": (superuser, admin_urls(registered, objects) + program_pages + review_pages),
        "coordinator": (coordinator, program_pages),
        "talent_reviewer": (talent_reviewer, program_pages + review_pages),
    }
    leaks, opened = [], 0
    for who, (user, urls) in doors.items():
        client = signed_in_client(user)
        for url in urls:
            response = client.get(url)
            body = (
                b"".join(response.streaming_content) if response.streaming else response.content
            ).decode(errors="replace")
            opened += response.status_code == 200
            if "Canary goal" in body or "chief risk officer" in body:
                leaks.append((who, url, response.status_code))

    assert not leaks, leaks
    assert opened >= 40  # the doors were really tried: most of them open for someone
    # The canary is real: the one door it may pass.
    assert MARK in space(signed_in_client(pairing.mentor.user), pairing).content.decode()


def test_existing_applications_carry_forward_with_consent_off(program, committee, topic):
    """Migration programs/0004 adds the column with the default off: an application saved
    without the field is not shared."""
    employee = person(level=4)
    application = Application.objects.create(
        program=program, applicant=employee, role="mentoree", motivation="Before the change."
    )
    application.refresh_from_db()
    assert application.share_with_mentor is False
    field = Application._meta.get_field("share_with_mentor")
    assert field.default is False and not field.null


# --- Consent can be taken back -----------------------------------------------------------------


def test_the_mentoree_withdraws_consent_after_admission_and_the_mentor_sees_no_more(
    proposed, signed_in_client
):
    pairing = proposed(consent=True)
    application = Application.objects.get(applicant=pairing.mentoree, role="mentoree")
    client = signed_in_client(pairing.mentoree.user)
    assert "Stop sharing" in client.get(reverse("programs:my_applications")).content.decode()

    response = client.post(
        reverse("programs:application_consent", args=[application.pk]), {"share": "no"}
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.share_with_mentor is False
    html = space(signed_in_client(pairing.mentor.user), pairing).content.decode()
    assert MARK not in html and "chose not to share" in html


@pytest.mark.parametrize("who", ["mentor", "coordinator", "hr_admin", "superuser"])
def test_nobody_else_sets_the_mentorees_consent(request, proposed, signed_in_client, who):
    pairing = proposed(consent=False)
    application = Application.objects.get(applicant=pairing.mentoree, role="mentoree")
    user = pairing.mentor.user if who == "mentor" else request.getfixturevalue(who)

    response = signed_in_client(user).post(
        reverse("programs:application_consent", args=[application.pk]), {"share": "yes"}
    )

    assert response.status_code == 404
    application.refresh_from_db()
    assert application.share_with_mentor is False


def test_a_mentor_application_cannot_be_given_consent(program, mentor):
    application = apply(mentor.employee, program, "mentor")

    with pytest.raises(ValidationError, match="Only a mentoree"):
        services.application_consent_set(application=application, by=mentor.employee, share=True)
