"""Reads for confidentiality. Notes come only through explicit object permissions, checked
with with_superuser=False and accept_global_perms=False (F1); a list costs a fixed number of
queries however many notes there are."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from confidentiality.models import Agreement, Audience, ConsentedTheme, Note, Rule, Signature
from confidentiality.reads import latest_meetings
from people.models import User

READ = "confidentiality.read_note"


def notes_readable_by(*, user: User) -> QuerySet[Note]:
    if not user.is_authenticated or not user.is_active:
        return Note.objects.none()
    # Only the user's own object permissions: a group never carries a note (F1).
    return get_objects_for_user(
        user,
        READ,
        klass=Note,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )


def note_list_for(*, user: User, pairing) -> QuerySet[Note]:
    return (
        notes_readable_by(user=user)
        .filter(pairing=pairing)
        .select_related("meeting")
        .order_by("-created_at", "-pk")
    )


def note_get_for(*, user: User, pk: int) -> Note:
    try:
        return (
            notes_readable_by(user=user)
            .select_related("author", "meeting", "pairing__mentor", "pairing__mentoree")
            .get(pk=pk)
        )
    except Note.DoesNotExist:
        raise Http404("No such note") from None


def agreement_of(*, pairing) -> Agreement | None:
    return Agreement.objects.filter(pairing=pairing).first()


def signatures_of(*, agreement: Agreement) -> dict[int, Signature]:
    """Signatures of the current version, by signer id."""
    return {
        s.signer_id: s
        for s in Signature.objects.filter(agreement=agreement, version=agreement.version)
    }


def themes_for_audience(*, agreement: Agreement, audience: str) -> QuerySet[ConsentedTheme]:
    """Themes this audience may read, only while the rule still allows themes."""
    if audience not in Audience.values or agreement.rule_in_force_for(audience) != Rule.THEMES:
        return ConsentedTheme.objects.none()
    return agreement.themes.filter(audience=audience)


def theme_of(*, pairing, theme_id: int) -> ConsentedTheme:
    """One of this pair's consented themes, or a 404 (another pair's theme looks absent)."""
    theme = ConsentedTheme.objects.filter(pk=theme_id, agreement__pairing=pairing).first()
    if theme is None:
        raise Http404("No such theme")
    return theme


def meetings_to_note_on(*, pairing, limit: int = 50) -> list:
    """The pair's latest meetings, newest first: what a note may be attached to."""
    return latest_meetings(pairing=pairing.pk, limit=limit)
