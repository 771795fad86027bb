"""Access graphs: principals → groups → policies → resources, edges labelled with the
statements that decide (for one resource, or for one principal)."""

from __future__ import annotations

from policies.effective import queries
from policies.effective.actions import matrix_actions
from policies.models import EffectivePermission, MatrixResource, PrincipalProvenance

# A principal allowed at least this share of the actions on a resource is an administrator
# of it; administrators are drawn as one node so the graph stays readable.
ADMIN_SHARE = 0.8


def graph_for_resource(*, account_pk: int, resource_arn: str, action: str | None) -> dict:
    """Nodes and labelled edges for everyone allowed (or conditionally) to act on a resource."""
    actions = [a.name for a in matrix_actions()] if action is None else [action]
    per_principal: dict[str, dict] = {}
    for name in actions:
        for row in queries.who_can(account_pk=account_pk, action=name, resource_arn=resource_arn):
            entry = per_principal.setdefault(
                row["principal_arn"], {"kind": row["principal_kind"], "actions": {}}
            )
            entry["actions"][name] = row
    resource = MatrixResource.objects.filter(account_id=account_pk, arn=resource_arn).first()
    kind = resource.kind if resource else ""
    # An administrator may do (nearly) everything that can be done to this kind of resource.
    applicable = max(1, len([a for a in matrix_actions() if kind in a.kinds]))
    nodes: dict[str, dict] = {
        "resource": {
            "id": "resource",
            "label": resource_arn.split(":")[-2] if resource_arn.count(":") > 6 else resource_arn,
            "type": "resource",
        }
    }
    edges: dict[tuple[str, str], set[str]] = {}
    admins = [
        arn
        for arn, p in per_principal.items()
        if action is None and len(p["actions"]) >= ADMIN_SHARE * applicable
    ]
    if admins:
        nodes["admins"] = {
            "id": "admins",
            "label": f"Administrators ({len(admins)})",
            "type": "admins",
            "members": admins,
        }
        edges[("admins", "resource")] = {"full access"}
    for arn, entry in per_principal.items():
        if arn in admins:
            continue
        pid = f"p:{arn}"
        nodes[pid] = {"id": pid, "label": arn.rsplit("/", 1)[-1], "type": entry["kind"], "arn": arn}
        for name, row in entry["actions"].items():
            for source in row["sources"]:
                if source.get("effect") != "Allow":
                    continue
                policy_id = _path_to_policy(nodes, edges, pid, source)
                label = source.get("sid") or f"statement {source.get('statement')}"
                suffix = " (conditional)" if row["decision"] == "conditional" else ""
                edges.setdefault((policy_id, "resource"), set()).add(f"{label}: {name}{suffix}")
    return _graph(nodes, edges)


def _graph(nodes: dict[str, dict], edges: dict[tuple[str, str], set[str]]) -> dict:
    return {
        "nodes": list(nodes.values()),
        "edges": [
            {
                "source": s,
                "target": t,
                # One statement per line (the graph wraps edge labels at line breaks).
                "label": "\n".join(sorted(labels)[:4])
                + (f"\n+{len(labels) - 4} more" if len(labels) > 4 else ""),
            }
            for (s, t), labels in edges.items()
        ],
    }


def _path_to_policy(nodes, edges, start: str, source: dict) -> str:
    """Add the source's policy (and the group it comes through) after ``start``; its node id."""
    policy_id = f"pol:{source['policy']}"
    nodes[policy_id] = {
        "id": policy_id,
        "type": "policy",
        "label": source["policy"].rsplit("/", 1)[-1],
    }
    if source.get("via") == "group":
        gid = f"g:{source['via_name']}"
        nodes[gid] = {"id": gid, "label": source["via_name"], "type": "group"}
        edges.setdefault((start, gid), set()).add("member of")
        start = gid
    edges.setdefault((start, policy_id), set()).add("attached")
    return policy_id


def graph_for_principal(*, principal_kind: str, principal_id: int, principal_arn: str) -> dict:
    """Nodes and labelled edges from one principal to every resource it may act on."""
    rows = list(
        EffectivePermission.objects.filter(principal_kind=principal_kind, principal_id=principal_id)
    )
    if not rows:
        return _graph({}, {})
    account_pk = rows[0].account_id
    resources = list(MatrixResource.objects.filter(account_id=account_pk, deleted_at__isnull=True))
    provenance = PrincipalProvenance.objects.filter(
        principal_kind=principal_kind, principal_id=principal_id
    ).first()
    descriptors = provenance.sources if provenance else []
    kinds = {a.name: a.kinds for a in matrix_actions()}
    pid = f"p:{principal_arn}"
    nodes = {
        pid: {
            "id": pid,
            "label": principal_arn.rsplit("/", 1)[-1],
            "type": principal_kind,
            "arn": principal_arn,
        }
    }
    edges: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        applicable = [r for r in resources if r.kind in kinds.get(row.action, ())]
        mask = sum(1 << r.position for r in applicable)
        for resource in applicable:
            decision = queries.cell_value(row, resource.position)
            if decision not in ("allowed", "conditional"):
                continue
            rid = f"r:{resource.arn}"
            nodes[rid] = {
                "id": rid,
                "label": resource.name or resource.arn,
                "type": "resource",
                "arn": resource.arn,
            }
            suffix = " (conditional)" if decision == "conditional" else ""
            for source in queries.sources_at(row.details, descriptors, resource.position, mask):
                if source.get("effect") != "Allow":
                    continue
                policy_id = _path_to_policy(nodes, edges, pid, source)
                label = source.get("sid") or f"statement {source.get('statement')}"
                edges.setdefault((policy_id, rid), set()).add(f"{label}: {row.action}{suffix}")
    return _graph(nodes, edges)
