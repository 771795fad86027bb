"""The only reader of environment variables (STYLE.md: settings read once, here).

Secrets that must exist but have no safe default (SECRET_KEY, FIELD_ENCRYPTION_KEY) are
generated on first use and kept in the git-ignored ``.local/`` directory, so a fresh clone
runs without any manual step and nothing secret is ever committed.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = BASE_DIR / ".local"

env = environ.Env()

DEFAULT_DATABASE_NAME = "mqiam"
DEFAULT_DATABASE_URL = f"postgres://root@127.0.0.1:5432/{DEFAULT_DATABASE_NAME}"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def local_secret(name: str, generate) -> str:
    """Return the environment variable ``name``, else a value persisted under ``.local/``."""
    value = env.str(name, default="")
    if value:
        return value
    path = LOCAL_DIR / name.lower()
    if path.exists():
        return path.read_text().strip()
    LOCAL_DIR.mkdir(mode=0o700, exist_ok=True)
    value = generate()
    # O_EXCL: two processes starting at once (web and worker) must agree on one secret.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def generate_secret_key() -> str:
    return secrets.token_urlsafe(50)


def generate_fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
