"""What every page's template gets: the signed-in person's roles and the navigation."""

from django.http import HttpRequest

from mentoring.navigation import navigation_for
from mentoring.roles import roles_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """The signed-in person's roles, computed once per request, and the navigation built
    from them (mentoring.navigation)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": None}
    if not hasattr(request, "_roles"):
        request._roles = roles_for(user)
    roles = request._roles
    return {
        "roles": roles,
        "unread_count": roles.unread_count,
        # A callable: templates call it, so pages without the navigation (fragments, the
        # admin) build none.
        "nav": lambda: navigation_for(request, roles),
    }
