from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class EmployeeImportForm(forms.Form):
    file = forms.FileField(
        label="HRIS export (CSV, UTF-8)",
        help_text=(
            "Columns: employee_number, first_name, last_name, email, title, department, level, "
            "manager_number, and optionally location and active. Nothing is saved unless every "
            "row is valid."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB.")
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("Upload the export as a .csv file.")
        return upload


def add_service_errors(form: forms.Form, exc) -> None:
    """Show a service's refusal (a ValidationError) on the form: per field where it names one
    the form has, otherwise at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Also reaches accounts that have no password yet.

    The HRIS import creates accounts without a usable password; "Forgot your password?" is
    how an employee chooses their first one. Inactive accounts are still never reached, and
    the page answers the same whether or not the address exists.
    """

    def get_users(self, email):
        model = get_user_model()
        return (
            user
            for user in model._default_manager.filter(email__iexact=email, is_active=True)
            if _email_matches(email, user.email)
        )


def _email_matches(given: str, stored: str) -> bool:
    from django.utils.crypto import constant_time_compare

    return constant_time_compare(given.casefold(), (stored or "").casefold())
