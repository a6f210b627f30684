"""What the server tells htmx (static/vendor/htmx): one place for its conventions."""

# A poll (`hx-trigger="every 2s"`) stops when its response has this status; htmx still swaps
# the body in, so the last fragment can say how things ended.
STOP_POLLING = 286


def poll_status(*, working: bool) -> int:
    """200 while there is more to show, 286 (stop polling) once the work has ended."""
    return 200 if working else STOP_POLLING
