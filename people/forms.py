"""Forms of the directory: the HRIS upload, accounts and employees in the admin, password reset."""

from django import forms
from django.contrib.auth import get_user_model

from people.accounts import address_taken
from people.picker import PICKER_LIMIT, people_choosable, person_choosable_get
from people.selectors import reporting_chain_up_ids

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


SELF_ABOVE = (
    "You cannot place someone under yourself: a person's manager and the senior leaders above "
    "them may see what their mentoring agreements share with them. Another HR admin makes "
    "this change."
)
SELF_GRADE = (
    "You cannot change your own grade or manager: senior leaders may see what the mentoring "
    "agreements of the people below them share with them. Another HR admin makes this change."
)


class EmployeeAdminForm(forms.ModelForm):
    """The admin's employee form: a new address goes to the directory at once and is only
    asked for on the person's account (as the HRIS import does).

    The reporting line decides who sees the sharing rules' manager and leadership pages (F6),
    so nobody changes it in their own favour (F13): `named_by` (the admin's user, set by
    EmployeeAdmin.get_form) may not become anyone's manager or senior leader here, directly
    or through someone who reports to them, nor change their own grade or manager."""

    named_by = None

    def _refuse_self_grant(self, data) -> None:
        me = getattr(self.named_by, "employee", None) if self.named_by is not None else None
        if me is None:
            return
        manager = data.get("manager")
        if "manager" in self.changed_data and manager is not None:
            above = {manager.pk} | reporting_chain_up_ids(employee_id=manager.pk)
            if me.pk in above:
                self.add_error("manager", SELF_ABOVE)
        if self.instance.pk == me.pk:
            for name in ("level", "manager"):
                if name in self.changed_data and name not in self.errors:
                    self.add_error(name, SELF_GRADE)

    def clean(self):
        data = super().clean()
        self._refuse_self_grant(data)
        user = self.instance.user if self.instance.pk else data.get("user")
        if data.get("email"):
            try:
                data["email"] = _address_free(data["email"], user)
            except forms.ValidationError as exc:
                self.add_error("email", exc)
        return data


# --- The people picker (people/picker.py) ---------------------------------------------------


class PersonInput(forms.Widget):
    """A text box that works without JavaScript and, with it, becomes a combobox.

    Posted: the text typed (`<name>`); with it, the id of the person chosen from the list
    (`<name>_id`), or picked from the "Which one?" radios (`<name>_pick`), and the text that
    choice belongs to (`<name>_for`): a choice counts only while the text is still the one it
    was made for, so editing the name after choosing searches again. static/js/picker.js turns
    the box into a WAI-ARIA 1.2 combobox whose listbox htmx fills from `search_url`.
    """

    template_name = "people/person_input.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.search_url = ""
        self.matches: list = []
        self.more = False

    def value_from_datadict(self, data, files, name):
        return {
            "text": data.get(name, ""),
            "id": data.get(f"{name}_id", ""),
            "pick": data.get(f"{name}_pick", ""),
            "for": data.get(f"{name}_for", ""),
        }

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_id" not in data

    def format_value(self, value):
        if value is None or value == "":
            return {"text": "", "id": "", "for": ""}
        if hasattr(value, "full_name"):
            return {"text": value.full_name, "id": str(value.pk), "for": value.full_name}
        text = str(value.get("text", ""))
        if self.matches:
            # The "Which one?" radios stand for the text they answer; no earlier choice.
            return {"text": text, "id": "", "for": text}
        return {"text": text, "id": value.get("id", ""), "for": value.get("for", "")}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["search_url"] = self.search_url
        widget["matches"] = self.matches
        widget["more"] = self.more
        return context


class PersonField(forms.Field):
    """One person, chosen from those the form's user may choose for `purpose`.

    The form calls `bind` with the chooser, the program or review the choice is for, and the
    address of the search (a view that asks the same permission as the form). Cleaning:
    - a chosen id (from the list, or the radios) must be in the choosable set; a forged or
      stale id gets the same error as a name nobody has;
    - otherwise the text is searched: one person, or one whose whole name, e-mail address or
      employee number is exactly the text, is chosen; several come back as "Which one?"
      radios with their title and department; nobody is a field error.
    """

    widget = PersonInput
    default_error_messages = {
        "required": "Type a name, e-mail address, employee number or department.",
        "none": (
            "Nobody you can choose here matches “%(text)s”. Check the spelling, or try an "
            "e-mail address or employee number."
        ),
        "several": "Several people match “%(text)s”: which one? Choose below, or type more.",
    }

    def __init__(self, *, purpose, **kwargs):
        kwargs.setdefault(
            "help_text", "Type a name, e-mail address, employee number or department."
        )
        super().__init__(**kwargs)
        self.purpose = purpose
        self.user = None
        self.within = None
        self.current = None

    def bind(self, *, user, within=None, search_url: str, current=None) -> None:
        """Who chooses, for what, where the search is; `current` (the person already in the
        role, as when editing a session) is kept as it is when the form sends them back."""
        self.user = user
        self.within = within
        self.current = current
        self.widget.search_url = search_url

    def clean(self, value):
        value = value if isinstance(value, dict) else {"text": value or ""}
        text = " ".join(str(value.get("text", "")).split())
        chosen = ""
        if text and " ".join(str(value.get("for", "")).split()) == text:
            chosen = str(value.get("id") or value.get("pick") or "").strip()
        if chosen:
            if self.current is not None and chosen == str(self.current.pk):
                return self.current
            person = person_choosable_get(
                user=self.user, purpose=self.purpose, within=self.within, pk=chosen
            )
            if person is None:
                raise forms.ValidationError(
                    self.error_messages["none"], code="none", params={"text": text}
                )
            return person
        if not text:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        found = people_choosable(
            user=self.user,
            purpose=self.purpose,
            within=self.within,
            query=text,
            limit=PICKER_LIMIT + 1,
        )
        exact = [person for person in found if person.picker_rank == 0]
        if len(found) == 1 or len(exact) == 1:
            return exact[0] if exact else found[0]
        if not found:
            raise forms.ValidationError(
                self.error_messages["none"], code="none", params={"text": text}
            )
        self.widget.matches = found[:PICKER_LIMIT]
        self.widget.more = len(found) > PICKER_LIMIT
        raise forms.ValidationError(
            self.error_messages["several"], code="several", params={"text": text}
        )


def person_field(form: forms.BaseForm, name: str) -> PersonField:
    """The form's people picker field `name`, to `bind` it."""
    field = form.fields[name]
    if not isinstance(field, PersonField):
        raise TypeError(f"{name} is not a PersonField")
    return field
