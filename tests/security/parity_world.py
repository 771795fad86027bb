"""The parity test's world: one account, protected targets, and one principal per denial kind.

Every target that can carry tags carries ``protected=true``; the target user and role have the
permissions boundary ``fence``. Each principal is an IAM user with a console password and an
access key, and differs from the control (``*`` on ``*``) by exactly one way of being denied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import quote

from accounts.actors import system_actor
from accounts.principals import principal_for_user
from accounts.services import access_keys, groups, roles, sts, users
from policies.services import attachments, managed
from tests.factories import AccountFactory, RootUserFactory

ACTOR = system_actor()
ACCOUNT = "111122223333"
PASSWORD = "Corr3ct-Horse!"
PROTECTED = {"protected": "true"}
READ_PREFIXES = ["iam:Get*", "iam:List*", "mq:Describe*", "mq:List*", "sts:GetCallerIdentity"]


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def _policies(fence_arn: str) -> dict[str, list[dict]]:
    """The identity-policy statements of each principal kind (boundaries aside)."""
    return {
        "control": [ALLOW_ALL],
        # (a) a resource-tag condition, in both of the keys IAM resources carry.
        "tag": [
            ALLOW_ALL,
            {
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/protected": "true"}},
            },
            {
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:ResourceTag/protected": "true"}},
            },
        ],
        # (b) allowed by its identity policy, limited to reads by its permissions boundary.
        "boundary": [ALLOW_ALL],
        # (c) an explicit deny of every action that is not a read.
        "explicit": [ALLOW_ALL, {"Effect": "Deny", "NotAction": READ_PREFIXES, "Resource": "*"}],
        # (d) allowed only with MFA; none of its sessions or keys has it.
        "mfa": [
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        ],
        # The resource-side key iam:PermissionsBoundary (the usual "protect the boundary" deny).
        "pbkey": [
            ALLOW_ALL,
            {
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PermissionsBoundary": fence_arn}},
            },
        ],
    }


KINDS = ("control", "tag", "boundary", "explicit", "mfa", "pbkey")


@dataclass
class World:
    """Everything a request may name, by the names URL and API parameters use."""

    account: object
    principals: dict = field(default_factory=dict)  # kind -> IAMUser
    keys: dict = field(default_factory=dict)  # kind -> NewAccessKey
    target: object = None
    group: object = None
    role: object = None
    policy: object = None
    fence: object = None
    broker: object = None
    configuration: object = None
    target_key_id: str = ""
    session_key_id: str = ""
    request_id: str = ""

    def arn_of(self, kind: str) -> str:
        return self.principals[kind].arn


def build_world() -> World:
    """The account, its protected targets and the six principals (in the caller's transaction)."""
    from brokers.models import Broker
    from brokers.services import broker_create, configuration_create
    from policies.aws_managed import sync_aws_managed_policies
    from policies.models import ManagedPolicy, PolicyVersion

    sync_aws_managed_policies(ManagedPolicy, PolicyVersion)
    account = AccountFactory(account_id=ACCOUNT, alias="parity")
    RootUserFactory(account=account, email="root@parity.example")
    world = World(account)
    world.fence = managed.policy_create(
        actor=ACTOR, account=account, name="fence", document=doc(ALLOW_ALL)
    )
    read_only = managed.policy_create(
        actor=ACTOR,
        account=account,
        name="read-only-boundary",
        document=doc({"Effect": "Allow", "Action": READ_PREFIXES, "Resource": "*"}),
    )
    for kind, statements in _policies(world.fence.arn).items():
        user = users.user_create(
            actor=ACTOR, account=account, name=f"parity-{kind}", password=PASSWORD
        )
        attachments.inline_policy_put(
            actor=ACTOR, identity=user, name="identity", document=doc(*statements)
        )
        if kind == "boundary":
            attachments.permissions_boundary_put(actor=ACTOR, identity=user, policy=read_only)
        world.principals[kind] = user
        world.keys[kind] = access_keys.access_key_create(actor=ACTOR, owner=user)

    world.policy = managed.policy_create(
        actor=ACTOR,
        account=account,
        name="target-policy",
        document=doc({"Effect": "Allow", "Action": "mq:Describe*", "Resource": "*"}),
        tags=PROTECTED,
    )
    managed.policy_version_create(
        actor=ACTOR,
        policy=world.policy,
        document=doc({"Effect": "Allow", "Action": "mq:List*", "Resource": "*"}),
    )
    world.target = users.user_create(
        actor=ACTOR, account=account, name="target", password=PASSWORD, tags=PROTECTED
    )
    world.group = groups.group_create(actor=ACTOR, account=account, name="target-group")
    groups.group_member_add(actor=ACTOR, group=world.group, user=world.target)
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            # Session tags and a source identity need the trust policy's consent (AWS).
            "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        }
    )
    world.role = roles.role_create(
        actor=ACTOR, account=account, name="target-role", trust_policy=trust, tags=PROTECTED
    )
    for identity in (world.target, world.group, world.role):
        attachments.inline_policy_put(
            actor=ACTOR, identity=identity, name="inline", document=doc(ALLOW_ALL)
        )
        attachments.policy_attach(actor=ACTOR, policy=world.policy, identity=identity)
    for identity in (world.target, world.role):
        attachments.permissions_boundary_put(actor=ACTOR, identity=identity, policy=world.fence)
    world.target.refresh_from_db()
    world.role.refresh_from_db()
    world.target_key_id = access_keys.access_key_create(
        actor=ACTOR, owner=world.target
    ).key.access_key_id
    world.session_key_id = sts.role_session_create(
        actor=ACTOR,
        caller=principal_for_user(world.target),
        role=world.role,
        session_name="parity",
    ).session.access_key_id

    world.broker = broker_create(
        actor=ACTOR,
        account=account,
        name="target-broker",
        engine_type="ACTIVEMQ",
        deployment_mode="SINGLE_INSTANCE",
        host_instance_type="mq.t3.micro",
        users=[{"username": "app", "password": "Broker-Passw0rd-1", "consoleAccess": True}],
        tags=PROTECTED,
    )
    Broker.objects.filter(pk=world.broker.pk).update(
        state="RUNNING", transition_due_at=None, transition_token=""
    )
    world.broker.refresh_from_db()
    world.configuration = configuration_create(
        actor=ACTOR,
        account=account,
        name="target-config",
        engine_type="ACTIVEMQ",
        tags=PROTECTED,
    )
    world.request_id = _access_request(world)
    return world


def _access_request(world: World) -> str:
    from policies.services import requests as access_requests

    return access_requests.access_request_create(
        actor=ACTOR,
        principal=principal_for_user(world.target),
        intent="operate-brokers",
        targets=[{"Arn": world.broker.arn}],
        duration_hours=8,
        justification="CHG-42 reboot the target broker",
    ).request_id


def path_values(world: World) -> dict[str, str]:
    """URL parameters by name (``name`` and ``kind`` are resolved by ``fill`` from the route)."""
    return {
        "user_name": world.target.name,
        "group_name": world.group.name,
        "operation": "deactivate",
        "username": "app",
        "access_key_id": world.target_key_id,
        "policy_id": world.policy.unique_id,
        "version_id": "v2",
        "policy_name": "inline",
        "broker_id": world.broker.broker_id,
        "configuration_id": world.configuration.configuration_id,
        "revision": "1",
        "configuration_revision": "1",
        "step": "engine",
        "request_id": world.request_id,
    }


def body_values(world: World) -> dict:
    """Request members by wire name, one table for every interface (form, JSON, query, MQ)."""
    allow = doc(ALLOW_ALL)
    trust = world.role.trust_policy
    tags_list = [{"Key": "team", "Value": "blue"}]
    return {
        # IAM query API and REST (AWS's member names).
        "UserName": world.target.name,
        "GroupName": world.group.name,
        "RoleName": world.role.name,
        "PolicyArn": world.policy.arn,
        "PolicyName": "inline",
        "PolicyDocument": allow,
        "AccessKeyId": world.target_key_id,
        "Status": "Inactive",
        "VersionId": "v2",
        "Tags": tags_list,
        "TagKeys": ["team"],
        "PermissionsBoundary": world.fence.arn,
        "AssumeRolePolicyDocument": trust,
        "Password": "N3w-Passw0rd!xyz",
        "NewPassword": "N3w-Passw0rd!xyz",
        "OldPassword": PASSWORD,
        "AccountAlias": "parity-alias",
        "SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/target",
        "VirtualMFADeviceName": "parity-mfa",
        "AuthenticationCode1": "123456",
        "AuthenticationCode2": "654321",
        "AWSServiceName": "mq.amazonaws.com",
        "DeletionTaskId": "task/aws-service-role/mq.amazonaws.com/AWSServiceRoleForAmazonMQ/x",
        "RoleArn": world.role.arn,
        "RoleSessionName": "parity",
        "PolicySourceArn": world.target.arn,
        "ActionNames": ["mq:RebootBroker", "iam:GetUser"],
        "PolicyInputList": [allow],
        "ResourceArns": [world.broker.arn],
        "Description": "parity",
        # Console REST extras.
        "Username": "app",
        "BrokerName": "parity-broker",
        "DeploymentMode": "SINGLE_INSTANCE",
        "EngineType": "ACTIVEMQ",
        "HostInstanceType": "mq.t3.micro",
        "PubliclyAccessible": False,
        "Name": "parity-config",
        "Data": _configuration_xml(),
        "Intent": "operate-brokers",
        "Reason": "parity",
        "Hours": 1,
        "Justification": "CHG-42 parity",
        "DurationHours": 8,
        "change": {
            "type": "attach_policy",
            "identity": {"kind": "user", "name": world.target.name},
            "policy_arn": world.policy.arn,
        },
        # Amazon MQ API (rest-json member names).
        "brokerName": "parity-broker",
        "deploymentMode": "SINGLE_INSTANCE",
        "engineType": "ACTIVEMQ",
        "hostInstanceType": "mq.t3.micro",
        "publiclyAccessible": False,
        "users": [{"username": "admin", "password": "Broker-Passw0rd-1"}],
        "name": "parity-config",
        "password": "Broker-Passw0rd-2",
        "data": _configuration_xml(),
        "tags": {"team": "blue"},
        "tagKeys": ["team"],
        "mode": "SWITCHOVER",
    }


def form_values(world: World, confirm: str) -> dict:
    """Console form fields: every form ignores the fields it does not declare."""
    return {
        "confirm": confirm,
        "name": confirm,
        "path": "/",
        "description": "parity",
        "tags": "team=blue",
        "document": doc(ALLOW_ALL),
        "policy_arn": world.policy.arn,
        "policies": world.policy.arn,
        "permissions_boundary": world.fence.arn,
        "user_name": world.target.name,
        "group_name": world.group.name,
        "operation": "deactivate",
        "username": "app",
        "password": "Broker-Passw0rd-2",
        "status": "Inactive",
        "trust_json": world.role.trust_policy,
        "role_name": world.role.name,
        "account": ACCOUNT,
        "reason": "parity",
        "justification": "CHG-42 parity",
        "intent": "operate-brokers",
        "hours": "1",
        "data": _configuration_xml_text(),
        "resource_arn": world.broker.arn,
        "brokers": world.broker.arn,
        "actions": "mq:RebootBroker",
        "tag_key": "team",
        "tag_value": "blue",
        # Required fields of the remaining forms (account, roles, requests, brokers).
        "minimum_length": "14",
        "trusted_entity": "this-account",
        "max_session_duration": "3600",
        "duration": "8",
        "pending_expiry_days": "7",
        "engineType": "ACTIVEMQ",
        "engineVersion": world.broker.engine_version,
        "hostInstanceType": world.broker.host_instance_type,
        "maintenanceDay": "MONDAY",
        "maintenanceTime": "10:00",
        "maintenanceTimeZone": "UTC",
        "broker": world.broker.broker_id,
        # The simulator page and an approval (keep the request's first target).
        "principal": f"user:{world.target.name}",
        "other_actions": "mq:RebootBroker",
        "other_resources": world.broker.arn,
        "targets": "0",
        # The blast-radius panel's change (policies.effective.views.change_from_form).
        "change_type": "attach_policy",
        "target": f"user:{world.target.name}",
    }


def _configuration_xml_text() -> str:
    return '<?xml version="1.0" encoding="UTF-8"?><broker xmlns="http://activemq.apache.org/schema/core"/>'


def _configuration_xml() -> str:
    import base64

    return base64.b64encode(_configuration_xml_text().encode()).decode()


def quoted_arn(arn: str) -> str:
    return quote(arn, safe="")
