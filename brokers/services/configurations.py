"""Configuration services: CreateConfiguration, UpdateConfiguration (a new revision), delete."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.models import Account
from brokers import documents, engines, rules
from brokers.authz import Authorizer, authorize
from brokers.errors import Conflict, bad_request, configuration_not_found, revision_not_found
from brokers.models import Broker, Configuration, ConfigurationRevision
from brokers.services.snapshots import configuration_snapshot

DESCRIPTION_MAX = 1000


def configuration_create(
    *,
    actor: Actor,
    account: Account,
    name: str,
    engine_type: str,
    engine_version: str | None = None,
    authentication_strategy: str | None = None,
    region: str | None = None,
    tags: dict | None = None,
    authz: Authorizer | None = None,
) -> Configuration:
    """Create a configuration (``c-`` + UUID) whose revision 1 is the engine's default."""
    authorize(authz, "mq:CreateConfiguration", "*", request_tags=dict(tags) if tags else None)
    region = region or settings.MQIAM["DEFAULT_REGION"]
    name = rules.check_configuration_name(name)
    engine_type, engine_version = rules.check_engine(engine_type, engine_version)
    strategy = rules.check_authentication_strategy(engine_type, authentication_strategy)
    tags = rules.check_tags(tags)
    configuration = Configuration(
        account=account,
        region=region,
        configuration_id=f"c-{uuid.uuid4()}",
        name=name,
        engine_type=engine_type,
        engine_version=engine_version,
        authentication_strategy=strategy,
        latest_revision=1,
        tags=tags,
    )
    if tags:
        authorize(authz, "mq:CreateTags", configuration.arn, request_tags=tags)
    label = f"{engines.engine_label(engine_type)} {engine_version}"
    with transaction.atomic():
        configuration.save()
        ConfigurationRevision.objects.create(
            configuration=configuration,
            revision=1,
            description=f"Auto-generated default for {name} on {label}",
            data=documents.default_data(engine_type),
        )
        audit_record(
            actor=actor,
            action="mq:CreateConfiguration",
            resource_arn=configuration.arn,
            account_id=account.account_id,
            parameters={"Name": name, "EngineType": engine_type, "Tags": tags},
            after=configuration_snapshot(configuration),
        )
    return configuration


def configuration_update(
    *,
    actor: Actor,
    configuration: Configuration,
    data: str,
    description: str | None = None,
    authz: Authorizer | None = None,
) -> ConfigurationRevision:
    """Save ``data`` as the next revision (sanitized, with Amazon MQ's warnings)."""
    authorize(authz, "mq:UpdateConfiguration", configuration.arn)
    if description is not None and len(description) > DESCRIPTION_MAX:
        raise bad_request(
            f"The description must be at most {DESCRIPTION_MAX} characters.", "description"
        )
    checked = documents.check_document(configuration.engine_type, data)
    with transaction.atomic():
        locked = Configuration.objects.select_for_update().get(pk=configuration.pk)
        number = locked.latest_revision + 1
        revision = ConfigurationRevision.objects.create(
            configuration=locked,
            revision=number,
            description=description or "",
            data=checked.data,
            warnings=checked.warnings,
        )
        locked.latest_revision = number
        locked.description = description or locked.description
        locked.save(update_fields=["latest_revision", "description"])
        audit_record(
            actor=actor,
            action="mq:UpdateConfiguration",
            resource_arn=locked.arn,
            account_id=locked.account.account_id,
            parameters={"Description": description, "Warnings": checked.warnings},
            after={"Revision": number},
        )
    configuration.latest_revision = number
    return revision


def configuration_users(configuration: Configuration):
    """Brokers that run this configuration now or will after a reboot."""
    return Broker.objects.filter(
        Q(configuration=configuration)
        | Q(pending__configuration__id=configuration.configuration_id)
    )


def configuration_delete(
    *, actor: Actor, configuration: Configuration, authz: Authorizer | None = None
) -> None:
    """DeleteConfiguration: refused (ConflictException) while a broker uses it."""
    authorize(authz, "mq:DeleteConfiguration", configuration.arn)
    with transaction.atomic():
        locked = Configuration.objects.select_for_update().get(pk=configuration.pk)
        users = list(configuration_users(locked).values_list("broker_id", flat=True)[:5])
        if users:
            raise Conflict(
                f"Configuration [{locked.configuration_id}] is in use by broker(s) "
                f"{', '.join(users)}.",
                fields={"configuration-id": "in use"},
            )
        audit_record(
            actor=actor,
            action="mq:DeleteConfiguration",
            resource_arn=locked.arn,
            account_id=locked.account.account_id,
            before=configuration_snapshot(locked),
        )
        locked.delete()


def resolve_configuration(
    account: Account, region: str, engine_type: str, reference: dict | Configuration
) -> tuple[Configuration, ConfigurationRevision]:
    """The configuration and revision a ConfigurationId names (revision defaults to latest)."""
    if isinstance(reference, Configuration):
        reference = {"id": reference.configuration_id}
    if not isinstance(reference, dict) or not reference.get("id"):
        raise bad_request("configuration.id is required.", "configuration")
    configuration = Configuration.objects.filter(
        account=account, region=region, configuration_id=reference["id"]
    ).first()
    if configuration is None:
        raise configuration_not_found(reference["id"])
    if configuration.engine_type != engine_type:
        raise bad_request(
            f"Configuration [{configuration.configuration_id}] is for "
            f"{engines.engine_label(configuration.engine_type)}, not "
            f"{engines.engine_label(engine_type)}.",
            "configuration",
        )
    number = reference.get("revision") or configuration.latest_revision
    revision = configuration.revisions.filter(revision=number).first()
    if revision is None:
        raise revision_not_found(configuration.configuration_id, number)
    return configuration, revision
