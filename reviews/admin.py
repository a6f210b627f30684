"""Reviews in the admin for HR admins: listed as metadata (subject, cycle, date, status).
The panel's rating and summary stay with the panel and the Talent team."""

from django.contrib import admin

from people.admin_base import MetadataOnlyAdmin
from reviews.models import TalentReview


@admin.register(TalentReview)
class TalentReviewAdmin(MetadataOnlyAdmin):
    list_display = ("pk", "subject", "cycle", "scheduled_on", "status")
    list_filter = ("status", "cycle")
    search_fields = ("subject__last_name", "subject__first_name", "cycle")
    list_select_related = ("subject",)
    fields = ("subject", "cycle", "scheduled_on", "status", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
