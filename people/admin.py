from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from people.forms import EmployeeImportForm, add_service_errors
from people.models import Employee, EmployeeImport, User
from people.services import employee_import_start


def _may_import(request) -> bool:
    """HR admins: whoever may add and change employees may import them and see the imports."""
    return request.user.has_perms(["people.add_employee", "people.change_employee"])


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
            path(
                "import/<int:import_id>/",
                self.admin_site.admin_view(self.import_status_view),
                name="people_employee_import_status",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not _may_import(request):
            raise PermissionDenied
        form = EmployeeImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = employee_import_start(by=request.user, file=form.cleaned_data["file"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("admin:people_employee_import_status", import_id=job.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import employees from the HRIS",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/people/employee/import.html", context)

    def import_status_view(self, request, import_id: int):
        if not _may_import(request):
            raise PermissionDenied
        # The file's text stays in the database: this page is reloaded every two seconds.
        job = get_object_or_404(
            EmployeeImport.objects.defer("csv_text").select_related("uploaded_by"), pk=import_id
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Employee import #{job.pk}",
            "opts": self.model._meta,
            "job": job,
            "percent": (100 * job.rows_checked // job.total_rows) if job.total_rows else 0,
        }
        return TemplateResponse(request, "admin/people/employee/import_status.html", context)


@admin.register(EmployeeImport)
class EmployeeImportAdmin(admin.ModelAdmin):
    """Past imports, read only. The file's text is never shown: the employees are."""

    list_display = (
        "id",
        "report",
        "status",
        "uploaded_by",
        "created_at",
        "total_rows",
        "error_count",
    )
    list_display_links = ("id",)
    list_filter = ("status",)
    list_select_related = ("uploaded_by",)
    fields = (
        "report",
        "status",
        "uploaded_by",
        "total_rows",
        "rows_checked",
        "error_count",
        "created",
        "updated",
        "unchanged",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).defer("csv_text")

    @admin.display(description="file name", ordering="file_name")
    def report(self, obj: EmployeeImport) -> str:
        url = reverse("admin:people_employee_import_status", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.file_name)

    @admin.display(description="errors")
    def error_count(self, obj: EmployeeImport) -> int:
        return len(obj.errors)

    def has_module_permission(self, request) -> bool:
        return _may_import(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _may_import(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
