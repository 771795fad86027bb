"""STS: AssumeRole issues role sessions (ASIA… key, secret, session token) after IAM says yes.

The role's trust policy is evaluated as the resource-based policy of ``sts:AssumeRole`` on the
role's ARN, together with the caller's identity policies, with AWS's same-account and
cross-account rules (the engine's job); this module checks the request's own rules.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts import identifiers, rules
from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.crypto import encrypt
from accounts.errors import IAMError, MalformedPolicyDocument, ValidationError
from accounts.models import Role, RoleSession
from accounts.principals import ASSUMED_ROLE, Principal
from accounts.services.trust_principals import role_trust_policy_resolved
from policies.authorization import (
    AccessDenied,
    AuthorizationResult,
    audit_denial,
    authorize,
    authorize_actor,
)
from policies.documents import check_policy_document
from policies.models import ManagedPolicy

SESSION_NAME_RE = re.compile(r"^[\w+=,.@-]{2,64}$", re.ASCII)
MIN_DURATION_S = 900
CHAINED_MAX_S = 3600
SESSION_POLICY_ARNS_MAX = 10


class RegionDisabled(IAMError):
    code = "RegionDisabledException"
    http_status = 403


class PackedPolicyTooLarge(IAMError):
    code = "PackedPolicyTooLarge"
    http_status = 400


@dataclass(frozen=True)
class NewRoleSession:
    """Temporary credentials: shown once, usable at once on every API of the console."""

    session: RoleSession
    secret_access_key: str
    session_token: str

    def as_aws_credentials(self) -> dict:
        return {
            "AccessKeyId": self.session.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": self.session.expires_at,
        }


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_assume_role_request(
    *,
    caller: Principal,
    session_name: str,
    duration_s: int,
    source_identity: str | None,
    tags: dict | None,
) -> None:
    """AWS's parameter rules for AssumeRole that do not depend on the role (checked first)."""
    if not isinstance(session_name, str) or not SESSION_NAME_RE.match(session_name):
        raise ValidationError(
            "1 validation error detected: Value at 'roleSessionName' failed to satisfy "
            r"constraint: Member must satisfy regular expression pattern: [\w+=,.@-]* "
            "and have length between 2 and 64",
            fields={"session_name": "2-64 letters, digits or + = , . @ _ -"},
        )
    if not isinstance(duration_s, int) or duration_s < MIN_DURATION_S:
        raise ValidationError(
            f"The requested DurationSeconds is below {MIN_DURATION_S} seconds.",
            fields={"duration_s": f"at least {MIN_DURATION_S}"},
        )
    if source_identity is not None and not SESSION_NAME_RE.match(source_identity):
        raise ValidationError(
            "SourceIdentity must be 2-64 characters of letters, digits and + = , . @ _ -",
            fields={"source_identity": "invalid"},
        )
    rules.check_tags(tags, entity="session")


def check_assume_role_duration(*, caller: Principal, role: Role, duration_s: int) -> None:
    """DurationSeconds within the role's MaxSessionDuration (one hour when chaining)."""
    limit = role.max_session_duration
    if caller.kind == ASSUMED_ROLE:
        limit = min(limit, CHAINED_MAX_S)  # role chaining: at most one hour
    if not MIN_DURATION_S <= duration_s <= limit:
        raise ValidationError(
            f"The requested DurationSeconds exceeds the MaxSessionDuration set for this role "
            f"or is below {MIN_DURATION_S}: allowed {MIN_DURATION_S}-{limit} seconds.",
            fields={"duration_s": f"{MIN_DURATION_S}-{limit}"},
        )


def role_session_create(
    *,
    actor: Actor,
    caller: Principal,
    role: Role,
    session_name: str,
    duration_s: int = 3600,
    session_policy: str | None = None,
    session_policy_arns: list[dict] | None = None,
    tags: dict | None = None,
    transitive_tag_keys: list[str] | None = None,
    source_identity: str | None = None,
    mfa_authenticated: bool = False,
    via_console: bool = False,
    display_color: str = "",
) -> NewRoleSession:
    """Issue the session once authorization has allowed it (tags: inherited ones included)."""
    secret = identifiers.secret_access_key()
    token = secrets.token_urlsafe(192)
    now = timezone.now()
    with transaction.atomic():
        session = RoleSession.objects.create(
            role=role,
            session_name=session_name,
            access_key_id=identifiers.access_key_id(temporary=True),
            secret_encrypted=encrypt(secret),
            token_hash=token_hash(token),
            source_arn=caller.arn,
            source_identity=source_identity or "",
            session_policy=session_policy or "",
            session_policy_arns=session_policy_arns or [],
            session_tags=dict(tags or {}),
            transitive_tag_keys=list(transitive_tag_keys or []),
            mfa_authenticated_at=(caller.mfa_authenticated_at or now)
            if mfa_authenticated
            else None,
            issued_at=now,
            expires_at=now + timedelta(seconds=duration_s),
            via_console=via_console,
            display_color=display_color,
        )
        Role.objects.filter(pk=role.pk).update(last_used_at=now)
        audit_record(
            actor=actor,
            action="sts:AssumeRole",
            resource_arn=role.arn,
            account_id=role.account.account_id,
            parameters={
                "RoleArn": role.arn,
                "RoleSessionName": session_name,
                "DurationSeconds": duration_s,
                "Policy": session_policy,
                "Tags": tags,
                "SourceIdentity": source_identity,
            },
            after={
                "AssumedRoleArn": session.arn,
                "AccessKeyId": session.access_key_id,
                "Expiration": session.expires_at.isoformat(),
            },
        )
    return NewRoleSession(session=session, secret_access_key=secret, session_token=token)


def role_session_revoke(*, actor: Actor, session: RoleSession) -> RoleSession:
    """End a role session before it expires (its keys stop working at once).

    AWS revokes sessions by putting a deny policy on the role, so this is iam:PutRolePolicy.
    """
    authorize_actor(actor, "iam:PutRolePolicy", session.role.arn)
    with transaction.atomic():
        if session.revoked_at is None:
            session.revoked_at = timezone.now()
            session.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action="console:RevokeRoleSession",
                resource_arn=session.arn,
                account_id=session.role.account.account_id,
                parameters={"AccessKeyId": session.access_key_id},
            )
    return session


def session_policies_resolve(*, role: Role, arns: list[str]) -> list[dict]:
    """PolicyArns as stored on the session: managed policies of the role's account or AWS's.

    AWS requires the session policies to be in the role's account (AWS managed
    ``arn:aws:iam::aws:policy/…`` allowed); a policy of any other account is answered like a
    missing one, so AssumeRole cannot probe another account's policy names.
    """

    if len(arns) > SESSION_POLICY_ARNS_MAX:
        raise ValidationError("At most 10 managed policy ARNs may be passed.")
    resolved = []
    for arn in arns:
        parts = arn.split(":", 5) if isinstance(arn, str) else []
        owner = parts[4] if len(parts) == 6 else None
        policy = None
        if owner in ("aws", role.account.account_id):
            candidates = ManagedPolicy.objects.filter(name=arn.rsplit("/", 1)[-1])
            candidates = (
                candidates.filter(account__isnull=True)
                if owner == "aws"
                else candidates.filter(account=role.account)
            )
            policy = next((p for p in candidates if p.arn == arn), None)
        if policy is None:
            raise MalformedPolicyDocument(
                f"Policy {arn} does not exist or is not attachable: the policies passed as "
                "PolicyArns must be AWS managed or in the role's account."
            )
        resolved.append({"arn": arn, "id": policy.unique_id})
    return resolved


def session_policy_text(policy: str | dict | None) -> str | None:
    if policy is None or policy == "":
        return None
    return policy if isinstance(policy, str) else json.dumps(policy)


def _session_tags(
    caller: Principal, tags: dict | None, transitive_tag_keys: list[str] | None
) -> tuple[dict | None, list[str]]:
    """The new session's tags and transitive keys: the caller's transitive session tags
    (role chaining: only those, never the caller's role tags or other session tags), then the
    request's; a transitive tag cannot be changed down the chain (AWS's rules).
    """
    requested = dict(tags or {})
    keys = list(transitive_tag_keys or [])
    unknown = [key for key in keys if key not in requested]
    if unknown:
        raise ValidationError(
            f"TransitiveTagKeys must be keys of the session tags: {', '.join(unknown)}.",
            fields={"TransitiveTagKeys": "not among Tags"},
        )
    inherited = caller.transitive_tags if caller.kind == ASSUMED_ROLE else {}
    changed = [k for k, v in inherited.items() if k in requested and requested[k] != v]
    if changed:
        raise ValidationError(
            "A transitive session tag cannot be changed in a chained role session: "
            f"{', '.join(changed)}.",
            fields={"Tags": "transitive tag set by an earlier session"},
        )
    merged = {**inherited, **requested}
    return merged or None, sorted({*inherited, *keys})


# What a role that does not exist is evaluated against: a trust policy that trusts no one.
NO_TRUST = '{"Version": "2012-10-17", "Statement": []}'


def role_for_assume(role_arn: str) -> Role | None:
    """The role with this ARN in any account (AssumeRole may cross accounts), or None."""
    if not isinstance(role_arn, str):
        return None
    name = role_arn.rsplit("/", 1)[-1]
    candidates = Role.objects.select_related("account").filter(name__iexact=name)
    return next((r for r in candidates if r.arn == role_arn), None)


def assume_role(
    *,
    actor: Actor,
    caller: Principal,
    role: Role | None,
    session_name: str,
    context: dict,
    role_arn: str | None = None,
    duration_s: int = 3600,
    session_policy: str | dict | None = None,
    session_policy_arns: list[str] | None = None,
    tags: dict | None = None,
    transitive_tag_keys: list[str] | None = None,
    source_identity: str | None = None,
    mfa_authenticated: bool = False,
    via_console: bool = False,
    display_color: str = "",
) -> NewRoleSession:
    """AssumeRole: the request's rules, then IAM (trust policy + caller's policies), then issue.

    ``context`` is the caller's request context; this adds the keys AssumeRole carries
    (sts:RoleSessionName, sts:ExternalId is the caller's to add, request tags, MFA).
    ``role`` None (no role has ``role_arn``) is evaluated against a trust policy that trusts
    no one, so a missing role and a forbidden one get the same AccessDenied, as in AWS.
    """
    arn = role.arn if role is not None else str(role_arn or "")
    if caller.is_root:
        result = AuthorizationResult(
            caller,
            "sts:AssumeRole",
            arn,
            "implicitDeny",
            "identity",
            "Roles may not be assumed by root accounts.",
        )
        audit_denial(actor, result)
        raise AccessDenied(result)
    check_assume_role_request(
        caller=caller,
        session_name=session_name,
        duration_s=duration_s,
        source_identity=source_identity,
        tags=tags,
    )
    policy_text = session_policy_text(session_policy)
    if policy_text is not None:
        try:
            check_policy_document(policy_text, kind="session")
        except IAMError as error:
            if error.code == "LimitExceeded":
                raise PackedPolicyTooLarge(
                    "Packed policy consumes more than 100% of the allotted space."
                ) from error
            raise
    if caller.kind == ASSUMED_ROLE and caller.source_identity:
        # Role chaining: the source identity persists and cannot be changed (AWS's rule).
        if source_identity and source_identity != caller.source_identity:
            raise ValidationError(
                "The source identity cannot be changed in a chained role session "
                f"(it is {caller.source_identity!r}).",
                fields={"source_identity": "set by the first session of the chain"},
            )
        source_identity = caller.source_identity
    tags, transitive = _session_tags(caller, tags, transitive_tag_keys)
    context = {**context, "sts:RoleSessionName": session_name}
    if transitive_tag_keys:
        context["sts:TransitiveTagKeys"] = list(transitive_tag_keys)
    if mfa_authenticated:
        context["aws:MultiFactorAuthPresent"] = "true"
        context.setdefault("aws:MultiFactorAuthAge", "0")
    if source_identity:
        context["sts:SourceIdentity"] = source_identity
    for key, value in (tags or {}).items():
        context[f"aws:RequestTag/{key}"] = value
    if tags:
        context["aws:TagKeys"] = list(tags)
    # AssumeRole, then the actions it implies (id_session-tags.html,
    # id_credentials_temp_control-access_monitor.html): passing tags needs sts:TagSession and
    # setting a source identity sts:SetSourceIdentity, each authorized exactly as AssumeRole
    # (same principal, the role's ARN, the trust policy as resource policy, same context).
    actions = ["sts:AssumeRole"]
    if tags or context.get("sts:TransitiveTagKeys"):
        actions.append("sts:TagSession")
    if source_identity:
        actions.append("sts:SetSourceIdentity")
    trust_document = role_trust_policy_resolved(role) if role is not None else NO_TRUST
    for action in actions:
        result = authorize(caller, action, arn, context, resource_policy=trust_document)
        if not result.allowed:
            audit_denial(actor, result)
            raise AccessDenied(result)
    if role is None:  # unreachable: an empty trust policy allows no one
        raise AccessDenied(
            AuthorizationResult(caller, "sts:AssumeRole", arn, "implicitDeny", "resource", "")
        )
    check_assume_role_duration(caller=caller, role=role, duration_s=duration_s)
    # Resolved only once IAM said yes: an untrusted caller learns nothing of the role
    # account's policy names.
    arns = session_policies_resolve(role=role, arns=session_policy_arns or [])
    return role_session_create(
        actor=actor,
        caller=caller,
        role=role,
        session_name=session_name,
        duration_s=duration_s,
        session_policy=policy_text,
        session_policy_arns=arns,
        tags=tags,
        transitive_tag_keys=transitive,
        source_identity=source_identity,
        mfa_authenticated=mfa_authenticated or context.get("aws:MultiFactorAuthPresent") == "true",
        via_console=via_console,
        display_color=display_color,
    )
