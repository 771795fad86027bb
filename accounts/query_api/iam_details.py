"""GetAccountAuthorizationDetails: every user, group, role and policy with their documents."""

from __future__ import annotations

from django.db.models import Prefetch, Q

from accounts.models import Group, IAMUser, Role
from accounts.query_api import render
from accounts.query_api.registry import Call, operation, paginate, tags_out
from policies.models import ManagedPolicy, PolicyAttachment

KINDS = ("User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy")
_ATTACHMENTS = Prefetch(
    "policy_attachments", queryset=PolicyAttachment.objects.select_related("policy__account")
)


def _inline(entity) -> list[dict]:
    return [
        {"PolicyName": p.name, "PolicyDocument": p.document} for p in entity.inline_policies.all()
    ]


def _attached(entity) -> list[dict]:
    return [render.attached(a.policy) for a in entity.policy_attachments.all()]


def _user(user: IAMUser) -> dict:
    return {
        **render.user(user, full=True),
        "UserPolicyList": _inline(user),
        "GroupList": [m.group.name for m in user.memberships.all()],
        "AttachedManagedPolicies": _attached(user),
        "Tags": tags_out(user.tags),
    }


def _group(group: Group) -> dict:
    return {
        **render.group(group),
        "GroupPolicyList": _inline(group),
        "AttachedManagedPolicies": _attached(group),
    }


def _role(role: Role) -> dict:
    return {
        **render.role(role, full=True),
        "InstanceProfileList": [],
        "RolePolicyList": _inline(role),
        "AttachedManagedPolicies": _attached(role),
        "Tags": tags_out(role.tags),
    }


def _policy(policy: ManagedPolicy) -> dict:
    return {
        **render.policy(policy),
        "Tags": None,
        "PolicyVersionList": [render.version(v) for v in policy.versions.all()],
    }


def _index(call: Call, wanted: set[str]) -> list[tuple[str, int]]:
    """(kind, pk) of everything the answer holds, in AWS's order; details load per page."""
    account = call.account
    index: list[tuple[str, int]] = []
    for kind, model in (("User", IAMUser), ("Group", Group), ("Role", Role)):
        if kind in wanted:
            pks = model.objects.filter(account=account).order_by("name", "id")
            index += [(kind, pk) for pk in pks.values_list("pk", flat=True)]
    policies = render.policies_with_counts(account)
    in_use = Q(attachment_count__gt=0) | Q(user_boundaries__gt=0) | Q(role_boundaries__gt=0)
    if "LocalManagedPolicy" in wanted:
        local = policies.filter(is_aws_managed=False).values_list("pk", flat=True)
        index += [("Policy", pk) for pk in local]
    if "AWSManagedPolicy" in wanted:
        # Only the AWS managed policies this account uses, as AWS answers.
        shared = policies.filter(in_use, is_aws_managed=True).values_list("pk", flat=True)
        index += [("Policy", pk) for pk in shared]
    return index


def _load(call: Call, kind: str, pks: list[int]) -> dict:
    if not pks:
        return {}
    if kind == "User":
        queryset = IAMUser.objects.select_related(
            "account", "permissions_boundary__account"
        ).prefetch_related("inline_policies", _ATTACHMENTS, "memberships__group")
    elif kind == "Group":
        queryset = Group.objects.select_related("account").prefetch_related(
            "inline_policies", _ATTACHMENTS
        )
    elif kind == "Role":
        queryset = Role.objects.select_related(
            "account", "permissions_boundary__account"
        ).prefetch_related("inline_policies", _ATTACHMENTS)
    else:
        queryset = render.policies_with_counts(call.account).prefetch_related("versions")
    return {obj.pk: obj for obj in queryset.filter(pk__in=pks)}


@operation("iam", "GetAccountAuthorizationDetails")
def get_account_authorization_details(call: Call) -> dict:
    """Users, groups, roles and managed policies with documents, a page at a time."""
    call.require("iam:GetAccountAuthorizationDetails", "*")
    wanted = set(call.get("Filter") or KINDS)
    page = paginate(call, _index(call, wanted), "Items")
    items = page.pop("Items")
    loaded = {
        kind: _load(call, kind, [pk for k, pk in items if k == kind])
        for kind in ("User", "Group", "Role", "Policy")
    }
    render_item = {"User": _user, "Group": _group, "Role": _role, "Policy": _policy}
    lists: dict[str, list] = {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": [],
    }
    names = {"User": "UserDetailList", "Group": "GroupDetailList", "Role": "RoleDetailList"}
    for kind, pk in items:
        lists[names.get(kind, "Policies")].append(render_item[kind](loaded[kind][pk]))
    return {**lists, **page}
