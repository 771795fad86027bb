"""Groups REST API: the triple, members and the 10-group quota, delete, audit, queries."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent, Group
from policies.models import PolicyAttachment
from tests.accounts.support import ACCOUNT, allow, call, denial, grant
from tests.factories import (
    GroupFactory,
    GroupMembershipFactory,
    IAMUserFactory,
    InlinePolicyFactory,
    ManagedPolicyFactory,
)

pytestmark = pytest.mark.django_db


def group_arn(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ACCOUNT}:group{path}{name}"


@pytest.fixture
def ops(account):
    group = GroupFactory(account=account, name="Operators", path="/ops/")
    GroupMembershipFactory(user=IAMUserFactory(account=account, name="bob"), group=group)
    return group


@pytest.fixture
def dev(account):
    return GroupFactory(account=account, name="Developers", path="/dev/")


ENDPOINTS = [
    ("get", "/api/v1/groups/", None, "iam:ListGroups", "*"),
    ("post", "/api/v1/groups/", {"GroupName": "Audit"}, "iam:CreateGroup", group_arn("Audit")),
    ("get", "/api/v1/groups/Operators/", None, "iam:GetGroup", "ops"),
    ("patch", "/api/v1/groups/Operators/", {"NewGroupName": "Ops"}, "iam:UpdateGroup", "ops"),
    ("delete", "/api/v1/groups/Operators/?force=true", None, "iam:RemoveUserFromGroup", "ops"),
    ("get", "/api/v1/groups/Operators/members/", None, "iam:GetGroup", "ops"),
    (
        "post",
        "/api/v1/groups/Operators/members/",
        {"UserName": "alice"},
        "iam:AddUserToGroup",
        "ops",
    ),
    ("delete", "/api/v1/groups/Operators/members/bob/", None, "iam:RemoveUserFromGroup", "ops"),
]


@pytest.mark.parametrize(("method", "url", "data", "action", "resource"), ENDPOINTS)
def test_anonymous_is_403_json(api_client, ops, method, url, data, action, resource):
    response = call(api_client, method, url, data)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "NotAuthenticated"
    assert ops.memberships.count() == 1


@pytest.mark.parametrize(("method", "url", "data", "action", "resource"), ENDPOINTS)
def test_no_permission_is_403_with_aws_message(alice_api, ops, method, url, data, action, resource):
    resource = ops.arn if resource == "ops" else resource
    response = call(alice_api, method, url, data)
    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "AccessDenied", "message": denial(action, resource)}
    }
    assert AuditEvent.objects.get(action=action, decision="implicitDeny").resource_arn == resource
    assert Group.objects.filter(name="Operators").exists() and ops.memberships.count() == 1
    assert not Group.objects.filter(name="Audit").exists()


def test_get_group_limited_to_a_path(alice_api, alice, ops, dev):
    grant(alice, allow("iam:GetGroup", f"arn:aws:iam::{ACCOUNT}:group/ops/*"))
    response = alice_api.get("/api/v1/groups/operators/")
    assert response.status_code == 200
    body = response.json()
    assert body["Group"]["Arn"] == group_arn("Operators", "/ops/")
    assert [u["UserName"] for u in body["Users"]] == ["bob"]
    assert body["AttachedPolicies"] == [] and body["PolicyNames"] == []
    response = alice_api.get("/api/v1/groups/Developers/")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == denial("iam:GetGroup", dev.arn)


def test_list_groups_with_the_page_s_filters(root_api, account, django_assert_max_num_queries):
    policy = ManagedPolicyFactory(account=account, name="MqRead")
    for n in range(30):
        group = GroupFactory(account=account, name=f"g{n:02d}", path="/ops/" if n % 2 else "/")
        for _ in range(n % 3):
            GroupMembershipFactory(user=IAMUserFactory(account=account), group=group)
        if n % 5 == 0:
            PolicyAttachment.objects.create(policy=policy, group=group)
    with django_assert_max_num_queries(8):
        response = root_api.get("/api/v1/groups/", {"page_size": 10})
    body = response.json()
    assert body["count"] == 30 and len(body["results"]) == 10
    assert body["results"][0] == {
        "Path": "/",
        "GroupName": "g00",
        "GroupId": body["results"][0]["GroupId"],
        "Arn": group_arn("g00"),
        "CreateDate": body["results"][0]["CreateDate"],
        "MemberCount": 0,
        "AttachedPolicyCount": 1,
        "InlinePolicyCount": 0,
    }
    response = root_api.get("/api/v1/groups/", {"path": "/ops/", "policy": "mqread"})
    assert [g["GroupName"] for g in response.json()["results"]] == ["g05", "g15", "g25"]
    response = root_api.get("/api/v1/groups/", {"empty": "true", "search": "g1"})
    assert [g["GroupName"] for g in response.json()["results"]] == ["g12", "g15", "g18"]


def test_create_group_with_policies(root_api, account):
    policy = ManagedPolicyFactory(account=account, name="MqRead")
    response = root_api.post(
        "/api/v1/groups/",
        {"GroupName": "Readers", "Path": "/ops/", "PolicyArns": [policy.arn]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["Arn"] == group_arn("Readers", "/ops/")
    group = Group.objects.get(name="Readers")
    assert group.policy_attachments.get().policy == policy
    assert (
        AuditEvent.objects.filter(
            resource_arn=group.arn, action__in=["iam:CreateGroup", "iam:AttachGroupPolicy"]
        ).count()
        == 2
    )


def test_create_group_taken_name_ignoring_case(root_api, ops):
    response = root_api.post("/api/v1/groups/", {"GroupName": "OPERATORS"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "EntityAlreadyExists",
        "message": "Group with name OPERATORS already exists.",
    }


def test_attach_condition_on_policy_arn_at_create(alice_api, alice, account):
    allowed = ManagedPolicyFactory(account=account, name="MqRead")
    other = ManagedPolicyFactory(account=account, name="Admin")
    grant(
        alice,
        allow("iam:CreateGroup"),
        allow("iam:AttachGroupPolicy", Condition={"ArnEquals": {"iam:PolicyARN": allowed.arn}}),
    )
    body = {"GroupName": "G1", "PolicyArns": [other.arn]}
    assert alice_api.post("/api/v1/groups/", body, format="json").status_code == 403
    body = {"GroupName": "G1", "PolicyArns": [allowed.arn]}
    assert alice_api.post("/api/v1/groups/", body, format="json").status_code == 201


def test_members_add_list_remove(root_api, account, ops):
    IAMUserFactory(account=account, name="carol")
    response = root_api.post(
        "/api/v1/groups/Operators/members/", {"UserName": "carol"}, format="json"
    )
    assert response.status_code == 204
    members = root_api.get("/api/v1/groups/Operators/members/").json()
    assert [m["UserName"] for m in members] == ["bob", "carol"]
    assert root_api.delete("/api/v1/groups/Operators/members/carol/").status_code == 204
    response = root_api.delete("/api/v1/groups/Operators/members/carol/")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == (
        "The user with name carol is not a member of group Operators."
    )
    events = AuditEvent.objects.filter(resource_arn=ops.arn, decision="allowed")
    assert list(events.order_by("id").values_list("action", flat=True)) == [
        "iam:AddUserToGroup",
        "iam:RemoveUserFromGroup",
    ]


def test_eleventh_group_is_limit_exceeded(root_api, account, ops):
    carol = IAMUserFactory(account=account, name="carol")
    for n in range(10):
        GroupMembershipFactory(user=carol, group=GroupFactory(account=account, name=f"q{n}"))
    response = root_api.post(
        "/api/v1/groups/Operators/members/", {"UserName": "carol"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "LimitExceeded",
        "message": "Cannot exceed quota for GroupsPerUser: 10",
    }
    assert not ops.memberships.filter(user=carol).exists()


def test_update_group_needs_both_arns(alice_api, alice, ops):
    grant(alice, allow("iam:UpdateGroup", f"arn:aws:iam::{ACCOUNT}:group/ops/*"))
    response = alice_api.patch("/api/v1/groups/Operators/", {"NewGroupName": "Ops"}, format="json")
    assert response.status_code == 200 and response.json()["GroupName"] == "Ops"
    response = alice_api.patch("/api/v1/groups/Ops/", {"NewPath": "/dev/"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == denial(
        "iam:UpdateGroup", group_arn("Ops", "/dev/")
    )


def test_delete_group_conflict_then_force(root_api, account, ops):
    InlinePolicyFactory(user=None, group=ops, name="extra")
    PolicyAttachment.objects.create(policy=ManagedPolicyFactory(account=account), group=ops)
    response = root_api.delete("/api/v1/groups/Operators/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "DeleteConflict"
    assert response.json()["error"]["fields"]["blockers"] == [
        "Cannot delete entity, must remove users from group first.",
        "Cannot delete entity, must delete policies first.",
        "Cannot delete entity, must detach all policies first.",
    ]
    assert root_api.delete("/api/v1/groups/Operators/?force=true").status_code == 204
    assert not Group.objects.filter(pk=ops.pk).exists()
    assert list(
        AuditEvent.objects.filter(resource_arn=ops.arn, decision="allowed")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "iam:RemoveUserFromGroup",
        "iam:DeleteGroupPolicy",
        "iam:DetachGroupPolicy",
        "iam:DeleteGroup",
    ]
