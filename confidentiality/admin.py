"""The admin side of confidentiality: templates of the agreement terms, and the access log,
read-only. No note, agreement, consented theme or end reason is registered: their text is
not the admin's business, for HR admins and superusers alike (F1)."""

from django.contrib import admin

from confidentiality.models import AccessEvent, AgreementTemplate


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "is_default", "created_at")
    list_filter = ("is_default",)
    search_fields = ("name",)


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """The access log (F8): who did what to which confidential object, when, with what
    outcome. Append-only: nobody adds, changes or deletes an event here."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "outcome")
    list_filter = ("action", "outcome", "object_type", ("at", admin.DateFieldListFilter))
    search_fields = ("actor_label", "request_id", "object_type")
    date_hierarchy = "at"
    list_per_page = 100
    readonly_fields = [f.name for f in AccessEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
