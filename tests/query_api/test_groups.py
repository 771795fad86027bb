"""IAM groups and membership through boto3's IAM client."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.query_api.conftest import ACCOUNT, denied_message, error_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_group_lifecycle_and_membership(iam):
    group = iam.create_group(GroupName="ops", Path="/teams/")["Group"]
    assert group["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/teams/ops"
    assert group["GroupId"].startswith("AGPA")
    for name in ("u1", "u2", "u3"):
        iam.create_user(UserName=name)
        iam.add_user_to_group(GroupName="ops", UserName=name)
    page = iam.get_group(GroupName="ops", MaxItems=2)
    assert page["Group"]["GroupName"] == "ops"
    assert [u["UserName"] for u in page["Users"]] == ["u1", "u2"] and page["IsTruncated"]
    rest = iam.get_group(GroupName="ops", Marker=page["Marker"])
    assert [u["UserName"] for u in rest["Users"]] == ["u3"] and not rest["IsTruncated"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="u1")["Groups"]] == ["ops"]
    iam.update_group(GroupName="ops", NewGroupName="operations")
    assert [g["GroupName"] for g in iam.list_groups(PathPrefix="/teams/")["Groups"]] == [
        "operations"
    ]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_group(GroupName="operations")
    assert error_of(excinfo) == (
        "DeleteConflict",
        "Cannot delete entity, must remove users from group first.",
        409,
    )
    for name in ("u1", "u2", "u3"):
        iam.remove_user_from_group(GroupName="operations", UserName=name)
    with pytest.raises(ClientError) as excinfo:
        iam.remove_user_from_group(GroupName="operations", UserName="u1")
    assert error_of(excinfo)[0] == "NoSuchEntity"
    iam.delete_group(GroupName="operations")
    assert iam.list_groups()["Groups"] == []


def test_group_errors(iam):
    iam.create_group(GroupName="ops")
    with pytest.raises(ClientError) as excinfo:
        iam.create_group(GroupName="OPS")
    assert error_of(excinfo)[:1] == ("EntityAlreadyExists",)
    with pytest.raises(ClientError) as excinfo:
        iam.get_group(GroupName="ghost")
    assert error_of(excinfo) == ("NoSuchEntity", "The group with name ghost cannot be found.", 404)
    iam.create_user(UserName="busy")
    for i in range(10):
        iam.create_group(GroupName=f"g{i}")
        iam.add_user_to_group(GroupName=f"g{i}", UserName="busy")
    with pytest.raises(ClientError) as excinfo:
        iam.add_user_to_group(GroupName="ops", UserName="busy")
    assert error_of(excinfo) == ("LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10", 409)


def test_list_groups_paginates(iam):
    for i in range(4):
        iam.create_group(GroupName=f"g{i}")
    pages = iam.get_paginator("list_groups").paginate(PaginationConfig={"PageSize": 3})
    sizes = [len(page["Groups"]) for page in pages]
    assert sizes == [3, 1]


def test_group_operations_denied(iam, denied_iam):
    iam.create_group(GroupName="ops")
    with pytest.raises(ClientError) as excinfo:
        denied_iam.get_group(GroupName="ops")
    assert error_of(excinfo) == (
        "AccessDenied",
        denied_message("nobody", "iam:GetGroup", f"arn:aws:iam::{ACCOUNT}:group/ops"),
        403,
    )
    with pytest.raises(ClientError) as excinfo:
        denied_iam.add_user_to_group(GroupName="ops", UserName="nobody")
    assert error_of(excinfo)[0] == "AccessDenied"


def test_limited_permission_allows_one_group_only(iam, user_client):
    iam.create_group(GroupName="mine")
    iam.create_group(GroupName="theirs")
    client = user_client(
        "limited",
        {
            "Effect": "Allow",
            "Action": "iam:GetGroup",
            "Resource": f"arn:aws:iam::{ACCOUNT}:group/mine",
        },
    )
    assert client.get_group(GroupName="mine")["Group"]["GroupName"] == "mine"
    with pytest.raises(ClientError) as excinfo:
        client.get_group(GroupName="theirs")
    assert error_of(excinfo)[0] == "AccessDenied"
