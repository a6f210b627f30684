from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from people.forms import EmployeeImportForm
from people.models import Employee, User
from people.services import employee_import_csv


@admin.register(User)
class PeopleUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")
    search_fields = ("username", "email", "first_name", "last_name")


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ("number", "full_name", "title", "department", "level", "manager", "is_active")
    list_filter = ("department", "level", "is_active")
    search_fields = ("number", "first_name", "last_name", "email", "title")
    list_select_related = ("manager",)
    raw_id_fields = ("manager", "user")
    list_per_page = 50
    change_list_template = "admin/people/employee/change_list.html"

    @admin.display(description="name", ordering="last_name")
    def full_name(self, obj: Employee) -> str:
        return obj.full_name

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="people_employee_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        result = None
        form = EmployeeImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            result = employee_import_csv(file=form.cleaned_data["file"])
            if result.ok:
                messages.success(request, f"Employees imported: {result.summary()}")
                return redirect(reverse("admin:people_employee_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import employees from the HRIS",
            "opts": self.model._meta,
            "form": form,
            "result": result,
        }
        return TemplateResponse(request, "admin/people/employee/import.html", context)
