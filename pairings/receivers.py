"""How pairings answers what programs tells it (`programs.signals`): a commitment accepted
may move the person's live pairings on (F5). Connected in PairingsConfig.ready."""

from pairings.services import pairings_refresh_for


def on_commitment_accepted(sender, *, employee, program, **kwargs) -> None:
    pairings_refresh_for(employee=employee, program=program)
