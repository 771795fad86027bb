"""Gathering the policies of many users and roles of one account in a few queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from accounts.identifiers import aws_managed_policy_arn, iam_arn
from accounts.models import Account, GroupMembership, IAMUser, Role
from policies.engine.model import PolicySet
from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment, PolicyVersion
from policies.selectors.gathering import GatheredPolicies, PolicySource


@dataclass(frozen=True)
class _InlineRow:
    name: str
    document: str
    document_hash: str


@dataclass(frozen=True)
class _UserRow:
    pk: int
    permissions_boundary_id: int | None


@dataclass(frozen=True)
class _RoleRow:
    pk: int
    name: str
    permissions_boundary_id: int | None


@dataclass(frozen=True)
class _PolicyRow:
    path: str
    name: str
    is_aws_managed: bool


@dataclass(frozen=True)
class _VersionRow:
    version_id: str
    document: str
    document_hash: str


def gather_policies_bulk(account_pk: int, *, user_ids=None, role_ids=None) -> dict:
    """``gather_policies`` for many users and roles of one account in a few queries.

    Returns ``{("user", pk) | ("role", pk): GatheredPolicies}`` with the same documents, in
    the same order, as ``gather_policies`` gives each principal (a test holds them equal).
    The queries are separate reads: a principal deleted before its row is read, or whose
    boundary policy vanished mid-read, has no entry.
    """
    # Plain value rows, not model instances: a chunk of the matrix worker reads thousands.
    user_rows = IAMUser.objects.filter(account_id=account_pk)
    role_rows = Role.objects.filter(account_id=account_pk)
    if user_ids is not None:
        user_rows = user_rows.filter(pk__any=list(user_ids))
    if role_ids is not None:
        role_rows = role_rows.filter(pk__any=list(role_ids))
    users = [_UserRow(*row) for row in user_rows.values_list("pk", "permissions_boundary_id")]
    roles = [
        _RoleRow(*row) for row in role_rows.values_list("pk", "name", "permissions_boundary_id")
    ]
    user_pks, role_pks = [u.pk for u in users], [r.pk for r in roles]
    memberships: dict[int, list[int]] = {}
    group_names: dict[int, str] = {}
    for user_id, group_id, group_name in (
        GroupMembership.objects.filter(user_id__any=user_pks)
        .order_by("group__name", "group_id")
        .values_list("user_id", "group_id", "group__name")
    ):
        memberships.setdefault(user_id, []).append(group_id)
        group_names[group_id] = group_name
    group_pks = list(group_names)
    inline: dict[tuple[str, int], list[_InlineRow]] = {}
    for row in (
        InlinePolicy.objects.filter(
            Q(user_id__any=user_pks) | Q(group_id__any=group_pks) | Q(role_id__any=role_pks)
        )
        .order_by("name", "id")
        .values_list("user_id", "group_id", "role_id", "name", "document", "document_hash")
    ):
        user_id, group_id, role_id = row[:3]
        key = (
            ("user", user_id) if user_id else ("group", group_id) if group_id else ("role", role_id)
        )
        inline.setdefault(key, []).append(_InlineRow(*row[3:]))
    attached: dict[tuple[str, int], list[int]] = {}
    for user_id, group_id, role_id, policy_id in (
        PolicyAttachment.objects.filter(
            Q(user_id__any=user_pks) | Q(group_id__any=group_pks) | Q(role_id__any=role_pks)
        )
        .order_by("policy__name", "policy_id")
        .values_list("user_id", "group_id", "role_id", "policy_id")
    ):
        key = (
            ("user", user_id) if user_id else ("group", group_id) if group_id else ("role", role_id)
        )
        attached.setdefault(key, []).append(policy_id)
    boundary_ids = {u.permissions_boundary_id for u in users} | {
        r.permissions_boundary_id for r in roles
    }
    policy_ids = {pid for ids in attached.values() for pid in ids} | (boundary_ids - {None})
    policies = {
        row[0]: _PolicyRow(*row[1:])
        for row in ManagedPolicy.objects.filter(pk__any=list(policy_ids)).values_list(
            "pk", "path", "name", "is_aws_managed"
        )
    }
    defaults = {
        row[0]: _VersionRow(*row[1:])
        for row in PolicyVersion.objects.filter(
            policy_id__any=list(policy_ids), is_default=True
        ).values_list("policy_id", "version_id", "document", "document_hash")
    }

    # A policy deleted between the attachment query and these two has left its attachments
    # too: it is left out, as the next read of the attachments would.
    def present(pid: int) -> bool:
        return pid in policies and pid in defaults

    attached = {key: [pid for pid in pids if present(pid)] for key, pids in attached.items()}
    account_id = (
        Account.objects.filter(pk=account_pk).values_list("account_id", flat=True).first()
        if users or roles
        else ""
    )

    def managed(pid: int, layer: str, via: str, via_name: str) -> PolicySource:
        policy, version = policies[pid], defaults[pid]
        arn = (
            aws_managed_policy_arn(policy.path, policy.name)
            if policy.is_aws_managed
            else iam_arn(account_id, "policy", policy.path, policy.name)
        )
        return PolicySource(
            layer,
            "managed",
            policy.name,
            arn,
            version.version_id,
            via,
            via_name,
            version.document,
            version.document_hash,
        )

    def inline_source(p, via: str, via_name: str) -> PolicySource:
        return PolicySource(
            "identity", "inline", p.name, "", "", via, via_name, p.document, p.document_hash
        )

    def assemble(identity: list[PolicySource], boundary: PolicySource | None):
        return GatheredPolicies(
            PolicySet(
                identity=tuple(s.document for s in identity),
                boundary=boundary.document if boundary else None,
            ),
            tuple(identity),
            boundary,
            None,
        )

    out = {}
    for user in users:
        sources = [inline_source(p, "direct", "") for p in inline.get(("user", user.pk), [])]
        sources += [
            managed(pid, "identity", "direct", "") for pid in attached.get(("user", user.pk), [])
        ]
        groups = memberships.get(user.pk, [])
        sources += [
            inline_source(p, "group", group_names[g])
            for g in groups
            for p in inline.get(("group", g), [])
        ]
        sources += [
            managed(pid, "identity", "group", group_names[g])
            for g in groups
            for pid in attached.get(("group", g), [])
        ]
        if user.permissions_boundary_id and not present(user.permissions_boundary_id):
            continue  # its boundary vanished mid-read: fail closed, left out as if gone
        boundary = (
            managed(user.permissions_boundary_id, "boundary", "direct", "")
            if user.permissions_boundary_id
            else None
        )
        out[("user", user.pk)] = assemble(sources, boundary)
    for role in roles:
        sources = [inline_source(p, "role", role.name) for p in inline.get(("role", role.pk), [])]
        sources += [
            managed(pid, "identity", "role", role.name)
            for pid in attached.get(("role", role.pk), [])
        ]
        if role.permissions_boundary_id and not present(role.permissions_boundary_id):
            continue  # its boundary vanished mid-read: fail closed, left out as if gone
        boundary = (
            managed(role.permissions_boundary_id, "boundary", "role", role.name)
            if role.permissions_boundary_id
            else None
        )
        out[("role", role.pk)] = assemble(sources, boundary)
    return out
