"""How the pair's agreement answers the pairing's life cycle (`pairings.signals`): it is made
when the pairing is proposed, its signing reminders go out when the pairing waits on it, and
its signatures are the agreement's part of the activation gate (F5). Connected in
ConfidentialityConfig.ready."""

from confidentiality.services import (
    agreement_blockers,
    agreement_create_for,
    agreement_messages_schedule,
    agreements_create_for_many,
)


def on_pairing_proposed(sender, *, pairing, **kwargs) -> None:
    agreement_create_for(pairing=pairing)


def on_pairings_proposed(sender, *, pairings, **kwargs) -> None:
    agreements_create_for_many(pairings=pairings)


def on_pairing_awaits_agreement(sender, *, pairing, **kwargs) -> None:
    agreement_messages_schedule(pairing=pairing)


def activation_blockers(sender, *, pairing, **kwargs) -> list[str]:
    return agreement_blockers(pairing=pairing)
