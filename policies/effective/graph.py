"""The access graph of a resource: principals → groups/roles → policies → the resource."""

from __future__ import annotations

from policies.effective import queries
from policies.effective.actions import matrix_actions

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
    from policies.models import MatrixResource

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
                policy_id = f"pol:{source['policy']}"
                nodes[policy_id] = {
                    "id": policy_id,
                    "type": "policy",
                    "label": source["policy"].rsplit("/", 1)[-1],
                }
                start = pid
                if source.get("via") == "group":
                    gid = f"g:{source['via_name']}"
                    nodes[gid] = {"id": gid, "label": source["via_name"], "type": "group"}
                    edges.setdefault((pid, gid), set()).add("member of")
                    start = gid
                edges.setdefault((start, policy_id), set()).add("attached")
                label = source.get("sid") or f"statement {source.get('statement')}"
                suffix = " (conditional)" if row["decision"] == "conditional" else ""
                edges.setdefault((policy_id, "resource"), set()).add(f"{label}: {name}{suffix}")
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
