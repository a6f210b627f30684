"""The admin side of confidentiality: templates of the agreement terms. No note, agreement,
consented theme or end reason is registered: their text is not the admin's business, for HR
admins and superusers alike (F1)."""

from django.contrib import admin

from confidentiality.models import AgreementTemplate
from people.admin_base import MetadataOnlyAdmin


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(MetadataOnlyAdmin):
    list_display = ("name", "version", "is_default", "created_at")
    list_filter = ("is_default",)
    search_fields = ("name",)
