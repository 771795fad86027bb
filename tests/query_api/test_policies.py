"""Managed policies, versions, attachments, inline policies and boundaries through boto3."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.query_api.conftest import ACCOUNT, denied_message, error_of

pytestmark = pytest.mark.django_db(transaction=True)


def doc(action: str = "mq:Describe*", effect: str = "Allow") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": effect, "Action": action, "Resource": "*"}],
        }
    )


ARN = f"arn:aws:iam::{ACCOUNT}:policy/readers/mq-read"
MQ_READ_ONLY = "arn:aws:iam::aws:policy/AmazonMQReadOnlyAccess"


def test_managed_policy_and_versions(iam):
    policy = iam.create_policy(
        PolicyName="mq-read",
        Path="/readers/",
        PolicyDocument=doc(),
        Description="read brokers",
        Tags=[{"Key": "owner", "Value": "ops"}],
    )["Policy"]
    assert policy["Arn"] == ARN and policy["DefaultVersionId"] == "v1"
    assert policy["PolicyId"].startswith("ANPA") and policy["AttachmentCount"] == 0
    assert iam.get_policy(PolicyArn=ARN)["Policy"]["Description"] == "read brokers"
    v2 = iam.create_policy_version(PolicyArn=ARN, PolicyDocument=doc("mq:List*"))["PolicyVersion"]
    assert v2["VersionId"] == "v2" and v2["IsDefaultVersion"] is False
    iam.set_default_policy_version(PolicyArn=ARN, VersionId="v2")
    version = iam.get_policy_version(PolicyArn=ARN, VersionId="v2")["PolicyVersion"]
    assert version["Document"]["Statement"][0]["Action"] == "mq:List*"
    assert version["IsDefaultVersion"] is True
    listed = iam.list_policy_versions(PolicyArn=ARN)["Versions"]
    assert [v["VersionId"] for v in listed] == ["v2", "v1"]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy(PolicyArn=ARN)
    assert error_of(excinfo)[0::2] == ("DeleteConflict", 409)
    iam.delete_policy_version(PolicyArn=ARN, VersionId="v1")
    iam.tag_policy(PolicyArn=ARN, Tags=[{"Key": "tier", "Value": "1"}])
    iam.untag_policy(PolicyArn=ARN, TagKeys=["owner"])
    assert iam.list_policy_tags(PolicyArn=ARN)["Tags"] == [{"Key": "tier", "Value": "1"}]
    iam.delete_policy(PolicyArn=ARN)
    with pytest.raises(ClientError) as excinfo:
        iam.get_policy(PolicyArn=ARN)
    assert error_of(excinfo)[0::2] == ("NoSuchEntity", 404)


def test_policy_errors(iam):
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName="bad", PolicyDocument='{"Version": "2012-10-17"')
    assert error_of(excinfo)[0::2] == ("MalformedPolicyDocument", 400)
    iam.create_policy(PolicyName="p", PolicyDocument=doc())
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName="p", PolicyDocument=doc())
    assert error_of(excinfo)[0::2] == ("EntityAlreadyExists", 409)
    arn = f"arn:aws:iam::{ACCOUNT}:policy/p"
    for i in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(f"mq:List{i}*"))
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc())
    assert error_of(excinfo)[0::2] == ("LimitExceeded", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.get_policy_version(PolicyArn=arn, VersionId="v9")
    assert error_of(excinfo)[0] == "NoSuchEntity"
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy_version(PolicyArn=MQ_READ_ONLY, PolicyDocument=doc())
    assert error_of(excinfo)[0] == "UnmodifiableEntity"


def test_list_policies_scopes_and_pagination(iam):
    for name in ("a", "b", "c"):
        iam.create_policy(PolicyName=f"local-{name}", PolicyDocument=doc())
    local = iam.list_policies(Scope="Local")["Policies"]
    assert [p["PolicyName"] for p in local] == ["local-a", "local-b", "local-c"]
    aws = iam.list_policies(Scope="AWS")["Policies"]
    assert aws and all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in aws)
    pages = iam.get_paginator("list_policies").paginate(
        Scope="Local", PaginationConfig={"PageSize": 2}
    )
    assert [len(p["Policies"]) for p in pages] == [2, 1]
    iam.create_user(UserName="bob")
    iam.attach_user_policy(UserName="bob", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/local-b")
    attached = iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]
    assert [(p["PolicyName"], p["AttachmentCount"]) for p in attached] == [("local-b", 1)]


@pytest.mark.parametrize("kind", ["User", "Group", "Role"])
def test_attach_inline_and_list_for_every_identity_kind(iam, kind):
    name = f"{kind.lower()}-x"
    create = {
        "User": lambda: iam.create_user(UserName=name),
        "Group": lambda: iam.create_group(GroupName=name),
        "Role": lambda: iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "mq.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        ),
    }[kind]
    create()
    key = {f"{kind}Name": name}
    call = lambda op, **kw: getattr(iam, op)(**key, **kw)  # noqa: E731
    snake = kind.lower()
    call(f"attach_{snake}_policy", PolicyArn=MQ_READ_ONLY)
    call(f"attach_{snake}_policy", PolicyArn=MQ_READ_ONLY)  # idempotent, as AWS's
    attached = call(f"list_attached_{snake}_policies")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AmazonMQReadOnlyAccess", "PolicyArn": MQ_READ_ONLY}]
    call(f"put_{snake}_policy", PolicyName="inline", PolicyDocument=doc())
    got = call(f"get_{snake}_policy", PolicyName="inline")
    assert got[f"{kind}Name"] == name and got["PolicyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert call(f"list_{snake}_policies")["PolicyNames"] == ["inline"]
    call(f"delete_{snake}_policy", PolicyName="inline")
    with pytest.raises(ClientError) as excinfo:
        call(f"get_{snake}_policy", PolicyName="inline")
    assert error_of(excinfo)[0::2] == ("NoSuchEntity", 404)
    call(f"detach_{snake}_policy", PolicyArn=MQ_READ_ONLY)
    with pytest.raises(ClientError) as excinfo:
        call(f"detach_{snake}_policy", PolicyArn=MQ_READ_ONLY)
    assert error_of(excinfo)[0] == "NoSuchEntity"
    with pytest.raises(ClientError) as excinfo:
        call(f"put_{snake}_policy", PolicyName="broken", PolicyDocument="{")
    assert error_of(excinfo)[0] == "MalformedPolicyDocument"


def test_attachment_quota_and_unknown_policy(iam):
    iam.create_user(UserName="bob")
    for i in range(10):
        iam.create_policy(PolicyName=f"p{i}", PolicyDocument=doc())
        iam.attach_user_policy(UserName="bob", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/p{i}")
    iam.create_policy(PolicyName="p10", PolicyDocument=doc())
    with pytest.raises(ClientError) as excinfo:
        iam.attach_user_policy(UserName="bob", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/p10")
    assert error_of(excinfo) == (
        "LimitExceeded",
        "Cannot exceed quota for PoliciesPerUser: 10",
        409,
    )
    with pytest.raises(ClientError) as excinfo:
        iam.attach_user_policy(UserName="bob", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/nope")
    assert error_of(excinfo)[0::2] == ("NoSuchEntity", 404)


def test_permissions_boundaries(iam):
    iam.create_policy(PolicyName="bound", PolicyDocument=doc("mq:*"))
    bound = f"arn:aws:iam::{ACCOUNT}:policy/bound"
    iam.create_user(UserName="bob")
    iam.put_user_permissions_boundary(UserName="bob", PermissionsBoundary=bound)
    assert iam.get_user(UserName="bob")["User"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": bound,
    }
    iam.delete_user_permissions_boundary(UserName="bob")
    assert "PermissionsBoundary" not in iam.get_user(UserName="bob")["User"]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user_permissions_boundary(UserName="bob")
    assert error_of(excinfo)[0] == "NoSuchEntity"
    iam.create_role(
        RoleName="r",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": ACCOUNT},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
        PermissionsBoundary=bound,
    )
    assert iam.get_role(RoleName="r")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == (
        bound
    )
    iam.delete_role_permissions_boundary(RoleName="r")
    iam.put_role_permissions_boundary(RoleName="r", PermissionsBoundary=bound)
    entities = iam.list_entities_for_policy(PolicyArn=bound)
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["r"]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy(PolicyArn=bound)
    assert error_of(excinfo)[0] == "DeleteConflict"


def test_list_entities_for_policy_paginates_and_filters(iam):
    iam.create_policy(PolicyName="shared", PolicyDocument=doc())
    arn = f"arn:aws:iam::{ACCOUNT}:policy/shared"
    iam.create_group(GroupName="g")
    iam.attach_group_policy(GroupName="g", PolicyArn=arn)
    for name in ("u1", "u2"):
        iam.create_user(UserName=name)
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    everything = iam.list_entities_for_policy(PolicyArn=arn)
    assert [g["GroupName"] for g in everything["PolicyGroups"]] == ["g"]
    assert [u["UserName"] for u in everything["PolicyUsers"]] == ["u1", "u2"]
    assert everything["PolicyUsers"][0]["UserId"].startswith("AIDA")
    users_only = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="User")
    assert users_only["PolicyGroups"] == [] and len(users_only["PolicyUsers"]) == 2
    first = iam.list_entities_for_policy(PolicyArn=arn, MaxItems=2)
    assert first["IsTruncated"] and len(first["PolicyGroups"] + first["PolicyUsers"]) == 2
    rest = iam.list_entities_for_policy(PolicyArn=arn, MaxItems=2, Marker=first["Marker"])
    assert [u["UserName"] for u in rest["PolicyUsers"]] == ["u2"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3


def test_attach_is_authorized_with_the_policy_arn_condition(iam, user_client):
    iam.create_user(UserName="bob")
    client = user_client(
        "attacher",
        {
            "Effect": "Allow",
            "Action": "iam:AttachUserPolicy",
            "Resource": "*",
            "Condition": {"ArnEquals": {"iam:PolicyARN": MQ_READ_ONLY}},
        },
    )
    client.attach_user_policy(UserName="bob", PolicyArn=MQ_READ_ONLY)
    with pytest.raises(ClientError) as excinfo:
        client.attach_user_policy(
            UserName="bob", PolicyArn="arn:aws:iam::aws:policy/AmazonMQFullAccess"
        )
    assert error_of(excinfo) == (
        "AccessDenied",
        denied_message("attacher", "iam:AttachUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/bob"),
        403,
    )


def test_policy_operations_denied(denied_iam):
    with pytest.raises(ClientError) as excinfo:
        denied_iam.create_policy(PolicyName="p", PolicyDocument=doc())
    assert error_of(excinfo) == (
        "AccessDenied",
        denied_message("nobody", "iam:CreatePolicy", f"arn:aws:iam::{ACCOUNT}:policy/p"),
        403,
    )
    for call in (
        lambda: denied_iam.list_policies(),
        lambda: denied_iam.get_policy(PolicyArn=MQ_READ_ONLY),
        lambda: denied_iam.put_user_policy(UserName="nobody", PolicyName="x", PolicyDocument=doc()),
        lambda: denied_iam.attach_user_policy(UserName="nobody", PolicyArn=MQ_READ_ONLY),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo)[0] == "AccessDenied"


def test_attach_and_boundary_are_denied_before_the_policy_is_looked_up(denied_iam, iam):
    # AWS authorizes on the ARN as given: a caller without the right learns nothing of which
    # policies exist (the service authorizes before it looks the policy up).
    missing = f"arn:aws:iam::{ACCOUNT}:policy/missing"
    for call, action in (
        (denied_iam.attach_user_policy, "iam:AttachUserPolicy"),
        (denied_iam.detach_user_policy, "iam:DetachUserPolicy"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call(UserName="nobody", PolicyArn=missing)
        assert error_of(excinfo) == (
            "AccessDenied",
            denied_message("nobody", action, f"arn:aws:iam::{ACCOUNT}:user/nobody"),
            403,
        )
    with pytest.raises(ClientError) as excinfo:
        denied_iam.put_user_permissions_boundary(UserName="nobody", PermissionsBoundary=missing)
    assert error_of(excinfo)[0] == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        iam.attach_user_policy(UserName="nobody", PolicyArn=missing)
    assert error_of(excinfo)[0] == "NoSuchEntity"
