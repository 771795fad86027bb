"""STS: GetCallerIdentity, AssumeRole and GetSessionToken over the query protocol."""

from __future__ import annotations

import json

from django.utils import timezone

from accounts.errors import AccessDenied as AccessDeniedError
from accounts.principals import ASSUMED_ROLE
from accounts.query_api.common import caller_identity
from accounts.query_api.registry import Call, operation, tags_in
from accounts.services import session_tokens, sts_mfa
from accounts.services import sts as sts_service
from policies.engine import policy_size
from policies.permissions import context_for_request

# AWS reports the session policy and tags as a percentage of the space packed into a token.
PACKED_POLICY_SPACE = 2048


def _mfa(call: Call) -> bool:
    """SerialNumber/TokenCode of the call, throttled and audited by the one STS MFA service."""
    return sts_mfa.sts_mfa_verify(
        actor=call.actor,
        principal=call.principal,
        action=f"sts:{call.operation}",
        serial=call.get("SerialNumber"),
        code=call.get("TokenCode"),
    )


@operation("sts", "GetCallerIdentity")
def get_caller_identity(call: Call) -> dict:
    """Who the credentials belong to; needs no permission, as in AWS."""
    principal = call.principal
    return {"UserId": principal.user_id, "Account": principal.account_id, "Arn": principal.arn}


def _packed_size(policy: str | None, tags: dict | None) -> int | None:
    if not policy and not tags:
        return None
    used = len(json.dumps(tags or {}, separators=(",", ":")))
    if policy:
        used += policy_size(json.loads(policy))
    return max(1, round(100 * used / PACKED_POLICY_SPACE))


@operation("sts", "AssumeRole")
def assume_role(call: Call) -> dict:
    """Temporary credentials for a role whose trust policy (and the caller's policies) allow."""
    arn = call.get("RoleArn")
    role = sts_service.role_for_assume(arn)
    caller = call.principal
    context = context_for_request(call.request, caller, region=call.region)
    if call.get("ExternalId") is not None:
        context["sts:ExternalId"] = call.get("ExternalId")
    tags = tags_in(call.get("Tags"))
    new = sts_service.assume_role(
        actor=call.actor,
        caller=caller,
        role=role,
        role_arn=arn,
        session_name=call.get("RoleSessionName"),
        context=context,
        duration_s=call.get("DurationSeconds", 3600),
        session_policy=call.get("Policy") or None,
        session_policy_arns=[p["arn"] for p in call.get("PolicyArns") or [] if p.get("arn")],
        tags=tags or None,
        transitive_tag_keys=list(call.get("TransitiveTagKeys") or []),
        source_identity=call.get("SourceIdentity"),
        mfa_authenticated=_mfa(call),
    )
    session = new.session
    return {
        "Credentials": new.as_aws_credentials(),
        "AssumedRoleUser": {
            "AssumedRoleId": f"{session.role.unique_id}:{session.session_name}",
            "Arn": session.arn,
        },
        "PackedPolicySize": _packed_size(session.session_policy or None, session.session_tags),
        "SourceIdentity": session.source_identity or None,
    }


@operation("sts", "GetSessionToken")
def get_session_token(call: Call) -> dict:
    """MFA-backed temporary credentials for an IAM user or root user (needs no permission)."""
    caller = call.principal
    owner = caller_identity(call)
    if caller.kind == ASSUMED_ROLE or caller.credential != "access-key" or owner is None:
        raise AccessDeniedError("Cannot call GetSessionToken with session credentials")
    mfa_used = _mfa(call)
    new = session_tokens.session_token_issue(
        actor=call.actor,
        owner=owner,
        parent_access_key_id=caller.access_key_id,
        duration_s=call.get("DurationSeconds"),
        mfa_authenticated_at=timezone.now() if mfa_used else None,
    )
    return {"Credentials": new.as_aws_credentials()}
