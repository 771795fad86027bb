"""Resolving API credentials: an access key id (and session token) to a principal and secret."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.crypto import decrypt
from accounts.models import AccessKey, RoleSession
from accounts.principals import (
    Principal,
    principal_for_role_session,
    principal_for_root,
    principal_for_user,
)
from accounts.services.session_tokens import session_token_credential
from accounts.services.sts import token_hash
from accounts.sigv4 import SigV4Error, expired_token, invalid_client_token_id

# AWS reports "last used" approximately; writing at most once a minute per key keeps API
# calls from each costing an UPDATE.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class ResolvedCredential:
    """Who signs with this key, and the secret to verify the signature with."""

    principal: Principal
    secret_access_key: str
    access_key: AccessKey | None = None


def resolve_access_key(access_key_id: str, security_token: str | None) -> ResolvedCredential:
    """The principal behind a key id; unknown, inactive, expired or revoked keys are refused."""
    if access_key_id.startswith("ASIA"):
        session = (
            RoleSession.objects.select_related("role__account")
            .filter(access_key_id=access_key_id)
            .first()
        )
        if session is None:
            # GetSessionToken credentials have no row: their token describes them.
            principal, secret = session_token_credential(access_key_id, security_token)
            return ResolvedCredential(principal, secret)
        if session.revoked_at is not None:
            raise invalid_client_token_id()
        if not security_token or not hmac.compare_digest(
            token_hash(security_token), session.token_hash
        ):
            raise SigV4Error(
                "InvalidClientTokenId", "The security token included in the request is invalid."
            )
        if session.expires_at <= timezone.now():
            raise expired_token()
        return ResolvedCredential(
            principal_for_role_session(session, credential="session", access_key_id=access_key_id),
            decrypt(session.secret_encrypted),
        )
    key = (
        AccessKey.objects.select_related("user__account", "root_user__account")
        .filter(access_key_id=access_key_id, status=AccessKey.Status.ACTIVE)
        .first()
    )
    if key is None:
        raise invalid_client_token_id()
    if key.user is not None:
        principal = principal_for_user(
            key.user, credential="access-key", access_key_id=access_key_id
        )
    else:
        principal = principal_for_root(
            key.root_user, credential="access-key", access_key_id=access_key_id
        )
    return ResolvedCredential(principal, decrypt(key.secret_encrypted), key)


def key_owner(access_key_id: str) -> tuple[str, str]:
    """(ARN, account id) of whoever a key id belongs to, active or not; ("", "") if unknown."""
    if access_key_id.startswith("ASIA"):
        session = (
            RoleSession.objects.select_related("role__account")
            .filter(access_key_id=access_key_id)
            .first()
        )
        return (session.arn, session.role.account.account_id) if session else ("", "")
    key = (
        AccessKey.objects.select_related("user__account", "root_user__account")
        .filter(access_key_id=access_key_id)
        .first()
    )
    if key is None:
        return "", ""
    owner = key.user or key.root_user
    return owner.arn, owner.account.account_id


def record_key_use(key: AccessKey | None, *, service: str, region: str) -> None:
    """Remember when, for which service and region a long-term key was last used."""
    if key is None:
        return
    now = timezone.now()
    if (
        key.last_used_at
        and now - key.last_used_at < LAST_USED_RESOLUTION
        and key.last_used_service == service
        and key.last_used_region == region
    ):
        return
    AccessKey.objects.filter(pk=key.pk).update(
        last_used_at=now, last_used_service=service, last_used_region=region
    )
