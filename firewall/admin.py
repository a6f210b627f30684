"""The firewall in the admin: the access log, read-only (F8), and the conflicts HR declares
by hand (F3). The register's other entries are not the admin's to see."""

from functools import cached_property

from django import forms
from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Q

from firewall.access import access_object_types
from firewall.models import AccessEvent, ConflictEntry
from firewall.register import conflict_declare
from people.admin_base import FormRelation, MetadataOnlyAdmin, ReadOnlyAdmin, person_picker
from people.models import Employee, User


class CappedCountPaginator(Paginator):
    """Counts at most CAP + 1 rows (a COUNT over a LIMIT subquery): with millions of events,
    an exact count of a filter would take seconds on every page; past the cap the list says
    so and offers its first pages (the newest events), and a filter narrows it."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        # Unordered: any CAP + 1 matching rows will do, so the database stops at the first
        # ones it finds instead of sorting or walking an index for them.
        return self.object_list.order_by()[: self.CAP + 1].count()


class ObjectTypeFilter(admin.SimpleListFilter):
    """The kinds of object in the log, read from the (object_type, object_id) index one value
    at a time (a recursive query that skips through it): a plain DISTINCT would read every
    event."""

    title = "object type"
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        cached = getattr(request, "_access_object_types", None)
        if cached is None:
            cached = request._access_object_types = access_object_types()
        return [(value, value) for value in cached]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(object_type=value) if value else queryset


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    """The access log (F8): who did what to which confidential object, when, with what
    outcome. Append-only: nobody adds, changes or deletes an event here.

    Built for millions of events: no full count (CappedCountPaginator,
    show_full_result_count off), no date hierarchy (its list of years reads every row; the
    date filter's ranges use the index on `at`), the object types read through their index,
    and the search looks up people by name or address first, then their events by the
    indexed actor key (or an exact request id)."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "outcome")
    list_filter = ("action", "outcome", ObjectTypeFilter, ("at", admin.DateFieldListFilter))
    search_fields = ("actor_label", "request_id")
    search_help_text = "A person's name or e-mail address, or a request id."
    # The page size of every list in the app: the admin renders each cell through several
    # layers (0.4 ms a row here), so 100 rows cost 40 ms a page; an investigation narrows
    # the log with the filters and the search, and pages on.
    list_per_page = 25
    paginator = CappedCountPaginator
    show_full_result_count = False
    readonly_fields = [f.name for f in AccessEvent._meta.fields]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        # The people first, as a list of ids: inside one query, the planner would walk the
        # whole log by date testing each event against them.
        people = list(
            User.objects.filter(
                Q(email__icontains=term)
                | Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(username__icontains=term)
            ).values_list("pk", flat=True)[:500]
        )
        return queryset.filter(Q(actor_id__in=people) | Q(request_id=term)), False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "count_cap": CappedCountPaginator.CAP}
        return super().changelist_view(request, extra_context)


# A declared conflict is keyed on a pair of people (ConflictKey): the form's two pickers.
PERSON = FormRelation(ConflictEntry, "person", Employee)
SUBJECT = FormRelation(ConflictEntry, "subject", Employee)
SEARCH_HELP = "Type part of a name, an e-mail address, an employee number or a department."


class ConflictDeclarationForm(forms.ModelForm):
    person = person_picker(
        PERSON, help_text=f"The person who may not assess the subject. {SEARCH_HELP}"
    )
    subject = person_picker(SUBJECT, help_text=f"The person being assessed. {SEARCH_HELP}")

    class Meta:
        model = ConflictEntry
        fields = []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("person") and cleaned.get("person") == cleaned.get("subject"):
            raise forms.ValidationError("A person and the subject must be two people.")
        return cleaned


@admin.register(ConflictEntry)
class ConflictDeclarationAdmin(MetadataOnlyAdmin):
    """Conflicts HR declares by hand (e.g. a former mentor from outside the app). Only
    declarations are listed here: the register's mentoring entries are not the admin's."""

    form = ConflictDeclarationForm
    form_relations = {"person": PERSON, "subject": SUBJECT}
    list_display = ("pk", "person", "subject", "started_at", "declared_by")
    list_select_related = ("key__person", "key__subject", "declared_by")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=ConflictEntry.Kind.DECLARED)

    @admin.display(description="person")
    def person(self, obj):
        return obj.key.person

    @admin.display(description="subject")
    def subject(self, obj):
        return obj.key.subject

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        entry = conflict_declare(
            person_id=form.cleaned_data["person"].pk,
            subject_id=form.cleaned_data["subject"].pk,
            by=request.user,
        )
        obj.pk = entry.pk
        obj.key_id = entry.key_id
        obj._state.adding = False
