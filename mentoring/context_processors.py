from django.http import HttpRequest

from mentoring.roles import roles_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """The signed-in person's roles, computed once per request, for the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": None}
    if not hasattr(request, "_roles"):
        request._roles = roles_for(user)
    return {"roles": request._roles, "unread_count": request._roles.unread_count}
