"""The one builder of IAM request contexts: the caller side and the resource side.

Every interface (console pages, REST API, IAM/STS query API, Amazon MQ API), the simulator and
the effective-permissions matrix build their request contexts here, so that they cannot
disagree about what a request carries:

- ``caller_context``: what AWS derives from the caller and the transport (``aws:PrincipalArn``,
  ``aws:PrincipalTag/*``, ``aws:userid``, MFA keys, ``aws:SourceIp``, ``aws:CurrentTime`` …).
- ``resource_context``: what AWS derives from the resource the action targets
  (``aws:ResourceTag/*``, ``iam:ResourceTag/*``, ``iam:PermissionsBoundary``,
  ``aws:ResourceAccount``), read from the resource itself by its ARN. Which of these keys an
  action receives is data: the Service Authorization Reference catalog lists the condition keys
  of every action and resource type, and a key the action does not list is not supplied.

Resource lookups are registered per ARN resource type (``register_resource_resolver``) by the
app that owns the resource type, so this module needs no import of the brokers app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from accounts.principals import ASSUMED_ROLE, Principal
from policies.catalog import get_catalog

IAM_REGION = "us-east-1"  # IAM is global; AWS reports its calls in us-east-1

# Keys that only the resource side may supply: a caller cannot claim a resource's tags.
RESOURCE_KEY_PREFIXES = ("aws:resourcetag/", "iam:resourcetag/")
PERMISSIONS_BOUNDARY_KEY = "iam:PermissionsBoundary"


@dataclass(frozen=True)
class ResourceFacts:
    """What the resource side of a context is made of: the resource's tags and boundary."""

    tags: Mapping[str, str] = field(default_factory=dict)
    permissions_boundary: str = ""  # the ARN of the resource's permissions boundary, if any


Resolver = Callable[[str, str, str], "ResourceFacts | None"]
_RESOLVERS: dict[tuple[str, str], Resolver] = {}


def register_resource_resolver(service: str, resource_type: str, resolver: Resolver) -> None:
    """Teach the builder how to read ``service``'s ``resource_type`` resources.

    ``resolver(account_id, region, resource_id)`` returns the facts of the resource, or None
    when it does not exist (a resource being created has no resource side).
    """
    _RESOLVERS[(service, resource_type)] = resolver


def split_arn(arn: str) -> tuple[str, str, str, str, str] | None:
    """``(service, region, account, resource type, resource id)`` of an ARN, None for ``*``."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    _, _, service, region, account, resource = parts
    for separator in ("/", ":"):
        kind, sep, rest = resource.partition(separator)
        if sep:
            return service, region, account, kind, rest
    return service, region, account, resource, ""


def resource_facts(arn: str) -> ResourceFacts | None:
    """The facts of the resource an ARN names (None: not a resource, unknown or missing)."""
    parsed = split_arn(arn)
    if parsed is None:
        return None
    service, region, account, kind, rest = parsed
    resolver = _RESOLVERS.get((service, kind))
    if resolver is None or not rest:
        return None
    return resolver(account, region, rest)


def resource_context(action: str, arn: str, facts: ResourceFacts | None = None) -> dict:
    """The resource side of ``action`` on ``arn``: only the keys the catalog lists for it.

    ``facts`` is read from the resource when not given (the matrix passes what it already
    loaded, so that stored decisions and enforcement use the same keys).
    """
    parsed = split_arn(arn)
    if parsed is None:
        return {}
    context: dict = {}
    account = parsed[2]
    if account and account != "aws":
        context["aws:ResourceAccount"] = account
    if facts is None:
        facts = resource_facts(arn)
    if facts is None:
        return context
    catalog = get_catalog()
    entry = catalog.action(action)
    if entry is None:
        return context
    for key, value in facts.tags.items():
        for prefix in ("aws:ResourceTag/", "iam:ResourceTag/"):
            name = f"{prefix}{key}"
            if catalog.action_supports_key(entry, name):
                context[name] = value
    if facts.permissions_boundary and catalog.action_supports_key(entry, PERMISSIONS_BOUNDARY_KEY):
        context[PERMISSIONS_BOUNDARY_KEY] = facts.permissions_boundary
    return context


def resource_type_context(arn: str, facts: ResourceFacts) -> dict:
    """The resource side that every action on an Amazon MQ resource type receives.

    The matrix evaluates all actions of a resource with one context: for a broker or a
    configuration that is exact, since the reference lists ``aws:ResourceTag/${TagKey}`` on the
    resource type itself (so on every action of it) and no other resource key.
    """
    parsed = split_arn(arn)
    context: dict = {}
    if parsed is not None and parsed[2] and parsed[2] != "aws":
        context["aws:ResourceAccount"] = parsed[2]
    for key, value in facts.tags.items():
        context[f"aws:ResourceTag/{key}"] = value
    return context


def caller_context(
    principal: Principal,
    *,
    source_ip: str | None = None,
    secure: bool = False,
    now: datetime | None = None,
    region: str = IAM_REGION,
) -> dict:
    """The caller side AWS would build for this principal's call (iam-reference.md §3)."""
    now = now or datetime.now(UTC)
    context: dict = {
        "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:SecureTransport": "true" if secure else "false",
        "aws:RequestedRegion": region,
        "aws:PrincipalArn": principal.principal_arn,
        "aws:PrincipalAccount": principal.account_id,
        "aws:PrincipalType": principal.principal_type,
        "aws:userid": principal.user_id,
        "aws:ViaAWSService": "false",
    }
    if source_ip:
        context["aws:SourceIp"] = source_ip
    if principal.username:
        context["aws:username"] = principal.username
    for key, value in principal.tags.items():
        context[f"aws:PrincipalTag/{key}"] = value
    # MFA keys exist only for temporary credentials (console sessions and role sessions);
    # a long-term access key carries neither (iam-reference.md §3).
    if principal.credential in ("console", "session") or principal.kind == ASSUMED_ROLE:
        mfa_at = principal.mfa_authenticated_at
        context["aws:MultiFactorAuthPresent"] = "true" if mfa_at else "false"
        if mfa_at:
            context["aws:MultiFactorAuthAge"] = str(max(0, int((now - mfa_at).total_seconds())))
    if principal.token_issued_at:
        context["aws:TokenIssueTime"] = principal.token_issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    if principal.source_identity:
        context["aws:SourceIdentity"] = principal.source_identity
    return context


def request_context(
    principal: Principal,
    *,
    source_ip: str | None = None,
    secure: bool = False,
    now: datetime | None = None,
    region: str = IAM_REGION,
    request_tags: dict | None = None,
    extra: dict | None = None,
) -> dict:
    """Caller side plus the request's own parameters (``aws:RequestTag/*``, ``aws:TagKeys``…).

    The resource side is added by ``authorize`` from the resource itself.
    """
    context = caller_context(principal, source_ip=source_ip, secure=secure, now=now, region=region)
    if request_tags is not None:
        for key, value in request_tags.items():
            context[f"aws:RequestTag/{key}"] = value
        context["aws:TagKeys"] = list(request_tags)
    context.update(extra or {})
    return context


def complete_context(action: str, resource: str, context: Mapping) -> dict:
    """``context`` with its resource side replaced by what the resource itself says.

    A request parameter that AWS supplies as ``iam:PermissionsBoundary`` (the boundary being
    set by ``Put*PermissionsBoundary`` or ``Create*``) is kept; any resource tag a caller put in
    the context is dropped, because only the resource can say what its tags are.
    """
    completed = {
        k: v for k, v in context.items() if not k.lower().startswith(RESOURCE_KEY_PREFIXES)
    }
    for key, value in resource_context(action, resource).items():
        if key == PERMISSIONS_BOUNDARY_KEY and key in completed:
            continue
        completed[key] = value
    return completed
