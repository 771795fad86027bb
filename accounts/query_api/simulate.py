"""SimulatePrincipalPolicy and SimulateCustomPolicy: the enforcement engine, asked in advance.

A user's or role's policies come from ``gather_policies``, the gathering ``authorize`` uses,
and every (action, resource) pair is decided by the same ``evaluate``; so a simulation
answers exactly what enforcement would. Unlike AWS's simulator, ``sts:AssumeRole`` on a role
of the account is decided with the role's trust policy as the resource policy, as
``AssumeRole`` itself is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.errors import InvalidInput, NoSuchEntity
from accounts.models import Group, IAMUser, Role
from accounts.principals import Principal, principal_for_user
from accounts.query_api.positions import statement_span
from accounts.query_api.registry import Call, operation, paginate
from accounts.services.trust_principals import role_trust_policy_resolved
from policies.context import request_context
from policies.engine import PolicyError, PolicySet, Request, evaluate, parse
from policies.selectors import PolicySource, gather_policies
from policies.simulator.service import DERIVED_PREFIXES, principal_for_role

ASSUME_ROLE_ACTIONS = frozenset({"sts:assumerole"})


@dataclass(frozen=True)
class Source:
    """One policy document in the simulation and how the answer names it."""

    text: str
    policy_id: str
    policy_type: str  # user | group | role | aws-managed | user-managed | resource | none


@dataclass
class Subject:
    """Who is simulated: the principal ARN, its context keys, and its policies by layer."""

    principal_arn: str
    context: dict = field(default_factory=dict)
    identity: list[Source] = field(default_factory=list)
    boundary: Source | None = None


def _from_gathered(source: PolicySource) -> Source:
    if source.policy_type == "managed":
        aws = source.policy_arn.startswith("arn:aws:iam::aws:")
        return Source(source.document, source.policy_name, "aws-managed" if aws else "user-managed")
    kind = {"direct": "user", "group": "group", "role": "role"}.get(source.via, "none")
    return Source(source.document, source.policy_name, kind)


def _principal_context(principal: Principal) -> dict:
    """The keys the principal itself supplies, as the console's simulator derives them."""
    return {
        key: value
        for key, value in request_context(principal).items()
        if key.lower().startswith(DERIVED_PREFIXES)
    }


def _gathered_subject(principal: Principal, arn: str) -> Subject:
    gathered = gather_policies(principal)
    boundary = gathered.boundary_source
    return Subject(
        principal_arn=arn,
        context=_principal_context(principal),
        identity=[_from_gathered(s) for s in gathered.identity_sources],
        boundary=_from_gathered(boundary) if boundary else None,
    )


def _group_subject(group: Group) -> Subject:
    """A group's own inline and attached policies (a group is never a principal itself)."""
    identity = [Source(p.document, p.name, "group") for p in group.inline_policies.all()]
    for attachment in group.policy_attachments.select_related("policy__account"):
        policy = attachment.policy
        version = policy.versions.get(is_default=True)
        kind = "aws-managed" if policy.is_aws_managed else "user-managed"
        identity.append(Source(version.document, policy.name, kind))
    return Subject(principal_arn=group.arn, identity=identity)


def _subject(call: Call, arn: str) -> Subject:
    """The subject for ``PolicySourceArn`` (a user, group or role of the caller's account)."""
    account = call.account
    name = arn.rsplit("/", 1)[-1]
    for model in (IAMUser, Group, Role):
        for entity in model.objects.filter(account=account, name__iexact=name):
            if entity.arn != arn:
                continue
            if isinstance(entity, IAMUser):
                return _gathered_subject(principal_for_user(entity), arn)
            if isinstance(entity, Group):
                return _group_subject(entity)
            principal = principal_for_role(entity)
            return _gathered_subject(principal, principal.arn)
    raise NoSuchEntity(f"PolicySourceArn {arn} does not exist in this account.")


def _checked(text: str, label: str, kind: str) -> Source:
    try:
        parse(text)
    except (PolicyError, ValueError) as error:
        raise InvalidInput(f"{label} is not a valid policy document: {error}") from None
    return Source(text, label, kind)


def _inputs(call: Call, name: str) -> list[Source]:
    return [_checked(text, f"{name}.{i}", "none") for i, text in enumerate(call.get(name) or [], 1)]


def _context_entries(call: Call) -> dict:
    """``ContextEntries`` as engine context: ``…List`` types multi-valued, others one value."""
    context = {}
    for entry in call.get("ContextEntries") or []:
        key, values = entry.get("ContextKeyName"), entry.get("ContextKeyValues") or []
        if not key:
            continue
        kind = entry.get("ContextKeyType") or "string"
        context[key] = list(values) if kind.endswith("List") else (values[0] if values else "")
    return context


def _trust_policy(call: Call, action: str, resource: str) -> Source | None:
    if action.lower() not in ASSUME_ROLE_ACTIONS or ":role/" not in resource:
        return None
    name = resource.rsplit("/", 1)[-1]
    for role in Role.objects.filter(account=call.account, name__iexact=name):
        if role.arn == resource:
            return Source(role_trust_policy_resolved(role), f"{role.name} trust policy", "resource")
    return None


def _matched(refs, documents: dict[str, list[Source]]) -> list[dict]:
    out = []
    for ref in refs:
        sources = documents.get(ref.layer) or []
        if ref.policy >= len(sources):
            continue
        source = sources[ref.policy]
        item: dict = {"SourcePolicyId": source.policy_id, "SourcePolicyType": source.policy_type}
        span = statement_span(source.text, ref.statement)
        if span is not None:
            (line, column), (end_line, end_column) = span
            item["StartPosition"] = {"Line": line, "Column": column}
            item["EndPosition"] = {"Line": end_line, "Column": end_column}
        out.append(item)
    return out


def _missing(explanation, context: dict) -> list[str]:
    """Condition keys of statements matching action and resource that the context lacks."""
    present = {k.lower() for k in context}
    missing: dict[str, None] = {}
    for layer in explanation.layers:
        for result in layer.statements:
            if not result.action or result.resource is False:
                continue
            for condition in result.conditions:
                if condition.request_value is None and condition.key.lower() not in present:
                    missing.setdefault(condition.key, None)
    return list(missing)


def _result(call: Call, subject: Subject, action: str, resource: str, resource_source) -> dict:
    context = {**subject.context, **_context_entries(call)}
    resource_source = resource_source or _trust_policy(call, action, resource)
    documents = {
        "identity": subject.identity,
        "boundary": [subject.boundary] if subject.boundary else [],
        "resource": [resource_source] if resource_source else [],
    }
    policy_set = PolicySet(
        identity=tuple(s.text for s in subject.identity),
        boundary=subject.boundary.text if subject.boundary else None,
        resource=resource_source.text if resource_source else None,
    )
    decision = evaluate(Request(subject.principal_arn, action, resource, context), policy_set)
    explanation = decision.explanation
    layers = {layer.layer: layer for layer in explanation.layers}
    scps = [layer for layer in explanation.layers if layer.layer == "scp"]
    out = {
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": decision.value,
        "MatchedStatements": _matched(explanation.deciding, documents),
        "MissingContextValues": _missing(explanation, context),
        "OrganizationsDecisionDetail": {
            "AllowedByOrganizations": all(layer.result == "allow" for layer in scps)
        },
    }
    if "boundary" in layers:
        allowed = layers["boundary"].result == "allow"
        out["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": allowed}
    return out


def _simulate(call: Call, subject: Subject) -> dict:
    resource_policy = call.get("ResourcePolicy")
    resource_source = (
        _checked(resource_policy, "ResourcePolicy", "resource") if resource_policy else None
    )
    boundaries = _inputs(call, "PermissionsBoundaryPolicyInputList")
    if len(boundaries) > 1:
        raise InvalidInput("At most one permissions boundary policy may be simulated.")
    if boundaries:
        subject.boundary = boundaries[0]
    subject.identity = subject.identity + _inputs(call, "PolicyInputList")
    if call.get("CallerArn"):
        subject.principal_arn = call.get("CallerArn")
    results = [
        _result(call, subject, action, resource, resource_source)
        for action in call.get("ActionNames")
        for resource in call.get("ResourceArns") or ["*"]
    ]
    return paginate(call, results, "EvaluationResults")


@operation("iam", "SimulatePrincipalPolicy")
def simulate_principal_policy(call: Call) -> dict:
    """The policies of a user, group or role (plus any given), decided per action and resource."""
    arn = call.get("PolicySourceArn")
    subject = _subject(call, arn)
    call.require("iam:SimulatePrincipalPolicy", arn)
    return _simulate(call, subject)


@operation("iam", "SimulateCustomPolicy")
def simulate_custom_policy(call: Call) -> dict:
    """Only the given policies (and the context given), decided per action and resource."""
    call.require("iam:SimulateCustomPolicy", "*")
    caller = call.get("CallerArn") or f"arn:aws:iam::{call.account.account_id}:user/SimulatedUser"
    return _simulate(call, Subject(principal_arn=caller))
