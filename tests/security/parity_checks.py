"""Running every operation as every principal with a spy on the real seam, and the checks.

The spy wraps ``policies.authorization.authorize`` wherever a module holds it (the function
is imported by name in several places), calls the real function and records what it
decided; nothing is mocked. Each request runs in a savepoint that is rolled back, so every
principal meets the same world.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.test import Client

from policies import authorization
from tests.security.conftest import signed
from tests.security.parity_registry import Operation
from tests.security.parity_world import ACCOUNT, KINDS, PASSWORD, World

# Context keys that describe the resource, not the call: the oracle supplies these itself.
RESOURCE_KEY_PREFIXES = ("aws:resourcetag/", "iam:resourcetag/", "iam:permissionsboundary")
# Actions whose iam:PermissionsBoundary names the boundary being set, not the current one.
BOUNDARY_FROM_REQUEST = frozenset(
    {
        "iam:createuser",
        "iam:createrole",
        "iam:putuserpermissionsboundary",
        "iam:putrolepermissionsboundary",
    }
)
VOLATILE_KEYS = ("aws:CurrentTime", "aws:EpochTime")


@dataclass(frozen=True)
class Decision:
    """One decision of the seam while serving one operation for one principal."""

    kind: str  # the principal kind
    interface: str
    operation: str  # the operation's label
    action: str
    resource: str
    decision: str
    context: tuple  # sorted (key, value) pairs, time keys left out
    resource_policy: str | None = None  # the resource's own policy (a role's trust policy)
    requested_boundary: str = ""  # the boundary the request itself sets (CreateUser…)

    def row(self) -> tuple[str, ...]:
        return (
            self.operation,
            self.interface,
            self.kind,
            self.action,
            self.resource,
            self.decision,
        )


@dataclass
class Observation:
    """What one operation did for one principal: the response and the decisions behind it."""

    kind: str
    operation: Operation
    status: int
    denial_shape: bool  # the interface's own AccessDenied shape
    detail: str = ""  # the error a failed request answered (to tell why nothing was decided)
    decisions: list[Decision] = field(default_factory=list)


class DecisionSpy:
    """Records every decision of the real ``authorize`` (patched where it is bound by name)."""

    def __init__(self):
        self.real = authorization.authorize
        self.records: list | None = None
        self.patched: list[tuple[object, str]] = []

    def install(self, monkeypatch) -> None:
        real = self.real

        def spy(*args, **kwargs):
            # Generic over the seam's signature: what was decided is read from the result.
            result = real(*args, **kwargs)
            if self.records is not None:
                context = kwargs.get("context", args[3] if len(args) > 3 else {}) or {}
                self.records.append(
                    (
                        result.principal.arn,
                        result.action,
                        result.resource,
                        result.decision,
                        dict(context),
                        kwargs.get("resource_policy"),
                    )
                )
            return result

        for module in list(sys.modules.values()):
            namespace = getattr(module, "__dict__", None)
            if not isinstance(namespace, dict):
                continue
            for name, value in list(namespace.items()):
                if value is real:
                    monkeypatch.setattr(module, name, spy)
                    self.patched.append((module, name))


def _denial_shape(operation: Operation, response) -> bool:
    """Whether a 403 is the interface's own AccessDenied answer."""
    if response.status_code != 403:
        return False
    body = response.content
    if operation.interface == "query":
        return b"<Code>AccessDenied</Code>" in body
    if operation.interface == "mq":
        return response.get("x-amzn-ErrorType", "").startswith("ForbiddenException")
    if operation.interface == "rest":
        return b'"AccessDenied"' in body
    return b"is not authorized to perform" in body


_ERROR_TEXT = re.compile(
    rb'(?:invalid-feedback[^>]*>|alert-danger[^>]*>(?:<div>)?|<Message>|"message":\s*")([^<"]{1,160})'
)


def _detail(response) -> str:
    """The first error message of an answer (form error, AWS error, JSON message)."""
    found = _ERROR_TEXT.search(response.content)
    return found.group(1).decode(errors="replace").strip() if found else ""


def console_clients(world: World) -> dict[str, Client]:
    clients = {}
    for kind in KINDS:
        client = Client(raise_request_exception=False)
        response = client.post(
            "/signin",
            {
                "as": "user",
                "account": ACCOUNT,
                "username": world.principals[kind].name,
                "password": PASSWORD,
            },
        )
        assert response.status_code == 302, (kind, response.content[:300])
        clients[kind] = client
    return clients


def _send(operation: Operation, kind: str, world: World, clients: dict[str, Client]):
    client = clients[kind]
    if operation.interface == "console":
        if operation.method == "GET":
            return client.get(operation.path)
        return client.generic(
            operation.method,
            operation.path,
            data=operation.body,
            content_type=operation.content_type,
        )
    api = clients.setdefault("api", Client(raise_request_exception=False))
    return signed(
        api,
        operation.method,
        operation.path,
        world.keys[kind],
        service=operation.service,
        body=operation.body,
        content_type=operation.content_type,
    )


def _frozen(context: dict) -> tuple:
    return tuple(
        sorted(
            (k, tuple(v) if isinstance(v, list) else v)
            for k, v in context.items()
            if k not in VOLATILE_KEYS
        )
    )


def _requested_boundary(action: str, context: dict) -> str:
    """For actions that set a boundary, the one requested: a different request per value.

    (A console form without a boundary field makes another request than a CreateUser call
    that names one; an interface that drops a requested boundary is not caught here.)
    """
    if action.lower() not in BOUNDARY_FROM_REQUEST:
        return ""
    return next((v for k, v in context.items() if k.lower() == "iam:permissionsboundary"), "")


def run(world: World, operations: list[Operation], spy: DecisionSpy) -> list[Observation]:
    """Every operation as every principal, each in a savepoint rolled back afterwards."""
    clients = console_clients(world)
    kind_of = {world.arn_of(kind): kind for kind in KINDS}
    observations = []
    for operation in operations:
        for kind in KINDS:
            spy.records = []
            sid = transaction.savepoint()
            try:
                response = _send(operation, kind, world, clients)
            finally:
                transaction.savepoint_rollback(sid)
                records, spy.records = spy.records, None
            observation = Observation(
                kind,
                operation,
                response.status_code,
                _denial_shape(operation, response),
                _detail(response),
            )
            for principal_arn, action, resource, decision, context, policy in records:
                if kind_of.get(principal_arn) != kind:
                    continue  # a decision about someone else (a trust policy's principal…)
                observation.decisions.append(
                    Decision(
                        kind,
                        operation.interface,
                        operation.label,
                        action,
                        resource,
                        decision,
                        _frozen(context),
                        policy,
                        _requested_boundary(action, context),
                    )
                )
            observations.append(observation)
    return observations


# --- the checks ------------------------------------------------------------------------


def table(
    rows: list[tuple],
    header=("operation", "interface", "principal", "action", "resource", "decision"),
) -> str:
    """A fixed-width table for a failure message."""
    rows = [tuple(str(c) for c in header)] + [tuple(str(c) for c in r) for r in rows]
    widths = [min(max(len(r[i]) for r in rows), 90) for i in range(len(header))]
    lines = ["  ".join(c[:90].ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def interface_mismatches(observations: list[Observation]) -> list[list[Decision]]:
    """Groups of decisions on one (principal, action, resource) that do not all agree."""
    groups: dict[tuple, list[Decision]] = defaultdict(list)
    for observation in observations:
        for decision in observation.decisions:
            key = (
                decision.kind,
                decision.action.lower(),
                decision.resource,
                decision.requested_boundary,  # a create with a boundary is another request
            )
            groups[key].append(decision)
    out = []
    for decisions in groups.values():
        if len({d.decision for d in decisions}) > 1:
            out.append(sorted(set(decisions), key=lambda d: (d.decision, d.interface, d.operation)))
    return sorted(out, key=lambda g: (g[0].action, g[0].resource, g[0].kind))


def response_mismatches(observations: list[Observation], not_iam: dict[str, str]) -> list[tuple]:
    """Responses whose denial does not follow the decision on the operation's primary action.

    A denial (403) must come with a recorded denial, in the interface's own shape (``not_iam``
    names the entries whose documented non-IAM rule may refuse without one); a denied primary
    action (the one the operation declares: query and MQ operations, views with
    ``iam_action``) must end in a denial.
    """
    rows = []
    for observation in observations:
        operation = observation.operation
        decisions = observation.decisions
        primary = [
            d
            for d in decisions
            if operation.primary and d.action.lower() == operation.primary.lower()
        ][:1]
        denied_primary = bool(primary) and primary[0].decision != "allowed"
        denied = observation.status == 403
        any_denial = any(d.decision != "allowed" for d in decisions)
        why = ""
        if denied and not any_denial and operation.entry in not_iam:
            continue
        if denied and not any_denial:
            why = "403 without a denial by the seam"
        elif denied and not observation.denial_shape:
            why = "403 not in the interface's AccessDenied shape"
        elif denied_primary and not denied:
            why = f"primary action denied, answered {observation.status}"
        if why:
            decided = primary[0] if primary else None
            rows.append(
                (
                    operation.label,
                    operation.interface,
                    observation.kind,
                    decided.action if decided else operation.primary or "-",
                    decided.resource if decided else "-",
                    f"{decided.decision if decided else 'none'}: {why}",
                )
            )
    return rows


def resource_facts(account) -> dict[str, dict]:
    """Tags and boundary of every resource of the account, by ARN (the oracle's knowledge)."""
    from accounts.models import Group, IAMUser, Role
    from brokers.models import Broker, Configuration
    from policies.models import ManagedPolicy

    facts: dict[str, dict] = {}
    for model in (IAMUser, Role):
        for identity in model.objects.filter(account=account).select_related(
            "permissions_boundary", "account"
        ):
            boundary = identity.permissions_boundary
            facts[identity.arn] = {
                "tags": dict(identity.tags),
                "iam": True,
                "boundary": boundary.arn if boundary else None,
            }
    for group in Group.objects.filter(account=account).select_related("account"):
        facts[group.arn] = {"tags": {}, "iam": True, "boundary": None}
    for policy in ManagedPolicy.objects.filter(account=account).select_related("account"):
        facts[policy.arn] = {"tags": dict(policy.tags or {}), "iam": True, "boundary": None}
    for model in (Broker, Configuration):
        for resource in model.objects.filter(account=account).select_related("account"):
            facts[resource.arn] = {"tags": dict(resource.tags), "iam": False, "boundary": None}
    return facts


def oracle_context(decision: Decision, facts: dict[str, dict]) -> dict:
    """The call's own keys as recorded, the resource's keys as the catalog says AWS sends them."""
    from policies.catalog import get_catalog

    context = {
        k: list(v) if isinstance(v, tuple) else v
        for k, v in decision.context
        if not k.lower().startswith(RESOURCE_KEY_PREFIXES)
    }
    action = decision.action.lower()
    keep_boundary = action in BOUNDARY_FROM_REQUEST
    if keep_boundary:
        context.update(
            {k: v for k, v in decision.context if k.lower() == "iam:permissionsboundary"}
        )
    fact = facts.get(decision.resource)
    catalogued = get_catalog().action(decision.action)
    keys = {k.lower() for k in (catalogued.condition_keys if catalogued else ())}
    if fact is None:
        return context
    for key, value in fact["tags"].items():
        if "aws:resourcetag/${tagkey}" in keys:
            context[f"aws:ResourceTag/{key}"] = value
        if "iam:resourcetag/${tagkey}" in keys:
            context[f"iam:ResourceTag/{key}"] = value
    if fact["boundary"] and "iam:permissionsboundary" in keys and not keep_boundary:
        context["iam:PermissionsBoundary"] = fact["boundary"]
    return context


def simulator_mismatches(observations: list[Observation], world: World) -> tuple[list[tuple], int]:
    """Decisions the simulator, given the resource's true attributes, answers otherwise."""
    from accounts.principals import principal_for_user
    from policies.simulator.service import simulate

    facts = resource_facts(world.account)
    principals = {kind: principal_for_user(world.principals[kind]) for kind in KINDS}
    asked: dict[tuple, str] = {}
    rows = []
    for observation in observations:
        for decision in observation.decisions:
            context = oracle_context(decision, facts)
            key = (
                decision.kind,
                decision.action,
                decision.resource,
                _frozen(context),
                decision.resource_policy,
            )
            if key not in asked:
                simulation = simulate(
                    principal=principals[decision.kind],
                    draft_policies=[],
                    draft_boundary=None,
                    actions=[decision.action],
                    resources=[decision.resource],
                    context=context,
                    resource_policy=decision.resource_policy,
                )
                asked[key] = simulation.results[0].decision
            if asked[key] != decision.decision:
                verdict = f"{decision.decision} (simulator: {asked[key]})"
                rows.append((*decision.row()[:5], verdict))
    return sorted(set(rows)), len(asked)


def matrix_mismatches(observations: list[Observation], world: World) -> tuple[list[tuple], int]:
    """Decisions on matrix actions and resources that the stored matrix answers otherwise."""
    from policies.effective.actions import matrix_action
    from policies.effective.queries import cell_value, stored_row
    from policies.models import MatrixResource

    positions = {
        r.arn: r.position
        for r in MatrixResource.objects.filter(account=world.account, deleted_at__isnull=True)
    }
    pks = {kind: world.principals[kind].pk for kind in KINDS}
    rows = []
    compared = 0
    for observation in observations:
        for decision in observation.decisions:
            action = matrix_action(decision.action)
            if action is None or decision.resource not in positions:
                continue
            cell = cell_value(
                stored_row("user", pks[decision.kind], action.name), positions[decision.resource]
            )
            compared += cell != "conditional"
            if cell != "conditional" and cell != decision.decision:
                rows.append((*decision.row()[:5], f"{decision.decision} (matrix: {cell})"))
    return sorted(set(rows)), compared
