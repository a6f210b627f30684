"""Views for the pair's agreement and notes. Every page here is confidential: never cached,
POST bodies hidden from error reports, every note read and every refused attempt logged."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from confidentiality import audiences, selectors, services
from confidentiality.forms import NoteEditForm, NoteForm, RulesForm, SignForm, ThemeForm
from confidentiality.models import Audience, Note, Rule
from confidentiality.reads import readable_notes
from core.addresses import address_for_each
from core.dates import date_words
from core.pages import paginate
from core.refusals import add_service_errors, show_refusal
from firewall.access import access_event_record, access_events_record_many, get_or_404_logged
from firewall.models import AccessEvent
from pairings.models import Pairing
from pairings.selectors import pairing_get_for

SHORT = "j M Y, H:i"


@dataclass(frozen=True)
class NoteRow:
    """One note as the list shows it, its words and dates made once in Python, and its list
    item written in one pass (`html`): per note, two dozen template lookups, filters and
    comparisons were the most expensive part of the page. Its `repr` leaves the note's
    text out (F9)."""

    pk: int
    by_me: bool
    author: str
    shared: bool
    written: str  # "3 March 2026, 14:05": for screen readers
    written_short: str  # "3 Mar 2026, 14:05"
    changed: str  # "" when never changed after the minute it was written
    meeting: str  # "" when about the pairing in general
    text: str = field(repr=False)
    url: str = ""

    @property
    def html(self) -> SafeString:
        """The list item the notes template wrote for this row, byte for byte (a test holds
        them equal); every value escaped, the text as `linebreaksbr` writes it."""
        written = escape(self.written)
        status = (
            '<span class="status tone--good">Shared</span>'
            if self.shared
            else '<span class="status tone--own">Private</span>'
        )
        changed = f"<span>Changed {escape(self.changed)}</span>" if self.changed else ""
        about = (
            f"<span>About the meeting on {escape(self.meeting)}</span>"
            if self.meeting
            else "<span>About the pairing in general</span>"
        )
        whose = "you wrote" if self.by_me else "shared with you"
        return SafeString(
            f'<li>\n{_I14}<article class="note" aria-labelledby="note-{self.pk}-heading">'
            f'\n{_I16}<div class="note__head">'
            f'\n{_I18}<h3 id="note-{self.pk}-heading" class="note__author">'
            f'{escape(self.author)}<span class="visually-hidden">, {written}</span></h3>'
            f'\n{_I18}{status}\n{_I16}</div>\n{_I16}<p class="note__meta">'
            f"\n{_I18}<span>Written {escape(self.written_short)}</span>"
            f"\n{_I18}{changed}\n{_I18}{about}\n{_I16}</p>"
            f'\n{_I16}<div class="note__text">{linebreaksbr(self.text, autoescape=True)}</div>'
            f'\n{_I16}<p class="note__link"><a href="{escape(self.url)}">Open the note'
            f'<span class="visually-hidden"> {whose} on {written}</span></a></p>'
            f"\n{_I14}</article>\n{_I12}</li>"
        )


_I12, _I14, _I16, _I18 = (" " * n for n in (12, 14, 16, 18))


def _note_rows(notes, *, user, pairing: Pairing) -> list[NoteRow]:
    mentor, mentoree = pairing.mentor, pairing.mentoree
    note_url = address_for_each("confidentiality:note")
    rows = []
    for note in notes:
        created = localtime(note.created_at)
        rows.append(
            NoteRow(
                pk=note.pk,
                by_me=note.author_id == user.pk,
                author="You"
                if note.author_id == user.pk
                else mentor.full_name
                if note.author_id == mentor.user_id
                else mentoree.full_name,
                shared=note.shared,
                written=date_words(created, "j F Y, H:i"),
                written_short=date_words(created, SHORT),
                changed=date_words(localtime(note.updated_at), SHORT)
                if note.changed_after_writing
                else "",
                meeting=date_words(localtime(note.meeting.starts_at), SHORT)
                if note.meeting_id
                else "",
                text=note.text,
                url=note_url(note.pk),
            )
        )
    return rows


def _request_id(request: HttpRequest) -> str:
    return getattr(request, "request_id", "")


def _pairing(request: HttpRequest, pk: int) -> Pairing:
    return get_or_404_logged(
        request,
        getter=lambda: pairing_get_for(user=request.user, pk=pk),
        pk=pk,
        object_type="pairing",
    )


def _note(request: HttpRequest, pk: int) -> Note:
    return get_or_404_logged(
        request,
        getter=lambda: selectors.note_get_for(user=request.user, pk=pk),
        pk=pk,
        object_type="note",
    )


def _agreement(pairing: Pairing):
    agreement = selectors.agreement_of(pairing=pairing)
    if agreement is None:
        raise Http404("This pairing has no agreement yet")
    return agreement


def _refused(request: HttpRequest, exc: ValidationError, note: Note | None = None) -> None:
    """Say why in words; a refused change of someone else's note is also logged (F8)."""
    show_refusal(request, exc)
    if note is not None and getattr(exc, "code", None) == "not_author":
        access_event_record(
            actor=request.user,
            action=AccessEvent.Action.REFUSED,
            object_type="note",
            object_id=note.pk,
            outcome=AccessEvent.Outcome.REFUSED,
            request_id=_request_id(request),
        )


# --- The agreement --------------------------------------------------------------------------


def _agreement_context(request, pairing, **forms):
    agreement = selectors.agreement_of(pairing=pairing)
    if agreement is None:
        raise Http404("This pairing has no agreement yet")
    signatures = selectors.signatures_of(agreement=agreement)
    is_mentoree = pairing.mentoree.user_id == request.user.pk
    themes = list(agreement.themes.all()) if is_mentoree else []
    return {
        "pairing": pairing,
        "agreement": agreement,
        "text": agreement.text_to_sign(),
        "rules": [
            (label, Rule(agreement.rule_for(audience)).label)
            for audience, label in Audience.choices
        ],
        "mentor_signature": signatures.get(pairing.mentor.user_id),
        "mentoree_signature": signatures.get(pairing.mentoree.user_id),
        "i_signed": request.user.pk in signatures,
        "is_mentoree": is_mentoree,
        "sign_form": forms.get("sign_form")
        or SignForm(initial={"text_hash": agreement.text_hash()}),
        "rules_form": forms.get("rules_form") or RulesForm(agreement=agreement),
        "theme_form": forms.get("theme_form") or ThemeForm(),
        "themes": themes,
        # What each audience sees today, told to the mentoree (F6).
        "audiences_now": audiences.audiences_now(
            agreement=agreement, pairing=pairing, themes=themes
        )
        if is_mentoree
        else [],
    }


@never_cache
@require_http_methods(["GET"])
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = _pairing(request, pk)
    return render(request, "confidentiality/agreement.html", _agreement_context(request, pairing))


@never_cache
@require_POST
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = _pairing(request, pk)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_sign(
                agreement=_agreement(pairing),
                signer=request.user,
                typed_name=form.cleaned_data["typed_name"],
                confirmed=form.cleaned_data["confirmed"],
                text_hash=form.cleaned_data["text_hash"],
                request_id=_request_id(request),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                add_service_errors(form, exc)
            else:
                _refused(request, exc)
                return redirect("confidentiality:agreement", pk=pairing.pk)
        else:
            messages.success(request, "You signed the agreement.")
            return redirect("confidentiality:agreement", pk=pairing.pk)
    return render(
        request,
        "confidentiality/agreement.html",
        _agreement_context(request, pairing, sign_form=form),
        status=400,
    )


@never_cache
@require_POST
def agreement_rules(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = _pairing(request, pk)
    form = RulesForm(request.POST, agreement=_agreement(pairing))
    if form.is_valid():
        try:
            services.agreement_change(
                agreement=_agreement(pairing), by=request.user, rules=form.cleaned_data
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(
                request, "The sharing rules changed. Both of you are asked to sign again."
            )
        return redirect("confidentiality:agreement", pk=pairing.pk)
    return render(
        request,
        "confidentiality/agreement.html",
        _agreement_context(request, pairing, rules_form=form),
        status=400,
    )


@never_cache
@sensitive_post_parameters("text")
@require_POST
def theme_add(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = _pairing(request, pk)
    form = ThemeForm(request.POST)
    if form.is_valid():
        try:
            services.theme_add(
                agreement=_agreement(pairing),
                by=request.user,
                audience=form.cleaned_data["audience"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The theme may now be passed on to that audience.")
            return redirect("confidentiality:agreement", pk=pairing.pk)
    return render(
        request,
        "confidentiality/agreement.html",
        _agreement_context(request, pairing, theme_form=form),
        status=400,
    )


@require_POST
def theme_withdraw(request: HttpRequest, pk: int, theme_id: int) -> HttpResponse:
    pairing = _pairing(request, pk)
    theme = selectors.theme_of(pairing=pairing, theme_id=theme_id)
    try:
        services.theme_withdraw(theme=theme, by=request.user)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "The theme was withdrawn.")
    return redirect("confidentiality:agreement", pk=pairing.pk)


# --- What an audience outside the pair may see (F6) ------------------------------------------

SHARED_PAGES = {
    Audience.MANAGER: "Mentoring you may see as a manager",
    Audience.LEADERSHIP: "Mentoring you may see as a senior leader",
}


def _shared(request: HttpRequest, audience: str) -> HttpResponse:
    pairings = audiences.pairings_shared_with(user=request.user, audience=audience)
    page = paginate(request, pairings)
    return render(
        request,
        "confidentiality/shared.html",
        {
            "audience": audience,
            "title": SHARED_PAGES[audience],
            "page": page,
            "rows": audiences.shared_rows(pairings=page.object_list, audience=audience),
        },
    )


@never_cache
@require_http_methods(["GET"])
def shared_manager(request: HttpRequest) -> HttpResponse:
    """For a manager: their direct reports' pairings whose manager rule shares something."""
    return _shared(request, Audience.MANAGER)


@never_cache
@require_http_methods(["GET"])
def shared_leadership(request: HttpRequest) -> HttpResponse:
    """For a senior leader: the pairings below them whose leadership rule shares something."""
    return _shared(request, Audience.LEADERSHIP)


# --- Notes ------------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("text")
@require_http_methods(["GET", "POST"])
def notes(request: HttpRequest, pk: int) -> HttpResponse:
    """The notes of a pairing that this member may read, and a form to write one."""
    pairing = _pairing(request, pk)
    meetings = selectors.meetings_to_note_on(pairing=pairing)
    form = NoteForm(request.POST or None, meetings=meetings)
    if request.method == "POST" and form.is_valid():
        meeting = next((m for m in meetings if m.pk == form.cleaned_data["meeting"]), None)
        try:
            services.note_create(
                pairing=pairing,
                author=request.user,
                text=form.cleaned_data["text"],
                shared=form.cleaned_data["shared"],
                meeting=meeting,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your note is saved.")
            return redirect("confidentiality:notes", pk=pairing.pk)
    # A page at a time: a pair's years of notes stay quick to open, and the access log
    # records the notes this page showed.
    note_page = paginate(request, readable_notes(user=request.user, pairing=pairing))
    access_events_record_many(
        actor=request.user,
        action=AccessEvent.Action.LIST,
        object_type="note",
        object_ids=[n.pk for n in note_page],
        request_id=_request_id(request),
    )
    return render(
        request,
        "confidentiality/notes.html",
        {
            "pairing": pairing,
            "notes": note_page,
            "rows": _note_rows(note_page, user=request.user, pairing=pairing),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_http_methods(["GET"])
def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note(request, pk)
    access_event_record(
        actor=request.user,
        action=AccessEvent.Action.READ,
        object_type="note",
        object_id=note.pk,
        outcome=AccessEvent.Outcome.ALLOWED,
        request_id=_request_id(request),
    )
    return render(
        request,
        "confidentiality/note_detail.html",
        {"note": note, "is_author": note.author_id == request.user.pk},
    )


@never_cache
@sensitive_post_parameters("text")
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note(request, pk)
    form = NoteEditForm(request.POST or None, initial={"text": note.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.note_update(note=note, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            if getattr(exc, "code", None) == "not_author":
                _refused(request, exc, note)
                return redirect("confidentiality:note", pk=note.pk)
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your note is saved.")
            return redirect("confidentiality:note", pk=note.pk)
    if note.author_id != request.user.pk:
        _refused(
            request,
            ValidationError("Only the author can change this note.", code="not_author"),
            note,
        )
        return redirect("confidentiality:note", pk=note.pk)
    return render(request, "confidentiality/note_edit.html", {"note": note, "form": form})


@require_POST
def note_share(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note(request, pk)
    shared = request.POST.get("shared") == "1"
    try:
        services.note_set_shared(note=note, by=request.user, shared=shared)
    except ValidationError as exc:
        _refused(request, exc, note)
    else:
        messages.success(
            request,
            "The other member can now read this note."
            if shared
            else "The note is private again: only you can read it.",
        )
    return redirect("confidentiality:note", pk=note.pk)


@require_POST
def note_delete(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note(request, pk)
    pairing_id = note.pairing_id
    try:
        services.note_delete(note=note, by=request.user)
    except ValidationError as exc:
        _refused(request, exc, note)
        return redirect("confidentiality:note", pk=note.pk)
    messages.success(request, "The note was deleted.")
    return redirect("confidentiality:notes", pk=pairing_id)
