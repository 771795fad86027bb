"""``manage.py generate_world --size large``: a large, realistic account for benchmarks.

Rows are written in bulk (not through the audited services: a benchmark world of 5,000 users
is test data, and auditing it one row at a time would take minutes); the matrix is then asked
to recompute the whole account through the outbox, exactly as after any change.
"""

from __future__ import annotations

import json
import random
import uuid

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts import identifiers
from accounts.models import (
    AccessKey,
    Account,
    Group,
    GroupMembership,
    IAMUser,
    MFADevice,
    Role,
    RoleSession,
    RootUser,
)
from brokers.models import Broker, Configuration
from policies.effective.outbox import record
from policies.models import (
    EffectivePermission,
    InlinePolicy,
    ManagedPolicy,
    MatrixResource,
    MatrixState,
    PermissionChange,
    PolicyAttachment,
    PolicyVersion,
    RecomputeJob,
    document_hash,
)

SIZES = {
    "small": dict(users=200, roles=20, groups=20, policies=60, brokers=30, configurations=5),
    "medium": dict(users=1000, roles=100, groups=60, policies=250, brokers=100, configurations=20),
    "large": dict(users=5000, roles=500, groups=200, policies=1000, brokers=300, configurations=50),
}
TEAMS = ["payments", "iot", "search", "ledger", "ops", "data", "web", "mobile"]
ENVS = ["production", "staging", "dev"]
ACTIONS = [
    "mq:Describe*",
    "mq:List*",
    "mq:RebootBroker",
    "mq:UpdateBroker",
    "mq:CreateUser",
    "mq:DeleteUser",
    "mq:UpdateUser",
    "mq:DescribeUser",
    "mq:*",
    "mq:CreateTags",
    "mq:DescribeConfiguration*",
    "mq:UpdateConfiguration",
    "mq:DeleteBroker",
    "mq:CreateBroker",
    "mq:ListBrokers",
    "iam:List*",
    "iam:GetAccountSummary",
]


def _statement(rng: random.Random, account_id: str, region: str) -> dict:
    effect = "Deny" if rng.random() < 0.12 else "Allow"
    actions = rng.sample(ACTIONS, rng.randint(1, 4))
    team = rng.choice(TEAMS)
    resource = rng.choice(
        [
            "*",
            f"arn:aws:mq:{region}:{account_id}:broker:*",
            f"arn:aws:mq:*:{account_id}:broker:{team}-*:*",
            f"arn:aws:mq:{region}:{account_id}:configuration:*",
            f"arn:aws:mq:*:*:broker:{team}-{rng.randint(0, 40)}:*",
        ]
    )
    statement: dict = {"Effect": effect, "Action": actions, "Resource": resource}
    roll = rng.random()
    if roll < 0.25:
        statement["Condition"] = {
            "StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}
        }
    elif roll < 0.35:
        statement["Condition"] = {"StringEquals": {"aws:ResourceTag/env": rng.choice(ENVS)}}
    elif roll < 0.45:
        statement["Condition"] = {"IpAddress": {"aws:SourceIp": f"10.{rng.randint(0, 9)}.0.0/16"}}
    elif roll < 0.50:
        statement["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    return statement


class Command(BaseCommand):
    help = "Create a large account (users, roles, groups, policies, brokers) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="large")
        parser.add_argument("--account-id", default="999900000001")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--replace", action="store_true", help="delete the account first")

    def handle(self, *args, **options):
        account_id, spec = options["account_id"], SIZES[options["size"]]
        rng = random.Random(options["seed"])
        existing = Account.objects.filter(account_id=account_id).first()
        if existing and not options["replace"]:
            raise CommandError(f"Account {account_id} exists; pass --replace to rebuild it.")
        with transaction.atomic():
            if existing:
                self._delete(existing)
            account = self._build(account_id, spec, rng)
            record(account, PermissionChange.Scope.ACCOUNT, "", "generate_world")
        with connection.cursor() as cursor:
            # After a bulk delete and load: reclaim the old world's rows and gather statistics
            # now (autovacuum, where it is on at all, would take a while to notice).
            cursor.execute("VACUUM (ANALYZE)")
        self.stdout.write(json.dumps({"account": account_id, **spec}))

    def _delete(self, account: Account) -> None:
        for model in (
            EffectivePermission,
            MatrixResource,
            MatrixState,
            PermissionChange,
            RecomputeJob,
        ):
            model.objects.filter(account=account).delete()
        PolicyAttachment.objects.filter(policy__account=account).delete()
        PolicyAttachment.objects.filter(user__account=account).delete()
        PolicyAttachment.objects.filter(role__account=account).delete()
        PolicyAttachment.objects.filter(group__account=account).delete()
        GroupMembership.objects.filter(user__account=account).delete()
        IAMUser.objects.filter(account=account).update(permissions_boundary=None)
        Role.objects.filter(account=account).update(permissions_boundary=None)
        AccessKey.objects.filter(user__account=account).delete()
        MFADevice.objects.filter(account=account).delete()
        RoleSession.objects.filter(role__account=account).delete()
        InlinePolicy.objects.filter(user__account=account).delete()
        InlinePolicy.objects.filter(group__account=account).delete()
        InlinePolicy.objects.filter(role__account=account).delete()
        IAMUser.objects.filter(account=account).delete()
        Role.objects.filter(account=account).delete()
        Group.objects.filter(account=account).delete()
        PolicyVersion.objects.filter(policy__account=account).delete()
        ManagedPolicy.objects.filter(account=account).delete()
        Broker.objects.filter(account=account).delete()
        Configuration.objects.filter(account=account).delete()
        RootUser.objects.filter(account=account).delete()
        account.delete()

    def _build(self, account_id: str, spec: dict, rng: random.Random) -> Account:
        now = timezone.now()
        region = "us-east-1"
        account = Account.objects.create(account_id=account_id, alias=f"bench-{account_id}")
        RootUser.objects.create(
            account=account,
            email=f"root@{account_id}.example",
            password=make_password("Bench-Passw0rd!"),
        )
        policies = ManagedPolicy.objects.bulk_create(
            [
                ManagedPolicy(
                    account=account,
                    name=f"policy-{i:04d}",
                    path="/bench/",
                    created_at=now,
                    updated_at=now,
                    next_version_number=2,
                    unique_id=identifiers.unique_id(identifiers.POLICY_PREFIX),
                )
                for i in range(spec["policies"])
            ]
        )
        versions = []
        for policy in policies:
            document = {
                "Version": "2012-10-17",
                "Statement": [
                    _statement(rng, account_id, region) for _ in range(rng.randint(2, 8))
                ],
            }
            text = json.dumps(document, indent=2)
            versions.append(
                PolicyVersion(
                    policy=policy,
                    version_id="v1",
                    is_default=True,
                    document=text,
                    document_hash=document_hash(text),
                    created_at=now,
                )
            )
        PolicyVersion.objects.bulk_create(versions)
        groups = Group.objects.bulk_create(
            [
                Group(
                    account=account,
                    name=f"group-{i:03d}",
                    unique_id=identifiers.unique_id(identifiers.GROUP_PREFIX),
                )
                for i in range(spec["groups"])
            ]
        )
        boundary_pool = policies[:10]
        users = IAMUser.objects.bulk_create(
            [
                IAMUser(
                    account=account,
                    name=f"user-{i:05d}",
                    unique_id=identifiers.unique_id(identifiers.USER_PREFIX),
                    tags={"team": rng.choice(TEAMS), "env": rng.choice(ENVS)},
                    permissions_boundary=rng.choice(boundary_pool) if rng.random() < 0.05 else None,
                )
                for i in range(spec["users"])
            ],
            batch_size=2000,
        )
        trust = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        )
        roles = Role.objects.bulk_create(
            [
                Role(
                    account=account,
                    name=f"role-{i:04d}",
                    trust_policy=trust,
                    unique_id=identifiers.unique_id(identifiers.ROLE_PREFIX),
                    tags={"team": rng.choice(TEAMS)},
                )
                for i in range(spec["roles"])
            ]
        )
        GroupMembership.objects.bulk_create(
            [
                GroupMembership(user=user, group=group)
                for user in users
                for group in rng.sample(groups, rng.randint(0, 3))
            ],
            batch_size=5000,
        )
        attachments = [
            PolicyAttachment(policy=policy, group=group)
            for group in groups
            for policy in rng.sample(policies, rng.randint(1, 3))
        ]
        attachments += [
            PolicyAttachment(policy=policy, user=user)
            for user in users
            if rng.random() < 0.2
            for policy in rng.sample(policies, 1)
        ]
        attachments += [
            PolicyAttachment(policy=policy, role=role)
            for role in roles
            for policy in rng.sample(policies, rng.randint(1, 3))
        ]
        PolicyAttachment.objects.bulk_create(attachments, batch_size=5000)
        Broker.objects.bulk_create(
            [
                Broker(
                    account=account,
                    region=region,
                    broker_id=f"b-{uuid.UUID(int=rng.getrandbits(128))}",
                    name=f"{rng.choice(TEAMS)}-{i}",
                    engine_type="ACTIVEMQ",
                    engine_version="5.18",
                    deployment_mode="SINGLE_INSTANCE",
                    host_instance_type="mq.m5.large",
                    state="RUNNING",
                    tags={"team": rng.choice(TEAMS), "env": rng.choice(ENVS)},
                )
                for i in range(spec["brokers"])
            ]
        )
        Configuration.objects.bulk_create(
            [
                Configuration(
                    account=account,
                    region=region,
                    configuration_id=f"c-{uuid.UUID(int=rng.getrandbits(128))}",
                    name=f"config-{i}",
                    engine_type="ACTIVEMQ",
                    engine_version="5.18",
                    tags={"team": rng.choice(TEAMS)},
                )
                for i in range(spec["configurations"])
            ]
        )
        return account
