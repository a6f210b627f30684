"""Encryption at rest for confidential text (F10).

Keys come from the environment: NOTE_KEYS (or NOTE_KEYS_FILE) holds comma-separated Fernet
keys, newest first. The newest encrypts; every key still decrypts, so old rows stay readable
after a new key is added, until `manage.py rotate_note_keys` re-encrypts them.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    if not keys:
        raise ImproperlyConfigured(
            "NOTE_KEYS is empty: confidential text cannot be stored without an encryption key."
        )
    try:
        fernets = [Fernet(key.encode()) for key in keys]
    except ValueError as exc:
        raise ImproperlyConfigured(
            "NOTE_KEYS holds a value that is not a Fernet key (32 url-safe base64 bytes)."
        ) from exc
    return MultiFernet(fernets), fernets[0]


def keyring() -> MultiFernet:
    return _fernets(tuple(settings.NOTE_KEYS))[0]


def primary() -> Fernet:
    return _fernets(tuple(settings.NOTE_KEYS))[1]


def encrypt(text: str) -> str:
    return PREFIX + keyring().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("stored value is not encrypted")
    try:
        return keyring().decrypt(token[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A confidential value cannot be decrypted with any key in NOTE_KEYS. Was a key "
            "removed before `manage.py rotate_note_keys` re-encrypted everything?"
        ) from exc


def is_under_primary(token: str) -> bool:
    """True when the newest key already encrypts this value (rotation skips it)."""
    try:
        primary().decrypt(token[len(PREFIX) :].encode())
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    return PREFIX + keyring().rotate(token[len(PREFIX) :].encode()).decode()


class EncryptedTextField(models.TextField):
    """A text field stored as a Fernet token. Never searchable, never shown in the admin."""

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def to_python(self, value):
        return value
