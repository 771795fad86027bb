"""IAM roles, trust policies, role tags and Amazon MQ's service-linked role through boto3."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from accounts.actors import system_actor
from accounts.models import Role
from tests.query_api.conftest import ACCOUNT, denied_message, error_of

pytestmark = pytest.mark.django_db(transaction=True)

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
        }
    ],
}
SLR_ARN = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/mq.amazonaws.com/AWSServiceRoleForAmazonMQ"


def test_role_lifecycle(iam):
    role = iam.create_role(
        RoleName="deployer",
        Path="/ci/",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Description="CI deploys",
        MaxSessionDuration=7200,
        Tags=[{"Key": "env", "Value": "prod"}],
    )["Role"]
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/ci/deployer"
    assert role["RoleId"].startswith("AROA")
    assert role["AssumeRolePolicyDocument"] == TRUST  # botocore decodes the URL-encoded JSON
    got = iam.get_role(RoleName="deployer")["Role"]
    assert got["MaxSessionDuration"] == 7200 and got["Description"] == "CI deploys"
    assert got["Tags"] == [{"Key": "env", "Value": "prod"}]
    iam.update_role(RoleName="deployer", Description="changed", MaxSessionDuration=3600)
    assert iam.get_role(RoleName="deployer")["Role"]["Description"] == "changed"
    described = iam.update_role_description(RoleName="deployer", Description="again")["Role"]
    assert described["Description"] == "again"
    new_trust = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Sid": "New"}]}
    iam.update_assume_role_policy(RoleName="deployer", PolicyDocument=json.dumps(new_trust))
    assert iam.get_role(RoleName="deployer")["Role"]["AssumeRolePolicyDocument"] == new_trust
    iam.tag_role(RoleName="deployer", Tags=[{"Key": "team", "Value": "a"}])
    iam.untag_role(RoleName="deployer", TagKeys=["env"])
    assert iam.list_role_tags(RoleName="deployer")["Tags"] == [{"Key": "team", "Value": "a"}]
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix="/ci/")["Roles"]] == ["deployer"]
    iam.delete_role(RoleName="deployer")
    assert not Role.objects.filter(name="deployer").exists()


def test_role_errors(iam):
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName="bad", AssumeRolePolicyDocument='{"Statement": []')
    assert error_of(excinfo)[0] == "MalformedPolicyDocument"
    no_principal = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}],
    }
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName="bad", AssumeRolePolicyDocument=json.dumps(no_principal))
    assert error_of(excinfo)[0::2] == ("MalformedPolicyDocument", 400)
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName="R", AssumeRolePolicyDocument=json.dumps(TRUST))
    assert error_of(excinfo) == ("EntityAlreadyExists", "Role with name R already exists.", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(
            RoleName="long", AssumeRolePolicyDocument=json.dumps(TRUST), MaxSessionDuration=50000
        )
    assert error_of(excinfo)[0] == "ValidationError"
    iam.put_role_policy(
        RoleName="r",
        PolicyName="p",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Action":"mq:*","Resource":"*"}]}',
    )
    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName="r")
    assert error_of(excinfo)[0::2] == ("DeleteConflict", 409)


def test_list_roles_paginates(iam):
    for i in range(3):
        iam.create_role(RoleName=f"r{i}", AssumeRolePolicyDocument=json.dumps(TRUST))
    first = iam.list_roles(MaxItems=2)
    second = iam.list_roles(MaxItems=2, Marker=first["Marker"])
    assert [r["RoleName"] for r in first["Roles"] + second["Roles"]] == ["r0", "r1", "r2"]
    assert second["IsTruncated"] is False


def test_service_linked_role_create_and_delete(iam):
    role = iam.create_service_linked_role(AWSServiceName="mq.amazonaws.com")["Role"]
    assert role["Arn"] == SLR_ARN
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "mq.amazonaws.com"
    }
    attached = iam.list_attached_role_policies(RoleName="AWSServiceRoleForAmazonMQ")
    assert [p["PolicyName"] for p in attached["AttachedPolicies"]] == ["AmazonMQServiceRolePolicy"]
    with pytest.raises(ClientError) as excinfo:
        iam.create_service_linked_role(AWSServiceName="mq.amazonaws.com")
    assert error_of(excinfo)[0] == "InvalidInput"
    with pytest.raises(ClientError) as excinfo:
        iam.create_service_linked_role(AWSServiceName="ec2.amazonaws.com")
    assert error_of(excinfo)[0] == "InvalidInput"
    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName="AWSServiceRoleForAmazonMQ")
    assert error_of(excinfo)[0] == "UnmodifiableEntity"
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForAmazonMQ")["DeletionTaskId"]
    assert task.startswith("task/aws-service-role/mq.amazonaws.com/AWSServiceRoleForAmazonMQ/")
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert status["Status"] == "SUCCEEDED"
    assert not Role.objects.filter(name="AWSServiceRoleForAmazonMQ").exists()
    with pytest.raises(ClientError) as excinfo:
        iam.get_service_linked_role_deletion_status(DeletionTaskId="task/unknown")
    assert error_of(excinfo)[0] == "NoSuchEntity"


def test_service_linked_role_deletion_fails_while_brokers_use_it(iam, account):
    from brokers.models import Broker

    iam.create_service_linked_role(AWSServiceName="mq.amazonaws.com")
    fields = {f.name for f in Broker._meta.get_fields()}
    broker = Broker(account=account, name="orders", region="eu-west-1", broker_id="b-1234")
    for name, value in (
        ("engine_type", "ACTIVEMQ"),
        ("engine_version", "5.18"),
        ("deployment_mode", "SINGLE_INSTANCE"),
        ("host_instance_type", "mq.t3.micro"),
    ):
        if name in fields:
            setattr(broker, name, value)
    broker.save()
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForAmazonMQ")["DeletionTaskId"]
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert status["Status"] == "FAILED"
    assert status["Reason"]["RoleUsageList"] == [{"Region": "eu-west-1", "Resources": [broker.arn]}]
    assert Role.objects.filter(name="AWSServiceRoleForAmazonMQ").exists()


def test_role_operations_denied(iam, denied_iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))
    with pytest.raises(ClientError) as excinfo:
        denied_iam.get_role(RoleName="r")
    assert error_of(excinfo) == (
        "AccessDenied",
        denied_message("nobody", "iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/r"),
        403,
    )
    with pytest.raises(ClientError) as excinfo:
        denied_iam.create_service_linked_role(AWSServiceName="mq.amazonaws.com")
    assert error_of(excinfo) == (
        "AccessDenied",
        denied_message("nobody", "iam:CreateServiceLinkedRole", SLR_ARN),
        403,
    )


def test_resource_tag_condition_limits_role_access(iam, user_client):
    iam.create_role(
        RoleName="blue",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Tags=[{"Key": "team", "Value": "blue"}],
    )
    iam.create_role(RoleName="red", AssumeRolePolicyDocument=json.dumps(TRUST))
    client = user_client(
        "blue-admin",
        {
            "Effect": "Allow",
            "Action": "iam:GetRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:ResourceTag/team": "blue"}},
        },
    )
    assert client.get_role(RoleName="blue")["Role"]["RoleName"] == "blue"
    with pytest.raises(ClientError) as excinfo:
        client.get_role(RoleName="red")
    assert error_of(excinfo)[0] == "AccessDenied"
    assert system_actor()  # the fixture's policies are written by the system actor
