"""Simulating requests: the same gathering and engine as ``authorize``, with explanations."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace

from accounts.identifiers import assumed_role_arn
from accounts.principals import ASSUMED_ROLE, Principal, principal_for_user
from config import jsonsafe
from policies.context import request_context, resource_context
from policies.engine import PolicyError, Request, evaluate, parse
from policies.engine.model import PolicySet
from policies.engine.validate import Locator
from policies.selectors import GatheredPolicies, PolicySource, gather_policies

# Keys the simulator fills from the principal itself; every other referenced key is the
# user's to supply (and is reported missing when it is not).
DERIVED_PREFIXES = (
    "aws:username",
    "aws:userid",
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principaltype",
    "aws:principaltag/",
)


@dataclass(frozen=True)
class SimulatedPolicy:
    """A policy taking part, with its text for display (statements located by line)."""

    label: str
    layer: str
    text: str


@dataclass(frozen=True)
class SimulationResult:
    action: str
    resource: str
    decision: str
    message: str
    layers: list
    deciding: list  # [{"layer", "policy", "statement", "sid", "label", "line", "end_line"}]
    missing_context: list[str]
    # Keys read from the resource itself (its tags, boundary, account), where the person
    # supplied no value of their own: the simulator shows where each value came from.
    from_resource: dict = field(default_factory=dict)
    # Keys derived from the principal (its name, ARN, tags…) and keys the person typed: with
    # ``from_resource`` these are the whole request context, each value with its origin.
    from_principal: dict = field(default_factory=dict)
    typed: dict = field(default_factory=dict)

    def context_sources(self) -> list[dict]:
        """Every context key of this request: ``{"key", "value", "source"}``, sorted by key;
        source is ``principal``, ``resource`` or ``typed`` (which overrides the other two)."""
        rows = [
            {"key": k, "value": v, "source": source}
            for source, keys in (
                ("principal", self.from_principal),
                ("resource", self.from_resource),
                ("typed", self.typed),
            )
            for k, v in keys.items()
        ]
        return sorted(rows, key=lambda row: row["key"].lower())


@dataclass
class Simulation:
    policies: list[SimulatedPolicy] = field(default_factory=list)
    referenced_keys: list[str] = field(default_factory=list)
    results: list[SimulationResult] = field(default_factory=list)


def principal_for_role(role) -> Principal:
    """A role as the simulator sees it: one of its sessions, with no session policy."""
    account_id = role.account.account_id
    return Principal(
        kind=ASSUMED_ROLE,
        account_id=account_id,
        arn=assumed_role_arn(account_id, role.name, "simulator"),
        principal_arn=role.arn,
        user_id=f"{role.unique_id}:simulator",
        name=f"{role.name}/simulator",
        pk=0,
        role_pk=role.pk,
        tags=dict(role.tags),
        credential="session",
    )


@functools.lru_cache(maxsize=16)
def _locator(text: str) -> Locator:
    # One scan per document, however many of its statements the answer points at.
    return Locator(text)


def _statement_lines(text: str, index: int) -> tuple[int | None, int | None]:
    start = _locator(text).locate(f"Statement[{index}]")
    nxt = _locator(text).locate(f"Statement[{index + 1}]")
    if start is None:
        return None, None
    end = (nxt[0] - 1) if nxt and nxt[0] > start[0] else None
    return start[0], end


def _referenced_keys(documents: list[str]) -> list[str]:
    keys: set[str] = set()
    for text in documents:
        try:
            policy = parse(text)
        except PolicyError:
            continue
        for statement in policy.statements:
            for condition in statement.conditions:
                keys.add(condition.key)
    return sorted(keys, key=str.lower)


def simulate(
    *,
    principal: Principal | None,
    draft_policies: list[str],
    draft_boundary: str | None,
    actions: list[str],
    resources: list[str],
    context: dict,
    resource_policy: str | None = None,
) -> Simulation:
    """Evaluate every action on every resource; explain each decision (raises PolicyError)."""
    for index, text in enumerate(draft_policies):
        try:
            parse(text)
        except PolicyError as error:
            raise PolicyError(f"Draft policy {index + 1}: {error.path}", error.reason) from error
    if principal is not None:
        gathered = gather_policies(principal)
        full_context = {**request_context(principal), **context}
        # The simulator does not invent the request's own facts: only principal-derived keys
        # come from the principal; time, source IP and MFA come from what the user supplies.
        full_context = {
            k: v
            for k, v in full_context.items()
            if k.lower().startswith(DERIVED_PREFIXES) or k in context
        }
        principal_arn = principal.arn
    else:
        gathered = GatheredPolicies(PolicySet(), (), None, None)
        full_context = dict(context)
        principal_arn = context.get("aws:PrincipalArn", "arn:aws:iam::000000000000:user/draft")
    identity_sources = list(gathered.identity_sources) + [
        PolicySource("identity", "draft", f"Draft policy {i + 1}", "", "", "draft", "", text, "")
        for i, text in enumerate(draft_policies)
    ]
    boundary = gathered.boundary_source
    if draft_boundary:
        boundary = PolicySource(
            "boundary", "draft", "Draft boundary", "", "", "draft", "", draft_boundary, ""
        )
    policy_set = replace(
        gathered.policy_set,
        identity=tuple(s.document for s in identity_sources),
        boundary=boundary.document if boundary else None,
        resource=resource_policy,
    )
    result = Simulation()
    result.policies = [SimulatedPolicy(s.label, "identity", s.document) for s in identity_sources]
    if boundary:
        result.policies.append(SimulatedPolicy(boundary.label, "boundary", boundary.document))
    if gathered.session_source:
        result.policies.append(
            SimulatedPolicy("Session policy", "session", gathered.session_source.document)
        )
    texts = [p.text for p in result.policies] + ([resource_policy] if resource_policy else [])
    result.referenced_keys = _referenced_keys(texts)
    known = {k.lower() for k in full_context}
    missing = [k for k in result.referenced_keys if k.lower() not in known]
    layer_texts = {
        "identity": [s.document for s in identity_sources],
        "boundary": [boundary.document] if boundary else [],
        "session": [gathered.session_source.document] if gathered.session_source else [],
        "resource": [resource_policy] if resource_policy else [],
    }
    layer_labels = {
        "identity": [s.label for s in identity_sources],
        "boundary": [boundary.label] if boundary else [],
        "session": ["Session policy"],
        "resource": ["Resource policy"],
    }
    for action in actions:
        for resource in resources:
            # The resource side comes from the resource, as enforcement reads it; what the
            # person typed overrides it (a what-if on other tags).
            from_resource = {
                k: v for k, v in resource_context(action, resource).items() if k not in full_context
            }
            request_keys = {**from_resource, **full_context}
            decision = evaluate(
                Request(
                    principal=principal_arn, action=action, resource=resource, context=request_keys
                ),
                policy_set,
            )
            explanation = decision.explanation
            deciding = []
            for ref in explanation.deciding:
                texts_of_layer = layer_texts.get(ref.layer, [])
                text = texts_of_layer[ref.policy] if ref.policy < len(texts_of_layer) else ""
                line, end = _statement_lines(text, ref.statement) if text else (None, None)
                labels = layer_labels.get(ref.layer, [])
                deciding.append(
                    {
                        "layer": ref.layer,
                        "policy": ref.policy,
                        "statement": ref.statement,
                        "sid": ref.sid,
                        "label": labels[ref.policy] if ref.policy < len(labels) else "",
                        "line": line,
                        "end_line": end,
                    }
                )
            result.results.append(
                SimulationResult(
                    action,
                    resource,
                    decision.value,
                    explanation.message,
                    [layer.to_dict() for layer in explanation.layers],
                    deciding,
                    [k for k in missing if k.lower() not in {r.lower() for r in request_keys}],
                    from_resource,
                    {k: v for k, v in full_context.items() if k not in context},
                    dict(context),
                )
            )
    return result


def simulation_to_dict(simulation: Simulation) -> dict:
    return {
        "policies": [p.__dict__ for p in simulation.policies],
        "referenced_keys": simulation.referenced_keys,
        "results": [r.__dict__ for r in simulation.results],
    }


def principal_for(kind: str, obj) -> Principal:
    return principal_for_user(obj) if kind == "user" else principal_for_role(obj)


def parse_context(text: str) -> dict:
    """``key=value`` lines; a value with commas or a JSON list becomes a multi-valued key."""
    context: dict = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"Context line {line!r} must read key=value.")
        value = value.strip()
        if value.startswith("["):
            try:
                context[key.strip()] = [str(v) for v in jsonsafe.loads(value)]
                continue
            except ValueError as exc:
                raise ValueError(f"Context value for {key.strip()} is not a JSON list.") from exc
        context[key.strip()] = value
    return context
