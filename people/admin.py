"""The directory in the admin: accounts and employees through the services, the HRIS import,
identity changes. Metadata only (people/admin_base.py)."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core.htmx import poll_status
from core.refusals import add_service_errors
from people.accounts import (
    APPROVE_REACTIVATION,
    ASK_REACTIVATION,
    account_access_set,
    account_address_change_request,
    account_create,
    account_deactivate,
    account_password_link_send,
    account_reactivation_approve,
    account_reactivation_ask,
    account_update,
    address_change_pending,
)
from people.admin_base import (
    FormRelation,
    MetadataOnlyAdmin,
    PersonPickerTarget,
    RolesReadOnlyUserAdmin,
)
from people.forms import (
    AccountChangeForm,
    AccountCreationForm,
    EmployeeAdminForm,
    EmployeeImportForm,
)
from people.hris_jobs import employee_import_start
from people.models import AddressChange, Employee, EmployeeImport, ReactivationRequest, User


def _may_import(request) -> bool:
    """HR admins: whoever may add and change employees may import them and see the imports."""
    return request.user.has_perms(["people.add_employee", "people.change_employee"])


@admin.register(User)
class PeopleUserAdmin(PersonPickerTarget, RolesReadOnlyUserAdmin, MetadataOnlyAdmin, UserAdmin):
    """Accounts (F12: nobody becomes somebody else). No password is set here for anyone,
    superusers included: the "set password" page is a 404, the forms have no password field,
    and a new account gets no usable password but a link to its own address. A new address
    is only asked for (people.accounts.account_address_change_request), turning an account
    on takes two HR admins, and every change goes through a service that logs it."""

    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")
    # Also what the pickers of accounts (a program's coordinators) search: the person's name,
    # address, employee number and department.
    search_fields = (
        "username",
        "email",
        "first_name",
        "last_name",
        "employee__number",
        "employee__department",
    )
    search_help_text = "A name, e-mail address, employee number or department."
    form = AccountChangeForm
    add_form = AccountCreationForm
    fieldsets = (
        (None, {"fields": ("username", "email", "address_pending")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        (
            "Permissions",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name")}),
    )
    readonly_fields = ("username", "address_pending", "last_login", "date_joined")
    actions = ("send_password_link", "ask_reactivation")

    @admin.display(description="new address waiting for confirmation")
    def address_pending(self, obj: User) -> str:
        change = address_change_pending(user=obj) if obj.pk else None
        if change is None:
            return "none"
        return f"{change.new_email} (asked on {change.created_at:%Y-%m-%d})"

    def user_change_password(self, request, id, form_url=""):
        """Nobody sets another person's password (F12): not HR, not a superuser."""
        raise Http404("There is no such page.")

    def save_model(self, request, obj, form, change):
        if not change:
            account_create(user=obj, by=request.user)
            return
        data, current = form.cleaned_data, User.objects.get(pk=obj.pk)
        done = account_update(
            user=current,
            by=request.user,
            **{
                name: data.get(name, getattr(current, name))
                for name in (
                    "first_name",
                    "last_name",
                    "email",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                )
            },
        )
        obj.refresh_from_db()
        if done.address_change is not None:
            messages.warning(
                request,
                f"The new address {done.address_change.new_email} waits for the person's "
                f"confirmation: they keep signing in with {obj.email} until they confirm it "
                "from the link sent to the new address. Their current address was told.",
            )
        if done.reactivation is not None:
            messages.warning(
                request,
                "Turning the account on again waits for a second HR admin's approval "
                "(People > Re-enable requests).",
            )

    def save_related(self, request, form, formsets, change):
        """Groups and permissions through the service that logs them, never form.save_m2m."""
        data = form.cleaned_data
        if change and ("groups" in data or "user_permissions" in data):
            user = form.instance
            account_access_set(
                user=user,
                by=request.user,
                groups=data.get("groups", user.groups.all()),
                permissions=data.get("user_permissions", user.user_permissions.all()),
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_ask_reactivation_permission(self, request) -> bool:
        return request.user.has_perm(ASK_REACTIVATION)

    @admin.action(
        description="Send a password reset link to the person's own address",
        permissions=["view"],
    )
    def send_password_link(self, request, queryset):
        sent = sum(account_password_link_send(user=user, by=request.user) for user in queryset)
        self.message_user(
            request,
            f"{sent} link(s) sent, each to the person's own confirmed address; "
            "inactive accounts get none.",
        )

    @admin.action(
        description="Ask to re-enable (a second HR admin approves)",
        permissions=["ask_reactivation"],
    )
    def ask_reactivation(self, request, queryset):
        asked = [
            account_reactivation_ask(user=user, by=request.user)
            for user in queryset.filter(is_active=False)
        ]
        self.message_user(
            request,
            f"{len(asked)} account(s) wait for a second HR admin's approval "
            "(People > Re-enable requests).",
        )


# A new directory entry is for an account that has none yet.
ENTRY_ACCOUNT = FormRelation(Employee, "user", User, {"employee__isnull": True})
ACCOUNT_TAKEN = (
    "This account already has a directory entry: choose an account from the list, which "
    "offers only active accounts without one."
)


@admin.register(Employee)
class EmployeeAdmin(PersonPickerTarget, MetadataOnlyAdmin):
    list_display = ("number", "full_name", "title", "department", "level", "manager", "is_active")
    list_filter = ("department", "level", "is_active")
    # Also what the pickers of employees (a manager, a declared conflict) search.
    search_fields = ("number", "first_name", "last_name", "email", "title", "department")
    search_help_text = "A name, e-mail address, employee number, title or department."
    list_select_related = ("manager",)
    autocomplete_fields = ("manager", "user")
    list_per_page = 50
    change_list_template = "admin/people/employee/change_list.html"
    form = EmployeeAdminForm

    def get_readonly_fields(self, request, obj=None):
        """An entry stays with its account (F12: pointing it at another account would make
        that account the person in every pairing)."""
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "user") if obj is not None and "user" not in fields else fields

    def autocomplete_relation(self, request, name):
        return ENTRY_ACCOUNT if name == "user" else super().autocomplete_relation(request, name)

    def get_form(self, request, obj=None, change=False, **kwargs):
        # Who saves: nobody places people under themselves (EmployeeAdminForm, F13).
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"named_by": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(employee__isnull=True)
            kwargs["error_messages"] = {"invalid_choice": ACCOUNT_TAKEN}
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """The directory takes a new address at once; the account only asks for it, and
        turning the person on again waits for a second HR admin (F12)."""
        if not change:
            return super().save_model(request, obj, form, change)
        was_active = Employee.objects.filter(pk=obj.pk).values_list("is_active", flat=True)[0]
        wanted_active, obj.is_active = obj.is_active, was_active
        super().save_model(request, obj, form, change)
        if "email" in form.changed_data:
            pending = account_address_change_request(
                user=obj.user,
                by=request.user,
                new_email=obj.email,
                source=AddressChange.Source.ADMIN,
            )
            if pending is not None:
                messages.warning(
                    request,
                    f"The person keeps signing in with {obj.user.email} until they confirm "
                    f"{pending.new_email} from the link sent to it; their current address "
                    "was told.",
                )
        if was_active and not wanted_active:
            account_deactivate(user=obj.user, by=request.user)
            obj.is_active = False
        elif wanted_active and not was_active:
            account_reactivation_ask(user=obj.user, by=request.user)
            messages.warning(
                request,
                "Turning the person on again waits for a second HR admin's approval "
                "(People > Re-enable requests).",
            )

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
                "import/<id:import_id>/",
                self.admin_site.admin_view(self.import_status_view),
                name="people_employee_import_status",
            ),
            path(
                "import/<id:import_id>/progress/",
                self.admin_site.admin_view(self.import_progress_view),
                name="people_employee_import_progress",
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

    def _import_job(self, request, import_id: int) -> EmployeeImport:
        if not _may_import(request):
            raise PermissionDenied
        # The file's text stays in the database: the progress is asked for every two seconds.
        return get_object_or_404(
            EmployeeImport.objects.defer("csv_text").select_related("uploaded_by"), pk=import_id
        )

    @staticmethod
    def _percent(job: EmployeeImport) -> int:
        return (100 * job.rows_checked // job.total_rows) if job.total_rows else 0

    def import_status_view(self, request, import_id: int):
        job = self._import_job(request, import_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Employee import #{job.pk}",
            "opts": self.model._meta,
            "job": job,
            "percent": self._percent(job),
        }
        return TemplateResponse(request, "admin/people/employee/import_status.html", context)

    def import_progress_view(self, request, import_id: int):
        """The fragment the status page polls (htmx) instead of reloading itself: the progress,
        then how the import ended with a link to the result, answered 286 (stop polling)."""
        job = self._import_job(request, import_id)
        return TemplateResponse(
            request,
            "admin/people/employee/import_status.html#progress",
            {"job": job, "percent": self._percent(job), "oob": True},
            status=poll_status(working=not job.is_finished),
        )


@admin.register(EmployeeImport)
class EmployeeImportAdmin(MetadataOnlyAdmin):
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


@admin.register(ReactivationRequest)
class ReactivationRequestAdmin(MetadataOnlyAdmin):
    """Requests to turn an account on again (F12): one HR admin asks (on the accounts' list,
    or the HRIS import in the uploader's name), a different one approves here."""

    list_display = (
        "id",
        "user",
        "status",
        "requested_by",
        "from_import",
        "approved_by",
        "created_at",
    )
    list_display_links = None
    list_filter = ("status",)
    list_select_related = ("user", "requested_by", "approved_by")
    fields = (
        "user",
        "status",
        "requested_by",
        "from_import",
        "approved_by",
        "created_at",
        "decided_at",
    )
    readonly_fields = fields
    actions = ("approve",)
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm(APPROVE_REACTIVATION)

    @admin.action(description="Approve: turn the account on again", permissions=["approve"])
    def approve(self, request, queryset):
        for asked in queryset.select_related("user"):
            try:
                account_reactivation_approve(request_id=asked.pk, by=request.user)
            except ValidationError as refusal:
                self.message_user(
                    request, f"{asked.user}: {' '.join(refusal.messages)}", messages.ERROR
                )
            else:
                self.message_user(request, f"{asked.user} is active again and was told.")
