"""Writes for program resources: uploaded papers and links, checked before they are kept."""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F

from core.refusals import refuse
from people.models import User
from programs import selectors
from programs.models import (
    Program,
    Resource,
)
from programs.validators import resource_content_type, validate_resource_file


@transaction.atomic
def resource_publish(
    *,
    by: User,
    program: Program | None,
    title: str,
    file: UploadedFile,
    description: str = "",
) -> Resource:
    """Publish a paper for one program (its coordinators) or for everyone (HR admins)."""
    if program is None:
        if not by.has_perm("programs.add_resource"):
            raise refuse("Only HR admins publish resources for everyone.", "denied")
    elif not (
        selectors.is_coordinator(user=by, program=program) or by.has_perm("programs.add_resource")
    ):
        raise refuse("Only a coordinator of this program can publish resources.", "denied")
    validate_resource_file(file)
    name = file.name or "paper"
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    resource = Resource(
        program=program,
        title=title.strip(),
        description=description.strip(),
        original_name=name[-200:],
        content_type=resource_content_type(name),
        size=file.size or 0,
        checksum=digest.hexdigest(),
        uploaded_by=by,
    )
    resource.file = file
    resource.full_clean()
    resource.save()
    return resource


def resource_count_download(*, resource: Resource) -> None:
    Resource.objects.filter(pk=resource.pk).update(download_count=F("download_count") + 1)
