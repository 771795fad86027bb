"""Broker services: CreateBroker, UpdateBroker, RebootBroker, DeleteBroker.

Each one authorizes (through ``authz``) every action AWS checks for it before it writes,
applies Amazon MQ's rules (``brokers.rules``), writes one audit row per change in the same
transaction, and leaves state changes to the lifecycle (a Celery task after commit).
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction

from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.crypto import encrypt
from accounts.models import Account, Role
from accounts.services.roles import service_linked_role_create
from brokers import documents, engines, rules
from brokers.authz import Authorizer, authorize
from brokers.errors import Conflict, bad_request, not_running
from brokers.models import Broker, BrokerUser
from brokers.services.configurations import configuration_create, resolve_configuration
from brokers.services.lifecycle import transition_start
from brokers.services.snapshots import broker_snapshot
from policies.aws_managed import mq_reference
from policies.models import ManagedPolicy
from policies.services.attachments import policy_attach

MQ_SERVICE = "mq.amazonaws.com"
ACTIVE_STATES = ("RUNNING", "CRITICAL_ACTION_REQUIRED")


def new_broker_id() -> str:
    """``b-`` + a UUID, as Amazon MQ issues broker ids."""
    return f"b-{uuid.uuid4()}"


def service_linked_role_arn(account: Account) -> str:
    """The ARN of the account's AWSServiceRoleForAmazonMQ (from the reference)."""
    slr = mq_reference()["service_linked_role"]
    return (
        slr["arn_format"].replace("${Partition}", "aws").replace("${Account}", account.account_id)
    )


def ensure_mq_service_linked_role(*, actor: Actor, account: Account) -> Role:
    """AWSServiceRoleForAmazonMQ, created with its policy the first time it is needed."""
    slr = mq_reference()["service_linked_role"]
    role = Role.objects.filter(account=account, name=slr["role_name"]).first()
    if role is not None:
        return role
    role = service_linked_role_create(
        actor=actor, account=account, service_name=slr["service_principal"], slr=slr
    )
    for policy_arn in slr["attached_policies"]:
        name = policy_arn.rsplit("/", 1)[-1]
        policy = ManagedPolicy.objects.get(account=None, name=name)
        policy_attach(actor=actor, policy=policy, identity=role, system=True)
    return role


def _default_subnets(broker_id: str, count: int) -> list[str]:
    # The default VPC's subnets, one per Availability Zone the mode uses (stable per broker).
    return [
        "subnet-" + hashlib.sha256(f"{broker_id}/{n}".encode()).hexdigest()[:17]
        for n in range(count)
    ]


def _pass_role_check(authz: Authorizer | None, engine_type: str, data: str) -> None:
    """A RabbitMQ configuration naming a role makes Amazon MQ assume it: iam:PassRole."""
    role_arn = documents.assume_role_arn(engine_type, data)
    if role_arn:
        authorize(authz, "iam:PassRole", role_arn, extra={"iam:PassedToService": MQ_SERVICE})


def broker_create(
    *,
    actor: Actor,
    account: Account,
    name: str,
    engine_type: str,
    deployment_mode: str,
    host_instance_type: str,
    engine_version: str | None = None,
    publicly_accessible: bool = False,
    auto_minor_version_upgrade: bool | None = None,
    storage_type: str | None = None,
    storage_size: int | None = None,
    authentication_strategy: str | None = None,
    ldap_server_metadata: dict | None = None,
    logs: dict | None = None,
    encryption_options: dict | None = None,
    maintenance_window: dict | None = None,
    subnet_ids: list | None = None,
    security_groups: list | None = None,
    configuration: dict | None = None,
    users: list | None = None,
    tags: dict | None = None,
    region: str | None = None,
    broker_id: str | None = None,
    creator_request_id: str | None = None,
    data_replication_mode: str | None = None,
    authz: Authorizer | None = None,
) -> Broker:
    """Create a broker in CREATION_IN_PROGRESS; the account's first broker creates the SLR."""
    authorize(authz, "mq:CreateBroker", "*", request_tags=dict(tags) if tags else None)
    region = region or settings.MQIAM["DEFAULT_REGION"]
    if creator_request_id:
        existing = Broker.objects.filter(
            account=account, region=region, creator_request_id=creator_request_id
        ).first()
        if existing is not None:
            return existing  # CreatorRequestId makes CreateBroker idempotent
    name = rules.check_broker_name(name)
    engine_type, engine_version = rules.check_engine(engine_type, engine_version)
    deployment_mode = rules.check_deployment_mode(engine_type, deployment_mode)
    host_instance_type = rules.check_instance_type(engine_type, deployment_mode, host_instance_type)
    storage_type, storage_size = rules.check_storage(
        engine_type, host_instance_type, storage_type, storage_size
    )
    strategy = rules.check_authentication_strategy(engine_type, authentication_strategy)
    ldap, ldap_password = rules.check_ldap(strategy, ldap_server_metadata)
    logs_general, logs_audit = rules.check_logs(engine_type, logs)
    aws_owned_key, kms_key_id = rules.check_encryption(engine_type, encryption_options)
    auto_upgrade = rules.check_auto_minor_upgrade(
        engine_type, engine_version, auto_minor_version_upgrade
    )
    if data_replication_mode not in (None, "", "NONE"):
        raise bad_request(
            "Cross-Region data replication (CRDR) is not supported by this console.",
            "dataReplicationMode",
        )
    broker_id = broker_id or new_broker_id()
    day, time_of_day, zone = rules.check_maintenance_window(
        maintenance_window,
        default_day=Broker.DayOfWeek.values[int(broker_id[-2:], 16) % 7],
    )
    subnets, groups = rules.check_network(
        deployment_mode, bool(publicly_accessible), subnet_ids, security_groups
    )
    initial_users = rules.check_initial_users(engine_type, strategy, users)
    tags = rules.check_tags(tags)
    config, revision = None, None
    if configuration:
        config, revision = resolve_configuration(account, region, engine_type, configuration)
        _pass_role_check(authz, engine_type, revision.data)
    if Broker.objects.filter(account=account, region=region, name__iexact=name).exists():
        raise Conflict(
            f"Broker with name {name} already exists.", fields={"brokerName": "already exists"}
        )
    broker = Broker(
        account=account,
        region=region,
        broker_id=broker_id,
        name=name,
        engine_type=engine_type,
        engine_version=engine_version,
        deployment_mode=deployment_mode,
        host_instance_type=host_instance_type,
        storage_type=storage_type,
        storage_size=storage_size,
        publicly_accessible=bool(publicly_accessible),
        auto_minor_version_upgrade=auto_upgrade,
        authentication_strategy=strategy,
        ldap_server_metadata=ldap,
        ldap_service_account_password=encrypt(ldap_password) if ldap_password else None,
        logs_general=logs_general,
        logs_audit=logs_audit,
        encryption_use_aws_owned_key=aws_owned_key,
        encryption_kms_key_id=kms_key_id,
        maintenance_day=day,
        maintenance_time=time_of_day,
        maintenance_time_zone=zone,
        subnet_ids=subnets or _default_subnets(broker_id, engines.subnet_count(deployment_mode)),
        security_groups=groups,
        configuration=config,
        configuration_revision=revision.revision if revision else None,
        creator_request_id=creator_request_id or "",
        tags=tags,
    )
    if tags:
        authorize(authz, "mq:CreateTags", broker.arn, request_tags=tags)
    needs_slr = not Role.objects.filter(
        account=account, name=mq_reference()["service_linked_role"]["role_name"]
    ).exists()
    if needs_slr:
        authorize(
            authz,
            "iam:CreateServiceLinkedRole",
            service_linked_role_arn(account),
            extra={"iam:AWSServiceName": MQ_SERVICE},
        )
    try:
        with transaction.atomic():
            ensure_mq_service_linked_role(actor=actor, account=account)
            if broker.configuration is None and engine_type == "ACTIVEMQ":
                # Amazon MQ gives an ActiveMQ broker its own default configuration.
                broker.configuration = configuration_create(
                    actor=actor,
                    account=account,
                    region=region,
                    name=f"{name}-configuration",
                    engine_type=engine_type,
                    engine_version=engine_version,
                    authentication_strategy=strategy,
                )
                broker.configuration_revision = 1
            broker.save()
            BrokerUser.objects.bulk_create(
                BrokerUser(
                    broker=broker,
                    username=user["username"],
                    password=make_password(user["password"]),
                    console_access=user["consoleAccess"],
                    groups=user["groups"],
                    replication_user=user["replicationUser"],
                    applied=True,
                )
                for user in initial_users
            )
            audit_record(
                actor=actor,
                action="mq:CreateBroker",
                resource_arn=broker.arn,
                account_id=account.account_id,
                parameters={
                    "BrokerName": name,
                    "EngineType": engine_type,
                    "EngineVersion": engine_version,
                    "DeploymentMode": deployment_mode,
                    "HostInstanceType": host_instance_type,
                    "Users": [u["username"] for u in initial_users],
                    "Tags": tags,
                },
                after=broker_snapshot(broker),
            )
            transition_start(broker, "CREATION_IN_PROGRESS")
    except IntegrityError as exc:
        raise Conflict(
            f"Broker with name {name} already exists.", fields={"brokerName": "already exists"}
        ) from exc
    return broker


def _locked_active(broker: Broker, operation: str) -> Broker:
    locked = Broker.objects.select_for_update().select_related("account").get(pk=broker.pk)
    if locked.state not in ACTIVE_STATES:
        raise not_running(locked.broker_id, locked.state, operation)
    return locked


def broker_reboot(*, actor: Actor, broker: Broker, authz: Authorizer | None = None) -> Broker:
    """RebootBroker: REBOOT_IN_PROGRESS, then RUNNING with every pending change applied."""
    authorize(authz, "mq:RebootBroker", broker.arn)
    with transaction.atomic():
        broker = _locked_active(broker, "reboot")
        before = broker_snapshot(broker)
        transition_start(broker, "REBOOT_IN_PROGRESS")
        audit_record(
            actor=actor,
            action="mq:RebootBroker",
            resource_arn=broker.arn,
            account_id=broker.account.account_id,
            before=before,
            after=broker_snapshot(broker),
        )
    return broker


def broker_delete(*, actor: Actor, broker: Broker, authz: Authorizer | None = None) -> Broker:
    """DeleteBroker: DELETION_IN_PROGRESS, then gone (with its users)."""
    authorize(authz, "mq:DeleteBroker", broker.arn)
    with transaction.atomic():
        broker = Broker.objects.select_for_update().select_related("account").get(pk=broker.pk)
        if broker.state not in (*ACTIVE_STATES, "CREATION_FAILED"):
            raise not_running(broker.broker_id, broker.state, "delete")
        before = broker_snapshot(broker)
        transition_start(broker, "DELETION_IN_PROGRESS")
        audit_record(
            actor=actor,
            action="mq:DeleteBroker",
            resource_arn=broker.arn,
            account_id=broker.account.account_id,
            before=before,
            after=broker_snapshot(broker),
        )
    return broker
