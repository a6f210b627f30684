"""System checks of the project's own settings."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def development_mode_left_on(app_configs, **kwargs) -> list[Warning]:
    """DEBUG=1 is development mode even when Django's debug pages are off (DEBUG_PAGES):
    no secrets needed, plain cookies, console e-mail. `check --deploy` must say so, as it
    says security.W018 for Django's own DEBUG."""
    if getattr(settings, "DEVELOPMENT", False):
        return [
            Warning(
                "DEBUG=1 (development mode) is on: cookies are not secure, e-mails go to the "
                "console and the development keys may be in use.",
                hint="Unset DEBUG (or set DEBUG=0) in production.",
                id="mentoring.W001",
            )
        ]
    return []
