"""Reads of policies, and the one place that gathers a principal's policies for the engine.

``gather_policies`` is used by enforcement (``authorize``), the simulator and the
effective-permissions worker alike, so what is simulated is what is enforced.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from django.db import connection
from django.db.models import Q

from accounts.identifiers import aws_managed_policy_arn, iam_arn
from accounts.models import RoleSession
from accounts.principals import ASSUMED_ROLE, ROOT, USER, Principal
from policies.engine.model import PolicySet


@dataclass(frozen=True)
class PolicySource:
    """Where a gathered document comes from: what the explanation and provenance show."""

    layer: str  # identity | boundary | session
    policy_type: str  # inline | managed | session
    policy_name: str
    policy_arn: str  # managed policies only
    version_id: str  # managed policies only
    via: str  # direct | group | role | session
    via_name: str  # the group's or role's name
    document: str
    document_hash: str

    @property
    def label(self) -> str:
        name = self.policy_arn or self.policy_name
        version = f" ({self.version_id})" if self.version_id else ""
        via = f" via group {self.via_name}" if self.via == "group" else ""
        return f"{name}{version}{via}"


@dataclass(frozen=True)
class GatheredPolicies:
    """A principal's policy set for the engine, with each document's source, index-aligned."""

    policy_set: PolicySet
    identity_sources: tuple[PolicySource, ...]
    boundary_source: PolicySource | None
    session_source: PolicySource | None


_MANAGED_COLUMNS = (
    "mp.name, mp.path, mp.is_aws_managed, pv.version_id, pv.document, pv.document_hash"
)
_INLINE_COLUMNS = "ip.name, '', false, '', ip.document, ip.document_hash"

# One round trip gathers every document of a user: inline and attached ones, those of its
# groups (by group name), and its permissions boundary. The first four columns only order
# the rows, so that enforcement, the simulator and the matrix see the same policy order.
_USER_SQL = f"""
SELECT * FROM (
SELECT 1 AS o, '' AS g, 0 AS gid, ip.name AS n, 'identity', 'inline', 'direct', '',
       {_INLINE_COLUMNS}
  FROM policies_inlinepolicy ip WHERE ip.user_id = %(pk)s
UNION ALL
SELECT 2, '', 0, mp.name, 'identity', 'managed', 'direct', '', {_MANAGED_COLUMNS}
  FROM policies_policyattachment pa
  JOIN policies_managedpolicy mp ON mp.id = pa.policy_id
  JOIN policies_policyversion pv ON pv.policy_id = mp.id AND pv.is_default
 WHERE pa.user_id = %(pk)s
UNION ALL
SELECT 3, g.name, g.id, ip.name, 'identity', 'inline', 'group', g.name, {_INLINE_COLUMNS}
  FROM accounts_groupmembership gm
  JOIN accounts_group g ON g.id = gm.group_id
  JOIN policies_inlinepolicy ip ON ip.group_id = gm.group_id
 WHERE gm.user_id = %(pk)s
UNION ALL
SELECT 4, g.name, g.id, mp.name, 'identity', 'managed', 'group', g.name, {_MANAGED_COLUMNS}
  FROM accounts_groupmembership gm
  JOIN accounts_group g ON g.id = gm.group_id
  JOIN policies_policyattachment pa ON pa.group_id = gm.group_id
  JOIN policies_managedpolicy mp ON mp.id = pa.policy_id
  JOIN policies_policyversion pv ON pv.policy_id = mp.id AND pv.is_default
 WHERE gm.user_id = %(pk)s
UNION ALL
SELECT 5, '', 0, mp.name, 'boundary', 'managed', 'direct', '', {_MANAGED_COLUMNS}
  FROM accounts_iamuser u
  JOIN policies_managedpolicy mp ON mp.id = u.permissions_boundary_id
  JOIN policies_policyversion pv ON pv.policy_id = mp.id AND pv.is_default
 WHERE u.id = %(pk)s
) rows ORDER BY o, g, gid, n
"""

_ROLE_SQL = f"""
SELECT * FROM (
SELECT 1 AS o, '' AS g, 0 AS gid, ip.name AS n, 'identity', 'inline', 'role', r.name,
       {_INLINE_COLUMNS}
  FROM policies_inlinepolicy ip JOIN accounts_role r ON r.id = ip.role_id
 WHERE ip.role_id = %(pk)s
UNION ALL
SELECT 2, '', 0, mp.name, 'identity', 'managed', 'role', r.name, {_MANAGED_COLUMNS}
  FROM policies_policyattachment pa
  JOIN accounts_role r ON r.id = pa.role_id
  JOIN policies_managedpolicy mp ON mp.id = pa.policy_id
  JOIN policies_policyversion pv ON pv.policy_id = mp.id AND pv.is_default
 WHERE pa.role_id = %(pk)s
UNION ALL
SELECT 5, '', 0, mp.name, 'boundary', 'managed', 'role', r.name, {_MANAGED_COLUMNS}
  FROM accounts_role r
  JOIN policies_managedpolicy mp ON mp.id = r.permissions_boundary_id
  JOIN policies_policyversion pv ON pv.policy_id = mp.id AND pv.is_default
 WHERE r.id = %(pk)s
) rows ORDER BY o, g, gid, n
"""


def _rows(sql: str, pk: int) -> list[tuple]:
    """Run a gathering query as a server-side prepared statement.

    Planning the five-way UNION costs several milliseconds, executing it well under one: a
    statement prepared once per (persistent) connection keeps ``authorize`` fast.
    """
    connection.ensure_connection()
    # Django's own cursors bind parameters client-side and never prepare; this one binds
    # server-side so the statement can be prepared (settings: OPTIONS prepare_threshold).
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, {"pk": pk}, prepare=True)
        return cursor.fetchall()


def _source(account_id: str, row: tuple) -> PolicySource:
    row = row[4:]  # the ordering columns
    layer, policy_type, via, via_name, name, path, is_aws, version_id, document, digest = row
    arn = ""
    if policy_type == "managed":
        arn = (
            aws_managed_policy_arn(path, name)
            if is_aws
            else iam_arn(account_id, "policy", path, name)
        )
    return PolicySource(
        layer=layer,
        policy_type=policy_type,
        policy_name=name,
        policy_arn=arn,
        version_id=version_id,
        via=via,
        via_name=via_name,
        document=document,
        document_hash=digest,
    )


def _session_source(session: RoleSession) -> PolicySource | None:
    """The session policy: the inline ``Policy`` and the ``PolicyArns`` documents, combined.

    AWS evaluates the passed session policies together: a request is within the session's
    permissions if any of them allows it, and any of their denies applies. Concatenating their
    statements into one document has exactly that effect.
    """
    import json

    from policies.models import PolicyVersion

    documents = []
    if session.session_policy:
        documents.append(json.loads(session.session_policy))
    for arn in session.session_policy_arns:
        version = (
            PolicyVersion.objects.filter(policy__unique_id=arn.get("id"), is_default=True).first()
            if isinstance(arn, dict)
            else None
        )
        if version is not None:
            documents.append(version.document_json)
    if not documents:
        return None
    statements = []
    for document in documents:
        body = document.get("Statement", [])
        statements.extend(body if isinstance(body, list) else [body])
    versions = {d.get("Version") for d in documents}
    combined = {"Statement": statements}
    if versions == {"2012-10-17"}:
        combined = {"Version": "2012-10-17", **combined}
    text = json.dumps(combined)
    return PolicySource(
        layer="session",
        policy_type="session",
        policy_name="session policy",
        policy_arn="",
        version_id="",
        via="session",
        via_name=session.session_name,
        document=text,
        document_hash="",
    )


def gather_policies(principal: Principal) -> GatheredPolicies:
    """Every identity-side policy that applies to ``principal`` (root has none)."""
    if principal.kind == ROOT:
        return GatheredPolicies(PolicySet(), (), None, None)
    session_source = None
    if principal.kind == USER:
        rows = _rows(_USER_SQL, principal.pk)
    elif principal.kind == ASSUMED_ROLE:
        rows = _rows(_ROLE_SQL, principal.role_pk)
        session = RoleSession.objects.filter(pk=principal.pk).first()
        session_source = _session_source(session) if session else None
    else:
        raise ValueError(f"unknown principal kind {principal.kind}")
    sources = [_source(principal.account_id, row) for row in rows]
    identity = tuple(s for s in sources if s.layer == "identity")
    boundary = next((s for s in sources if s.layer == "boundary"), None)
    policy_set = PolicySet(
        identity=tuple(s.document for s in identity),
        boundary=boundary.document if boundary else None,
        session=session_source.document if session_source else None,
    )
    return GatheredPolicies(policy_set, identity, boundary, session_source)


@dataclass(frozen=True)
class PermissionRow:
    """One policy that applies to an identity, and how it applies."""

    policy_name: str
    policy_arn: str
    policy_type: str  # AWS managed | Customer managed | Inline
    attached_via: str  # Directly | Group NAME
    version_id: str


def user_permissions(user) -> dict:
    """What the user's permissions page lists: policies by attachment path, and the boundary."""
    from policies.models import InlinePolicy, PolicyAttachment

    rows = []
    for inline in InlinePolicy.objects.filter(user=user).order_by("name"):
        rows.append(PermissionRow(inline.name, "", "Inline", "Directly", ""))
    attachments = (
        PolicyAttachment.objects.filter(user=user)
        .select_related("policy__account")
        .prefetch_related("policy__versions")
        .order_by("policy__name")
    )
    for attachment in attachments:
        rows.append(_managed_row(attachment.policy, "Directly"))
    memberships = user.memberships.select_related("group").order_by("group__name")
    group_ids = [m.group_id for m in memberships]
    names = {m.group_id: m.group.name for m in memberships}
    for inline in InlinePolicy.objects.filter(group_id__in=group_ids).order_by("name"):
        rows.append(PermissionRow(inline.name, "", "Inline", f"Group {names[inline.group_id]}", ""))
    for attachment in (
        PolicyAttachment.objects.filter(group_id__in=group_ids)
        .select_related("policy__account")
        .prefetch_related("policy__versions")
        .order_by("policy__name")
    ):
        rows.append(_managed_row(attachment.policy, f"Group {names[attachment.group_id]}"))
    boundary = user.permissions_boundary
    return {"rows": rows, "boundary": boundary}


def _managed_row(policy, via: str) -> PermissionRow:
    version = next((v.version_id for v in policy.versions.all() if v.is_default), "")
    return PermissionRow(
        policy.name,
        policy.arn,
        "AWS managed" if policy.is_aws_managed else "Customer managed",
        via,
        version,
    )


def access_advisor(user) -> list[dict]:
    """Per action, when the user last performed it successfully (from the audit trail)."""
    from django.db.models import Count, Max

    from accounts.models import AuditEvent

    return list(
        AuditEvent.objects.filter(principal_arn=user.arn, decision="allowed")
        .exclude(action__startswith="console:")
        .exclude(action__startswith="signin:")
        .values("action")
        .annotate(last_used=Max("time"), count=Count("id"))
        .order_by("-last_used")[:200]
    )


# -- Managed policies, their entities, and identities for the policy pages and API ---------


def _count_subquery(queryset, field: str):
    """A correlated COUNT of ``queryset`` rows whose ``field`` is the outer policy."""
    from django.db.models import F, Func, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    return Coalesce(
        Subquery(
            queryset.filter(**{field: OuterRef("pk")})
            .order_by()
            .values(field)
            .annotate(n=Func(F("pk"), function="COUNT"))
            .values("n")
        ),
        0,
    )


def _in_account(account_id: str):
    """Attachments whose user, group or role is in the account (AWS managed ones are shared)."""
    from django.db.models import Q

    return (
        Q(user__account__account_id=account_id)
        | Q(group__account__account_id=account_id)
        | Q(role__account__account_id=account_id)
    )


def managed_policy_list(*, principal: Principal):
    """AWS managed policies and the account's own, with AWS's ListPolicies counts (one query).

    ``attachment_count`` and ``boundary_count`` count only this account's users, groups and
    roles, since AWS managed policies are shared by every account.
    """
    from django.db.models import F, OuterRef, Q, Subquery

    from accounts.models import IAMUser, Role
    from policies.models import ManagedPolicy, PolicyAttachment, PolicyVersion

    account_id = principal.account_id
    default_version = PolicyVersion.objects.filter(policy=OuterRef("pk"), is_default=True)
    return (
        ManagedPolicy.objects.filter(Q(account__account_id=account_id) | Q(account__isnull=True))
        .select_related("account")
        .annotate(
            attachment_count=_count_subquery(
                PolicyAttachment.objects.filter(_in_account(account_id)), "policy"
            ),
            boundary_count=_count_subquery(
                IAMUser.objects.filter(account__account_id=account_id), "permissions_boundary"
            )
            + _count_subquery(
                Role.objects.filter(account__account_id=account_id), "permissions_boundary"
            ),
            default_version_id=Subquery(default_version.values("version_id")[:1]),
        )
        .annotate(usage_count=F("attachment_count") + F("boundary_count"))
        .order_by("name")
    )


def managed_policy_get(*, principal: Principal, policy_id: str):
    """One policy visible to the principal by its PolicyId (ANPA…), with the list's counts."""
    return managed_policy_list(principal=principal).filter(unique_id=policy_id).first()


def managed_policy_by_arn(*, principal: Principal, arn: str):
    """One policy visible to the principal by ARN, or None."""
    name = arn.rsplit("/", 1)[-1]
    for policy in managed_policy_list(principal=principal).filter(name=name):
        if policy.arn == arn:
            return policy
    return None


@dataclass(frozen=True)
class PolicyEntities:
    """Who a managed policy applies to in one account (AWS ListEntitiesForPolicy)."""

    users: list
    groups: list
    roles: list
    boundary_users: list
    boundary_roles: list

    @property
    def attachment_count(self) -> int:
        return len(self.users) + len(self.groups) + len(self.roles)

    @property
    def boundary_count(self) -> int:
        return len(self.boundary_users) + len(self.boundary_roles)


def policy_entities(*, policy, account_id: str) -> PolicyEntities:
    """The account's users, groups and roles the policy is attached to or bounds (3 queries)."""
    from accounts.models import IAMUser, Role
    from policies.models import PolicyAttachment

    users, groups, roles = [], [], []
    attachments = (
        PolicyAttachment.objects.filter(_in_account(account_id), policy=policy)
        .select_related("user__account", "group__account", "role__account")
        .order_by("created_at", "pk")
    )
    for attachment in attachments:
        if attachment.user_id:
            users.append(attachment.user)
        elif attachment.group_id:
            groups.append(attachment.group)
        else:
            roles.append(attachment.role)
    boundary_users = list(
        IAMUser.objects.filter(permissions_boundary=policy, account__account_id=account_id)
        .select_related("account")
        .order_by("name")
    )
    boundary_roles = list(
        Role.objects.filter(permissions_boundary=policy, account__account_id=account_id)
        .select_related("account")
        .order_by("name")
    )
    key = lambda entity: entity.name.lower()  # noqa: E731
    return PolicyEntities(
        sorted(users, key=key),
        sorted(groups, key=key),
        sorted(roles, key=key),
        boundary_users,
        boundary_roles,
    )


IDENTITY_KINDS = ("user", "group", "role")


def identity_get(*, principal: Principal, kind: str, name: str):
    """A user, group or role of the principal's account by name (case-insensitive), or None."""
    from accounts.models import Group, IAMUser, Role

    model = {"user": IAMUser, "group": Group, "role": Role}.get(kind)
    if model is None:
        return None
    related = ["account"] if kind == "group" else ["account", "permissions_boundary__account"]
    return (
        model.objects.select_related(*related)
        .filter(account__account_id=principal.account_id, name__iexact=name)
        .first()
    )


def identity_inline_policies(*, identity) -> list:
    """An identity's inline policies by name (documents included, for the size sum)."""
    from policies.models import InlinePolicy

    kind = identity.arn_kind
    return list(InlinePolicy.objects.filter(**{kind: identity}).order_by("name"))


def identity_names(*, principal: Principal) -> dict[str, list[str]]:
    """Names of the account's users, groups and roles that accept policies (three queries)."""
    from accounts.models import Group, IAMUser, Role

    account_id = principal.account_id
    # Service-linked roles are modifiable only by AWS, so they are never offered.
    querysets = {
        "user": IAMUser.objects.all(),
        "group": Group.objects.all(),
        "role": Role.objects.filter(is_service_linked=False),
    }
    return {
        kind: list(
            queryset.filter(account__account_id=account_id)
            .order_by("name")
            .values_list("name", flat=True)
        )
        for kind, queryset in querysets.items()
    }


@dataclass(frozen=True)
class _InlineRow:
    name: str
    document: str
    document_hash: str


def gather_policies_bulk(account_pk: int, *, user_ids=None, role_ids=None) -> dict:
    """``gather_policies`` for many users and roles of one account in a few queries.

    Returns ``{("user", pk) | ("role", pk): GatheredPolicies}`` with the same documents, in
    the same order, as ``gather_policies`` gives each principal (a test holds them equal).
    """
    from accounts.models import GroupMembership, IAMUser, Role
    from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment, PolicyVersion

    users = IAMUser.objects.filter(account_id=account_pk).select_related("account")
    roles = Role.objects.filter(account_id=account_pk).select_related("account")
    if user_ids is not None:
        users = users.filter(pk__any=list(user_ids))
    if role_ids is not None:
        roles = roles.filter(pk__any=list(role_ids))
    users, roles = list(users), list(roles)
    user_pks, role_pks = [u.pk for u in users], [r.pk for r in roles]
    # Plain value rows, not model instances: a chunk of the matrix worker reads thousands.
    memberships: dict[int, list[int]] = {}
    group_names: dict[int, str] = {}
    for user_id, group_id, group_name in (
            GroupMembership.objects.filter(user_id__any=user_pks)
            .order_by("group__name", "group_id")
            .values_list("user_id", "group_id", "group__name")):
        memberships.setdefault(user_id, []).append(group_id)
        group_names[group_id] = group_name
    group_pks = list(group_names)
    inline: dict[tuple[str, int], list[_InlineRow]] = {}
    for row in (InlinePolicy.objects.filter(
            Q(user_id__any=user_pks) | Q(group_id__any=group_pks) | Q(role_id__any=role_pks))
            .order_by("name", "id")
            .values_list("user_id", "group_id", "role_id", "name", "document",
                         "document_hash")):
        user_id, group_id, role_id = row[:3]
        key = ("user", user_id) if user_id else ("group", group_id) if group_id \
            else ("role", role_id)
        inline.setdefault(key, []).append(_InlineRow(*row[3:]))
    attached: dict[tuple[str, int], list[int]] = {}
    for user_id, group_id, role_id, policy_id in (
            PolicyAttachment.objects.filter(
                Q(user_id__any=user_pks) | Q(group_id__any=group_pks) | Q(role_id__any=role_pks))
            .order_by("policy__name", "policy_id")
            .values_list("user_id", "group_id", "role_id", "policy_id")):
        key = ("user", user_id) if user_id else ("group", group_id) if group_id \
            else ("role", role_id)
        attached.setdefault(key, []).append(policy_id)
    boundary_ids = {u.permissions_boundary_id for u in users} | {
        r.permissions_boundary_id for r in roles}
    policy_ids = {pid for ids in attached.values() for pid in ids} | (boundary_ids - {None})
    policies = {p.pk: p for p in ManagedPolicy.objects.filter(pk__any=list(policy_ids))}
    defaults = {v.policy_id: v for v in PolicyVersion.objects.filter(
        policy_id__any=list(policy_ids), is_default=True)}
    account_id = (users[0].account.account_id if users else
                  roles[0].account.account_id if roles else "")

    def managed(pid: int, layer: str, via: str, via_name: str) -> PolicySource:
        policy, version = policies[pid], defaults[pid]
        arn = aws_managed_policy_arn(policy.path, policy.name) if policy.is_aws_managed \
            else iam_arn(account_id, "policy", policy.path, policy.name)
        return PolicySource(layer, "managed", policy.name, arn, version.version_id, via,
                            via_name, version.document, version.document_hash)

    def inline_source(p, via: str, via_name: str) -> PolicySource:
        return PolicySource("identity", "inline", p.name, "", "", via, via_name, p.document,
                            p.document_hash)

    def assemble(identity: list[PolicySource], boundary: PolicySource | None):
        return GatheredPolicies(
            PolicySet(identity=tuple(s.document for s in identity),
                      boundary=boundary.document if boundary else None),
            tuple(identity), boundary, None)

    out = {}
    for user in users:
        sources = [inline_source(p, "direct", "") for p in inline.get(("user", user.pk), [])]
        sources += [managed(pid, "identity", "direct", "")
                    for pid in attached.get(("user", user.pk), [])]
        groups = memberships.get(user.pk, [])
        sources += [inline_source(p, "group", group_names[g])
                    for g in groups for p in inline.get(("group", g), [])]
        sources += [managed(pid, "identity", "group", group_names[g])
                    for g in groups for pid in attached.get(("group", g), [])]
        boundary = managed(user.permissions_boundary_id, "boundary", "direct", "") \
            if user.permissions_boundary_id else None
        out[("user", user.pk)] = assemble(sources, boundary)
    for role in roles:
        sources = [inline_source(p, "role", role.name) for p in inline.get(("role", role.pk), [])]
        sources += [managed(pid, "identity", "role", role.name)
                    for pid in attached.get(("role", role.pk), [])]
        boundary = managed(role.permissions_boundary_id, "boundary", "role", role.name) \
            if role.permissions_boundary_id else None
        out[("role", role.pk)] = assemble(sources, boundary)
    return out
