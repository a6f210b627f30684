"""The pairings app; on start it listens for accepted commitments (programs.signals)."""

from django.apps import AppConfig


class PairingsConfig(AppConfig):
    name = "pairings"

    def ready(self) -> None:
        # A commitment accepted in programs may move live pairings on (F5).
        from pairings.receivers import on_commitment_accepted
        from programs.signals import commitment_accepted

        commitment_accepted.connect(on_commitment_accepted, dispatch_uid="pairings.commitment")
