"""Hostile input (issue H, part 3): every form a person can post, posted by the person allowed
to use it, with random and hostile values. Hypothesis draws them (see tests/security/hostile.py):
10,000-character strings, control characters and NUL bytes, right-to-left overrides, emoji
and combining marks, markup, SQL fragments, text where a number, date or id belongs, fields
left out, fields sent twice, bytes that are not UTF-8, and the ids of other people's objects.

Two promises are checked on every example:
- the site never answers with a server error (any status below 500; the test client raises
  the view's exception, so a crash shows with its traceback), and
- whatever was stored is shown escaped: the answer to the post and every page that shows
  the stored value (fetched as the people who see it) hold no element or attribute an
  attacker's value could have become (a script, an on*= handler, a javascript: link).
Posting with other people's ids must leave their objects as they were.

Before Hypothesis's examples, each field is posted once with each edge value of its kind
(hostile.EDGES: ids and numbers beyond 64 bits, the first and last days of the calendar, NUL
bytes, file names too long for the file system...), the other fields holding good values.
The edge values that once broke a form (found by this module, fixed since) are listed in
KNOWN_BUGS and kept as regressions in `test_edge_value_never_breaks_a_form`, one case each.

`test_markup_typed_into_a_form_is_shown_escaped` then stores a fixed piece of markup
through each text field that is shown again, and finds it escaped on the page that shows it.

The world (tests/builders/world.py) is built once per module; each test runs in a savepoint
of its own, and within a test what an earlier example stored is there for the later ones:
that is what a real person's session of attempts looks like. Hypothesis runs derandomized and
without its example database, so every run posts the same examples.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from confidentiality.models import Audience, Note, Rule
from notifications.messaging import kinds
from pairings.models import Goal, Meeting, Pairing
from programs.models import Application, GroupSession, Program, Registration
from reviews.models import PanelSeat, TalentReview
from tests.builders.programs import DOCX_BYTES, PDF_BYTES
from tests.builders.world import World
from tests.factories import DEFAULT_PASSWORD
from tests.security.hostile import (
    BREAKOUT,
    EDGES,
    MARKUP,
    Field,
    boolean_or,
    choice_or,
    date_or,
    datetime_or,
    email_or,
    fresh,
    hostile_text,
    ids_or,
    injected,
    many_choices_or,
    many_ids_or,
    number_or,
    slug_or,
    soon,
    text_or,
)

DEFAULT_EXAMPLES = 25
BUTTON_EXAMPLES = 8


Urls = Callable[[World], list[str]]
Fields = Callable[[World], dict[str, Field]]
Pages = Callable[[World], list[tuple[str | None, str]]]
Snapshot = Callable[[World], object]


def _none(w: World) -> list:
    return []


def _no_fields(w: World) -> dict:
    return {}


@dataclass(frozen=True)
class Form:
    """One form: who posts it, where (the first url is theirs; the others name objects of
    other people, or none at all), its fields, and the pages that show what it stores."""

    name: str
    actor: str | None
    urls: Urls
    fields: Fields = _no_fields
    shows: Pages = _none
    untouchable: Snapshot | None = None  # other people's objects: must not change
    examples: int = DEFAULT_EXAMPLES
    multipart_only: bool = False


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def _values(queryset, *names):
    return list(queryset.order_by("pk").values_list(*names))


def _latest(model, **filters):
    return model.objects.filter(**filters).order_by("-pk").first()


# --- Field sets ---------------------------------------------------------------------------------


def _application_fields(w: World, *, mentor: bool = False) -> dict:
    fields = {
        "motivation": text_or("I want to grow as a leader."),
        "goals": text_or("Negotiation", ""),
        "tags": many_ids_or(*[t.pk for t in w.topics]),
        "availability": text_or("Tuesday mornings", ""),
    }
    if mentor:
        fields["mentor_capacity"] = number_or(1, 2, 10, 11)
    return fields


def _program_fields(w: World) -> dict:
    today = date.today()
    return {
        "name": text_or("Grow 2030"),
        "slug": slug_or("grow-2030"),
        "kind": choice_or(*Program.Kind.values),
        "description": text_or("A program."),
        "audience": text_or("Everyone", ""),
        "applications_open_on": date_or(today),
        "applications_close_on": date_or(today + timedelta(days=10)),
        "starts_on": date_or(today + timedelta(days=20)),
        "ends_on": date_or(today + timedelta(days=200)),
        "default_mentor_capacity": number_or(2, 1, 10),
        "min_mentor_level": number_or(6, 1),
        "max_mentoree_level": number_or(8, 3),
        "quorum_votes": number_or(3, 1),
    }


def _session_fields(w: World) -> dict:
    return {
        "title": text_or("Leading teams"),
        "description": text_or("Questions and answers", ""),
        "starts_at": datetime_or(soon(7), soon(1, 9)),
        "duration_minutes": number_or(90, 30),
        "location": text_or("Board room", "https://video.example/room"),
        "capacity": number_or(10, 1),
        "leader": email_or(w.executive.email, w.outsider.email, w.mentor.email),
    }


UPLOAD_NAMES = [
    "guide.pdf",
    "GUIDE.PDF",
    "notes.docx",
    "tool.exe",
    "page.html",
    "image.svg",
    "archive.zip",
    "../../etc/passwd.pdf",
    "..\\..\\windows\\win.ini.pdf",
    "noextension",
    ".pdf",
    "a" * 300 + ".pdf",
    "naïve résumé.pdf",
    f"{MARKUP}.pdf",
    f"{BREAKOUT}.pdf",
    "\u202efdp.exe",
    "emoji 😀.pdf",
    "semi;colon=name.pdf",
]
UPLOAD_BYTES = [
    b"",
    b"%",
    b"%PDF-",
    PDF_BYTES,
    DOCX_BYTES,
    b"MZ\x90\x00\x03",
    b"<script>alert(1)</script>",
    b"\x89PNG\r\n\x1a\n",
    b"PK\x03\x04",
    b"%PDF-" + b"x" * 3000,  # above the (lowered) size limit
]


def uploads() -> st.SearchStrategy:
    names = st.one_of(
        st.sampled_from(UPLOAD_NAMES),
        st.text(st.characters(exclude_characters='\r\n"\\/'), max_size=20).map(
            lambda s: s + ".pdf"
        ),
    )
    contents = st.one_of(st.sampled_from(UPLOAD_BYTES), st.binary(max_size=40))
    content_types = st.sampled_from(
        ["application/pdf", "text/html", "image/svg+xml", "application/octet-stream"]
    )
    return st.builds(
        lambda name, content, kind: SimpleUploadedFile(name, content, content_type=kind),
        names,
        contents,
        content_types,
    )


def _resource_fields(w: World) -> dict:
    return {
        "title": text_or("Reading list"),
        "description": text_or("Chapters one to three", ""),
        "file": Field(
            "file",
            lambda: SimpleUploadedFile("guide.pdf", PDF_BYTES, "application/pdf"),
            st.one_of(uploads(), hostile_text()),
        ),
    }


def _rules_fields(w: World) -> dict:
    return {audience: choice_or(*Rule.values) for audience in Audience.values}


def _set_password_fields(w: World) -> dict:
    return {
        "new_password1": text_or("a-new-and-longer-passphrase"),
        "new_password2": text_or("a-new-and-longer-passphrase"),
    }


# --- Untouchable objects (other people's) ---------------------------------------------------------


def _others_application(w: World):
    return _values(Application.objects.filter(pk=w.other_application.pk), "status", "motivation")


def _others_pairing(w: World):
    pairing = w.other_pairing
    return (
        _values(Pairing.objects.filter(pk=pairing.pk), "status", "end_category"),
        _values(Meeting.objects.filter(pairing=pairing), "starts_at", "duration_minutes"),
        _values(Goal.objects.filter(pairing=pairing), "title", "status"),
    )


def _others_note(w: World):
    note = Note.objects.get(pk=w.others_note.pk)
    return (note.text, note.shared, note.pairing_id)


def _other_program(w: World):
    return _values(
        Program.objects.filter(pk=w.other_program.pk), "name", "status", "slug", "description"
    )


def _other_review(w: World):
    review = w.other_review
    return (
        _values(TalentReview.objects.filter(pk=review.pk), "status", "rating", "summary"),
        _values(PanelSeat.objects.filter(review=review), "member_id"),
    )


# --- The forms ------------------------------------------------------------------------------------

FORMS = [
    # programs: applications and the committee
    Form(
        "apply",
        "outsider",
        lambda w: [
            url("programs:apply", w.program.slug, "mentoree"),
            url("programs:apply", w.program.slug, "mentor"),
            url("programs:apply", w.other_program.slug, "mentoree"),
            url("programs:apply", w.program.slug, "<script>"),
        ],
        lambda w: _application_fields(w, mentor=True),
        lambda w: (
            [("outsider", url("programs:my_applications"))]
            + [
                ("committee_member", url("programs:committee_application", a.pk))
                for a in Application.objects.filter(
                    applicant=w.outsider.employee, program=w.program
                )
            ]
        ),
        untouchable=_others_application,
    ),
    Form(
        "application_edit",
        "applicant",
        lambda w: [
            url("programs:application_edit", w.open_application.pk),
            url("programs:application_edit", w.other_application.pk),
            url("programs:application_edit", w.voting_application.pk),
        ],
        _application_fields,
        lambda w: [
            ("applicant", url("programs:my_applications")),
            ("committee_member", url("programs:committee_application", w.open_application.pk)),
        ],
        untouchable=_others_application,
    ),
    Form(
        "application_withdraw",
        "applicant",
        lambda w: [
            url("programs:application_withdraw", w.open_application.pk),
            url("programs:application_withdraw", w.other_application.pk),
            url("programs:application_withdraw", w.voting_application.pk),
        ],
        shows=lambda w: [("applicant", url("programs:my_applications"))],
        untouchable=_others_application,
        examples=BUTTON_EXAMPLES,
    ),
    Form(
        "vote",
        "committee_member",
        lambda w: [
            url("programs:vote", w.voting_application.pk),
            url("programs:vote", w.other_application.pk),
        ],
        lambda w: {
            "choice": choice_or("admit", "decline", "waitlist"),
            "comment": text_or("Strong motivation.", ""),
        },
        lambda w: [
            ("committee_member", url("programs:committee_application", w.voting_application.pk))
        ],
        untouchable=_others_application,
    ),
    Form(
        "decide",
        "committee_member",
        lambda w: [
            url("programs:decide", w.decidable_application.pk),
            url("programs:decide", w.other_application.pk),
        ],
        lambda w: {
            "decision": choice_or("admit", "decline", "waitlist"),
            "reason": text_or("Fits the program."),
        },
        lambda w: [
            (
                "committee_member",
                url("programs:committee_application", w.decidable_application.pk),
            ),
            ("coordinator", url("programs:committee_application", w.decidable_application.pk)),
        ],
        untouchable=_others_application,
    ),
    # programs: the program itself
    Form(
        "program_create",
        "coordinator",
        lambda w: [url("programs:create")],
        _program_fields,
        lambda w: [
            ("coordinator", url("programs:list")),
            *[
                ("coordinator", url(page, p.slug))
                for p in Program.objects.exclude(pk__in=[w.program.pk, w.other_program.pk])[:2]
                for page in ("programs:detail", "programs:manage")
            ],
        ],
    ),
    Form(
        "program_edit",
        "coordinator",
        lambda w: [
            url("programs:edit", Program.objects.get(pk=w.program.pk).slug),
            url("programs:edit", w.other_program.slug),
        ],
        _program_fields,
        lambda w: [
            ("coordinator", url("programs:manage", Program.objects.get(pk=w.program.pk).slug)),
            ("outsider", url("programs:detail", Program.objects.get(pk=w.program.pk).slug)),
            ("outsider", url("programs:list")),
        ],
        untouchable=_other_program,
    ),
    Form(
        "program_transition",
        "coordinator",
        lambda w: [
            url("programs:transition", w.program.slug),
            url("programs:transition", w.other_program.slug),
        ],
        lambda w: {"to": choice_or(*Program.Status.values)},
        lambda w: [("coordinator", url("programs:manage", w.program.slug))],
        untouchable=_other_program,
        examples=BUTTON_EXAMPLES * 2,
    ),
    Form(
        "committee_add",
        "coordinator",
        lambda w: [
            url("programs:committee_add", w.program.slug),
            url("programs:committee_add", w.other_program.slug),
        ],
        lambda w: {
            "member": email_or(w.outsider.email, w.mentor.email, w.coordinator.email),
        },
        lambda w: [("coordinator", url("programs:manage", w.program.slug))],
        untouchable=_other_program,
    ),
    Form(
        "committee_remove",
        "coordinator",
        lambda w: [
            url("programs:committee_remove", w.program.slug, w.committee[1].pk),
            url("programs:committee_remove", w.program.slug, w.outsider.pk),
            url("programs:committee_remove", w.program.slug, 2**31),
            url("programs:committee_remove", w.other_program.slug, w.committee[2].pk),
        ],
        examples=BUTTON_EXAMPLES,
    ),
    Form(
        "commitment_accept",
        "participant_needing_acceptance",
        lambda w: [
            url("programs:commitment", w.program.slug),
            url("programs:commitment", w.other_program.slug),
        ],
        shows=lambda w: [("participant_needing_acceptance", url("programs:my_commitments"))],
        examples=BUTTON_EXAMPLES,
    ),
    Form(
        "commitment_publish",
        "coordinator",
        lambda w: [
            url("programs:commitment_publish", w.program.slug),
            url("programs:commitment_publish", w.other_program.slug),
        ],
        lambda w: {"text": text_or("Your job is safe and what you say stays in the pair.")},
        lambda w: [
            ("coordinator", url("programs:commitment", w.program.slug)),
            ("mentoree", url("programs:commitment", w.program.slug)),
        ],
        untouchable=_other_program,
    ),
    # programs: sessions, resources, tags
    Form(
        "session_create",
        "coordinator",
        lambda w: [
            url("programs:session_create", w.program.slug),
            url("programs:session_create", w.other_program.slug),
        ],
        _session_fields,
        lambda w: (
            [("executive", url("programs:my_sessions"))]
            + [
                ("coordinator", url("programs:session", s.pk))
                for s in GroupSession.objects.filter(program=w.program).order_by("-pk")[:2]
            ]
        ),
        untouchable=_other_program,
    ),
    Form(
        "session_register",
        "mentoree",
        lambda w: [
            url("programs:session_register", w.group_session.pk),
            url("programs:session_register", w.other_session.pk),
        ],
        shows=lambda w: [("mentoree", url("programs:session", w.group_session.pk))],
        examples=BUTTON_EXAMPLES,
    ),
    Form(
        "session_cancel",
        "mentoree",
        lambda w: [
            url("programs:session_cancel", w.group_session.pk),
            url("programs:session_cancel", w.other_session.pk),
        ],
        shows=lambda w: [("mentoree", url("programs:session", w.group_session.pk))],
        examples=BUTTON_EXAMPLES,
    ),
    Form(
        "session_attendance",
        "coordinator",
        lambda w: [
            url("programs:session_attendance", w.past_session.pk),
            url("programs:session_attendance", w.other_session.pk),
        ],
        lambda w: {
            "attended": many_ids_or(
                *Registration.objects.filter(session=w.past_session).values_list("pk", flat=True),
                *Registration.objects.exclude(session=w.past_session).values_list("pk", flat=True),
            )
        },
        lambda w: [("coordinator", url("programs:session", w.past_session.pk))],
    ),
    Form(
        "program_resource_create",
        "coordinator",
        lambda w: [
            url("programs:program_resource_create", w.program.slug),
            url("programs:program_resource_create", w.other_program.slug),
        ],
        _resource_fields,
        lambda w: [
            ("coordinator", url("programs:manage", w.program.slug)),
            ("mentoree", url("programs:detail", w.program.slug)),
            ("mentoree", url("programs:resources")),
        ],
        multipart_only=True,
        examples=30,
    ),
    Form(
        "resource_create",
        "hr_admin",
        lambda w: [url("programs:resource_create")],
        _resource_fields,
        lambda w: [("outsider", url("programs:resources"))],
        multipart_only=True,
        examples=30,
    ),
    Form(
        "tag_create",
        "coordinator",
        lambda w: [url("programs:tags")],
        lambda w: {"name": text_or("Leadership", "Data")},
        lambda w: [
            ("coordinator", url("programs:tags")),
            ("outsider", url("programs:apply", w.program.slug, "mentoree")),
        ],
    ),
    Form(
        "tag_delete",
        "coordinator",
        lambda w: (
            [url("programs:tag_delete", t.pk) for t in w.topics[:2]]
            + [url("programs:tag_delete", 2**31)]
        ),
        shows=lambda w: [("coordinator", url("programs:tags"))],
        examples=BUTTON_EXAMPLES,
    ),
    # pairings: the coordinator
    Form(
        "pairing_propose",
        "coordinator",
        lambda w: [
            url("pairings:propose", w.program.slug, w.unmatched_mentoree.pk),
            url("pairings:propose", w.program.slug, w.outsider.employee.pk),
            url("pairings:propose", w.other_program.slug, w.unmatched_mentoree.pk),
        ],
        lambda w: {
            "mentor": ids_or(
                w.mentor.employee.pk,
                w.other_mentor.employee.pk,
                w.unmatched_mentoree.pk,
                w.outsider.employee.pk,
                w.executive.employee.pk,
            )
        },
        lambda w: [("coordinator", url("pairings:program", w.program.slug))],
        untouchable=_other_program,
    ),
    Form(
        "matching_start",
        "coordinator",
        lambda w: [
            url("pairings:matching_start", w.program.slug),
            url("pairings:matching_start", w.other_program.slug),
        ],
        shows=lambda w: [("coordinator", url("pairings:matching", w.program.slug))],
        examples=BUTTON_EXAMPLES,
    ),
    Form(
        "pin_add",
        "coordinator",
        lambda w: [
            url("pairings:pin_add", w.program.slug),
            url("pairings:pin_add", w.other_program.slug),
        ],
        lambda w: {
            "mentor": email_or(w.mentor.email, w.other_mentor.email, w.outsider.email),
            "mentoree": email_or(w.unmatched_mentoree.email, w.mentoree.email),
        },
        lambda w: [("coordinator", url("pairings:matching", w.program.slug))],
    ),
    Form(
        "pin_remove",
        "coordinator",
        lambda w: (
            [url("pairings:pin_remove", w.program.slug, pin.pk) for pin in w.pins[:1]]
            + [url("pairings:pin_remove", w.program.slug, 2**31)]
        ),
        examples=BUTTON_EXAMPLES,
    ),
    Form(
        "proposal_swap",
        "coordinator",
        lambda w: [
            url("pairings:proposal_swap", w.program.slug),
            url("pairings:proposal_swap", w.other_program.slug),
        ],
        lambda w: {
            "first": ids_or(*w.matching_run.pairs.values_list("pk", flat=True)),
            "second": ids_or(*w.matching_run.pairs.values_list("pk", flat=True)),
        },
        lambda w: [("coordinator", url("pairings:matching", w.program.slug))],
    ),
    Form(
        "proposal_remove",
        "coordinator",
        lambda w: (
            [
                url("pairings:proposal_remove", w.program.slug, pair.pk)
                for pair in w.matching_run.pairs.all()[:2]
            ]
            + [url("pairings:proposal_remove", w.program.slug, 2**31)]
        ),
        examples=BUTTON_EXAMPLES,
    ),
    Form(
        "matching_publish",
        "coordinator",
        lambda w: [
            url("pairings:matching_publish", w.program.slug, w.matching_run.pk),
            url("pairings:matching_publish", w.program.slug, w.other_matching_run.pk),
            url("pairings:matching_publish", w.other_program.slug, w.matching_run.pk),
        ],
        shows=lambda w: [("coordinator", url("pairings:program", w.program.slug))],
        examples=BUTTON_EXAMPLES,
    ),
    # pairings: the pair
    Form(
        "pairing_accept",
        "other_mentor",
        lambda w: [
            url("pairings:accept", w.proposed_pairing.pk),
            url("pairings:accept", w.active_pairing.pk),
        ],
        shows=lambda w: [("other_mentor", url("pairings:space", w.proposed_pairing.pk))],
        examples=BUTTON_EXAMPLES,
    ),
    Form(
        "pairing_end",
        "mentor",
        lambda w: [
            url("pairings:end", w.active_pairing.pk),
            url("pairings:end", w.other_pairing.pk),
        ],
        lambda w: {
            "category": choice_or(*Pairing.EndCategory.values),
            "private_reason": text_or("Our schedules never matched.", ""),
        },
        lambda w: [
            ("mentor", url("pairings:space", w.active_pairing.pk)),
            ("coordinator", url("pairings:program", w.program.slug)),
        ],
        untouchable=_others_pairing,
    ),
    Form(
        "meeting_create",
        "mentor",
        lambda w: [
            url("pairings:meeting_create", w.active_pairing.pk),
            url("pairings:meeting_create", w.other_pairing.pk),
        ],
        lambda w: {
            "starts_at": datetime_or(soon(3), soon(-3)),
            "duration_minutes": number_or(60, 5, 600),
            "format": choice_or(*Meeting.Format.values),
        },
        lambda w: [
            ("mentor", url("pairings:space", w.active_pairing.pk)),
            ("mentoree", url("pairings:space", w.active_pairing.pk)),
        ],
        untouchable=_others_pairing,
    ),
    Form(
        "meeting_delete",
        "mentor",
        lambda w: [
            url("pairings:meeting_delete", w.meeting.pk),
            url("pairings:meeting_delete", w.other_pairing.meetings.first().pk),
        ],
        shows=lambda w: [("mentor", url("pairings:space", w.active_pairing.pk))],
        untouchable=_others_pairing,
        examples=BUTTON_EXAMPLES,
    ),
    Form(
        "meeting_edit",
        "mentor",
        lambda w: [
            url("pairings:meeting_edit", w.meeting.pk),
            url("pairings:meeting_edit", w.other_pairing.meetings.first().pk),
        ],
        lambda w: {
            "starts_at": datetime_or(soon(4, 10), soon(-4, 10)),
            "ends_at": datetime_or(soon(4, 11), soon(-4, 11)),
            "format": choice_or(*Meeting.Format.values),
        },
        lambda w: [
            ("mentor", url("pairings:space", w.active_pairing.pk)),
            ("mentoree", url("pairings:space", w.active_pairing.pk)),
        ],
        untouchable=_others_pairing,
    ),
    Form(
        "meeting_cancel",
        "mentor",
        lambda w: [
            url("pairings:meeting_cancel", w.meeting.pk),
            url("pairings:meeting_cancel", w.other_pairing.meetings.first().pk),
        ],
        shows=lambda w: [("mentor", url("pairings:space", w.active_pairing.pk))],
        untouchable=_others_pairing,
        examples=BUTTON_EXAMPLES,
    ),
    Form(
        "goal_edit",
        "mentoree",
        lambda w: [
            url("pairings:goal_edit", w.goal.pk),
            url("pairings:goal_edit", w.other_pairing.goals.first().pk),
        ],
        lambda w: {
            "title": text_or("Speak at the town hall"),
            "description": text_or("In front of the whole floor.", ""),
            "due_on": date_or(),
        },
        lambda w: [("mentoree", url("pairings:space", w.active_pairing.pk))],
        untouchable=_others_pairing,
    ),
    Form(
        "goal_create",
        "mentoree",
        lambda w: [
            url("pairings:goal_create", w.active_pairing.pk),
            url("pairings:goal_create", w.other_pairing.pk),
        ],
        lambda w: {"title": text_or("Speak at the town hall")},
        lambda w: [
            ("mentor", url("pairings:space", w.active_pairing.pk)),
            ("mentoree", url("pairings:space", w.active_pairing.pk)),
        ],
        untouchable=_others_pairing,
    ),
    Form(
        "goal_status",
        "mentoree",
        lambda w: [
            url("pairings:goal_status", w.goal.pk),
            url("pairings:goal_status", w.other_pairing.goals.first().pk),
        ],
        lambda w: {"status": choice_or(*Goal.Status.values)},
        lambda w: [("mentoree", url("pairings:space", w.active_pairing.pk))],
        untouchable=_others_pairing,
    ),
    # confidentiality: the agreement
    Form(
        "agreement_sign",
        "other_mentor",
        lambda w: [
            url("confidentiality:agreement_sign", w.proposed_pairing.pk),
            url("confidentiality:agreement_sign", w.active_pairing.pk),
        ],
        lambda w: {
            "typed_name": text_or(w.other_mentor.employee.full_name),
            "confirmed": boolean_or(),
            "text_hash": text_or(w.proposed_pairing.agreement.text_hash()),
        },
        lambda w: [("other_mentor", url("confidentiality:agreement", w.proposed_pairing.pk))],
        untouchable=_others_pairing,
    ),
    Form(
        "agreement_rules",
        "mentoree",
        lambda w: [
            url("confidentiality:agreement_rules", w.active_pairing.pk),
            url("confidentiality:agreement_rules", w.other_pairing.pk),
        ],
        _rules_fields,
        lambda w: [("mentor", url("confidentiality:agreement", w.active_pairing.pk))],
        untouchable=_others_pairing,
    ),
    Form(
        "theme_add",
        "mentoree",
        lambda w: [
            url("confidentiality:theme_add", w.active_pairing.pk),
            url("confidentiality:theme_add", w.other_pairing.pk),
        ],
        lambda w: {
            "audience": choice_or(*Audience.values),
            "text": text_or("Confidence in front of the board"),
        },
        lambda w: [
            ("mentoree", url("confidentiality:agreement", w.active_pairing.pk)),
            ("coordinator", url("pairings:program", w.program.slug)),
        ],
        untouchable=_others_pairing,
    ),
    Form(
        "theme_withdraw",
        "mentoree",
        lambda w: (
            [
                url("confidentiality:theme_withdraw", w.active_pairing.pk, theme.pk)
                for theme in w.themes[:1]
            ]
            + [
                url("confidentiality:theme_withdraw", w.other_pairing.pk, w.themes[0].pk),
                url("confidentiality:theme_withdraw", w.active_pairing.pk, 2**31),
            ]
        ),
        examples=BUTTON_EXAMPLES,
    ),
    # confidentiality: notes
    Form(
        "note_create",
        "mentor",
        lambda w: [
            url("confidentiality:notes", w.active_pairing.pk),
            url("confidentiality:notes", w.other_pairing.pk),
        ],
        lambda w: {
            "text": text_or("We talked about the reorganisation."),
            "shared": boolean_or(),
            "meeting": ids_or(w.meeting.pk, w.other_pairing.meetings.first().pk),
        },
        lambda w: (
            [
                ("mentor", url("confidentiality:notes", w.active_pairing.pk)),
                ("mentoree", url("confidentiality:notes", w.active_pairing.pk)),
            ]
            + [
                ("mentor", url("confidentiality:note", n.pk))
                for n in Note.objects.filter(author=w.mentor).order_by("-pk")[:1]
            ]
        ),
        untouchable=_others_note,
    ),
    Form(
        "note_edit",
        "mentor",
        lambda w: [
            url("confidentiality:note_edit", w.my_note.pk),
            url("confidentiality:note_edit", w.others_note.pk),
        ],
        lambda w: {"text": text_or("An edited note.")},
        lambda w: [("mentor", url("confidentiality:note", w.my_note.pk))],
        untouchable=_others_note,
    ),
    Form(
        "note_share",
        "mentor",
        lambda w: [
            url("confidentiality:note_share", w.my_note.pk),
            url("confidentiality:note_share", w.others_note.pk),
        ],
        lambda w: {"shared": boolean_or()},
        lambda w: [("mentoree", url("confidentiality:notes", w.active_pairing.pk))],
        untouchable=_others_note,
    ),
    Form(
        "note_delete",
        "mentor",
        lambda w: [
            url("confidentiality:note_delete", w.my_note.pk),
            url("confidentiality:note_delete", w.others_note.pk),
        ],
        shows=lambda w: [("mentor", url("confidentiality:notes", w.active_pairing.pk))],
        untouchable=_others_note,
        examples=BUTTON_EXAMPLES,
    ),
    # reviews
    Form(
        "review_create",
        "talent_reviewer",
        lambda w: [url("reviews:create")],
        lambda w: {
            "subject": email_or(w.mentoree.email, w.outsider.email, w.talent_reviewer.email),
            "cycle": text_or("2027 mid-year"),
            "scheduled_on": date_or(date.today() + timedelta(days=14)),
        },
        lambda w: (
            [("talent_reviewer", url("reviews:list"))]
            + [
                ("talent_reviewer", url("reviews:detail", r.pk))
                for r in TalentReview.objects.order_by("-pk")[:1]
            ]
        ),
    ),
    Form(
        "seat_add",
        "talent_reviewer",
        lambda w: [
            url("reviews:seat_add", w.review.pk),
            url("reviews:seat_add", w.other_review.pk),
        ],
        lambda w: {
            "member": email_or(
                w.panel_member.email, w.mentor.email, w.mentoree.email, w.outsider.email
            )
        },
        lambda w: [
            ("talent_reviewer", url("reviews:detail", w.review.pk)),
            ("talent_reviewer", url("reviews:recusals", w.review.pk)),
        ],
    ),
    Form(
        "seat_remove",
        "talent_reviewer",
        lambda w: (
            [
                url("reviews:seat_remove", w.in_session_review.pk, seat.pk)
                for seat in w.in_session_review.seats.all()[:1]
            ]
            + [
                url(
                    "reviews:seat_remove",
                    w.in_session_review.pk,
                    w.other_review.seats.first().pk,
                )
            ]
        ),
        examples=BUTTON_EXAMPLES,
    ),
    Form(
        "review_transition",
        "talent_reviewer",
        lambda w: [
            url("reviews:transition", w.review.pk),
            url("reviews:transition", w.other_review.pk),
        ],
        lambda w: {"to": choice_or(*TalentReview.Status.values)},
        lambda w: [("talent_reviewer", url("reviews:detail", w.review.pk))],
        examples=BUTTON_EXAMPLES * 2,
    ),
    Form(
        "outcome",
        "panel_member",
        lambda w: [
            url("reviews:outcome", w.in_session_review.pk),
            url("reviews:outcome", w.other_review.pk),
        ],
        lambda w: {
            "rating": choice_or(*TalentReview.Rating.values),
            "summary": text_or("Ready for a larger role.", ""),
        },
        lambda w: [
            ("panel_member", url("reviews:detail", w.in_session_review.pk)),
            ("talent_reviewer", url("reviews:detail", w.in_session_review.pk)),
        ],
        untouchable=_other_review,
    ),
    # the account
    Form(
        "notification_settings",
        "mentor",
        lambda w: [url("notification_settings")],
        lambda w: {"on": many_choices_or(*[k.name for k in kinds()])},
        lambda w: [("mentor", url("notification_settings"))],
    ),
    Form(
        "calendar_reset",
        "mentor",
        lambda w: [url("calendar_reset")],
        shows=lambda w: [("mentor", url("calendar_settings"))],
        examples=BUTTON_EXAMPLES,
    ),
    Form(
        "sign_in",
        None,
        lambda w: [url("login"), url("login") + "?next=/programs/"],
        lambda w: {
            "username": email_or(w.mentor.email, w.mentor.email.upper()),
            "password": text_or(DEFAULT_PASSWORD, "wrong"),
            "next": text_or("/programs/", "https://evil.example/", "//evil.example", ""),
        },
    ),
    Form(
        "admin_sign_in",
        None,
        lambda w: [url("admin:login")],
        lambda w: {
            "username": email_or(w.hr_admin.email),
            "password": text_or(DEFAULT_PASSWORD, "wrong"),
            "next": text_or("/admin/", "javascript:alert(1)", ""),
        },
        examples=15,
    ),
    Form(
        "password_change",
        "mentor",
        lambda w: [url("password_change")],
        lambda w: {
            "old_password": text_or(DEFAULT_PASSWORD),
            "new_password1": text_or("a-new-and-longer-passphrase"),
            "new_password2": text_or("a-new-and-longer-passphrase"),
        },
    ),
    Form(
        "password_reset",
        None,
        lambda w: [url("password_reset")],
        lambda w: {"email": email_or(w.mentor.email, w.mentor.email.upper())},
    ),
    Form(
        "password_reset_confirm",
        None,
        lambda w: [w.client(None).get(w.reset_link).url],
        _set_password_fields,
    ),
]


# --- Posting --------------------------------------------------------------------------------------


def _is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def _assert_escaped(response, where: str) -> None:
    if _is_html(response):
        found = injected(response.content.decode("utf-8", "replace"))
        assert not found, f"{where}: markup got through unescaped: {found[:3]}"


def _post(client: Client, target: str, payload: dict, mode: str):
    if mode == "multipart":
        return client.post(target, payload)
    body = urlencode(
        {k: v for k, v in payload.items() if not isinstance(v, SimpleUploadedFile)}, doseq=True
    )
    if mode == "not-utf-8":
        # Bytes that are not UTF-8, as the last value of every field (what .get() reads).
        body = "&".join([body, *[f"{k}=%FF%FE%C0%AF" for k in payload], "x=%ED%A0%80"])
    elif mode == "too-many-fields":
        body = "&".join([body, *[f"f{n}=1" for n in range(1100)]])
    return client.post(target, body, content_type="application/x-www-form-urlencoded")


@st.composite
def payloads(draw, fields: dict[str, Field]) -> dict:
    """The form's fields, some left out, some sent twice, perhaps with unknown ones."""
    data = {}
    for name, spec in fields.items():
        how = draw(st.integers(0, 11))
        if how == 0:
            continue  # missing
        value = draw(spec.strategy)
        if how == 1 and not isinstance(value, (list, SimpleUploadedFile)):
            value = [value, draw(spec.strategy)]  # the same field twice
        data[name] = value
    if draw(st.integers(0, 5)) == 0:
        data[
            draw(st.sampled_from(["id", "pk", "author", "is_superuser", "csrfmiddlewaretoken"]))
        ] = draw(hostile_text())
    return data


SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # The same examples on every run, and nothing written to a .hypothesis folder: a bug
    # found here stays found (and its xfail stays strict).
    "derandomize": True,
    "database": None,
    "print_blob": False,
}


def _attempt(w: World, form: Form, target: str, payload: dict, mode: str = "multipart") -> None:
    """Post once and check both promises: no server error; nothing shown unescaped."""
    response = _post(w.client(form.actor), target, payload, mode)
    assert response.status_code < 500, f"POST {target}: {response.status_code}"
    _assert_escaped(response, f"the answer to POST {target}")
    if response.status_code in (301, 302, 303):
        # Taken (or refused with a message): the pages that show what it stores, as the
        # people who see them; the first of them also shows the actor's messages.
        for viewer, page in form.shows(w) or [(form.actor, response["Location"])]:
            shown = w.client(viewer).get(page, follow=True)
            assert shown.status_code < 500, f"GET {page} as {viewer}: {shown.status_code}"
            _assert_escaped(shown, f"GET {page} as {viewer}")


def _edge_payload(fields: dict[str, Field], name: str, value) -> dict:
    return {**{k: fresh(f.good) for k, f in fields.items()}, name: fresh(value)}


@dataclass(frozen=True)
class Bug:
    """A failure this module found (and that is fixed): one edge value in one field of one
    form, kept as a regression case. `reason` says what used to happen."""

    form: str
    field: str
    edge: str
    reason: str
    sqlite_only: bool = False


ON_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
HUGE_ID_ON_SQLITE = (
    "Server error on SQLite: an id above 2**63-1 reaches the query and raises "
    "OverflowError ('Python int too large to convert to SQLite INTEGER'); PostgreSQL answers."
)
KNOWN_BUGS = [
    Bug("apply", "tags", "2**63", HUGE_ID_ON_SQLITE + " ApplicationForm.tags", sqlite_only=True),
    Bug("apply", "tags", "2**64", HUGE_ID_ON_SQLITE + " ApplicationForm.tags", sqlite_only=True),
    Bug("application_edit", "tags", "2**63", HUGE_ID_ON_SQLITE, sqlite_only=True),
    Bug("application_edit", "tags", "2**64", HUGE_ID_ON_SQLITE, sqlite_only=True),
    Bug("proposal_swap", "first", "2**63", HUGE_ID_ON_SQLITE + " SwapForm", sqlite_only=True),
    Bug("proposal_swap", "first", "2**64", HUGE_ID_ON_SQLITE + " SwapForm", sqlite_only=True),
    Bug("proposal_swap", "second", "2**63", HUGE_ID_ON_SQLITE + " SwapForm", sqlite_only=True),
    Bug("proposal_swap", "second", "2**64", HUGE_ID_ON_SQLITE + " SwapForm", sqlite_only=True),
    Bug(
        "meeting_create",
        "starts_at",
        "9999-12-31T23:59",
        "A meeting at 9999-12-31 23:59 is stored; from then on the pair's space, the meeting's "
        ".ics and both members' calendar feeds answer 500 (OverflowError in Meeting.ends_at).",
    ),
    Bug(
        "meeting_create",
        "starts_at",
        "0001-01-01T00:00",
        "Server error: meeting_log computes the reminder time starts_at - 24 h, before year 1 "
        "(OverflowError in pairings/services.py).",
    ),
    Bug(
        "session_create",
        "starts_at",
        "9999-12-31T23:59",
        "A session at 9999-12-31 23:59 is stored; from then on its page, its .ics and the "
        "calendar feeds of its leader and participants answer 500 (OverflowError in "
        "GroupSession.ends_at).",
    ),
    Bug(
        "program_resource_create",
        "file",
        "long non-ASCII name",
        "Server error: a file name of 200 'é' (400 bytes) passes the 255-character limit and "
        "the file system refuses it (OSError ENAMETOOLONG in FileSystemStorage._save).",
    ),
    Bug(
        "resource_create",
        "file",
        "long non-ASCII name",
        "Server error: a file name of 200 'é' (400 bytes) passes the 255-character limit and "
        "the file system refuses it (OSError ENAMETOOLONG in FileSystemStorage._save).",
    ),
]
# Fixed bugs are posted in the edge pass like every other value, and again on their own below.
_KNOWN: set[tuple[str, str, str]] = set()


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_hostile_input_never_breaks_a_form(form: Form, world, settings) -> None:
    settings.RESOURCE_MAX_BYTES = 2048  # so that "too large" is cheap to send
    w = world
    urls = form.urls(w)
    fields = form.fields(w)
    untouchable_before = form.untouchable(w) if form.untouchable else None
    modes = (
        ["multipart"]
        if form.multipart_only
        else ["multipart", "multipart", "urlencoded", "not-utf-8", "too-many-fields"]
    )

    # First the edge values, one field at a time, the others good; known failures aside.
    for name, spec in fields.items():
        for label, value in EDGES[spec.kind]:
            if (form.name, name, label) not in _KNOWN:
                _attempt(w, form, urls[0], _edge_payload(fields, name, value))

    @hypothesis_settings(max_examples=form.examples, **SETTINGS)
    @given(data=st.data())
    def attempt(data) -> None:
        target = data.draw(st.sampled_from([urls[0], urls[0], *urls]), label="url")
        payload = data.draw(payloads(fields), label="payload")
        mode = data.draw(st.sampled_from(modes), label="encoding")
        _attempt(w, form, target, payload, mode)
        if form.untouchable:
            assert form.untouchable(w) == untouchable_before, "someone else's object changed"

    attempt()


@pytest.mark.parametrize(
    "bug",
    [pytest.param(bug) for bug in KNOWN_BUGS],
    ids=lambda bug: f"{bug.form}.{bug.field}={bug.edge}",
)
def test_edge_value_never_breaks_a_form(bug: Bug, world) -> None:
    """The edge values that once broke a form: now any answer below 500, and the pages that
    show the value still work."""
    form = next(f for f in FORMS if f.name == bug.form)
    fields = form.fields(world)
    value = dict(EDGES[fields[bug.field].kind])[bug.edge]

    _attempt(world, form, form.urls(world)[0], _edge_payload(fields, bug.field, value))


def test_every_known_bug_names_a_real_edge() -> None:
    for bug in KNOWN_BUGS:
        assert any(f.name == bug.form for f in FORMS), bug


# --- Markup stored through a form comes back escaped ----------------------------------------------


@dataclass(frozen=True)
class Stored:
    """A valid post of one form, with markup in `field`, and the pages that show it."""

    name: str
    actor: str
    target: Callable[[World], str]
    valid: Callable[[World], dict]
    field: str
    shows: Pages
    markup: str = MARKUP
    suffix: str = ""
    # The form shows a preview first and saves only from there (the commitment: the preview
    # page must show the markup escaped too).
    preview: bool = False


STORED = [
    Stored(
        "apply.motivation",
        "outsider",
        lambda w: url("programs:apply", w.program.slug, "mentoree"),
        lambda w: {"motivation": "x", "goals": "", "availability": ""},
        "motivation",
        lambda w: [
            (
                "committee_member",
                url(
                    "programs:committee_application",
                    _latest(Application, applicant=w.outsider.employee).pk,
                ),
            )
        ],
    ),
    Stored(
        "application_edit.goals",
        "applicant",
        lambda w: url("programs:application_edit", w.open_application.pk),
        lambda w: {"motivation": "x", "goals": "", "availability": ""},
        "goals",
        lambda w: [
            ("committee_member", url("programs:committee_application", w.open_application.pk))
        ],
    ),
    Stored(
        "application_edit.availability",
        "applicant",
        lambda w: url("programs:application_edit", w.open_application.pk),
        lambda w: {"motivation": "x", "goals": "", "availability": ""},
        "availability",
        lambda w: [
            ("applicant", url("programs:application_edit", w.open_application.pk)),
            ("committee_member", url("programs:committee_application", w.open_application.pk)),
        ],
        markup=BREAKOUT,
    ),
    Stored(
        "vote.comment",
        "committee_member",
        lambda w: url("programs:vote", w.voting_application.pk),
        lambda w: {"choice": "admit"},
        "comment",
        lambda w: [
            ("committee_member", url("programs:committee_application", w.voting_application.pk))
        ],
    ),
    Stored(
        "decide.reason",
        "committee_member",
        lambda w: url("programs:decide", w.decidable_application.pk),
        lambda w: {"decision": "admit"},
        "reason",
        lambda w: [
            ("coordinator", url("programs:committee_application", w.decidable_application.pk))
        ],
    ),
    *[
        Stored(
            f"program_edit.{name}",
            "coordinator",
            lambda w: url("programs:edit", w.program.slug),
            lambda w: {
                "name": "Grow 2027",
                "slug": w.program.slug,
                "kind": "one_to_one",
                "description": "One-to-one mentoring.",
                "audience": "",
                "applications_open_on": w.program.applications_open_on.isoformat(),
                "applications_close_on": w.program.applications_close_on.isoformat(),
                "starts_on": w.program.starts_on.isoformat(),
                "ends_on": w.program.ends_on.isoformat(),
                "default_mentor_capacity": "2",
                "min_mentor_level": "6",
                "max_mentoree_level": "8",
                "quorum_votes": "3",
            },
            name,
            lambda w: [
                ("outsider", url("programs:detail", w.program.slug)),
                ("outsider", url("programs:list")),
                ("coordinator", url("programs:manage", w.program.slug)),
            ],
            markup=markup,
        )
        for name, markup in (("name", MARKUP), ("description", MARKUP), ("audience", BREAKOUT))
    ],
    Stored(
        "commitment_publish.text",
        "coordinator",
        lambda w: url("programs:commitment_publish", w.program.slug),
        lambda w: {},
        "text",
        lambda w: [("mentoree", url("programs:commitment", w.program.slug))],
        suffix=" Your job is safe, what you say stays in the pair, and either of you may end it.",
        preview=True,
    ),
    *[
        Stored(
            f"session_create.{name}",
            "coordinator",
            lambda w: url("programs:session_create", w.program.slug),
            lambda w: {
                "title": "Leading teams",
                "description": "",
                "starts_at": soon(7),
                "duration_minutes": "60",
                "location": "Board room",
                "capacity": "10",
                "leader": w.executive.email,
            },
            name,
            lambda w: [
                ("executive", url("programs:my_sessions")),
                ("coordinator", url("programs:session", _latest(GroupSession).pk)),
            ],
            markup=markup,
        )
        for name, markup in (
            ("title", MARKUP),
            ("description", MARKUP),
            ("location", BREAKOUT),
        )
    ],
    *[
        Stored(
            f"program_resource_create.{name}",
            "coordinator",
            lambda w: url("programs:program_resource_create", w.program.slug),
            lambda w: {
                "title": "Reading list",
                "description": "",
                "file": SimpleUploadedFile("guide.pdf", PDF_BYTES, "application/pdf"),
            },
            name,
            lambda w: [
                ("mentoree", url("programs:resources")),
                ("mentoree", url("programs:detail", w.program.slug)),
                ("coordinator", url("programs:manage", w.program.slug)),
            ],
        )
        for name in ("title", "description")
    ],
    Stored(
        "tag_create.name",
        "coordinator",
        lambda w: url("programs:tags"),
        lambda w: {},
        "name",
        lambda w: [
            ("coordinator", url("programs:tags")),
            ("outsider", url("programs:apply", w.program.slug, "mentoree")),
        ],
    ),
    Stored(
        "goal_create.title",
        "mentoree",
        lambda w: url("pairings:goal_create", w.active_pairing.pk),
        lambda w: {},
        "title",
        lambda w: [
            ("mentor", url("pairings:space", w.active_pairing.pk)),
            ("mentoree", url("pairings:space", w.active_pairing.pk)),
        ],
    ),
    Stored(
        "theme_add.text",
        "mentoree",
        lambda w: url("confidentiality:theme_add", w.active_pairing.pk),
        lambda w: {"audience": "coordinator"},
        "text",
        lambda w: [
            ("mentoree", url("confidentiality:agreement", w.active_pairing.pk)),
            ("coordinator", url("pairings:program", w.program.slug)),
        ],
    ),
    Stored(
        "note_create.text",
        "mentor",
        lambda w: url("confidentiality:notes", w.active_pairing.pk),
        lambda w: {"shared": "on"},
        "text",
        lambda w: [
            ("mentoree", url("confidentiality:notes", w.active_pairing.pk)),
            ("mentor", url("confidentiality:note", _latest(Note, author=w.mentor).pk)),
        ],
    ),
    Stored(
        "note_edit.text",
        "mentor",
        lambda w: url("confidentiality:note_edit", w.my_note.pk),
        lambda w: {},
        "text",
        lambda w: [
            ("mentor", url("confidentiality:note", w.my_note.pk)),
            ("mentor", url("confidentiality:note_edit", w.my_note.pk)),
            ("mentor", url("confidentiality:notes", w.active_pairing.pk)),
        ],
        markup=BREAKOUT,
    ),
    Stored(
        "review_create.cycle",
        "talent_reviewer",
        lambda w: url("reviews:create"),
        lambda w: {
            "subject": w.outsider.email,
            "scheduled_on": (date.today() + timedelta(days=14)).isoformat(),
        },
        "cycle",
        lambda w: [
            ("talent_reviewer", url("reviews:list")),
            ("talent_reviewer", url("reviews:detail", _latest(TalentReview).pk)),
        ],
    ),
    Stored(
        "outcome.summary",
        "panel_member",
        lambda w: url("reviews:outcome", w.in_session_review.pk),
        lambda w: {"rating": "strong"},
        "summary",
        lambda w: [("talent_reviewer", url("reviews:detail", w.in_session_review.pk))],
    ),
]


def _escaped_forms(markup: str) -> list[str]:
    """How the markup may look once escaped (Django escapes ' as &#x27;)."""
    from django.utils.html import escape

    escaped = escape(markup)
    return [escaped, escaped.replace("&quot;", "&#34;")]


@pytest.mark.parametrize("case", STORED, ids=lambda c: c.name)
def test_markup_typed_into_a_form_is_shown_escaped(case: Stored, world) -> None:
    w = world
    payload = {**case.valid(w), case.field: case.markup + case.suffix}

    response = w.client(case.actor).post(case.target(w), payload)
    if case.preview:
        html = response.content.decode()
        assert response.status_code == 200 and not injected(html) and case.markup not in html
        token = re.search(r'name="preview" value="([^"]+)"', html).group(1)
        response = w.client(case.actor).post(
            case.target(w), {**payload, "preview": token, "step": "publish"}
        )

    form = response.context.get("form") if response.context else None
    assert response.status_code == 302, (
        f"the form did not take the value: {response.status_code} {form and form.errors}"
    )
    seen_escaped = False
    for viewer, page in case.shows(w):
        shown = w.client(viewer).get(page)
        assert shown.status_code == 200, f"GET {page} as {viewer}: {shown.status_code}"
        html = shown.content.decode()
        assert not injected(html), f"GET {page} as {viewer}: {injected(html)[:3]}"
        assert case.markup not in html
        seen_escaped |= any(e in html for e in _escaped_forms(case.markup))
    assert seen_escaped, "the stored value is shown on none of the pages that should show it"


def test_every_stored_text_field_of_a_form_is_covered() -> None:
    """Guards the table above: the forms whose text fields come back on a page."""
    covered = {c.name.split(".")[0] for c in STORED}
    assert {
        "apply",
        "application_edit",
        "vote",
        "decide",
        "program_edit",
        "commitment_publish",
        "session_create",
        "program_resource_create",
        "tag_create",
        "goal_create",
        "theme_add",
        "note_create",
        "note_edit",
        "review_create",
        "outcome",
    } <= covered


@pytest.mark.parametrize("door", ["login", "admin:login"])
@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
        " https://evil.example/",
        "/%2F%2Fevil.example/",
    ],
)
def test_sign_in_never_sends_the_person_to_another_site(world, door, next_url) -> None:
    """A hostile `next` on a sign-in link: after a right password, the person stays here."""
    user = world.hr_admin  # staff, so that the admin's door lets them in too
    response = Client().post(
        reverse(door) + "?" + urlencode({"next": next_url}),
        {"username": user.email, "password": DEFAULT_PASSWORD, "next": next_url},
    )

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
