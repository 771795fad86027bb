"""Reads of policies, and the one place that gathers a principal's policies for the engine.

``gather_policies`` is used by enforcement (``authorize``), the simulator and the
effective-permissions worker alike, so what is simulated is what is enforced.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

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
# groups, and its permissions boundary (rows are ordered for a stable policy order).
_USER_SQL = f"""
SELECT 'identity', 'inline', 'direct', '', {_INLINE_COLUMNS}
  FROM policies_inlinepolicy ip WHERE ip.user_id = %(pk)s
UNION ALL
SELECT 'identity', 'managed', 'direct', '', {_MANAGED_COLUMNS}
  FROM policies_policyattachment pa
  JOIN policies_managedpolicy mp ON mp.id = pa.policy_id
  JOIN policies_policyversion pv ON pv.policy_id = mp.id AND pv.is_default
 WHERE pa.user_id = %(pk)s
UNION ALL
SELECT 'identity', 'inline', 'group', g.name, {_INLINE_COLUMNS}
  FROM accounts_groupmembership gm
  JOIN accounts_group g ON g.id = gm.group_id
  JOIN policies_inlinepolicy ip ON ip.group_id = gm.group_id
 WHERE gm.user_id = %(pk)s
UNION ALL
SELECT 'identity', 'managed', 'group', g.name, {_MANAGED_COLUMNS}
  FROM accounts_groupmembership gm
  JOIN accounts_group g ON g.id = gm.group_id
  JOIN policies_policyattachment pa ON pa.group_id = gm.group_id
  JOIN policies_managedpolicy mp ON mp.id = pa.policy_id
  JOIN policies_policyversion pv ON pv.policy_id = mp.id AND pv.is_default
 WHERE gm.user_id = %(pk)s
UNION ALL
SELECT 'boundary', 'managed', 'direct', '', {_MANAGED_COLUMNS}
  FROM accounts_iamuser u
  JOIN policies_managedpolicy mp ON mp.id = u.permissions_boundary_id
  JOIN policies_policyversion pv ON pv.policy_id = mp.id AND pv.is_default
 WHERE u.id = %(pk)s
"""

_ROLE_SQL = f"""
SELECT 'identity', 'inline', 'role', r.name, {_INLINE_COLUMNS}
  FROM policies_inlinepolicy ip JOIN accounts_role r ON r.id = ip.role_id
 WHERE ip.role_id = %(pk)s
UNION ALL
SELECT 'identity', 'managed', 'role', r.name, {_MANAGED_COLUMNS}
  FROM policies_policyattachment pa
  JOIN accounts_role r ON r.id = pa.role_id
  JOIN policies_managedpolicy mp ON mp.id = pa.policy_id
  JOIN policies_policyversion pv ON pv.policy_id = mp.id AND pv.is_default
 WHERE pa.role_id = %(pk)s
UNION ALL
SELECT 'boundary', 'managed', 'role', r.name, {_MANAGED_COLUMNS}
  FROM accounts_role r
  JOIN policies_managedpolicy mp ON mp.id = r.permissions_boundary_id
  JOIN policies_policyversion pv ON pv.policy_id = mp.id AND pv.is_default
 WHERE r.id = %(pk)s
"""


def _rows(sql: str, pk: int) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, {"pk": pk})
        return cursor.fetchall()


def _source(account_id: str, row: tuple) -> PolicySource:
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
