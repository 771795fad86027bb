"""The demo world: two accounts with users, groups, roles, policies, brokers, a configuration.

Loading is idempotent: every piece is looked up first and created only when missing, so the
run command can call it on every start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import transaction

from accounts.actors import Actor, system_actor
from accounts.crypto import decrypt
from accounts.models import AccessKey, Account, Group, IAMUser, Role
from accounts.principals import principal_for_user
from accounts.services.access_keys import access_key_create
from accounts.services.accounts import account_create
from accounts.services.groups import group_create, group_member_add
from accounts.services.roles import role_create
from accounts.services.users import user_create
from brokers.models import Broker, Configuration
from brokers.services import (
    broker_create,
    broker_user_create,
    configuration_create,
    configuration_update,
)
from policies.models import AccessRequest, ManagedPolicy
from policies.services.attachments import policy_attach
from policies.services.managed import policy_create
from policies.services.requests import access_request_create

PROD = {"account_id": "111122223333", "alias": "acme-prod", "email": "root@acme-prod.example"}
DEV = {"account_id": "444455556666", "alias": "acme-dev", "email": "root@acme-dev.example"}

# Operators may act only on brokers whose team tag equals their own (ABAC, iam-reference §3).
OPERATOR_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ListEverything",
            "Effect": "Allow",
            "Action": [
                "mq:ListBrokers",
                "mq:ListConfigurations",
                "mq:DescribeBrokerEngineTypes",
                "mq:DescribeBrokerInstanceOptions",
            ],
            "Resource": "*",
        },
        {
            "Sid": "OperateOwnTeamsBrokers",
            "Effect": "Allow",
            "Action": ["mq:DescribeBroker", "mq:RebootBroker", "mq:ListUsers", "mq:DescribeUser"],
            "Resource": "arn:aws:mq:*:*:broker:*:*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
        },
    ],
}


# The administrators administer: everything in their own account (AWS's AdministratorAccess).
ADMINISTRATOR_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "AdministerEverything", "Effect": "Allow", "Action": "*", "Resource": "*"}
    ],
}

# Every IAM user manages their own password, access keys and virtual MFA device (AWS's
# documented self-service example), and may switch into the demo roles; BrokerAdmin's trust
# policy still asks for MFA, which this policy lets the user enrol first.
SELF_SERVICE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ViewAccountPasswordRules",
            "Effect": "Allow",
            "Action": ["iam:GetAccountPasswordPolicy"],
            "Resource": "*",
        },
        {
            "Sid": "ManageOwnPasswordKeysAndMFA",
            "Effect": "Allow",
            "Action": [
                "iam:ChangePassword",
                "iam:GetUser",
                "iam:GetLoginProfile",
                "iam:ListAccessKeys",
                "iam:CreateAccessKey",
                "iam:UpdateAccessKey",
                "iam:DeleteAccessKey",
                "iam:ListMFADevices",
                "iam:EnableMFADevice",
                "iam:ResyncMFADevice",
                "iam:DeactivateMFADevice",
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}",
        },
        {
            "Sid": "ManageOwnVirtualMFADevice",
            "Effect": "Allow",
            "Action": ["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"],
            "Resource": "arn:aws:iam::*:mfa/${aws:username}",
        },
        {
            "Sid": "SwitchIntoDemoRoles",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": [
                "arn:aws:iam::111122223333:role/BrokerReadOnly",
                "arn:aws:iam::111122223333:role/BrokerAdmin",
            ],
        },
    ],
}

SERVICE_USER_PATH = "/service/"


@dataclass
class DemoReport:
    """What the loader did and what a person needs to sign in."""

    created: list[str] = field(default_factory=list)
    credentials: list[tuple[str, str]] = field(default_factory=list)


def _account(spec: dict, password: str, report: DemoReport) -> Account:
    account = Account.objects.filter(account_id=spec["account_id"]).first()
    if account is None:
        account = account_create(
            actor=system_actor(spec["account_id"], via="load_demo"),
            account_id=spec["account_id"],
            alias=spec["alias"],
            root_email=spec["email"],
            root_password=password,
        )
        report.created.append(f"account {spec['account_id']} ({spec['alias']})")
    return account


def _user(actor: Actor, account: Account, name: str, report: DemoReport, **kwargs) -> IAMUser:
    user = IAMUser.objects.filter(account=account, name=name).first()
    if user is None:
        user = user_create(actor=actor, account=account, name=name, **kwargs)
        report.created.append(f"user {name}")
    return user


def _aws_policy(name: str) -> ManagedPolicy:
    return ManagedPolicy.objects.get(account=None, name=name)


def _customer_policy(
    actor: Actor, account: Account, name: str, description: str, document: dict, report
) -> ManagedPolicy:
    policy = ManagedPolicy.objects.filter(account=account, name=name).first()
    if policy is None:
        policy = policy_create(
            actor=actor,
            account=account,
            name=name,
            description=description,
            document=json.dumps(document, indent=4),
        )
        report.created.append(f"policy {name}")
    return policy


def _group(actor: Actor, account: Account, name: str, report: DemoReport) -> Group:
    group = Group.objects.filter(account=account, name=name).first()
    if group is None:
        group = group_create(actor=actor, account=account, name=name)
        report.created.append(f"group {name}")
    return group


def _role(actor: Actor, account: Account, name: str, trust: dict, description: str, report):
    role = Role.objects.filter(account=account, name=name).first()
    if role is None:
        role = role_create(
            actor=actor,
            account=account,
            name=name,
            trust_policy=json.dumps(trust, indent=4),
            description=description,
        )
        report.created.append(f"role {name}")
    return role


def _account_trust(account_id: str, *, mfa: bool) -> dict:
    statement: dict = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
        "Action": "sts:AssumeRole",
    }
    if mfa:
        statement["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    return {"Version": "2012-10-17", "Statement": [statement]}


def load_demo(*, password: str) -> DemoReport:
    """Create whatever part of the demo world is missing; return what a person needs."""
    report = DemoReport()
    with transaction.atomic():
        prod = _account(PROD, password, report)
        dev = _account(DEV, password, report)
        actor = system_actor(prod.account_id, via="load_demo")

        administrator = _customer_policy(
            actor,
            prod,
            "AdministratorAccess",
            "Everything in this account: users, groups, roles, policies, brokers",
            ADMINISTRATOR_POLICY,
            report,
        )
        self_service = _customer_policy(
            actor,
            prod,
            "SelfServiceCredentials",
            "Manage your own password, access keys and MFA; switch into the demo roles",
            SELF_SERVICE_POLICY,
            report,
        )
        admins = _group(actor, prod, "Administrators", report)
        policy_attach(actor=actor, policy=_aws_policy("AmazonMQFullAccess"), identity=admins)
        policy_attach(actor=actor, policy=administrator, identity=admins)
        everyone = _group(actor, prod, "Everyone", report)
        policy_attach(actor=actor, policy=self_service, identity=everyone)

        alice = _user(actor, prod, "alice", report, password=password, tags={"team": "platform"})
        group_member_add(actor=actor, group=admins, user=alice)
        group_member_add(actor=actor, group=everyone, user=alice)

        operator_policy = _customer_policy(
            actor,
            prod,
            "BrokerOperatorByTeam",
            "Operate only the brokers tagged with your own team",
            OPERATOR_POLICY,
            report,
        )
        olivia = _user(actor, prod, "olivia", report, password=password, tags={"team": "payments"})
        policy_attach(actor=actor, policy=operator_policy, identity=olivia)
        group_member_add(actor=actor, group=everyone, user=olivia)

        monitor = _user(actor, prod, "svc-monitoring", report, path=SERVICE_USER_PATH)
        policy_attach(actor=actor, policy=_aws_policy("AmazonMQReadOnlyAccess"), identity=monitor)
        if not AccessKey.objects.filter(user=monitor).exists():
            access_key_create(actor=actor, owner=monitor)
        reports = _user(
            actor,
            prod,
            "svc-reports",
            report,
            path=SERVICE_USER_PATH,
            password=password,
            tags={"team": "iot"},
        )
        policy_attach(actor=actor, policy=_aws_policy("AmazonMQReadOnlyAccess"), identity=reports)
        group_member_add(actor=actor, group=everyone, user=reports)

        admin_role = _role(
            actor,
            prod,
            "BrokerAdmin",
            _account_trust(prod.account_id, mfa=True),
            "Full Amazon MQ access, for MFA-signed-in users",
            report,
        )
        policy_attach(actor=actor, policy=_aws_policy("AmazonMQFullAccess"), identity=admin_role)
        reader_role = _role(
            actor,
            prod,
            "BrokerReadOnly",
            _account_trust(prod.account_id, mfa=False),
            "Read every broker and configuration; any user of the account may switch into it",
            report,
        )
        policy_attach(
            actor=actor, policy=_aws_policy("AmazonMQReadOnlyAccess"), identity=reader_role
        )

        _demo_brokers(actor, prod, report)
        _demo_request(actor, reports, report)

        dev_actor = system_actor(dev.account_id, via="load_demo")
        if not Role.objects.filter(account=dev, name="CrossAccountAuditor").exists():
            role = _role(
                dev_actor,
                dev,
                "CrossAccountAuditor",
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{prod.account_id}:root"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "",
                report,
            )
            policy_attach(
                actor=dev_actor, policy=_aws_policy("AmazonMQReadOnlyAccess"), identity=role
            )

    report.credentials = sign_in_details(password=password)
    return report


DEMO_USERS = (
    ("alice", "administrator: IAM, brokers, who-can, audit trail"),
    ("olivia", "operator: only the brokers tagged team=payments"),
    ("svc-reports", "service user with a pending access request"),
)


def sign_in_details(*, password: str) -> list[tuple[str, str]]:
    """How to sign in to the demo world as it is now (reads only; the key is the demo's)."""
    details = [
        (f"root of {spec['alias']}", f"email {spec['email']} / password {password}")
        for spec in (PROD, DEV)
        if Account.objects.filter(account_id=spec["account_id"]).exists()
    ]
    for name, what in DEMO_USERS:
        if IAMUser.objects.filter(account__account_id=PROD["account_id"], name=name).exists():
            details.append(
                (
                    f"IAM user {name} ({what})",
                    f"account {PROD['alias']} / user {name} / password {password}",
                )
            )
    details.append(
        (
            "switch role (Account menu)",
            f"account {PROD['alias']} / role BrokerReadOnly (BrokerAdmin after enrolling MFA)",
        )
    )
    key = AccessKey.objects.filter(
        user__account__account_id=PROD["account_id"],
        user__name="svc-monitoring",
        status=AccessKey.Status.ACTIVE,
    ).first()
    if key is not None:  # retrievable on every run: the demo's own key, not a real secret
        secret = decrypt(key.secret_encrypted)
        details.append(
            (
                "svc-monitoring access key",
                json.dumps({"AccessKeyId": key.access_key_id, "SecretAccessKey": secret}),
            )
        )
    return details


def _demo_request(actor: Actor, requester: IAMUser, report: DemoReport) -> None:
    """svc-reports asks to operate the telemetry broker; the request waits for a reviewer."""
    if AccessRequest.objects.filter(user=requester).exists():
        return
    telemetry = Broker.objects.get(account=requester.account, name="telemetry")
    access_request_create(
        actor=actor,
        principal=principal_for_user(requester),
        intent="operate-brokers",
        targets=[{"Arn": telemetry.arn}],
        duration_hours=8,
        justification="Reboot telemetry after tonight's consumer deployment.",
    )
    report.created.append("access request of svc-reports (pending)")


# Demo broker users must meet Amazon MQ's password rules whatever the demo password is.
DEMO_BROKER_PASSWORD = "Demo-Broker-Passw0rd"
ORDERS_CONFIG_REVISION_2 = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<broker xmlns="http://activemq.apache.org/schema/core" schedulePeriodForDestinationPurge="10000">
  <destinationPolicy>
    <policyMap>
      <policyEntries>
        <policyEntry queue="orders.&gt;" gcInactiveDestinations="true"
                     inactiveTimoutBeforeGC="600000">
          <deadLetterStrategy>
            <individualDeadLetterStrategy queuePrefix="DLQ." useQueueForQueueMessages="true"/>
          </deadLetterStrategy>
        </policyEntry>
      </policyEntries>
    </policyMap>
  </destinationPolicy>
  <plugins>
    <timeStampingBrokerPlugin zeroExpirationOverride="86400000"/>
  </plugins>
</broker>
"""


def _demo_brokers(actor: Actor, prod: Account, report: DemoReport) -> None:
    """Two running brokers (ActiveMQ with a pending user, RabbitMQ) and a configuration."""
    config = Configuration.objects.filter(account=prod, name="orders-config").first()
    if config is None:
        config = configuration_create(
            actor=actor,
            account=prod,
            name="orders-config",
            engine_type="ACTIVEMQ",
            engine_version="5.18",
            tags={"team": "payments"},
        )
        configuration_update(
            actor=actor,
            configuration=config,
            data=ORDERS_CONFIG_REVISION_2,
            description="Dead-letter queue per orders queue; expire messages after a day",
        )
        report.created.append("configuration orders-config (2 revisions)")
    specs = [
        (
            "orders",
            {
                "engine_type": "ACTIVEMQ",
                "engine_version": "5.18",
                "deployment_mode": "ACTIVE_STANDBY_MULTI_AZ",
                "host_instance_type": "mq.m5.large",
                "configuration": {"id": config.configuration_id, "revision": 2},
                "users": [
                    {"username": "admin", "password": DEMO_BROKER_PASSWORD, "consoleAccess": True}
                ],
                "tags": {"team": "payments", "env": "production"},
            },
        ),
        (
            "telemetry",
            {
                "engine_type": "RABBITMQ",
                "engine_version": "3.13",
                "deployment_mode": "SINGLE_INSTANCE",
                "host_instance_type": "mq.t3.micro",
                "users": [{"username": "admin", "password": DEMO_BROKER_PASSWORD}],
                "tags": {"team": "iot", "env": "staging"},
            },
        ),
    ]
    for name, spec in specs:
        if Broker.objects.filter(account=prod, name=name).exists():
            continue
        broker = broker_create(actor=actor, account=prod, name=name, **spec)
        # Demo brokers start out running; real ones go through the state machine.
        Broker.objects.filter(pk=broker.pk).update(
            state=Broker.State.RUNNING, transition_due_at=None, transition_token=""
        )
        broker.state = Broker.State.RUNNING
        if spec["engine_type"] == "ACTIVEMQ":
            broker_user_create(
                actor=actor,
                broker=broker,
                username="order-processor",
                password=DEMO_BROKER_PASSWORD,
                groups=["consumers"],
            )
        report.created.append(f"broker {name}")
