"""Sign-in by e-mail address, case-insensitive, for active accounts only."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest

from core.prepared import Prepared


def _permissions_of(user) -> object:
    """A user's model permissions, their own and their groups' (what ModelBackend reads in
    two queries), each once."""
    own = get_user_model().user_permissions.through.objects.filter(
        permission=OuterRef("pk"), user=user
    )
    via_group = Group.permissions.through.objects.filter(
        permission=OuterRef("pk"), group__user=user
    )
    return Permission.objects.filter(Q(Exists(own)) | Q(Exists(via_group))).values_list(
        "content_type__app_label", "codename"
    )


# Asked on every page of the admin (built once: core.prepared).
_PERMISSIONS = Prepared(_permissions_of, "user")


class EmailBackend(ModelBackend):
    """Sign in with an e-mail address (any letter case) or a username.

    Only the confirmed address (`User.email`) and the username ever match: a new address
    waiting in `AddressChange` signs nobody in until its owner confirms it (F12).
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: object,
    ):
        if username is None or password is None:
            return None
        model = get_user_model()
        username = username.strip()
        user = (
            model._default_manager.filter(email__iexact=username).first()
            or model._default_manager.filter(username__iexact=username).first()
        )
        if user is None:
            # Spend the same time as a real check so timing does not reveal who exists.
            model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_all_permissions(self, user_obj, obj=None):
        """ModelBackend's answer (the user's own permissions and their groups', none for an
        inactive user or an object; every permission for a superuser), in one prepared query
        instead of two built ones; kept on the user for the request, as ModelBackend does."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            rows = _PERMISSIONS.rows(user=user_obj.pk)
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache

    def get_user(self, user_id):
        """The signed-in account of a request, with its directory entry in the same query:
        nearly every page asks for it (the navigation's roles, the selectors' `me`)."""
        user = get_user_model()._default_manager.select_related("employee").filter(pk=user_id)
        user = user.first()
        return user if user is not None and self.user_can_authenticate(user) else None


def axes_username(request: HttpRequest | None, credentials: dict | None) -> str:
    """The name django-axes counts failures against: as the sign-in backend reads it."""
    credentials = credentials or {}
    username = credentials.get("username")
    if username is None and request is not None:
        username = request.POST.get("username", "")
    return (username or "").strip().lower()
