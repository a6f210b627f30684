"""Reviews in the admin for HR admins: listed as metadata (subject, cycle, date, status).
The panel's rating and summary stay with the panel and the Talent team."""

from django.contrib import admin
from django.db.models import OuterRef, Subquery

from firewall.register import conflict_exists
from people.admin_base import ReadOnlyAdmin
from people.models import Employee
from reviews.models import TalentReview


@admin.register(TalentReview)
class TalentReviewAdmin(ReadOnlyAdmin):
    list_display = ("pk", "subject", "cycle", "scheduled_on", "status")
    list_filter = ("status", "cycle")
    search_fields = ("subject__last_name", "subject__first_name", "cycle")
    list_select_related = ("subject",)
    fields = ("subject", "cycle", "scheduled_on", "status", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        """Not even that a review exists reaches someone who holds a mentoring-side relation
        with its subject (F11): the list, the search, the filters' counts and the pages are
        all built on this queryset."""
        person = Employee.objects.filter(user_id=request.user.pk).values("pk")[:1]
        return (
            super()
            .get_queryset(request)
            .filter(~conflict_exists(person=Subquery(person), subject=OuterRef("subject_id")))
        )
