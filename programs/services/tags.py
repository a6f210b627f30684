"""Writes for the tags a program offers its applicants."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from core.refusals import refuse
from people.models import User
from programs import selectors
from programs.models import (
    Tag,
)


@transaction.atomic
def tag_create(*, by: User, name: str) -> Tag:
    if not selectors.is_any_coordinator(user=by):
        raise refuse("Only program coordinators manage the tags.", "not_coordinator")
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the tag a name."})
    if Tag.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"The tag '{name}' already exists."})
    tag = Tag(name=name)
    tag.full_clean()
    tag.save()
    return tag


@transaction.atomic
def tag_delete(*, by: User, tag: Tag) -> None:
    if not selectors.is_any_coordinator(user=by):
        raise refuse("Only program coordinators manage the tags.", "not_coordinator")
    tag.delete()
