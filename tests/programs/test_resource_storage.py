"""Uploaded papers go through Django's storage API only, so a deployment can keep them on
shared object storage (STORAGES["default"], e.g. django-storages' S3 backend) and every web
node serves every paper: with an in-memory storage a coordinator uploads in the browser and a
participant downloads, and no local folder is touched."""

import re
from pathlib import Path

from django.conf import settings
from django.core.files.storage import InMemoryStorage, default_storage
from django.urls import reverse

from programs.models import Resource
from tests.builders.programs import PDF_BYTES, pdf_upload

IN_MEMORY = {"BACKEND": "django.core.files.storage.InMemoryStorage"}

# Reading or writing a path of the media folder instead of asking the storage.
LOCAL_FILE_ACCESS = re.compile(r"\bMEDIA_ROOT\b|\.file\.path\b|storage\.path\(|\.path\(\s*\)")


def test_a_paper_is_uploaded_and_downloaded_through_the_storage_only(
    settings, tmp_path, program, coordinator, participant, signed_in_client
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": IN_MEMORY}

    response = signed_in_client(coordinator).post(
        reverse("programs:program_resource_create", args=[program.slug]),
        {"title": "Guide", "description": "", "file": pdf_upload("Mentoring guide.pdf")},
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert isinstance(default_storage._wrapped, InMemoryStorage)
    assert default_storage.exists(resource.file.name)

    download = signed_in_client(participant).get(
        reverse("programs:resource_download", args=[resource.pk])
    )
    body = b"".join(download.streaming_content)

    assert download.status_code == 200
    assert body == PDF_BYTES
    assert "Mentoring guide.pdf" in download["Content-Disposition"]
    assert not (tmp_path / "media").exists()


def test_a_paper_missing_from_the_storage_is_a_404(
    settings, program, coordinator, participant, signed_in_client
):
    settings.STORAGES = {**settings.STORAGES, "default": IN_MEMORY}
    signed_in_client(coordinator).post(
        reverse("programs:program_resource_create", args=[program.slug]),
        {"title": "Guide", "description": "", "file": pdf_upload()},
    )
    resource = Resource.objects.get()
    default_storage.delete(resource.file.name)

    response = signed_in_client(participant).get(
        reverse("programs:resource_download", args=[resource.pk])
    )

    assert response.status_code == 404


def test_no_app_reads_or_writes_the_media_folder_directly():
    base = Path(settings.BASE_DIR)
    apps = [d for d in base.iterdir() if (d / "__init__.py").exists() and d.name != "tests"]
    offenders = [
        f"{path.relative_to(base)}:{number}"
        for app in apps
        for path in sorted(app.rglob("*.py"))
        if path.name != "settings.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if LOCAL_FILE_ACCESS.search(line)
    ]
    assert len(apps) > 5
    assert offenders == []
