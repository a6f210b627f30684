"""Writes for confidentiality: the pair's agreement and signatures, sharing rules and
consented themes, notes with their object permissions, and the access log.

Every grant and revoke of a note permission happens here, in the same transaction as the
change it belongs to (F1). Services never log, e-mail or pass on confidential text (F9).
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from confidentiality.models import (
    RULE_ORDER,
    Agreement,
    AgreementTemplate,
    Audience,
    ConsentedTheme,
    Note,
    Rule,
    Signature,
)
from confidentiality.texts import DEFAULT_AGREEMENT_TERMS
from core.prepared import Prepared
from core.refusals import refuse
from firewall.access import access_event_record
from firewall.models import AccessEvent
from notifications.messaging import message_schedule
from pairings.models import Pairing
from pairings.services import pairing_agreement_changed, pairing_refresh_status
from people.models import Employee, User

READ = "read_note"
MANAGE = "manage_note"


def _has(user: User, perm: str, obj) -> bool:
    """An explicit object permission, never implied by superuser status or a global grant."""
    return (
        get_objects_for_user(
            user,
            f"confidentiality.{perm}",
            klass=type(obj).objects.filter(pk=obj.pk),
            use_groups=False,
            with_superuser=False,
            accept_global_perms=False,
        ).exists()
        if user.is_active
        else False
    )


# --- Agreements ------------------------------------------------------------------------------


def default_template() -> AgreementTemplate:
    template = AgreementTemplate.objects.filter(is_default=True).first()
    if template is None:
        template = agreement_template_create(
            name="Standard confidentiality agreement",
            terms=DEFAULT_AGREEMENT_TERMS,
            is_default=True,
        )
    return template


# --- Templates of the terms: versions numbered by the app, fixed once used -------------------


def _next_version(name: str) -> int:
    """One above the highest version of the name (1 for a new name). The versions of the name
    are locked while the new one is saved, so two saves at once cannot take the same number
    (and the unique constraint on name and version stands behind that)."""
    versions = list(
        AgreementTemplate.objects.select_for_update()
        .filter(name=name)
        .values_list("version", flat=True)
    )
    return max(versions, default=0) + 1


def _take_the_default(template: AgreementTemplate) -> None:
    """One default at a time: making a version the default takes it from the one that had it."""
    AgreementTemplate.objects.filter(is_default=True).exclude(pk=template.pk).update(
        is_default=False
    )


def agreement_template_uses(*, template: AgreementTemplate) -> int:
    """How many agreements were made from this version of the terms."""
    return Agreement.objects.filter(template=template).count()


@transaction.atomic
def agreement_template_create(
    *, name: str, terms: str, is_default: bool = False
) -> AgreementTemplate:
    """A new version of the named terms. Its number is the app's, never typed in: one above the
    name's highest version, so versions of a name count up with no gap or repeat."""
    name = name.strip()
    template = AgreementTemplate(
        name=name, version=_next_version(name), terms=terms, is_default=is_default
    )
    if is_default:
        _take_the_default(template)
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def agreement_template_update(
    *, template: AgreementTemplate, name: str, terms: str, is_default: bool
) -> AgreementTemplate:
    """Correct a version nobody has agreed to yet, or move the default. Once an agreement was
    made from a version, its name and terms are the record of what those pairs were shown:
    they never change (the pairs' agreements keep their own copy either way); a new version is
    made instead. There is always one default, so the default is moved, never removed."""
    current = AgreementTemplate.objects.select_for_update().get(pk=template.pk)
    name = name.strip()
    if name != current.name or terms != current.terms:
        uses = agreement_template_uses(template=current)
        if uses:
            raise refuse(
                f"Version {current.version} of “{current.name}” is the text of {uses} "
                f"agreement{'s' if uses != 1 else ''}, so it cannot be changed. "
                "Save your changes as a new version instead (“Save as new”): the new version "
                "gets the next number, and the pairs keep the terms they agreed to.",
                "template_in_use",
            )
    if current.is_default and not is_default:
        raise refuse(
            "There must always be a default template: make another version the default "
            "instead, and this one stops being it.",
            "template_default_needed",
        )
    if name != current.name:
        current.version = _next_version(name)
    current.name, current.terms, current.is_default = name, terms, is_default
    if is_default:
        _take_the_default(current)
    current.full_clean()
    current.save()
    return current


@transaction.atomic
def agreement_template_delete(*, template: AgreementTemplate) -> None:
    """Only a version nobody agreed to, and not the default, can be deleted."""
    uses = agreement_template_uses(template=template)
    if uses:
        raise refuse(
            f"Version {template.version} of “{template.name}” is the text of {uses} "
            f"agreement{'s' if uses != 1 else ''}, so it is kept.",
            "template_in_use",
        )
    if template.is_default:
        raise refuse(
            "The default template cannot be deleted: make another version the default first.",
            "template_default_needed",
        )
    template.delete()


@transaction.atomic
def agreement_create_for(*, pairing) -> Agreement:
    """The pair's agreement, made when the pairing is proposed: the program's template (or
    the default) as it stands now, and the default sharing rules."""
    template = pairing.program.agreement_template or default_template()
    return Agreement.objects.create(pairing=pairing, template=template, terms=template.terms)


@transaction.atomic
def agreements_create_for_many(*, pairings) -> list[Agreement]:
    """`agreement_create_for` for many pairings of one program at once (a publication): the
    same rows, in one insert."""
    if not pairings:
        return []
    program = pairings[0].program
    if any(p.program_id != program.pk for p in pairings):
        raise ValueError("agreements_create_for_many takes pairings of one program")
    template = program.agreement_template or default_template()
    return Agreement.objects.bulk_create(
        [Agreement(pairing=p, template=template, terms=template.terms) for p in pairings]
    )


def agreement_messages_schedule(*, pairing) -> None:
    """Ask both members to sign the agreement's current version, and remind them three days
    later. Delivery skips whoever has signed that version by then, so scheduling for both is
    safe; a newer version gets messages of its own (the key names the version)."""
    agreement = Agreement.objects.filter(pairing=pairing).first()
    if agreement is None:
        return
    due_later = timezone.now() + timedelta(days=settings.AGREEMENT_REMINDER_DAYS)
    for user_id in (pairing.mentor.user_id, pairing.mentoree.user_id):
        message_schedule(
            recipient=user_id,
            kind="agreement_to_sign",
            key=f"agreement-sign:{agreement.pk}:v{agreement.version}",
            object_id=agreement.pk,
        )
        message_schedule(
            recipient=user_id,
            kind="agreement_reminder",
            key=f"agreement-reminder:{agreement.pk}:v{agreement.version}",
            object_id=agreement.pk,
            due_at=due_later,
        )


def _in_force_signatures(pairing: int) -> QuerySet:
    in_force = FilteredRelation("signatures", condition=Q(signatures__version=F("version")))
    return (
        Agreement.objects.filter(pairing_id=pairing)
        .annotate(in_force=in_force)
        .values_list("pk", "in_force__signer_id")
    )


# The pair's agreement and who signed its version in force: one query, built once
# (core.prepared), where the agreement and its signatures took two, built on every page.
_IN_FORCE_SIGNERS = Prepared(_in_force_signatures, "pairing")


def agreement_blockers(*, pairing) -> list[str]:
    """The agreement's part of the activation gate (F5): both members signed this version."""
    # Read fresh, never from relations cached on the pairing object: the gate (F5) must see
    # an agreement deleted or re-versioned a moment ago (tests/firewall/test_f5_gate.py).
    rows = _IN_FORCE_SIGNERS.rows(pairing=pairing.pk)
    if not rows:
        return ["The pair's confidentiality agreement does not exist yet."]
    signed = {signer for _, signer in rows if signer is not None}
    blockers = []
    if pairing.mentor.user_id not in signed:
        blockers.append("The mentor has not signed the current agreement.")
    if pairing.mentoree.user_id not in signed:
        blockers.append("The mentoree has not signed the current agreement.")
    return blockers


def _normalise(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _member(agreement: Agreement, user: User) -> Employee:
    pairing = agreement.pairing
    for employee in (pairing.mentor, pairing.mentoree):
        if employee.user_id == user.pk:
            return employee
    raise refuse("Only the two members of the pair can do that.", "not_member")


@transaction.atomic
def agreement_sign(
    *,
    agreement: Agreement,
    signer: User,
    typed_name: str,
    confirmed: bool,
    text_hash: str,
    request_id: str = "",
) -> Signature:
    """A member signs exactly the text they read: typed full name, confirmation, the hash.

    If the agreement changed while they read it, the hash differs and the signature is
    refused, so nobody signs a version they have not seen.
    """
    agreement = (
        Agreement.objects.select_for_update()
        .select_related("pairing__mentor", "pairing__mentoree", "pairing__program")
        .get(pk=agreement.pk)
    )
    employee = _member(agreement, signer)
    if not agreement.pairing.is_live:
        raise refuse("This pairing has ended.", "ended")
    if not confirmed:
        raise ValidationError({"confirmed": "Confirm that you have read the agreement."})
    if _normalise(typed_name) != _normalise(employee.full_name):
        raise ValidationError(
            {"typed_name": f"Type your full name as it is in the directory: {employee.full_name}."}
        )
    if text_hash != agreement.text_hash():
        raise refuse(
            "The agreement changed while you were reading it. Read the new version and sign again.",
            "changed",
        )
    signature, _ = Signature.objects.get_or_create(
        agreement=agreement,
        version=agreement.version,
        signer=signer,
        defaults={"typed_name": typed_name.strip(), "confirmed": True, "text_hash": text_hash},
    )
    if not agreement_blockers(pairing=agreement.pairing):
        # Both signed this version: what it loosens comes into force now.
        for audience in Audience.values:
            setattr(agreement, f"in_force_{audience}_rule", agreement.rule_for(audience))
        agreement.save()
    access_event_record(
        actor=signer,
        action=AccessEvent.Action.SIGN,
        object_type="agreement",
        object_id=agreement.pk,
        outcome=AccessEvent.Outcome.ALLOWED,
        request_id=request_id,
    )
    pairing_refresh_status(pairing=agreement.pairing)
    return signature


@transaction.atomic
def agreement_change(
    *, agreement: Agreement, by: User, rules: dict[str, str], terms: str | None = None
) -> Agreement:
    """Change the sharing rules (and, for an HR-led update, the terms).

    Either member may tighten a rule; loosening one needs the mentoree's consent, so only
    the mentoree can do it. Any change makes a new version that both must sign again, and
    moves an active pairing back to awaiting agreement.
    """
    agreement = (
        Agreement.objects.select_for_update()
        .select_related("pairing__mentor", "pairing__mentoree", "pairing__program")
        .get(pk=agreement.pk)
    )
    employee = _member(agreement, by)
    pairing = agreement.pairing
    if not pairing.is_live:
        raise refuse("This pairing has ended.", "ended")
    is_mentoree = employee.pk == pairing.mentoree_id
    changed = False
    for audience, rule in rules.items():
        if audience not in Audience.values or rule not in Rule.values:
            raise ValidationError({audience: "Choose nothing, attendance only or themes."})
        current = agreement.rule_for(audience)
        if rule == current:
            continue
        if RULE_ORDER[rule] > RULE_ORDER[current] and not is_mentoree:
            raise refuse(
                f"Only the mentoree can loosen what {Audience(audience).label.lower()} may "
                "learn: sharing more needs their consent.",
                "needs_consent",
            )
        setattr(agreement, f"{audience}_rule", rule)
        if RULE_ORDER[rule] < RULE_ORDER[agreement.rule_in_force_for(audience)]:
            setattr(agreement, f"in_force_{audience}_rule", rule)  # tightening: at once
        changed = True
    if terms is not None and terms.strip() != agreement.terms.strip():
        agreement.terms = terms.strip()
        changed = True
    if not changed:
        raise refuse("Nothing changed.", "unchanged")
    agreement.version += 1
    agreement.save()
    pairing_agreement_changed(pairing=pairing)
    agreement_messages_schedule(pairing=pairing)
    return agreement


@sensitive_variables("text")
@transaction.atomic
def theme_add(*, agreement: Agreement, by: User, audience: str, text: str) -> ConsentedTheme:
    """The mentoree writes a theme that one audience may learn, where the rule allows it."""
    agreement = Agreement.objects.select_related("pairing__mentor", "pairing__mentoree").get(
        pk=agreement.pk
    )
    employee = _member(agreement, by)
    if employee.pk != agreement.pairing.mentoree_id:
        raise refuse("Only the mentoree decides which themes are passed on.", "not_mentoree")
    if not agreement.pairing.is_live:
        raise refuse("This pairing has ended.", "ended")
    if audience not in Audience.values or agreement.rule_for(audience) != Rule.THEMES:
        raise ValidationError(
            {"audience": "The agreement does not allow themes to be shared with that audience."}
        )
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the theme you agree to share."})
    return ConsentedTheme.objects.create(agreement=agreement, audience=audience, text=text)


@transaction.atomic
def theme_withdraw(*, theme: ConsentedTheme, by: User) -> None:
    if _member(theme.agreement, by).pk != theme.agreement.pairing.mentoree_id:
        raise refuse("Only the mentoree withdraws a theme.", "not_mentoree")
    theme.delete()


# --- Notes ------------------------------------------------------------------------------------


def _other_member(pairing, user: User) -> User:
    return pairing.mentoree.user if pairing.mentor.user_id == user.pk else pairing.mentor.user


@sensitive_variables("text")
@transaction.atomic
def note_create(*, pairing, author: User, text: str, shared: bool = False, meeting=None) -> Note:
    """A member writes a note on the pairing or one of its meetings. The author may read and
    manage it; when shared, the other member may read it. Nobody else, ever (F1)."""
    # The pairing as it is now: a note never lands on a pairing that ended meanwhile.
    pairing = (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("mentor", "mentoree")
        .get(pk=pairing.pk)
    )
    if author.pk not in (pairing.mentor.user_id, pairing.mentoree.user_id):
        raise refuse("Only the two members of the pair write notes here.", "not_member")
    if not pairing.is_live:
        raise refuse("This pairing has ended; its notes can no longer grow.", "ended")
    if meeting is not None and meeting.pairing_id != pairing.pk:
        raise ValidationError({"meeting": "Choose one of this pair's meetings."})
    text = text.strip()
    if not text:
        raise ValidationError({"text": "The note is empty."})
    note = Note.objects.create(
        pairing=pairing, meeting=meeting, author=author, shared=shared, text=text
    )
    assign_perm(READ, author, note)
    assign_perm(MANAGE, author, note)
    if shared:
        assign_perm(READ, _other_member(pairing, author), note)
    return note


def _require_manage(note: Note, user: User) -> None:
    if not _has(user, MANAGE, note):
        raise refuse("Only the author can change this note.", "not_author")


@sensitive_variables("text")
@transaction.atomic
def note_update(*, note: Note, by: User, text: str) -> Note:
    _require_manage(note, by)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "The note is empty."})
    note.text = text
    note.save(update_fields=["text", "updated_at"])
    return note


@transaction.atomic
def note_set_shared(*, note: Note, by: User, shared: bool) -> Note:
    """Share with the other member, or take it back; the permission follows at once."""
    _require_manage(note, by)
    other = _other_member(note.pairing, by)
    if shared:
        assign_perm(READ, other, note)
    else:
        remove_perm(READ, other, note)
    note.shared = shared
    note.save(update_fields=["shared", "updated_at"])
    return note


@transaction.atomic
def note_delete(*, note: Note, by: User) -> None:
    _require_manage(note, by)
    note.delete()
