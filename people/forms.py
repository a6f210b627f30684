"""Forms of the directory: the HRIS upload, accounts and employees in the admin, password reset."""

from django import forms
from django.contrib.auth import get_user_model

from people.accounts import address_taken

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


class PasswordResetForm(forms.Form):
    """The "Forgot your password?" form: only an address; what happens to it is
    `people.accounts.account_password_reset_ask` (the same work whether or not an account
    has it). Accounts without a usable password are reached too: the HRIS import creates
    them, and this is how an employee chooses a first password."""

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _address_free(email: str, user) -> str:
    email = email.strip()
    if address_taken(email=email, user=user):
        raise forms.ValidationError(
            "This e-mail address is already used by another account.", code="address_taken"
        )
    return email


class AccountCreationForm(forms.ModelForm):
    """The admin's "add user": an address and a name, never a password. The account gets no
    usable password; its owner chooses one through the link sent to the address (F12)."""

    class Meta:
        model = get_user_model()
        fields = ["email", "first_name", "last_name"]

    def clean_email(self):
        return _address_free(self.cleaned_data["email"], None)


class AccountChangeForm(forms.ModelForm):
    """The admin's account form: no password, no username. A new address is only asked for,
    turning an account on needs a second HR admin (`people.accounts.account_update`)."""

    class Meta:
        model = get_user_model()
        fields = [
            "first_name",
            "last_name",
            "email",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        ]
        help_texts = {
            "email": "A new address is only asked for: the person keeps signing in with the "
            "current one until they confirm the new one from a link sent to it.",
            "is_active": "Turning an account off is immediate. Turning it on again is asked for "
            "here and approved by a second HR admin.",
        }

    def clean_email(self):
        return _address_free(self.cleaned_data["email"], self.instance)


class EmployeeAdminForm(forms.ModelForm):
    """The admin's employee form: a new address goes to the directory at once and is only
    asked for on the person's account (as the HRIS import does)."""

    def clean(self):
        data = super().clean()
        user = self.instance.user if self.instance.pk else data.get("user")
        if data.get("email"):
            try:
                data["email"] = _address_free(data["email"], user)
            except forms.ValidationError as exc:
                self.add_error("email", exc)
        return data
