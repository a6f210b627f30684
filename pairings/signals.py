"""What the pairing's life cycle tells the apps above it and asks of them, sent by the
services that cause it (explicit signals, never model signals). `pairings` owns the life
cycle; the pair's agreement (the confidentiality app, above) answers through receivers
connected in its AppConfig.ready. Receivers run in the sender's transaction; their
exceptions propagate."""

from django.dispatch import Signal

# A pairing was proposed and saved; the agreement the pair will sign is made here.
# kwargs: pairing.
pairing_proposed = Signal()

# Many pairings were proposed and saved at once (a matching run's publication): the bulk form
# of `pairing_proposed`, which every receiver of that signal must also answer, in a fixed
# number of queries. kwargs: pairings (a list, each with its program set).
pairings_proposed = Signal()

# A pairing now waits on its agreement (both accepted the match): the signing reminders.
# kwargs: pairing.
pairing_awaits_agreement = Signal()

# What stands between the pairing and being active, asked by the one gate (F5). Each
# receiver returns a list of blockers in words; an empty list means "nothing from me".
# kwargs: pairing.
activation_blockers = Signal()


def blockers_from_receivers(*, sender, pairing) -> list[str]:
    """The blockers every receiver names, in the order they were connected. No receiver at
    all is an error, not an open gate: the agreement's own check must never go missing."""
    if not activation_blockers.has_listeners(sender):
        raise RuntimeError("Nothing answers the pairing's activation gate (F5).")
    found: list[str] = []
    for _receiver, answer in activation_blockers.send(sender=sender, pairing=pairing):
        found.extend(answer or [])
    return found
