from django.apps import AppConfig


class ConfidentialityConfig(AppConfig):
    name = "confidentiality"

    def ready(self) -> None:
        # Identity changes made by `people` services go to the access log (F12).
        from confidentiality.identity import identity_change_record
        from people.signals import identity_changed

        identity_changed.connect(identity_change_record, dispatch_uid="confidentiality.identity")
