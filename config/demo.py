"""The demo world: two accounts with users, groups, roles, policies, brokers, a configuration.

Loading is idempotent: every piece is looked up first and created only when missing, so the
run command can call it on every start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import transaction

from accounts.actors import Actor, system_actor
from accounts.models import Account, Group, IAMUser, Role
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
from policies.models import ManagedPolicy
from policies.services.attachments import policy_attach
from policies.services.managed import policy_create

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
    report.credentials.append(
        (f"root of {spec['alias']}", f"email {spec['email']} / password {password}")
    )
    return account


def _user(actor: Actor, account: Account, name: str, report: DemoReport, **kwargs) -> IAMUser:
    user = IAMUser.objects.filter(account=account, name=name).first()
    if user is None:
        user = user_create(actor=actor, account=account, name=name, **kwargs)
        report.created.append(f"user {name}")
    return user


def _aws_policy(name: str) -> ManagedPolicy:
    return ManagedPolicy.objects.get(account=None, name=name)


def load_demo(*, password: str) -> DemoReport:
    """Create whatever part of the demo world is missing; return what a person needs."""
    report = DemoReport()
    with transaction.atomic():
        prod = _account(PROD, password, report)
        dev = _account(DEV, password, report)
        actor = system_actor(prod.account_id, via="load_demo")

        admins = Group.objects.filter(account=prod, name="Administrators").first()
        if admins is None:
            admins = group_create(actor=actor, account=prod, name="Administrators")
            policy_attach(actor=actor, policy=_aws_policy("AmazonMQFullAccess"), identity=admins)
            report.created.append("group Administrators (AmazonMQFullAccess)")
        alice = _user(actor, prod, "alice", report, password=password, tags={"team": "platform"})
        group_member_add(actor=actor, group=admins, user=alice)

        operator_policy = ManagedPolicy.objects.filter(
            account=prod, name="BrokerOperatorByTeam"
        ).first()
        if operator_policy is None:
            operator_policy = policy_create(
                actor=actor,
                account=prod,
                name="BrokerOperatorByTeam",
                description="Operate only the brokers tagged with your own team",
                document=json.dumps(OPERATOR_POLICY, indent=4),
            )
        olivia = _user(actor, prod, "olivia", report, password=password, tags={"team": "payments"})
        policy_attach(actor=actor, policy=operator_policy, identity=olivia)

        if not IAMUser.objects.filter(account=prod, name="svc-monitoring").exists():
            monitor = _user(actor, prod, "svc-monitoring", report, path="/service/")
            policy_attach(
                actor=actor, policy=_aws_policy("AmazonMQReadOnlyAccess"), identity=monitor
            )
            key = access_key_create(actor=actor, owner=monitor)
            report.credentials.append(("svc-monitoring access key", json.dumps(key.as_aws_json())))

        if not Role.objects.filter(account=prod, name="BrokerAdmin").exists():
            trust = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{prod.account_id}:root"},
                        "Action": "sts:AssumeRole",
                        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                    }
                ],
            }
            role = role_create(
                actor=actor,
                account=prod,
                name="BrokerAdmin",
                trust_policy=json.dumps(trust, indent=4),
                description="Full Amazon MQ access, for MFA-signed-in users",
            )
            policy_attach(actor=actor, policy=_aws_policy("AmazonMQFullAccess"), identity=role)
            report.created.append("role BrokerAdmin")

        _demo_brokers(actor, prod, report)

        dev_actor = system_actor(dev.account_id, via="load_demo")
        if not Role.objects.filter(account=dev, name="CrossAccountAuditor").exists():
            trust = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{prod.account_id}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
            role = role_create(
                actor=dev_actor,
                account=dev,
                name="CrossAccountAuditor",
                trust_policy=json.dumps(trust, indent=4),
            )
            policy_attach(
                actor=dev_actor, policy=_aws_policy("AmazonMQReadOnlyAccess"), identity=role
            )
            report.created.append("role CrossAccountAuditor in acme-dev")

    for name in ("alice", "olivia"):
        report.credentials.append(
            (f"IAM user {name}", f"account acme-prod / user {name} / password {password}")
        )
    return report


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
