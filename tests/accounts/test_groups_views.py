"""Group pages: authorization triple, AWS's rules and errors, audit rows, bounded queries."""

from __future__ import annotations

import pytest

from accounts.actors import system_actor
from accounts.models import AuditEvent, Group, GroupMembership
from accounts.services import groups as group_services
from policies.models import PolicyAttachment
from tests.accounts.support import ACCOUNT, ALICE, allow, denial, grant
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
    return GroupFactory(account=account, name="Operators", path="/ops/")


@pytest.fixture
def dev(account):
    return GroupFactory(account=account, name="Developers", path="/dev/")


PAGES = [
    ("get", "/groups", None),
    ("get", "/groups/create", None),
    ("post", "/groups/create", {"name": "x", "path": "/"}),
    ("get", "/groups/Operators", None),
    ("get", "/groups/Operators/edit", None),
    ("post", "/groups/Operators/members", {"user_name": "alice"}),
    ("post", "/groups/Operators/members/alice/remove", {}),
    ("post", "/groups/Operators/policies/attach", {"policy_arn": "x"}),
    ("post", "/groups/Operators/policies/detach", {"policy_arn": "x"}),
    ("get", "/groups/Operators/delete", None),
    ("post", "/groups/Operators/delete", {"confirm": "Operators"}),
]


@pytest.mark.parametrize(("method", "url", "data"), PAGES)
def test_anonymous_is_sent_to_sign_in(client, ops, method, url, data):
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 302
    assert response["Location"].startswith("/signin?next=")
    assert Group.objects.filter(name="Operators").exists()


NO_PERMISSION = [
    ("get", "/groups", None, "iam:ListGroups", "*"),
    ("post", "/groups/create", {"name": "Audit", "path": "/"}, "iam:CreateGroup", "Audit"),
    ("get", "/groups/Operators", None, "iam:GetGroup", "Operators"),
    ("get", "/groups/Operators/edit", None, "iam:GetGroup", "Operators"),
    (
        "post",
        "/groups/Operators/edit",
        {"name": "Ops", "path": "/ops/"},
        "iam:UpdateGroup",
        "Operators",
    ),
    (
        "post",
        "/groups/Operators/members",
        {"user_name": "alice"},
        "iam:AddUserToGroup",
        "Operators",
    ),
    ("post", "/groups/Operators/members/bob/remove", {}, "iam:RemoveUserFromGroup", "Operators"),
    ("get", "/groups/Operators/delete", None, "iam:GetGroup", "Operators"),
    ("post", "/groups/Operators/delete", {"confirm": "Operators"}, "iam:DeleteGroup", "Operators"),
]


@pytest.mark.parametrize(("method", "url", "data", "action", "resource"), NO_PERMISSION)
def test_no_permission_is_403_with_aws_message(
    alice_client, ops, method, url, data, action, resource
):
    if resource == "Operators":
        resource = ops.arn
    elif resource != "*":
        resource = group_arn(resource)
    GroupMembershipFactory(user=IAMUserFactory(account=ops.account, name="bob"), group=ops)
    response = getattr(alice_client, method)(url, data or {})
    assert response.status_code == 403
    assert denial(action, resource) in response.content.decode()
    event = AuditEvent.objects.filter(action=action, decision="implicitDeny").get()
    assert event.principal_arn == ALICE and event.resource_arn == resource
    assert Group.objects.filter(name="Operators", path="/ops/").exists()
    assert ops.memberships.count() == 1


def test_get_group_limited_to_a_path(alice_client, alice, ops, dev):
    grant(alice, allow("iam:GetGroup", f"arn:aws:iam::{ACCOUNT}:group/ops/*"))
    assert alice_client.get("/groups/Operators").status_code == 200
    response = alice_client.get("/groups/Developers")
    assert response.status_code == 403
    assert denial("iam:GetGroup", dev.arn) in response.content.decode()


def test_list_groups_filtered_sorted_paginated(root_client, account, django_assert_max_num_queries):
    policy = ManagedPolicyFactory(account=account, name="MqRead")
    for n in range(30):
        group = GroupFactory(account=account, name=f"team-{n:02d}", path="/ops/" if n % 2 else "/")
        for _ in range(n % 3):
            GroupMembershipFactory(user=IAMUserFactory(account=account), group=group)
        if n % 5 == 0:
            PolicyAttachment.objects.create(policy=policy, group=group)
    with django_assert_max_num_queries(8):
        response = root_client.get("/groups")
    assert response.status_code == 200
    page = response.content.decode()
    assert "team-00" in page and "team-24" in page and "team-25" not in page  # 25 per page
    table = response.context["table"]
    first = table.page.object_list.data[0]
    assert (first.name, first.member_count, first.policy_count) == ("team-00", 0, 1)
    response = root_client.get("/groups", {"path": "/ops/", "search": "team-1"})
    names = [g.name for g in response.context["table"].page.object_list.data]
    assert names == [f"team-{n}" for n in (11, 13, 15, 17, 19)]
    response = root_client.get("/groups", {"sort": "-member_count"})
    counts = [g.member_count for g in response.context["table"].page.object_list.data]
    assert counts == sorted(counts, reverse=True)
    assert 'aria-sort="descending"' in response.content.decode()
    with django_assert_max_num_queries(8):
        assert root_client.get("/groups", {"page": 2}).status_code == 200


def test_empty_state_says_what_to_do(root_client):
    page = root_client.get("/groups").content.decode()
    assert "No groups yet" in page and "attach the policies that job needs" in page


def test_create_group_with_policies_is_audited(root_client, account):
    policy = ManagedPolicyFactory(account=account, name="MqRead")
    response = root_client.post(
        "/groups/create", {"name": "Readers", "path": "/ops/", "policies": [policy.arn]}
    )
    assert response.status_code == 302 and response["Location"] == "/groups/Readers"
    group = Group.objects.get(name="Readers")
    assert group.path == "/ops/" and group.unique_id.startswith("AGPA")
    assert list(group.policy_attachments.values_list("policy__name", flat=True)) == ["MqRead"]
    created = AuditEvent.objects.get(action="iam:CreateGroup")
    assert created.resource_arn == group_arn("Readers", "/ops/")
    assert created.request_parameters == {"GroupName": "Readers", "Path": "/ops/"}
    attached = AuditEvent.objects.get(action="iam:AttachGroupPolicy")
    assert attached.request_parameters["PolicyArn"] == policy.arn


def test_create_group_name_taken_ignoring_case(root_client, ops):
    response = root_client.post("/groups/create", {"name": "OPERATORS", "path": "/"})
    assert response.status_code == 409
    form = response.context["form"]
    assert form.errors["name"] == ["Group with name OPERATORS already exists."]
    assert Group.objects.count() == 1


def test_create_group_bad_path_in_aws_words(root_client):
    response = root_client.post("/groups/create", {"name": "x", "path": "ops"})
    assert response.status_code == 400
    assert "at 'path' failed to satisfy constraint" in response.context["form"].errors["path"][0]


def test_create_group_attach_denied_creates_nothing(alice_client, alice, account):
    policy = ManagedPolicyFactory(account=account, name="MqRead")
    grant(alice, allow("iam:CreateGroup"))
    response = alice_client.post(
        "/groups/create", {"name": "Readers", "path": "/", "policies": [policy.arn]}
    )
    assert response.status_code == 403
    assert denial("iam:AttachGroupPolicy", group_arn("Readers")) in response.content.decode()
    assert not Group.objects.filter(name="Readers").exists()


def test_attach_policy_condition_on_policy_arn(alice_client, alice, ops, account):
    allowed = ManagedPolicyFactory(account=account, name="MqRead")
    other = ManagedPolicyFactory(account=account, name="MqAdmin")
    grant(
        alice,
        allow(
            "iam:AttachGroupPolicy",
            ops.arn,
            Condition={"ArnEquals": {"iam:PolicyARN": allowed.arn}},
        ),
    )
    response = alice_client.post("/groups/Operators/policies/attach", {"policy_arn": allowed.arn})
    assert response.status_code == 302
    response = alice_client.post("/groups/Operators/policies/attach", {"policy_arn": other.arn})
    assert response.status_code == 403
    assert list(ops.policy_attachments.values_list("policy__name", flat=True)) == ["MqRead"]


def test_detach_policy(root_client, ops, account):
    policy = ManagedPolicyFactory(account=account, name="MqRead")
    PolicyAttachment.objects.create(policy=policy, group=ops)
    response = root_client.post("/groups/Operators/policies/detach", {"policy_arn": policy.arn})
    assert response.status_code == 302 and response["Location"].endswith("?tab=permissions")
    assert not ops.policy_attachments.exists()
    assert AuditEvent.objects.get(action="iam:DetachGroupPolicy").resource_arn == ops.arn


def test_add_and_remove_member_audited(root_client, ops, account):
    IAMUserFactory(account=account, name="bob")
    response = root_client.post("/groups/Operators/members", {"user_name": "BOB"})
    assert response.status_code == 302
    assert list(ops.memberships.values_list("user__name", flat=True)) == ["bob"]
    added = AuditEvent.objects.get(action="iam:AddUserToGroup")
    assert added.resource_arn == ops.arn
    assert added.request_parameters == {"GroupName": "Operators", "UserName": "bob"}
    page = root_client.get("/groups/Operators").content.decode()
    assert "bob" in page and "1 of 10" in page
    response = root_client.post("/groups/Operators/members/bob/remove")
    assert response.status_code == 302
    assert not ops.memberships.exists()
    assert AuditEvent.objects.get(action="iam:RemoveUserFromGroup").resource_arn == ops.arn


def test_eleventh_group_is_refused_on_the_form(root_client, ops, account):
    bob = IAMUserFactory(account=account, name="bob")
    for n in range(10):
        GroupMembershipFactory(user=bob, group=GroupFactory(account=account, name=f"g{n}"))
    response = root_client.post("/groups/Operators/members", {"user_name": "bob"})
    assert response.status_code == 409
    form = response.context["member_form"]
    assert form.errors["user_name"] == [
        "Cannot exceed quota for GroupsPerUser: 10",
        "bob already belongs to 10 groups: remove them from one first.",
    ]
    assert "Cannot exceed quota for GroupsPerUser: 10" in response.content.decode()
    assert not ops.memberships.exists()
    assert not AuditEvent.objects.filter(action="iam:AddUserToGroup").exists()


def test_add_unknown_user_says_so(root_client, ops):
    response = root_client.post("/groups/Operators/members", {"user_name": "nobody"})
    assert response.status_code == 404
    assert response.context["member_form"].errors["user_name"] == [
        "The user with name nobody cannot be found."
    ]


def test_add_member_limited_to_one_group(alice_client, alice, ops, dev):
    grant(alice, allow("iam:AddUserToGroup", f"arn:aws:iam::{ACCOUNT}:group/ops/*"))
    IAMUserFactory(account=ops.account, name="bob")
    assert alice_client.post("/groups/Operators/members", {"user_name": "bob"}).status_code == 302
    response = alice_client.post("/groups/Developers/members", {"user_name": "bob"})
    assert response.status_code == 403
    assert denial("iam:AddUserToGroup", dev.arn) in response.content.decode()


def test_rename_needs_update_on_old_and_new_arn(alice_client, alice, ops):
    grant(
        alice,
        allow("iam:GetGroup", "*"),
        allow("iam:UpdateGroup", f"arn:aws:iam::{ACCOUNT}:group/ops/*"),
    )
    response = alice_client.post("/groups/Operators/edit", {"name": "Ops", "path": "/ops/"})
    assert response.status_code == 302 and response["Location"] == "/groups/Ops"
    response = alice_client.post("/groups/Ops/edit", {"name": "Ops", "path": "/dev/"})
    assert response.status_code == 403
    assert denial("iam:UpdateGroup", group_arn("Ops", "/dev/")) in response.content.decode()
    ops.refresh_from_db()
    assert (ops.name, ops.path) == ("Ops", "/ops/")
    event = AuditEvent.objects.get(action="iam:UpdateGroup", decision="allowed")
    assert event.resource_arn == group_arn("Operators", "/ops/")
    assert event.after["GroupName"] == "Ops"


def test_rename_to_taken_name_shows_aws_error(root_client, ops, dev):
    response = root_client.post("/groups/Operators/edit", {"name": "developers", "path": "/ops/"})
    assert response.status_code == 409
    assert response.context["form"].errors["name"] == ["Group with name developers already exists."]
    assert '<h1 class="h3">Edit Operators</h1>' in response.content.decode()


def _blocked_group(account, ops):
    bob = IAMUserFactory(account=account, name="bob")
    GroupMembershipFactory(user=bob, group=ops)
    InlinePolicyFactory(user=None, group=ops, name="extra")
    policy = ManagedPolicyFactory(account=account, name="MqRead")
    PolicyAttachment.objects.create(policy=policy, group=ops)
    return policy


def test_delete_explains_preconditions(root_client, account, ops):
    _blocked_group(account, ops)
    page = root_client.get("/groups/Operators/delete").content.decode()
    assert "Cannot delete entity, must remove users from group first." in page
    assert "Cannot delete entity, must delete policies first." in page
    assert "Cannot delete entity, must detach all policies first." in page
    assert "Attached policy MqRead" in page and "Inline policy extra" in page


def test_delete_without_removing_is_delete_conflict(root_client, account, ops):
    _blocked_group(account, ops)
    response = root_client.post("/groups/Operators/delete", {"confirm": "Operators"})
    assert response.status_code == 409
    assert "Cannot delete entity, must remove users from group first." in response.content.decode()
    assert Group.objects.filter(pk=ops.pk).exists()


def test_delete_needs_the_typed_name(root_client, ops):
    response = root_client.post("/groups/Operators/delete", {"confirm": "operators"})
    assert response.status_code == 400
    assert Group.objects.filter(pk=ops.pk).exists()


def test_delete_removing_blockers_first_is_audited(root_client, account, ops):
    policy = _blocked_group(account, ops)
    response = root_client.post(
        "/groups/Operators/delete", {"confirm": "Operators", "remove_blockers": "1"}
    )
    assert response.status_code == 302 and response["Location"] == "/groups"
    assert not Group.objects.filter(pk=ops.pk).exists()
    actions = list(
        AuditEvent.objects.filter(resource_arn=ops.arn)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "iam:RemoveUserFromGroup",
        "iam:DeleteGroupPolicy",
        "iam:DetachGroupPolicy",
        "iam:DeleteGroup",
    ]
    assert PolicyAttachment.objects.filter(policy=policy).count() == 0
    assert GroupMembership.objects.count() == 0


def test_delete_with_a_denied_step_changes_nothing(alice_client, alice, account, ops):
    _blocked_group(account, ops)
    grant(
        alice,
        allow(
            ["iam:GetGroup", "iam:RemoveUserFromGroup", "iam:DeleteGroupPolicy", "iam:DeleteGroup"]
        ),
    )
    response = alice_client.post(
        "/groups/Operators/delete", {"confirm": "Operators", "remove_blockers": "1"}
    )
    assert response.status_code == 403
    assert denial("iam:DetachGroupPolicy", ops.arn) in response.content.decode()
    assert ops.memberships.count() == 1 and ops.inline_policies.count() == 1
    denied = AuditEvent.objects.get(action="iam:DetachGroupPolicy")
    assert denied.decision == "implicitDeny"  # the denial is kept in the audit trail


def test_detail_tabs_show_members_and_policies(root_client, account, ops):
    _blocked_group(account, ops)
    page = root_client.get("/groups/Operators").content.decode()
    assert 'aria-current="page">Users (1)' in page and "bob" in page
    page = root_client.get("/groups/Operators?tab=permissions").content.decode()
    assert "MqRead" in page and "extra" in page and "Attached managed policies (1 of 10)" in page


def test_service_quota_via_services_too(account, ops):
    """The rule lives in the service: the API and tasks get the same refusal."""
    bob = IAMUserFactory(account=account, name="bob")
    for n in range(10):
        group_services.group_member_add(
            actor=system_actor(), group=GroupFactory(account=account, name=f"q{n}"), user=bob
        )
    with pytest.raises(Exception, match="GroupsPerUser: 10"):
        group_services.group_member_add(actor=system_actor(), group=ops, user=bob)
