from django import forms

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
