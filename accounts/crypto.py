"""Encryption of secrets at rest (access key secrets, TOTP seeds) with FIELD_ENCRYPTION_KEY."""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(plaintext: str) -> bytes:
    """Encrypt with the first configured key."""
    return _fernet().encrypt(plaintext.encode())


def decrypt(token: bytes | memoryview) -> str:
    """Decrypt with any configured key (so keys can be rotated)."""
    return _fernet().decrypt(bytes(token)).decode()
