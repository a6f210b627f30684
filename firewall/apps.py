"""The firewall app; on start it connects the identity-change log (firewall/identity.py)."""

from django.apps import AppConfig


class FirewallConfig(AppConfig):
    name = "firewall"
    verbose_name = "Firewall: access log and conflicts"

    def ready(self) -> None:
        # Identity changes made by `people` services go to the access log (F12).
        from firewall.identity import identity_change_record
        from people.signals import identity_changed

        identity_changed.connect(identity_change_record, dispatch_uid="firewall.identity")
