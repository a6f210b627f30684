"""What every admin of this project is built on: metadata only, through every door (F13).

The admin is where HR admins and superusers work, the most powerful people in the app, so
every door of a changelist is closed to confidential text, not only its columns:

- URL lookups. Django answers any `?field__lookup=value` on a model's own fields and one
  relation away, and a count of 1 or 0 is enough to read a motivation letter by letter
  (`goals__startswith=a`, then `ab`, ...) or to learn who takes part in mentoring
  (`mentoree_pairings__isnull=False`). A changelist here accepts only the parameters of its
  own declared `list_filter` (and of its `date_hierarchy`): what HR may filter on is what the
  page offers, and anything else is the admin's usual refusal, a 400.
- Search, autocomplete and sorting read only `search_fields` and `list_display`, which name
  metadata in every admin (tests/firewall/test_insiders_admin.py holds them to it).
- Delete pages name only the objects being deleted: the related rows Django would list (an
  employee's pairings, a program's applications) say who takes part in what.

Module of the lowest app so that every app's admin may build on it.
"""

from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.filters import FieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.widgets import url_params_from_lookup_dict
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from core.refusals import add_service_errors

DATE_HIERARCHY_PARTS = ("year", "month", "day")
MAX_ID = 2**63 - 1

# What a delete page says instead of listing the rows that go with the object.
NOT_LISTED = "The records that belong to it are deleted with it; they are not listed here."
KEPT = "Other records still refer to it and must be kept; they are not listed here."


class MetadataOnlyAdmin(admin.ModelAdmin):
    """Base of every ModelAdmin of the project, and of the third-party ones it registers
    again (mentoring/admin.py)."""

    def filter_parameters(self, request: HttpRequest) -> set[str]:
        """The query parameters the declared list filters read (what their links carry), and
        plain equality and emptiness on the same fields. Nothing else is a filter here."""
        names: set[str] = set()
        for item in self.get_list_filter(request):
            if callable(item):
                # A filter class of its own (a SimpleListFilter): it says what it reads.
                names.update(item(request, {}, self.model, self).expected_parameters())
                continue
            path, filter_class = item if isinstance(item, (list, tuple)) else (item, None)
            field = get_fields_from_path(self.model, path)[-1]
            spec = (filter_class or FieldListFilter.create)(
                field, request, {}, self.model, self, field_path=path
            )
            names.update(spec.expected_parameters())
            names.update((path, f"{path}__exact", f"{path}__in", f"{path}__isnull"))
        if self.date_hierarchy:
            names.update(f"{self.date_hierarchy}__{part}" for part in DATE_HIERARCHY_PARTS)
        return names

    def changelist_view(self, request, extra_context=None):
        """A number beyond 64 bits in a filter's value is no id of anything: refused (400), as
        the id path converter makes it a 404 in a URL's path, never a database overflow."""
        for key, values in request.GET.lists():
            for value in values:
                for part in value.split(","):
                    digits = part.strip().removeprefix("-")
                    if digits.isdigit() and (len(digits) > 19 or int(digits) > MAX_ID):
                        raise DisallowedModelAdminLookup(f"{key}: not a number the admin uses")
        return super().changelist_view(request, extra_context)

    def lookup_allowed(self, lookup, value, request) -> bool:
        if lookup in self.filter_parameters(request):
            return True
        # The fixed lookups of a `limit_choices_to` that a raw-id popup of another admin opens
        # this changelist with: declared in code, replayable only as declared.
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in url_params_from_lookup_dict(fk_lookup).items():
                return True
        return False

    def get_deleted_objects(self, objs, request):
        """The objects themselves, never the rows that go with them (nor their kinds)."""
        _, _, perms_needed, protected = super().get_deleted_objects(objs, request)
        objs = list(objs)
        named = [str(obj) for obj in objs]
        count = {str(self.model._meta.verbose_name_plural): len(objs)}
        needed = {"records that belong to it"} if perms_needed else set()
        return [*named, NOT_LISTED], count, needed, [KEPT] if protected else []


class ReadOnlyAdmin(MetadataOnlyAdmin):
    """A list to read, never to change: no add, change or delete page for anyone, superusers
    included (records written by the services alone, or declared in code)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- A service's refusal, shown on the admin's form ------------------------------------------

_REFUSAL = "admin_service_refusal"


class _ShowsRefusal:
    refusal: ValidationError | None = None

    def clean(self):
        cleaned = super().clean()
        if self.refusal is not None:
            add_service_errors(self, self.refusal)
        return cleaned


class RefusalsOnTheForm(admin.ModelAdmin):
    """For an admin whose `save_model` hands the write to a service, inside
    `self.service_call(request, ...)`. A refusal (a ValidationError) is shown on the form again,
    as the browser's forms show it, and is never a 500: the service has changed nothing, no
    history entry is written, and the request's transaction keeps what the service recorded
    about the refused attempt (an access event), which raising through the admin would undo."""

    def service_call(self, request: HttpRequest, call, /, **kwargs) -> None:
        try:
            call(**kwargs)
        except ValidationError as refusal:
            setattr(request, _REFUSAL, refusal)

    def _refusal(self, request: HttpRequest) -> ValidationError | None:
        return getattr(request, _REFUSAL, None)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = self._refusal(request)
        if refusal is None:
            return form
        return type(form.__name__, (_ShowsRefusal, form), {"refusal": refusal})

    def log_addition(self, request, obj, message):
        if self._refusal(request) is None:
            return super().log_addition(request, obj, message)
        return None

    def log_change(self, request, obj, message):
        if self._refusal(request) is None:
            return super().log_change(request, obj, message)
        return None

    def response_add(self, request, obj, post_url_continue=None):
        if self._refusal(request) is None:
            return super().response_add(request, obj, post_url_continue)
        # The form again, from what was posted, with the refusal on it.
        return self.changeform_view(request, None)

    def response_change(self, request, obj):
        if self._refusal(request) is None:
            return super().response_change(request, obj)
        return self.changeform_view(request, str(obj.pk))


# --- Roles are not given in the admin --------------------------------------------------------

# Company-wide roles are groups declared in people/roles.py and given by
# people.accounts.user_add_to_role; per-program roles (coordinator, committee member, group
# session leader) by the services of programs, which refuse a grant to oneself and record every
# grant. A user's superuser status, groups and permissions are therefore read only in the
# admin: a re-posted value is ignored, for HR admins and superusers alike (F13).
ROLE_FIELDS = ("is_superuser", "groups", "user_permissions")


class RolesReadOnlyUserAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields + tuple(name for name in ROLE_FIELDS if name not in fields)
