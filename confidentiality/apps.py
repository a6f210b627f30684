"""The confidentiality app; on start the agreement answers the pairing's signals."""

from django.apps import AppConfig


class ConfidentialityConfig(AppConfig):
    name = "confidentiality"

    def ready(self) -> None:
        # The pair's agreement answers the pairing's life cycle (pairings.signals).
        from confidentiality import receivers
        from pairings import signals

        signals.pairing_proposed.connect(receivers.on_pairing_proposed, dispatch_uid="agreement")
        signals.pairings_proposed.connect(receivers.on_pairings_proposed, dispatch_uid="agreement")
        signals.pairing_awaits_agreement.connect(
            receivers.on_pairing_awaits_agreement, dispatch_uid="agreement"
        )
        signals.activation_blockers.connect(receivers.activation_blockers, dispatch_uid="agreement")
