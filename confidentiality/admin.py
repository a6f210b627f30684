"""The admin side of confidentiality: templates of the agreement terms. No note, agreement,
consented theme or end reason is registered: their text is not the admin's business, for HR
admins and superusers alike (F1).

A template's versions are numbered by the app and fixed once an agreement was made from them:
every write goes through the services, which refuse in words shown on the form."""

from django import forms
from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from confidentiality import services
from confidentiality.models import Agreement, AgreementTemplate
from people.admin_base import MetadataOnlyAdmin, RefusalsOnTheForm


class AgreementTemplateForm(forms.ModelForm):
    class Meta:
        model = AgreementTemplate
        fields = ("name", "terms", "is_default")

    def validate_unique(self) -> None:
        """The service numbers the version and moves the default from the version that had
        it, then checks every constraint itself: the form checks neither beforehand."""

    def validate_constraints(self) -> None:
        """As validate_unique: the constraints are the service's to check, after its moves."""


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(RefusalsOnTheForm, MetadataOnlyAdmin):
    form = AgreementTemplateForm
    list_display = ("name", "version", "is_default", "agreements", "created_at")
    list_filter = ("is_default",)
    search_fields = ("name",)
    fields = ("name", "version", "terms", "is_default", "created_at")
    readonly_fields = ("version", "created_at")
    # A used version cannot change: "Save as new" makes the next version from the form.
    save_as = True
    actions = None  # no bulk delete: each version is deleted (or kept) on its own page

    def get_queryset(self, request):
        made = (
            Agreement.objects.filter(template=OuterRef("pk"))
            .order_by()
            .values("template")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(uses=Coalesce(Subquery(made), 0))

    @admin.display(description="agreements made from it", ordering="uses")
    def agreements(self, obj: AgreementTemplate) -> int:
        return obj.uses

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        uses = services.agreement_template_uses(template=obj) if obj is not None else 0
        if uses:
            form.base_fields["terms"].help_text = (
                f"{uses} agreement{'s' if uses != 1 else ''} {'were' if uses != 1 else 'was'} "
                "made from this version, so its name and terms stay as they are: change them "
                "and choose “Save as new” to make the next version."
            )
        else:
            form.base_fields[
                "terms"
            ].help_text = (
                "The confidentiality terms, in plain words. The version is numbered by the app."
            )
        return form

    def save_model(self, request, obj, form, change):
        data = {key: form.cleaned_data[key] for key in ("name", "terms", "is_default")}

        def save():
            if change:
                saved = services.agreement_template_update(template=obj, **data)
            else:
                saved = services.agreement_template_create(**data)
            obj.pk, obj.version, obj.created_at = saved.pk, saved.version, saved.created_at

        self.service_call(request, save)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_default or services.agreement_template_uses(template=obj)):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.agreement_template_delete(template=obj)
