"""What every page's template gets: the signed-in person's roles and the navigation."""

from django.http import HttpRequest

from mentoring.navigation import navigation_for
from mentoring.roles import Roles, roles_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """The signed-in person's roles, read once per request when a template first asks for
    them, and the navigation built from them (mentoring.navigation). Callables, which
    templates call: a page that shows none of them (the admin's, an htmx region) reads none."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": None}

    def roles() -> Roles:
        if not hasattr(request, "_roles"):
            request._roles = roles_for(user)
        return request._roles

    return {
        "roles": roles,
        "unread_count": lambda: roles().unread_count,
        "nav": lambda: navigation_for(request, roles()),
    }
