"""GetSessionToken: temporary credentials of an IAM user or root user, optionally MFA-backed.

No table holds them: the session token is the credentials' own description (owner, secret,
MFA time, expiry, the long-term key that asked), encrypted with the field-encryption keys, as
AWS's tokens are opaque encrypted blobs. Resolving a request decrypts it and re-reads the
owner, so a deleted user, or a deleted or deactivated parent key, ends the session at once.
Role sessions (AssumeRole) keep their ``RoleSession`` rows; this covers the one kind of
temporary credential that row cannot hold (it has no role).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.fernet import InvalidToken
from django.utils import timezone

from accounts import identifiers
from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.crypto import decrypt, encrypt
from accounts.errors import ValidationError
from accounts.models import AccessKey, IAMUser, RootUser
from accounts.principals import Principal, principal_for_root, principal_for_user
from accounts.sigv4 import expired_token, invalid_client_token_id

MIN_DURATION_S = 900
USER_MAX_DURATION_S = 129600  # 36 hours
ROOT_MAX_DURATION_S = 3600
USER_DEFAULT_DURATION_S = 43200


@dataclass(frozen=True)
class NewSessionToken:
    """Credentials from GetSessionToken: the secret and token exist only in this answer."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expires_at: datetime

    def as_aws_credentials(self) -> dict:
        return {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": self.expires_at,
        }


def session_token_issue(
    *,
    actor: Actor,
    owner: IAMUser | RootUser,
    parent_access_key_id: str,
    duration_s: int | None = None,
    mfa_authenticated_at: datetime | None = None,
) -> NewSessionToken:
    """Issue ASIA… credentials for ``owner`` (users 15 min-36 h, root at most 1 h)."""
    is_root = isinstance(owner, RootUser)
    limit = ROOT_MAX_DURATION_S if is_root else USER_MAX_DURATION_S
    if duration_s is None:
        duration_s = ROOT_MAX_DURATION_S if is_root else USER_DEFAULT_DURATION_S
    if not MIN_DURATION_S <= duration_s <= limit:
        raise ValidationError(
            f"1 validation error detected: Value '{duration_s}' at 'durationSeconds' failed to "
            f"satisfy constraint: Member must have value between {MIN_DURATION_S} and {limit}",
            fields={"DurationSeconds": f"{MIN_DURATION_S}-{limit}"},
        )
    now = timezone.now()
    expires_at = now + timedelta(seconds=duration_s)
    access_key_id = identifiers.access_key_id(temporary=True)
    secret = identifiers.secret_access_key()
    payload = {
        "k": access_key_id,
        "s": secret,
        "o": "root" if is_root else "user",
        "p": owner.pk,
        "a": parent_access_key_id,
        "m": mfa_authenticated_at.timestamp() if mfa_authenticated_at else None,
        "i": now.timestamp(),
        "e": expires_at.timestamp(),
    }
    token = encrypt(json.dumps(payload, separators=(",", ":"))).decode("ascii")
    audit_record(
        actor=actor,
        action="sts:GetSessionToken",
        resource_arn=owner.arn,
        account_id=owner.account.account_id,
        parameters={"DurationSeconds": duration_s, "MFA": mfa_authenticated_at is not None},
        after={"AccessKeyId": access_key_id, "Expiration": expires_at.isoformat()},
    )
    return NewSessionToken(access_key_id, secret, token, expires_at)


def _when(epoch: float | None) -> datetime | None:
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else None


def session_token_credential(access_key_id: str, token: str | None) -> tuple[Principal, str]:
    """(principal, secret) of GetSessionToken credentials; SigV4Error when not valid now."""
    if not token:
        raise invalid_client_token_id()
    try:
        payload = json.loads(decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError, UnicodeError, TypeError):
        raise invalid_client_token_id() from None
    if not isinstance(payload, dict) or payload.get("k") != access_key_id:
        raise invalid_client_token_id()
    if payload["e"] <= timezone.now().timestamp():
        raise expired_token()
    parent = (
        AccessKey.objects.filter(access_key_id=payload["a"], status=AccessKey.Status.ACTIVE)
        .select_related("user__account", "root_user__account")
        .first()
    )
    owner = parent and (parent.root_user if payload["o"] == "root" else parent.user)
    if owner is None or owner.pk != payload["p"]:
        raise invalid_client_token_id()
    extra = {
        "credential": "session",
        "access_key_id": access_key_id,
        "mfa_at": _when(payload.get("m")),
        "token_issued_at": _when(payload["i"]),
        "session_expires_at": _when(payload["e"]),
    }
    build = principal_for_root if payload["o"] == "root" else principal_for_user
    return build(owner, **extra), payload["s"]
