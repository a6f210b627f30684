"""F2 Talent reviews see nothing of mentoring: no page, export or e-mail of the talent-review
side shows notes, meeting summaries, goals, agreement text, end reasons, or even that the
subject takes part in a program. `reviews/` may not import the confidential parts of
`pairings/` or `confidentiality/` (checked by an import contract).

The canary crawl: a company is built through the services in which every piece of mentoring
text holds a canary (MENTORING-CANARY-...) and the program's name another (PROGRAM-CANARY-...).
Its mentorees and mentors are then reviewed by panels of people who know them from mentoring
(a manager who may learn consented themes, a committee member who voted, the coordinator,
other mentors and mentorees). Signed in as each of them, the Talent team, an HR admin and a
superuser, every URL of the reviews side (found from the URL resolver) and every admin page of
the reviews models is fetched: no canary appears, and the pages that should render do.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tomllib
import uuid
from collections import Counter

import pytest
from django.conf import settings
from django.contrib import admin
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from confidentiality import services as conf_services
from confidentiality.models import AgreementTemplate, Audience, Rule
from notifications.models import Notification
from pairings import services as pairing_services
from pairings.models import Pairing
from people.models import Employee
from programs import services as program_services
from programs.models import Application, Program
from reviews import services as review_services
from reviews.models import TalentReview
from tests.builders.confidentiality import agreement_of, write_note
from tests.builders.pairings import accept_both, log_meeting, person, propose, sign_both
from tests.builders.programs import make_program
from tests.builders.reviews import (
    MENTORING_WORDS,
    conclude,
    main_content,
    move,
    plan_review,
    seat,
    staff_member,
)

RUN = uuid.uuid4().hex
MENTORING_CANARY = f"MENTORING-CANARY-{RUN}"
PROGRAM_CANARY = f"PROGRAM-CANARY-{RUN}"
# Looked for in lower case, so no change of case, truncation of the tail or slug hides them.
CANARY_MARKS = ("mentoring-canary", "program-canary")


def text(label: str) -> str:
    """A unique piece of mentoring text."""
    return f"{MENTORING_CANARY}-{label}-{uuid.uuid4().hex[:8]}"


def canaries_in(content: str) -> list[str]:
    lowered = content.lower()
    return [mark for mark in CANARY_MARKS if mark in lowered]


# --- The company --------------------------------------------------------------------------------


@pytest.fixture
def program(coordinator) -> Program:
    """A program whose name, slug and description are canaries, with agreement terms of its
    own (an HR admin's template) that are a mentoring canary."""
    program = make_program(
        coordinator=coordinator,
        name=PROGRAM_CANARY,
        slug=PROGRAM_CANARY.lower(),
        description=f"{PROGRAM_CANARY} description",
    )
    template = AgreementTemplate.objects.create(
        name=f"{PROGRAM_CANARY} terms", version=1, terms=text("agreement-terms")
    )
    Program.objects.filter(pk=program.pk).update(agreement_template=template)
    program.refresh_from_db()
    return program


def admit(program, committee, employee, role: str):
    """Apply with canary motivation and goals; every committee member votes with a canary
    comment; the decision's reason is a canary; the commitment is accepted."""
    extra = {"mentor_capacity": 2} if role == Application.Role.MENTOR else {}
    application = program_services.application_submit(
        applicant=employee,
        program=program,
        role=role,
        motivation=text("motivation"),
        goals=text("application-goals"),
        availability=text("availability"),
        **extra,
    )
    for member in committee:
        program_services.vote_cast(
            application=application, voter=member, choice="admit", comment=text("vote-comment")
        )
    program_services.application_decide(
        application=application, by=committee[0], decision="admit", reason=text("decision")
    )
    program_services.commitment_accept(employee=employee, program=program)


def fill_pairing(pairing: Pairing) -> None:
    """Meetings, notes (private and shared, on the pairing and on a meeting), goals, and a
    consented theme for the mentoree's manager (the mentoree loosens that rule, both sign)."""
    mentor, mentoree = pairing.mentor.user, pairing.mentoree.user
    meeting = log_meeting(pairing, days=-3)
    log_meeting(pairing, days=5)
    write_note(pairing, mentor, text("private-note-mentor"))
    write_note(pairing, mentoree, text("private-note-mentoree"))
    write_note(pairing, mentor, text("shared-note"), shared=True)
    write_note(pairing, mentoree, text("meeting-note"), shared=True, meeting=meeting)
    pairing_services.goal_create(pairing=pairing, by=pairing.mentoree, title=text("goal"))
    conf_services.agreement_change(
        agreement=agreement_of(pairing), by=mentoree, rules={Audience.MANAGER: Rule.THEMES}
    )
    pairing = sign_both(pairing)
    assert pairing.status == Pairing.Status.ACTIVE
    conf_services.theme_add(
        agreement=agreement_of(pairing),
        by=mentoree,
        audience=Audience.MANAGER,
        text=text("consented-theme"),
    )


@pytest.fixture
def company(program, committee, committee_member, coordinator, talent_reviewer):
    """Two pairs full of canaries (one active, one ended with a private reason) and talent
    reviews of both mentorees and both mentors, with panels of people who know them."""
    boss = staff_member(first_name="Oriane", last_name="Falk", level=8)
    manager_1 = staff_member(first_name="Nils", last_name="Berg", manager=boss)
    manager_2 = staff_member(first_name="Ruth", last_name="Adler", manager=boss)
    mentor_1 = person(first_name="Edda", last_name="Voss", level=7, title="Director")
    mentor_2 = person(first_name="Pavel", last_name="Horak", level=7, title="Director")
    mentoree_1 = person(first_name="Amara", last_name="Eze", level=4, manager=manager_1)
    mentoree_2 = person(first_name="Tomas", last_name="Lind", level=4, manager=manager_2)
    for employee in (mentor_1, mentor_2):
        admit(program, committee, employee, Application.Role.MENTOR)
    for employee in (mentoree_1, mentoree_2):
        admit(program, committee, employee, Application.Role.MENTOREE)

    pair_1 = accept_both(propose(program, mentor_1, mentoree_1, by=coordinator))
    pair_2 = accept_both(propose(program, mentor_2, mentoree_2, by=coordinator))
    fill_pairing(pair_1)
    fill_pairing(pair_2)
    pairing_services.pairing_end(
        pairing=pair_2,
        by=pair_2.mentor,
        category=Pairing.EndCategory.FIT,
        private_reason=text("private-end-reason"),
    )

    by = talent_reviewer
    # An earlier, concluded review of the first mentoree: the dossier lists it.
    earlier = plan_review(mentoree_1, by=by, cycle="2026 year-end", days=-150)
    seat(earlier, manager_1, by=by)
    earlier = move(earlier, by=by, to=TalentReview.Status.IN_SESSION)
    review_services.outcome_record(
        review=earlier, by=manager_1.user, rating="solid", summary="Steady year."
    )
    conclude(earlier, by=by)

    reviews = {
        "mentoree_1": plan_review(mentoree_1, by=by),
        "mentoree_2": plan_review(mentoree_2, by=by),
        "mentor_1": plan_review(mentor_1, by=by, days=28),
        "mentor_2": plan_review(mentor_2, by=by, days=28),
    }
    panels = {
        "mentoree_1": [manager_1, mentor_2],
        "mentoree_2": [manager_2, mentor_1],
        "mentor_1": [mentoree_2, boss],
        "mentor_2": [mentor_1],
    }
    for key, members in panels.items():
        for member in members:
            seat(reviews[key], member, by=by)
    # Each mentoree's own mentor is kept off their panel (and listed as recused), and so are
    # the committee member who voted on every application and the coordinator (F3, F11):
    # they stay in the crawl below as people who know the subjects from mentoring.
    for key, mentor in (("mentoree_1", mentor_1), ("mentoree_2", mentor_2)):
        for kept_off in (mentor, committee_member, coordinator):
            with pytest.raises(ValidationError):
                seat(reviews[key], kept_off, by=by)
    reviews["mentoree_2"] = move(reviews["mentoree_2"], by=by, to=TalentReview.Status.IN_SESSION)
    review_services.outcome_record(
        review=reviews["mentoree_2"],
        by=manager_2.user,
        rating="strong",
        summary="Delivered the migration.",
    )
    panel_members = {as_user(member) for members in panels.values() for member in members} | {
        manager_1.user,
        as_user(committee_member),
        as_user(coordinator),
    }
    return {
        "reviews": [earlier, *reviews.values()],
        "panel_members": panel_members,
        "pairings": [pair_1, pair_2],
    }


def as_user(who):
    return who.user if isinstance(who, Employee) else who


# --- The crawl ----------------------------------------------------------------------------------


def reviews_patterns() -> list[URLPattern]:
    """Every URL pattern under the `reviews` namespace, from the resolver."""
    _, resolver = get_resolver().namespace_dict["reviews"]
    patterns = [p for p in resolver.url_patterns if isinstance(p, URLPattern)]
    assert {"list", "detail", "dossier", "recusals"} <= {p.name for p in patterns}
    return patterns


def reviews_urls(reviews: list[TalentReview]) -> list[tuple[str, int | None, str]]:
    """(url name, review id, url) for every pattern, filled with every review's id and one
    of its seats."""
    urls = []
    for pattern in reviews_patterns():
        params = set(pattern.pattern.converters)
        assert params <= {"pk", "seat_id"}, f"teach the crawl the parameters of {pattern.name}"
        if not params:
            urls.append((pattern.name, None, reverse(f"reviews:{pattern.name}")))
            continue
        for review in reviews:
            kwargs = {"pk": review.pk}
            if "seat_id" in params:
                first_seat = review.seats.order_by("pk").first()
                kwargs["seat_id"] = first_seat.pk if first_seat else 999_999
            urls.append(
                (pattern.name, review.pk, reverse(f"reviews:{pattern.name}", kwargs=kwargs))
            )
    return urls


def admin_urls(reviews: list[TalentReview]) -> list[tuple[str, str]]:
    """The admin index, the reviews app's index and every page of every registered model of
    the `reviews` app (changelist, add, and per review: change, history, delete)."""
    urls = [("index", reverse("admin:index"))]
    models = [m for m in admin.site._registry if m._meta.app_label == "reviews"]
    assert models, "no reviews model is in the admin"
    urls.append(("app_list", reverse("admin:app_list", kwargs={"app_label": "reviews"})))
    for model in models:
        for pattern in admin.site._registry[model].urls:
            if pattern.name is None:  # the old-style redirect to the change page
                continue
            if "object_id" in pattern.pattern.converters:
                for review in reviews:
                    url = reverse(f"admin:{pattern.name}", kwargs={"object_id": review.pk})
                    urls.append((pattern.name, url))
            else:
                urls.append((pattern.name, reverse(f"admin:{pattern.name}")))
    # The changelist searched and filtered the ways an HR admin would.
    changelist = reverse("admin:reviews_talentreview_changelist")
    urls += [
        ("changelist_search", f"{changelist}?q=Eze"),
        ("changelist_filter", f"{changelist}?status__exact=planned"),
    ]
    return urls


@pytest.fixture
def crawlers(company, talent_reviewer, hr_admin, superuser) -> dict[str, object]:
    people = {f"panel:{u.employee.full_name}": u for u in company["panel_members"]}
    return {
        **people,
        "talent_team": talent_reviewer,
        "hr_admin": hr_admin,
        "superuser": superuser,
    }


def crawl(client: Client, urls) -> list[tuple[str, int, list[str]]]:
    found = []
    for url in urls:
        response = client.get(url)
        content = response.content.decode(errors="replace")
        found.append((url, response.status_code, canaries_in(content)))
    return found


def test_f2_canary_crawl_of_every_reviews_page_finds_no_mentoring_text(
    company, crawlers, signed_in_client
):
    reviews = company["reviews"]
    urls = reviews_urls(reviews)
    leaks, statuses = [], {}
    for who, user in crawlers.items():
        client = signed_in_client(user)
        for (name, review_id, _), (url, status, found) in zip(
            urls, crawl(client, [u for _, _, u in urls]), strict=True
        ):
            statuses[who, name, review_id] = status
            if found:
                leaks.append((who, url, status, found))

    assert not leaks, leaks
    # The canaries are real and found where they belong: the mentoree's own pair space.
    pairing = company["pairings"][0]
    space = signed_in_client(pairing.mentoree.user).get(
        reverse("pairings:space", args=[pairing.pk])
    )
    assert space.status_code == 200
    assert canaries_in(space.content.decode()) == list(CANARY_MARKS)
    # The crawl is not empty: each person saw what they may see.
    for who, user in crawlers.items():
        assert statuses[who, "list", None] == 200, who
        for review in reviews:
            may_see = who == "talent_team" or review.seats.filter(member__user=user).exists()
            for name in ("detail", "dossier", "recusals"):
                assert statuses[who, name, review.pk] == (200 if may_see else 404), (
                    who,
                    name,
                    review.pk,
                )
    assert statuses["talent_team", "create", None] == 200
    assert Counter(statuses.values())[200] >= 50


def test_f2_canary_crawl_of_the_reviews_admin_finds_no_mentoring_text(
    company, crawlers, signed_in_client
):
    urls = admin_urls(company["reviews"])
    leaks, statuses = [], {}
    for who, user in crawlers.items():
        client = signed_in_client(user)
        for url, status, found in crawl(client, [u for _, u in urls]):
            statuses[who, url] = status
            if found:
                leaks.append((who, url, status, found))

    assert not leaks, leaks
    # HR admins and superusers read the reviews as metadata: these pages did render.
    readable = ("index", "app_list", "changelist", "change", "history")
    for who in ("hr_admin", "superuser"):
        for name, url in urls:
            if name.endswith(readable) or name.startswith("changelist_"):
                assert statuses[who, url] == 200, (who, name, url)


def test_f2_the_crawl_would_see_a_leak(company, crawlers, signed_in_client):
    """The crawl's own check: mentoring text pasted into a review's summary is found."""
    review = company["reviews"][2]  # in session: its outcome may be recorded
    review_services.outcome_record(
        review=review,
        by=crawlers["talent_team"],
        rating="strong",
        summary=f"Pasted from a note: {text('pasted')}",
    )
    urls = [u for name, _, u in reviews_urls([review]) if name == "detail"]

    found = crawl(signed_in_client(crawlers["talent_team"]), urls)

    assert [f for _, _, f in found] == [["mentoring-canary"]]


def test_f2_reviews_side_notifications_hold_no_mentoring_text(company, deliver):
    """The reviews side tells panel members by in-app notification and e-mail (e-mails
    carry links): the titles and subjects hold nothing from mentoring, not even the
    program's name, and no e-mail of the reviews side holds a canary."""
    deliver()
    sent = Notification.objects.filter(url__startswith="/reviews/")

    assert sent.count() >= 8  # one invitation per seat (panels above)
    for notification in sent:
        assert not canaries_in(f"{notification.title} {notification.url}"), notification.title
        assert not MENTORING_WORDS.search(notification.title), notification.title
    invitations = [m for m in mail.outbox if "/reviews/" in m.body]
    assert len(invitations) == sent.count()
    for email in invitations:
        assert not MENTORING_WORDS.search(email.subject), email.subject
        html = "".join(str(content) for content, _ in email.alternatives)
        assert not canaries_in(f"{email.subject} {email.body} {html}"), email.subject


def test_f2_dossier_never_says_whether_the_subject_takes_part_in_a_program(
    company, talent_reviewer, signed_in_client
):
    client = signed_in_client(talent_reviewer)
    for review in company["reviews"]:
        response = client.get(reverse("reviews:dossier", args=[review.pk]))
        assert response.status_code == 200

        dossier = response.context["dossier"]
        values = repr(dataclasses.asdict(dossier))
        assert not canaries_in(values), values
        assert not MENTORING_WORDS.search(values), values
        page = main_content(response)
        assert not canaries_in(page)
        assert not MENTORING_WORDS.search(page), MENTORING_WORDS.search(page)


def test_f2_a_mentorees_dossier_reads_like_anyone_elses(company, talent_reviewer, signed_in_client):
    """Two people with the same directory facts, one a mentoree (with a mentor, notes,
    goals, themes) and one in no program: their dossiers differ only by name."""
    pair = company["pairings"][0]
    participant = pair.mentoree
    twin = person(
        first_name="Zoe",
        last_name="Twin",
        title=participant.title,
        department=participant.department,
        location=participant.location,
        level=participant.level,
        manager=participant.manager,
    )
    twin_review = plan_review(twin, by=talent_reviewer)
    participant_review = TalentReview.objects.filter(
        subject=participant, status=TalentReview.Status.PLANNED
    ).get()
    client = signed_in_client(talent_reviewer)

    def dossier(review):
        fields = dataclasses.asdict(
            client.get(reverse("reviews:dossier", args=[review.pk])).context["dossier"]
        )
        fields.pop("name")
        fields.pop("earlier_reviews")  # the participant had a review last year
        return fields

    assert dossier(participant_review) == dossier(twin_review)


# --- The import contract ------------------------------------------------------------------------


def f2_contract_name() -> str:
    with open(settings.BASE_DIR / "pyproject.toml", "rb") as handle:
        contracts = tomllib.load(handle)["tool"]["importlinter"]["contracts"]
    (name,) = [c["name"] for c in contracts if c["name"].startswith("F2")]
    return name


def lint_imports(cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(settings.BASE_DIR / ".venv" / "bin" / "lint-imports"), "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_f2_import_contract_is_kept():
    result = lint_imports(settings.BASE_DIR)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{f2_contract_name()} KEPT" in result.stdout


def test_f2_import_contract_catches_reviews_importing_pairings_models(tmp_path):
    """The contract is not a dead letter: a module of `reviews` that imports
    `pairings.models` breaks it.

    The offending module is written into a copy of the project's packages (with the same
    pyproject.toml), never into the working tree, so nobody else's lint run, server or test
    ever sees it and a test killed half-way leaves nothing behind."""
    config = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())
    copy = tmp_path / "project"
    for package in config["tool"]["importlinter"]["root_packages"]:
        shutil.copytree(
            settings.BASE_DIR / package,
            copy / package,
            ignore=shutil.ignore_patterns("__pycache__", "templates", "static", "*.pyc"),
        )
    shutil.copy(settings.BASE_DIR / "pyproject.toml", copy / "pyproject.toml")
    offender = f"_canary_violation_{uuid.uuid4().hex[:12]}"
    (copy / "reviews" / f"{offender}.py").write_text(
        '"""Breaks F2 on purpose (test)."""\n\nimport pairings.models  # noqa: F401\n'
    )

    result = lint_imports(copy)

    assert result.returncode != 0, result.stdout
    assert f"{f2_contract_name()} BROKEN" in result.stdout
    assert f"reviews.{offender} -> pairings.models" in result.stdout
    assert not (settings.BASE_DIR / "reviews" / f"{offender}.py").exists()
