"""The admin for HR admins: programs and their coordinators, tags, resources, and metadata
of applications and sessions. No motivation, goals, vote comment or decision reason is shown
here: the admin is for running programs, not for reading what people wrote."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q

from people.admin_base import (
    CHOOSABLE,
    FormRelation,
    MetadataOnlyAdmin,
    ReadOnlyAdmin,
    RefusalsOnTheForm,
    person_picker,
)
from people.models import User
from programs import selectors, services
from programs.models import (
    PROGRAM_FIELDS,
    Application,
    Commitment,
    GroupSession,
    Program,
    Resource,
    Tag,
)

# A program's coordinators are object permissions, not a model field: the form's picker.
COORDINATORS = FormRelation(Program, "coordinators", User)


class ProgramAdminForm(forms.ModelForm):
    coordinators = person_picker(
        COORDINATORS,
        many=True,
        required=False,
        help_text=(
            "People who run this program in the browser. Type part of a name, an e-mail "
            "address, an employee number or a department."
        ),
    )

    class Meta:
        model = Program
        fields = [*PROGRAM_FIELDS, "agreement_template"]

    # Who fills the form in (ProgramAdmin.get_form sets it): nobody names themselves.
    named_by: User | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_coordinators = (
            set(selectors.coordinators_of(program=self.instance)) if self.instance.pk else set()
        )
        field = self.fields["coordinators"]
        field.initial = list(self.current_coordinators)
        if self.current_coordinators:
            # A coordinator whose directory entry was turned off since stays one when the
            # form is saved again (nothing is taken away unasked); nobody inactive is added.
            field.queryset = User.objects.filter(
                CHOOSABLE[User] | Q(pk__in=[user.pk for user in self.current_coordinators])
            ).select_related("employee")

    def clean_coordinators(self):
        """A coordinator reads what applicants write: nobody grants that to themselves (F13),
        superusers included. Whoever is already one stays one when the form is saved again."""
        wanted = self.cleaned_data["coordinators"]
        if self.named_by is not None and self.named_by in set(wanted) - self.current_coordinators:
            raise ValidationError(
                "You cannot name yourself a coordinator: coordinators read what applicants "
                "write. Another HR admin names the coordinators of a program.",
                code="self_grant",
            )
        return wanted


@admin.register(Program)
class ProgramAdmin(RefusalsOnTheForm, MetadataOnlyAdmin):
    form = ProgramAdminForm
    form_relations = {"coordinators": COORDINATORS}
    list_display = ("name", "kind", "status", "applications_open_on", "starts_on", "ends_on")
    list_filter = ("kind", "status")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    # Status moves only one step at a time, by a coordinator in the browser.
    readonly_fields = ("status",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"named_by": request.user})

    def save_model(self, request, obj, form, change):
        # A refusal of the service (naming oneself, a conflict of interest: F11, F13) is shown
        # on the form and changes nothing.
        self.service_call(
            request,
            services.program_save_from_admin,
            program=obj,
            by=request.user,
            coordinators=form.cleaned_data["coordinators"],
            request_id=getattr(request, "request_id", ""),
        )

    def save_related(self, request, form, formsets, change):
        # Coordinators are granted in save_model through the service; nothing else relates.
        pass


@admin.register(Tag)
class TagAdmin(MetadataOnlyAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    """Metadata only: who applied to what, and where it stands."""

    list_display = ("pk", "program", "applicant", "role", "status", "submitted_at", "decided_at")
    list_filter = ("program", "role", "status")
    list_select_related = ("program", "applicant")
    fields = ("program", "applicant", "role", "status", "submitted_at", "decided_at")
    readonly_fields = fields


@admin.register(Commitment)
class CommitmentAdmin(MetadataOnlyAdmin):
    list_display = ("program", "version", "published_at")
    list_filter = ("program",)
    readonly_fields = ("program", "version", "text", "published_at", "published_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GroupSession)
class GroupSessionAdmin(MetadataOnlyAdmin):
    list_display = ("title", "program", "leader", "starts_at", "capacity")
    list_filter = ("program",)
    list_select_related = ("program", "leader")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ResourceAdminForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = ["program", "title", "description", "file"]


@admin.register(Resource)
class ResourceAdmin(MetadataOnlyAdmin):
    form = ResourceAdminForm
    list_display = ("title", "program", "original_name", "size", "download_count", "created_at")
    list_filter = ("program",)
    search_fields = ("title",)

    def get_readonly_fields(self, request, obj=None):
        return ("file",) if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["program", "title", "description"])
            return
        published = services.resource_publish(
            by=request.user,
            program=obj.program,
            title=obj.title,
            description=obj.description,
            file=form.cleaned_data["file"],
        )
        obj.pk = published.pk
        obj.__dict__.update({k: v for k, v in published.__dict__.items() if k != "_state"})
        obj._state.adding = False
