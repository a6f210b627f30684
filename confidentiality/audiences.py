"""What the audiences outside the pair that are people of the company, the mentoree's
manager and senior leadership, may see of mentoring (F6), and how the mentoree is told.

Each agreement says per audience: nothing, attendance only (that meetings happen, their dates
and durations), or themes the mentoree consents to share (and attendance). The rule *in force*
decides (a tightened rule at once, a loosened one once both have signed it). What these pages
show is exactly that and nothing else: the mentoree's name, the program, the held meetings'
dates and durations, the consented themes for that audience. Never the mentor, notes, goals,
the agreement's text, the pairing's status or why it might end. Only live pairings: an ended
pairing's attendance is no longer shared.

Who is the audience is read from the directory alone, never from a role or a flag: the
manager is the mentoree's manager now; senior leadership is anyone at or above
`SENIOR_LEADERSHIP_LEVEL` above the mentoree in the management chain. Being an HR admin, a
superuser, a reviewer or a coordinator adds nothing here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, F, Max, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone

from confidentiality.models import Agreement, Audience, ConsentedTheme, Rule
from pairings.models import Meeting, Pairing
from people.models import Employee, User
from people.selectors import employee_for_user, reporting_chain_down, reporting_chain_up

SHARES = (Rule.ATTENDANCE, Rule.THEMES)
# The held meetings listed per pairing, latest first (the count and total cover them all).
MEETINGS_LISTED = 12
PEOPLE_AUDIENCES = (Audience.MANAGER, Audience.LEADERSHIP)


def _viewer(user: User) -> Employee | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return employee_for_user(user=user)


def is_senior_leader(employee: Employee) -> bool:
    return employee.level >= settings.SENIOR_LEADERSHIP_LEVEL


def pairings_shared_with(*, user: User, audience: str) -> QuerySet[Pairing]:
    """The live pairings whose rule in force for `audience` lets this person see something,
    as the mentoree's manager or as a senior leader above them. Someone who is not a manager
    (nobody reports to them), or not a senior leader, gets a 404: the page is not theirs."""
    employee = _viewer(user)
    if employee is None or audience not in PEOPLE_AUDIENCES:
        raise Http404("No such page")
    live = Pairing.objects.filter(status__in=Pairing.LIVE)
    if audience == Audience.MANAGER:
        if not employee.direct_reports.exists():
            raise Http404("No such page")
        shared = live.filter(
            mentoree__manager_id=employee.pk, agreement__in_force_manager_rule__in=SHARES
        )
    else:
        if not is_senior_leader(employee):
            raise Http404("No such page")
        shared = live.filter(
            mentoree__in=reporting_chain_down(employee=employee).values("pk"),
            agreement__in_force_leadership_rule__in=SHARES,
        )
    return (
        shared.select_related("program", "mentoree")
        .only(
            "program__name",
            "mentoree__first_name",
            "mentoree__last_name",
            "mentoree__title",
            f"agreement__in_force_{audience}_rule",
        )
        .select_related("agreement")
        .order_by("mentoree__last_name", "mentoree__first_name", "pk")
    )


@dataclass
class SharedPairing:
    """One pairing as an audience sees it: exactly what its rule in force allows."""

    pk: int
    mentoree: str
    mentoree_title: str
    program: str
    shares_themes: bool
    meetings_held: int = 0
    minutes_held: int = 0
    meetings: list[tuple[datetime, int]] = field(default_factory=list)  # (starts, minutes)
    themes: list[str] = field(default_factory=list)

    @property
    def hours_held(self) -> str:
        hours, minutes = divmod(self.minutes_held, 60)
        return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"

    @property
    def more_meetings(self) -> int:
        return self.meetings_held - len(self.meetings)


def shared_rows(*, pairings, audience: str) -> list[SharedPairing]:
    """The rows of one page of `pairings_shared_with`: three queries however many pairings
    and meetings (figures, the latest meetings, the themes)."""
    rows = {
        p.pk: SharedPairing(
            pk=p.pk,
            mentoree=p.mentoree.full_name,
            mentoree_title=p.mentoree.title,
            program=p.program.name,
            shares_themes=p.agreement.rule_in_force_for(audience) == Rule.THEMES,
        )
        for p in pairings
    }
    if not rows:
        return []
    held = Meeting.objects.filter(pairing__in=list(rows), starts_at__lte=timezone.now())
    figures = (
        held.order_by()
        .values("pairing")
        .annotate(n=Count("pk"), minutes=Sum("duration_minutes"), last=Max("starts_at"))
        .values_list("pairing", "n", "minutes")
    )
    for pairing_id, n, minutes in figures:
        rows[pairing_id].meetings_held, rows[pairing_id].minutes_held = n, minutes or 0
    latest = (
        held.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("pairing_id")],
                order_by=[F("starts_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=MEETINGS_LISTED)
        .order_by("pairing_id", "-starts_at", "-pk")
        .values_list("pairing_id", "starts_at", "duration_minutes")
    )
    for pairing_id, starts_at, minutes in latest:
        rows[pairing_id].meetings.append((starts_at, minutes))
    with_themes = [pk for pk, row in rows.items() if row.shares_themes]
    if with_themes:
        themes = ConsentedTheme.objects.filter(
            agreement__pairing__in=with_themes,
            audience=audience,
            **{f"agreement__in_force_{audience}_rule": Rule.THEMES},
        ).values_list("agreement__pairing_id", "text")
        for pairing_id, text in themes.order_by("-created_at", "-pk"):
            rows[pairing_id].themes.append(text)
    return list(rows.values())


# --- What the mentoree is told ---------------------------------------------------------------


@dataclass(frozen=True)
class AudienceNow:
    """One audience, in plain words, as the mentoree's agreement page tells it."""

    audience: str
    who: str
    sees: str
    after_signing: str  # "" unless a loosened rule waits for both signatures


def _sees(audience: str, rule: str, *, held: int, themes: int, last: datetime | None) -> str:
    if audience == Audience.COMMITTEE:
        return "Nothing about your pairing: no committee page shows mentoring, whatever the rule."
    if rule == Rule.NOTHING:
        return "Nothing about your mentoring, not even that you take part."
    if audience == Audience.COORDINATOR:
        last_words = f", the last on {timezone.localtime(last):%-d %B %Y}" if last else ""
        sees = f"How many meetings you have held ({held} so far{last_words})"
    else:
        sees = (
            f"That you meet: the dates and durations of the meetings you have held ({held} so far)"
        )
    if rule == Rule.THEMES:
        sees += (
            f", and the {themes} theme{'s' if themes != 1 else ''} you consented to share with them"
            if themes
            else ", and any theme you consent to share with them (none yet)"
        )
    return sees + ". Never what you discuss, your notes or your goals."


def audiences_now(*, agreement: Agreement, pairing: Pairing, themes=None) -> list[AudienceNow]:
    """For the mentoree: who each audience is today and what it sees under the rules in
    force. Two queries: the managers above (the nearest is the manager), the held meetings;
    `themes`, the agreement's themes when the caller has them already."""
    chain = reporting_chain_up(employee=pairing.mentoree)
    manager = chain[0] if chain else None
    seniors = [e.full_name for e in chain if e.level >= settings.SENIOR_LEADERSHIP_LEVEL]
    held = Meeting.objects.filter(pairing=pairing, starts_at__lte=timezone.now()).aggregate(
        n=Count("pk"), last=Max("starts_at")
    )
    if themes is None:
        themes = list(agreement.themes.all())
    theme_counts = Counter(theme.audience for theme in themes)
    who = {
        Audience.MANAGER: f"Your manager, {manager.full_name}"
        if manager
        else "Your manager (none is recorded in the directory, so nobody for now)",
        Audience.LEADERSHIP: "Senior leaders above you: " + ", ".join(seniors)
        if seniors
        else "Senior leaders above you (there are none in the directory, so nobody for now)",
        Audience.COORDINATOR: f"The coordinators of {pairing.program.name}",
        Audience.COMMITTEE: f"The committee of {pairing.program.name}",
    }
    result = []
    for audience, _label in Audience.choices:
        in_force = agreement.rule_in_force_for(audience)
        agreed = agreement.rule_for(audience)
        sees = _sees(
            audience,
            in_force,
            held=held["n"],
            themes=theme_counts[audience],
            last=held["last"],
        )
        after = ""
        if not pairing.is_live and audience in PEOPLE_AUDIENCES:
            sees = "Nothing any more: your pairing has ended."
        elif agreed != in_force:
            after = (
                f"Once you have both signed version {agreement.version}: "
                f"{Rule(agreed).label.lower()}."
            )
        result.append(AudienceNow(audience, who[audience], sees, after))
    return result
