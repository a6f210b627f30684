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
  metadata in every admin (tests/firewall/test_insiders_admin.py holds them to it). A person
  picker's label reads the directory's metadata only (`PERSON_LABEL_FIELDS`).
- The autocomplete answers only for the pickers a form of the admin offers, to whoever may
  open that form and view the people it lists (`AutocompleteView`), and lists only the people
  who may be chosen: active accounts with an active directory entry. It never leaves anyone out
  for what they take part in: who may not hold a role is refused when the form is saved, in
  the services' neutral words (F3, F11), so the list says nothing about who mentors whom.
- Delete pages name only the objects being deleted: the related rows Django would list (an
  employee's pairings, a program's applications) say who takes part in what.

Module of the lowest app so that every app's admin may build on it.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup, NotRegistered
from django.contrib.admin.filters import FieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    url_params_from_lookup_dict,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from core.refusals import add_service_errors
from people.models import Employee, User

DATE_HIERARCHY_PARTS = ("year", "month", "day")
MAX_ID = 2**63 - 1

# What a delete page says instead of listing the rows that go with the object.
NOT_LISTED = "The records that belong to it are deleted with it; they are not listed here."
KEPT = "Other records still refer to it and must be kept; they are not listed here."


# --- Choosing a person ----------------------------------------------------------------------

# What a person picker shows of each person, beside the name: metadata of the directory, the
# same for every chooser (tests/firewall/test_insiders_admin.py holds them to it).
PERSON_LABEL_FIELDS = {
    User: (
        "first_name",
        "last_name",
        "username",
        "email",
        "employee__title",
        "employee__department",
    ),
    Employee: ("first_name", "last_name", "title", "department", "email"),
}
NOT_CHOOSABLE = (
    "This person cannot be chosen: their account or directory entry is no longer active. "
    "Choose someone from the list."
)


def person_label(person: User | Employee) -> str:
    """The name, then title and department, then the address: two namesakes (two Aisha
    Andersens) differ at least by their address, usually by their title or department too.
    A User is labelled from its directory entry (select_related("employee")) when it has one."""
    if isinstance(person, Employee):
        name, entry, address = person.full_name, person, person.email
    else:
        name = person.get_full_name() or person.get_username()
        entry, address = getattr(person, "employee", None), person.email
    work = f"{entry.title}, {entry.department}" if entry is not None else "no directory entry"
    return f"{name} — {work} — {address}"


# Who may be chosen anywhere in the admin: an active account with an active entry in the
# directory (an account without one, an administration account, may be chosen too).
CHOOSABLE = {
    Employee: Q(is_active=True, user__is_active=True),
    User: Q(is_active=True) & (Q(employee__isnull=True) | Q(employee__is_active=True)),
}


def choosable_people(model: type[User] | type[Employee]) -> QuerySet:
    people = model._default_manager.filter(CHOOSABLE[model])
    return people.select_related("employee") if model is User else people


def is_person_model(model: type[models.Model] | None) -> bool:
    return model in PERSON_LABEL_FIELDS


class PersonChoiceField(forms.ModelChoiceField):
    """One person, labelled as the picker labels them (the selected value too)."""

    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    """Several people, labelled as the picker labels them."""

    def label_from_instance(self, obj) -> str:
        return person_label(obj)


@dataclass(frozen=True)
class FormRelation:
    """A field of an admin's form that chooses rows of another admin's model with no model
    field behind it (a program's coordinators are object permissions; a declared conflict is
    keyed on a pair of people): what the autocomplete widget and view need of a relation."""

    model: type[models.Model]
    name: str
    related_model: type[models.Model]
    limit_choices_to: dict[str, Any] = field(default_factory=dict)

    @property
    def remote_field(self) -> SimpleNamespace:
        return SimpleNamespace(model=self.related_model)

    def get_limit_choices_to(self) -> dict[str, Any]:
        return self.limit_choices_to


class _NamedSearchBoxes:
    """Django's select2 autocomplete, with its search boxes named after the field's label
    (static/js/admin-people-picker.js: select2 leaves them unnamed, a WCAG failure)."""

    @property
    def media(self):
        # One list, so that the file comes after autocomplete.js (two Media added together
        # are merged with no order between them).
        own = super().media
        return forms.Media(js=[*own._js, "js/admin-people-picker.js"], css=own._css)


class PickerSelect(_NamedSearchBoxes, AutocompleteSelect):
    pass


class PickerSelectMultiple(_NamedSearchBoxes, AutocompleteSelectMultiple):
    def build_attrs(self, base_attrs, extra_attrs=None):
        """No "clear all" cross: select2 puts it in the list of chosen people as a <span>, not
        an item (a WCAG failure); each chosen person keeps their own cross, and Backspace in
        the search box takes the last one off."""
        return {**super().build_attrs(base_attrs, extra_attrs), "data-allow-clear": "false"}


def person_picker(
    relation: FormRelation, *, many: bool = False, **kwargs
) -> PersonChoiceField | PeopleChoiceField:
    """A form field choosing people of `relation` through the admin's autocomplete: only who
    may be chosen is listed and accepted."""
    queryset = choosable_people(relation.related_model).complex_filter(relation.limit_choices_to)
    widget_class = PickerSelectMultiple if many else PickerSelect
    field_class = PeopleChoiceField if many else PersonChoiceField
    kwargs.setdefault(
        "error_messages", {"invalid_choice": NOT_CHOOSABLE, "invalid_pk_value": NOT_CHOOSABLE}
    )
    return field_class(queryset=queryset, widget=widget_class(relation, admin.site), **kwargs)


class AutocompleteView(AutocompleteJsonView):
    """The admin's autocomplete (admin.site.autocomplete_view, set in mentoring/admin.py).

    Django's own answers for any relation of any model to whoever may view the target, and
    labels each row with str(). Here it answers only for a picker that an admin's form offers
    (its `autocomplete_fields` or `form_relations`) to whoever may open that form *and* view
    the target (Django's check); the target admin says which rows may be chosen
    (`autocomplete_queryset`) and how each is labelled (`autocomplete_label`)."""

    def process_request(self, request):
        term = request.GET.get("term", "")
        try:
            source_model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
            source_admin = self.admin_site.get_model_admin(source_model)
        except (KeyError, LookupError, NotRegistered) as missing:
            raise PermissionDenied from missing
        relation = getattr(source_admin, "autocomplete_relation", lambda *_: None)(
            request, request.GET.get("field_name", "")
        )
        if relation is None:
            raise PermissionDenied
        if not (
            source_admin.has_view_or_change_permission(request)
            or source_admin.has_add_permission(request)
        ):
            raise PermissionDenied
        try:
            model_admin = self.admin_site.get_model_admin(relation.remote_field.model)
        except NotRegistered as missing:
            raise PermissionDenied from missing
        if not model_admin.get_search_fields(request):
            raise Http404(f"{type(model_admin).__qualname__} has no search_fields.")
        return term, model_admin, relation, model_admin.model._meta.pk.attname

    def get_queryset(self):
        queryset = self.model_admin.get_queryset(self.request)
        queryset = queryset.complex_filter(self.source_field.get_limit_choices_to())
        queryset = self.model_admin.autocomplete_queryset(self.request, queryset)
        queryset, duplicates = self.model_admin.get_search_results(
            self.request, queryset, self.term
        )
        return queryset.distinct() if duplicates else queryset

    def serialize_result(self, obj, to_field_name):
        return {
            "id": str(getattr(obj, to_field_name)),
            "text": self.model_admin.autocomplete_label(obj),
        }


class MetadataOnlyAdmin(admin.ModelAdmin):
    """Base of every ModelAdmin of the project, and of the third-party ones it registers
    again (mentoring/admin.py)."""

    # Fields of the form that choose through the autocomplete with no model field behind them.
    form_relations: dict[str, FormRelation] = {}

    def autocomplete_relation(self, request: HttpRequest, name: str):
        """The relation a picker of this admin's forms chooses through, if it offers one."""
        if name in self.form_relations:
            return self.form_relations[name]
        if name in self.get_autocomplete_fields(request):
            return self.model._meta.get_field(name)
        return None

    def autocomplete_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """The rows a picker of another admin may offer (this admin being the target)."""
        return queryset

    def autocomplete_label(self, obj) -> str:
        return str(obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A person chosen through the autocomplete is labelled as the picker labels them,
        and only someone who may be chosen is accepted: the person already there stays
        (their entry may have been turned off since), a new one must be choosable."""
        if is_person_model(
            db_field.related_model
        ) and db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault("form_class", PersonChoiceField)
            kwargs.setdefault(
                "widget", PickerSelect(db_field, self.admin_site, using=kwargs.get("using"))
            )
            people = db_field.related_model._default_manager.complex_filter(
                db_field.get_limit_choices_to()
            )
            kwargs.setdefault(
                "queryset",
                people.select_related("employee") if db_field.related_model is User else people,
            )
            kwargs.setdefault("error_messages", {"invalid_choice": NOT_CHOOSABLE})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, *args, **kwargs):
        # (auth's UserAdmin.get_form takes no `change` argument: passed on as given.)
        form = super().get_form(request, obj, *args, **kwargs)
        if not any(isinstance(f, PersonChoiceField) for f in form.base_fields.values()):
            return form
        return type(form.__name__, (_ChoosesPeople, form), {})

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
                    # ASCII digits only: "²" is a digit to str.isdigit, not to int().
                    if not (digits.isascii() and digits.isdigit()):
                        continue
                    if len(digits) > 19 or int(digits) > MAX_ID:
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


class _ChoosesPeople:
    """A person newly chosen in a picker must be choosable (the list offers no one else)."""

    def clean(self):
        cleaned = super().clean()
        for name in self.changed_data:
            chosen = cleaned.get(name)
            if not isinstance(self.fields[name], PersonChoiceField) or chosen is None:
                continue
            if not choosable_people(type(chosen)).filter(pk=chosen.pk).exists():
                self.add_error(name, NOT_CHOOSABLE)
        return cleaned


class PersonPickerTarget(admin.ModelAdmin):
    """For the admins of the people (accounts, the directory): what their pickers offer."""

    def autocomplete_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        people = queryset.filter(CHOOSABLE[self.model]).order_by(
            "last_name", "first_name", "email", "pk"
        )
        return people.select_related("employee") if self.model is User else people

    def autocomplete_label(self, obj) -> str:
        return person_label(obj)


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
