"""The firewall in the admin: the access log, read-only (F8), and the conflicts HR declares
by hand (F3). The register's other entries are not the admin's to see."""

from django import forms
from django.contrib import admin

from firewall.models import AccessEvent, ConflictEntry
from firewall.register import conflict_declare
from people.admin_base import MetadataOnlyAdmin, ReadOnlyAdmin
from people.models import Employee


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    """The access log (F8): who did what to which confidential object, when, with what
    outcome. Append-only: nobody adds, changes or deletes an event here."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "outcome")
    list_filter = ("action", "outcome", "object_type", ("at", admin.DateFieldListFilter))
    search_fields = ("actor_label", "request_id", "object_type")
    date_hierarchy = "at"
    list_per_page = 100
    readonly_fields = [f.name for f in AccessEvent._meta.fields]


class ConflictDeclarationForm(forms.ModelForm):
    person = forms.ModelChoiceField(
        queryset=Employee.objects.filter(is_active=True),
        widget=forms.NumberInput,
        help_text="Employee id of the person who may not assess the subject.",
    )
    subject = forms.ModelChoiceField(
        queryset=Employee.objects.all(),
        widget=forms.NumberInput,
        help_text="Employee id of the subject.",
    )

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
