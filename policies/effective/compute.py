"""Computing matrix rows: every action on every resource, for a batch of principals.

The request context is what can be derived from principal and resource (principal tags and
names, resource tags, region, account); everything that depends on the actual call (source
IP, MFA, time, TLS, request tags…) is declared unknown, so the engine answers ``conditional``
with the conditions that decide, never a confident wrong answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Account, IAMUser, Role
from policies.context import ResourceFacts
from policies.context import resource_type_context as shared_resource_context
from policies.effective.actions import matrix_actions
from policies.engine.matrix import MatrixAction, MatrixResource, evaluate_matrix, matrix_world
from policies.models import MatrixResource as MatrixResourceRow
from policies.selectors import GatheredPolicies, PolicySource, gather_policies_bulk

# Context keys a matrix cell cannot know: they depend on the call, not on who or what.
UNKNOWN_KEYS = frozenset(
    {
        "aws:SourceIp",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:VpcSourceIp",
        "aws:SourceVpcArn",
        "aws:CurrentTime",
        "aws:EpochTime",
        "aws:SecureTransport",
        "aws:TokenIssueTime",
        "aws:MultiFactorAuthPresent",
        "aws:MultiFactorAuthAge",
        "aws:RequestTag/*",
        "aws:TagKeys",
        "aws:CalledVia",
        "aws:CalledViaFirst",
        "aws:CalledViaLast",
        "aws:ViaAWSService",
        "aws:UserAgent",
        "aws:Referer",
        "aws:SourceIdentity",
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:FederatedProvider",
        "aws:AssumedRoot",
        "aws:Ec2InstanceSourceVpc",
        "aws:Ec2InstanceSourcePrivateIPv4",
    }
)
# For actions on "*" the region is that of the call, which a cell cannot know either.
STAR_UNKNOWN_KEYS = UNKNOWN_KEYS | {"aws:RequestedRegion"}


@dataclass(frozen=True)
class PrincipalSubject:
    """A principal of the matrix: a user, or a role (evaluated as one of its sessions)."""

    kind: str  # user | role
    pk: int
    arn: str  # the user ARN / the role ARN (what rows and the UI name)
    request_principal: str  # the ARN a request carries (a session ARN for roles)
    context: dict


def subject_for_user(user: IAMUser) -> PrincipalSubject:
    account_id = user.account.account_id
    context = {
        "aws:username": user.name,
        "aws:userid": user.unique_id,
        "aws:PrincipalArn": user.arn,
        "aws:PrincipalAccount": account_id,
        "aws:PrincipalType": "User",
        **{f"aws:PrincipalTag/{k}": v for k, v in user.tags.items()},
    }
    return PrincipalSubject("user", user.pk, user.arn, user.arn, context)


def subject_for_role(role: Role) -> PrincipalSubject:
    account_id = role.account.account_id
    context = {
        "aws:PrincipalArn": role.arn,
        "aws:PrincipalAccount": account_id,
        "aws:PrincipalType": "AssumedRole",
        **{f"aws:PrincipalTag/{k}": v for k, v in role.tags.items()},
    }
    # The session name is not known; aws:userid (AROA…:session) is then unknown too.
    session = f"arn:aws:sts::{account_id}:assumed-role/{role.name}/matrix"
    return PrincipalSubject("role", role.pk, role.arn, session, context)


def resource_context(row: MatrixResourceRow, account_id: str) -> dict:
    """The resource side of every matrix action on ``row``, from the one context builder.

    One context serves all the actions of a resource: every Amazon MQ action on a broker or a
    configuration lists the same resource-type keys (``aws:ResourceTag/*``; checked by
    tests/policies/test_context.py), and the ``*`` resource has no resource side at all.
    """
    if row.kind == MatrixResourceRow.Kind.STAR:
        context: dict = {}
    else:
        context = shared_resource_context(row.arn, ResourceFacts(tags=dict(row.tags or {})))
    if row.region:
        context["aws:RequestedRegion"] = row.region
    return context


@dataclass(frozen=True)
class ComputedRow:
    """One principal x action row, ready to store (``details`` indexes the sources)."""

    subject: PrincipalSubject
    action: str
    allowed: int
    conditional: int
    explicit_deny: int
    details: dict


@dataclass(frozen=True)
class ComputedPrincipal:
    """A principal's rows and the distinct statements (sources) they refer to."""

    subject: PrincipalSubject
    rows: tuple[ComputedRow, ...]
    sources: tuple[dict, ...]


def _source_descriptor(source, gathered: GatheredPolicies) -> dict:
    """What the UI shows of a statement: policy, version, statement, path, conditions."""
    origin: PolicySource | None
    if source.layer == "boundary":
        origin = gathered.boundary_source
    elif source.layer == "identity":
        origin = gathered.identity_sources[source.policy]
    else:
        origin = None  # SCP/RCP/session/resource layers: no stored source of their own yet
    descriptor = {
        "layer": source.layer,
        "effect": source.effect,
        "policy": (origin.policy_arn or origin.policy_name) if origin else "",
        "policy_type": origin.policy_type if origin else "",
        "version": origin.version_id if origin else "",
        "via": origin.via if origin else "",
        "via_name": origin.via_name if origin else "",
        "statement": source.statement,
        "sid": source.sid,
        "conditions": [c.to_dict() for c in source.conditions],
    }
    return {k: v for k, v in descriptor.items() if v not in ("", None, [])} | {
        "statement": source.statement,
        "effect": source.effect,
        "layer": source.layer,
    }


@dataclass(frozen=True)
class MatrixShape:
    """The actions and resources of one account's matrix, prepared once for many principals."""

    batches: tuple  # ((actions, unknown keys, world), ...)
    resources: tuple
    masks: dict  # action -> bit set of the positions it is evaluated on


def matrix_shape(resources: list[MatrixResourceRow], account_id: str) -> MatrixShape:
    """Engine inputs for the account's columns: ``*`` actions apart (their region is unknown)."""
    by_kind: dict[str, list[int]] = {}
    for row in resources:
        by_kind.setdefault(row.kind, []).append(row.position)
    engine_resources = tuple(
        MatrixResource(r.position, r.arn, resource_context(r, account_id)) for r in resources
    )
    star_actions, other_actions = [], []
    for action in matrix_actions():
        positions = tuple(sorted(p for kind in action.kinds for p in by_kind.get(kind, ())))
        target = star_actions if action.kinds == ("star",) else other_actions
        target.append(MatrixAction(action.name, positions))
    masks = {a.name: sum(1 << p for p in a.positions) for a in star_actions + other_actions}
    batches = tuple(
        (tuple(actions), unknown, matrix_world(actions, engine_resources))
        for actions, unknown in ((star_actions, STAR_UNKNOWN_KEYS), (other_actions, UNKNOWN_KEYS))
    )
    return MatrixShape(batches, engine_resources, masks)


def compute_rows(
    subject: PrincipalSubject, gathered: GatheredPolicies, shape: MatrixShape
) -> ComputedPrincipal:
    """Every catalogued action of the matrix for one principal, with its sources."""
    results = []
    for _actions, unknown, world in shape.batches:
        results += evaluate_matrix(
            principal=subject.request_principal,
            context=subject.context,
            unknown_keys=unknown,
            policies=gathered.policy_set,
            world=world,
        )
    index: dict[tuple, int] = {}
    sources: list[dict] = []
    hexes: dict[int, str] = {}  # the same bit sets recur across a principal's actions
    # Actions the engine decided alike share one sources tuple; with equal masks their
    # references are equal too (computed once; ``results`` keeps the tuples alive for id()).
    done: dict[tuple[int, int], list] = {}
    rows = []
    for result in results:
        mask = shape.masks[result.action]
        refs = done.get((id(result.sources), mask))
        if refs is None:
            refs = done[id(result.sources), mask] = _references(
                result.sources, mask, gathered, index, sources, hexes
            )
        rows.append(
            ComputedRow(
                subject,
                result.action,
                result.allowed,
                result.conditional,
                result.explicit_deny,
                {"s": refs} if refs else {},
            )
        )
    return ComputedPrincipal(subject, tuple(rows), tuple(sources))


def _references(
    result_sources, mask: int, gathered: GatheredPolicies, index: dict, sources: list, hexes: dict
) -> list:
    """A row's ``[source position, true bits, unknown bits]`` references (new sources are
    appended to ``sources``, in the order first seen)."""
    refs = []
    for source in result_sources:
        true = source.true_bits & mask
        unknown = source.unknown_bits & mask
        if not (true or unknown):
            continue  # the statement reaches none of this action's resources
        key = (source.layer, source.level, source.policy, source.statement)
        position = index.get(key)
        if position is None:
            position = index[key] = len(sources)
            sources.append(_source_descriptor(source, gathered))
        ref = [
            position,
            "*"
            if true == mask
            else hexes.get(true) or hexes.setdefault(true, format(true, "x") if true else ""),
        ]
        if unknown:
            ref.append(
                "*"
                if unknown == mask
                else hexes.get(unknown) or hexes.setdefault(unknown, format(unknown, "x"))
            )
        refs.append(ref)
    return refs


def subjects_for(account: Account, *, user_ids=None, role_ids=None) -> list[PrincipalSubject]:
    # Only what a subject reads (the worker loads thousands; whole rows cost 3x as much).
    fields = ("name", "path", "unique_id", "tags", "account", "account__account_id")
    users = IAMUser.objects.filter(account=account).select_related("account").only(*fields)
    roles = Role.objects.filter(account=account).select_related("account").only(*fields)
    if user_ids is not None:
        users = users.filter(pk__any=list(user_ids))
    if role_ids is not None:
        roles = roles.filter(pk__any=list(role_ids))
    return [subject_for_user(u) for u in users] + [subject_for_role(r) for r in roles]


def compute_principals(
    account: Account, subjects: list[PrincipalSubject], resources: list[MatrixResourceRow]
) -> list[ComputedPrincipal]:
    """Rows and sources for ``subjects`` (one bulk gathering of their policies).

    The subjects and their policies are read by different queries, so a principal deleted in
    between is a normal case: it is left out of the result (callers treat it as gone).
    """
    user_ids = [s.pk for s in subjects if s.kind == "user"]
    role_ids = [s.pk for s in subjects if s.kind == "role"]
    gathered = gather_policies_bulk(account.pk, user_ids=user_ids, role_ids=role_ids)
    shape = matrix_shape(resources, account.account_id)
    return [
        compute_rows(s, gathered[(s.kind, s.pk)], shape)
        for s in subjects
        if (s.kind, s.pk) in gathered
    ]


def compute_for(
    account: Account, subjects: list[PrincipalSubject], resources: list[MatrixResourceRow]
) -> list[ComputedRow]:
    """Just the rows of ``subjects`` (previews and checks need no provenance)."""
    return [row for p in compute_principals(account, subjects, resources) for row in p.rows]


def to_bytes(bits: int) -> bytes:
    """A bit set as PostgreSQL ``get_bit`` reads it: bit p is bit p % 8 of byte p // 8."""
    return bits.to_bytes((bits.bit_length() + 7) // 8, "little") if bits else b""


def from_bytes(data: bytes | memoryview | None) -> int:
    return int.from_bytes(bytes(data or b""), "little")
