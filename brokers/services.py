"""Brokers and configurations (first cut: creation and deletion; the Brokers issue adds more)."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts import rules
from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.errors import EntityAlreadyExists, ValidationError
from accounts.models import Account, Role
from accounts.services.roles import service_linked_role_create
from brokers.models import Broker, Configuration
from policies.aws_managed import mq_reference
from policies.models import ManagedPolicy
from policies.services.attachments import policy_attach

BROKER_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,50}$")


def broker_snapshot(broker: Broker) -> dict:
    return {
        "BrokerId": broker.broker_id,
        "BrokerName": broker.name,
        "BrokerArn": broker.arn,
        "EngineType": broker.engine_type,
        "EngineVersion": broker.engine_version,
        "DeploymentMode": broker.deployment_mode,
        "HostInstanceType": broker.host_instance_type,
        "BrokerState": broker.state,
        "Tags": dict(broker.tags),
    }


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


def broker_create(
    *,
    actor: Actor,
    account: Account,
    name: str,
    engine_type: str,
    engine_version: str,
    deployment_mode: str,
    host_instance_type: str,
    region: str | None = None,
    tags: dict | None = None,
    configuration: Configuration | None = None,
) -> Broker:
    """Create a broker (CREATION_IN_PROGRESS); the account's first broker creates the SLR."""
    region = region or settings.MQIAM["DEFAULT_REGION"]
    if not BROKER_NAME_RE.match(name or ""):
        raise ValidationError(
            "Broker name must be 1-50 characters: letters, digits, dashes and underscores.",
            fields={"brokerName": "1-50 of A-Z a-z 0-9 - _"},
        )
    if engine_type not in Broker.EngineType.values:
        raise ValidationError(
            f"Unsupported engine type {engine_type}.", fields={"engineType": "ACTIVEMQ or RABBITMQ"}
        )
    if deployment_mode not in Broker.DeploymentMode.values:
        raise ValidationError(
            f"Unsupported deployment mode {deployment_mode}.",
            fields={"deploymentMode": ", ".join(Broker.DeploymentMode.values)},
        )
    tags = rules.check_tags(tags, entity="broker", case_insensitive_keys=False)
    if Broker.objects.filter(account=account, region=region, name__iexact=name).exists():
        raise EntityAlreadyExists(f"Broker with name {name} already exists.")
    broker = Broker(
        account=account,
        region=region,
        broker_id=f"b-{uuid.uuid4()}",
        name=name,
        engine_type=engine_type,
        engine_version=engine_version,
        deployment_mode=deployment_mode,
        host_instance_type=host_instance_type,
        tags=tags,
        configuration=configuration,
    )
    try:
        with transaction.atomic():
            ensure_mq_service_linked_role(actor=actor, account=account)
            broker.save()
            audit_record(
                actor=actor,
                action="mq:CreateBroker",
                resource_arn=broker.arn,
                account_id=account.account_id,
                parameters={
                    "BrokerName": name,
                    "EngineType": engine_type,
                    "DeploymentMode": deployment_mode,
                    "Tags": tags,
                },
                after=broker_snapshot(broker),
            )
    except IntegrityError as exc:
        raise EntityAlreadyExists(f"Broker with name {name} already exists.") from exc
    return broker


def configuration_create(
    *,
    actor: Actor,
    account: Account,
    name: str,
    engine_type: str,
    engine_version: str,
    region: str | None = None,
    tags: dict | None = None,
) -> Configuration:
    """Create a configuration (``c-`` + UUID)."""
    region = region or settings.MQIAM["DEFAULT_REGION"]
    if not re.match(r"^[A-Za-z0-9_-]{1,150}$", name or ""):
        raise ValidationError(
            "Configuration name must be 1-150 characters: letters, digits, dashes and underscores.",
            fields={"name": "invalid"},
        )
    if engine_type not in Broker.EngineType.values:
        raise ValidationError(f"Unsupported engine type {engine_type}.")
    tags = rules.check_tags(tags, entity="configuration", case_insensitive_keys=False)
    with transaction.atomic():
        configuration = Configuration.objects.create(
            account=account,
            region=region,
            configuration_id=f"c-{uuid.uuid4()}",
            name=name,
            engine_type=engine_type,
            engine_version=engine_version,
            tags=tags,
        )
        audit_record(
            actor=actor,
            action="mq:CreateConfiguration",
            resource_arn=configuration.arn,
            account_id=account.account_id,
            parameters={"Name": name, "EngineType": engine_type, "Tags": tags},
        )
    return configuration
