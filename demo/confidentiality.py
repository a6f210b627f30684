"""Demo confidentiality for North Bank: signed agreements with varied sharing rules, private
and shared notes, consented themes. (The pairing awaiting a signature comes from the pairings
demo.) Built through the services, so permissions, encryption and the access log hold."""

from __future__ import annotations

from django.db import transaction

from confidentiality import services
from confidentiality.models import Note
from pairings.models import Pairing
from people.models import Employee


def sign(pairing: Pairing, *members: Employee) -> None:
    """The members given sign the current version of the pair's agreement (demo data)."""
    agreement = pairing.agreement
    agreement.refresh_from_db()
    for member in members:
        services.agreement_sign(
            agreement=agreement,
            signer=member.user,
            typed_name=member.full_name,
            confirmed=True,
            text_hash=agreement.text_hash(),
        )


@transaction.atomic
def load_demo_confidentiality() -> bool:
    """Notes and varied sharing rules, once; returns False when notes already exist."""
    if Note.objects.exists():
        return False
    active = list(
        Pairing.objects.filter(status=Pairing.Status.ACTIVE)
        .select_related("mentor__user", "mentoree__user", "program", "agreement")
        .order_by("pk")
    )
    if not active:
        return False
    named = next((p for p in active if p.mentor.email == "mentor@northbank.example"), active[0])
    mentor, mentoree = named.mentor.user, named.mentoree.user
    meetings = list(named.meetings.order_by("starts_at"))
    services.note_create(
        pairing=named,
        author=mentoree,
        text="Before our next meeting: write down the two decisions in the architecture "
        "review where I stayed quiet, and what I would have said.",
        shared=False,
    )
    services.note_create(
        pairing=named,
        author=mentoree,
        text="Agreed actions: I present the migration plan myself next quarter; Helena "
        "introduces me to two people in Risk who run large programmes.",
        shared=True,
        meeting=meetings[0] if meetings else None,
    )
    services.note_create(
        pairing=named,
        author=mentor,
        text="Samuel prepares well and undersells it. Next time: rehearse the opening two "
        "minutes together.",
        shared=False,
        meeting=meetings[-1] if meetings else None,
    )
    services.note_create(
        pairing=named,
        author=mentor,
        text="Reading for next time: the chapter on leading without authority we discussed.",
        shared=True,
    )
    # Varied sharing rules: the named mentoree lets the coordinator see themes and shares
    # one, lets their manager see attendance, and lets senior leadership learn what was
    # agreed (a theme of their own: the manager's and the leaders' pages have something to
    # show); another pair tightens the coordinator's view to nothing. Both pairs sign again.
    services.agreement_change(
        agreement=named.agreement,
        by=mentoree,
        rules={"coordinator": "themes", "manager": "attendance", "leadership": "themes"},
    )
    services.theme_add(
        agreement=named.agreement,
        by=mentoree,
        audience="coordinator",
        text="Building confidence in senior meetings",
    )
    services.theme_add(
        agreement=named.agreement,
        by=mentoree,
        audience="leadership",
        text="Broadening my network across divisions",
    )
    sign(named, named.mentor, named.mentoree)
    others = [p for p in active if p.pk != named.pk]
    if others:
        quiet = others[0]
        services.agreement_change(
            agreement=quiet.agreement, by=quiet.mentor.user, rules={"coordinator": "nothing"}
        )
        sign(quiet, quiet.mentor, quiet.mentoree)
    return True
