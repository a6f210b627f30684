"""Upload checks for resources: size, extension, and that the bytes are what the name says."""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError

# Extension -> (content type, accepted leading bytes). OOXML and OpenDocument files are ZIP
# containers; the legacy Office formats are OLE compound files.
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ZIP,
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ZIP,
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    ".odp": ("application/vnd.oasis.opendocument.presentation", _ZIP),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE),
}


def resource_content_type(name: str) -> str:
    return ALLOWED_TYPES[PurePath(name).suffix.lower()][0]


def validate_resource_file(upload) -> None:
    """Refuse files that are too large, of another kind, or whose bytes do not match."""
    limit = settings.RESOURCE_MAX_BYTES
    name = PurePath(getattr(upload, "name", "") or "")
    suffix = name.suffix.lower()
    if suffix not in ALLOWED_TYPES:
        raise ValidationError(
            "Only PDF and office documents can be published (%(kinds)s).",
            params={"kinds": ", ".join(sorted(ALLOWED_TYPES))},
            code="file_type",
        )
    if upload.size > limit:
        raise ValidationError(
            "The file is %(size)s MB; the limit is %(limit)s MB.",
            params={"size": round(upload.size / 1_048_576, 1), "limit": limit // 1_048_576},
            code="file_size",
        )
    if upload.size == 0:
        raise ValidationError("The file is empty.", code="file_empty")
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(8)
    upload.seek(position)
    if not any(head.startswith(magic) for magic in ALLOWED_TYPES[suffix][1]):
        raise ValidationError(
            "The file's content is not a %(kind)s document, although its name says so.",
            params={"kind": suffix.lstrip(".").upper()},
            code="file_content",
        )
