"""UpdateBroker: some settings apply at once, the rest wait for a reboot (``pending``)."""

from __future__ import annotations

from django.db import transaction

from accounts.actors import Actor
from accounts.audit import audit_record
from brokers import documents, engines, rules
from brokers.authz import Authorizer, authorize
from brokers.errors import bad_request, not_running
from brokers.models import Broker, ConfigurationRevision
from brokers.services.brokers import ACTIVE_STATES, MQ_SERVICE
from brokers.services.configurations import resolve_configuration
from brokers.services.snapshots import broker_snapshot

UNSET = object()


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.replace("-", ".").split(".") if p.isdigit())


def _check_instance_change(broker: Broker, instance_type: str) -> str:
    instance_type = rules.check_instance_type(
        broker.engine_type, broker.deployment_mode, instance_type
    )
    # "cannot downgrade RabbitMQ from mq.m5/mq.m7g to mq.t3.micro" (reference rules)
    if (
        broker.engine_type == "RABBITMQ"
        and instance_type == "mq.t3.micro"
        and broker.host_instance_type != "mq.t3.micro"
    ):
        raise bad_request(
            f"You cannot change a RabbitMQ broker from {broker.host_instance_type} to mq.t3.micro.",
            "hostInstanceType",
        )
    if broker.storage_type not in engines.storage_types(broker.engine_type, instance_type):
        raise bad_request(
            f"Instance type {instance_type} does not support {broker.storage_type} storage.",
            "hostInstanceType",
        )
    return instance_type


def broker_update(
    *,
    actor: Actor,
    broker: Broker,
    authz: Authorizer | None = None,
    engine_version=UNSET,
    host_instance_type=UNSET,
    configuration=UNSET,
    auto_minor_version_upgrade=UNSET,
    maintenance_window=UNSET,
    logs=UNSET,
    security_groups=UNSET,
    authentication_strategy=UNSET,
    ldap_server_metadata=UNSET,
    storage_size=UNSET,
    data_replication_mode=UNSET,
) -> Broker:
    """Apply UpdateBroker; engine, instance, configuration, logs, security… become pending."""
    authorize(authz, "mq:UpdateBroker", broker.arn)
    pending: dict = {}
    cancelled: set[str] = set()  # pending changes set back to the current value
    immediate: dict = {}
    engine = broker.engine_type
    if engine_version not in (UNSET, None, ""):
        _, version = rules.check_engine(engine, engine_version)
        if _version_key(version) < _version_key(broker.engine_version):
            raise bad_request(
                f"Broker engine version cannot be downgraded from {broker.engine_version} to "
                f"{version}.",
                "engineVersion",
            )
        if version != broker.engine_version:
            pending["engineVersion"] = version
        else:
            cancelled.add("engineVersion")
    if host_instance_type not in (UNSET, None, ""):
        instance = _check_instance_change(broker, host_instance_type)
        if instance != broker.host_instance_type:
            pending["hostInstanceType"] = instance
        else:
            cancelled.add("hostInstanceType")
    if configuration not in (UNSET, None):
        config, revision = resolve_configuration(
            broker.account, broker.region, engine, configuration
        )
        if (config.pk, revision.revision) != (
            broker.configuration_id,
            broker.configuration_revision,
        ):
            role_arn = documents.assume_role_arn(engine, revision.data)
            if role_arn:
                authorize(
                    authz, "iam:PassRole", role_arn, extra={"iam:PassedToService": MQ_SERVICE}
                )
            if documents.access_settings(engine, revision.data) != _current_access(broker):
                # Changing RabbitMQ authentication/authorization needs this permission-only
                # action as well (reference: additional_permissions of UpdateBroker).
                authorize(
                    authz,
                    "mq:UpdateBrokerAccessConfiguration",
                    broker.arn,
                )
            pending["configuration"] = {
                "id": config.configuration_id,
                "revision": revision.revision,
            }
    if auto_minor_version_upgrade not in (UNSET, None):
        version = pending.get("engineVersion", broker.engine_version)
        immediate["auto_minor_version_upgrade"] = rules.check_auto_minor_upgrade(
            engine, version, auto_minor_version_upgrade
        )
    if maintenance_window not in (UNSET, None):
        day, time_of_day, zone = rules.check_maintenance_window(
            maintenance_window, default_day=broker.maintenance_day
        )
        immediate.update(
            maintenance_day=day, maintenance_time=time_of_day, maintenance_time_zone=zone
        )
    if logs not in (UNSET, None):
        general, audit = rules.check_logs(engine, {"general": broker.logs_general, **logs})
        if (general, audit) != (broker.logs_general, broker.logs_audit):
            pending["logs"] = {"general": general, "audit": audit}
    if security_groups not in (UNSET, None):
        if engine == "RABBITMQ":
            raise bad_request(
                "Changing security groups is not supported for RabbitMQ brokers.",
                "securityGroups",
            )
        _, groups = rules.check_network(
            broker.deployment_mode, broker.publicly_accessible, [], security_groups
        )
        if groups != broker.security_groups:
            pending["securityGroups"] = groups
    if authentication_strategy not in (UNSET, None, ""):
        strategy = rules.check_authentication_strategy(engine, authentication_strategy)
        if strategy != broker.authentication_strategy:
            pending["authenticationStrategy"] = strategy
    if ldap_server_metadata not in (UNSET, None):
        strategy = pending.get("authenticationStrategy", broker.authentication_strategy)
        metadata, _password = rules.check_ldap(strategy, ldap_server_metadata)
        pending["ldapServerMetadata"] = metadata
    if storage_size not in (UNSET, None):
        _, size = rules.check_storage(
            engine, broker.host_instance_type, broker.storage_type, storage_size
        )
        if size < (broker.storage_size or 0):
            raise bad_request("Broker storage cannot be reduced.", "storageSize")
        if size != broker.storage_size:
            pending["storageSize"] = size
    if data_replication_mode not in (UNSET, None, "", "NONE"):
        raise bad_request(
            "Cross-Region data replication (CRDR) is not supported by this console.",
            "dataReplicationMode",
        )
    with transaction.atomic():
        locked = Broker.objects.select_for_update().select_related("account").get(pk=broker.pk)
        if locked.state not in ACTIVE_STATES:
            raise not_running(locked.broker_id, locked.state, "update")
        before = broker_snapshot(locked)
        for attribute, value in immediate.items():
            setattr(locked, attribute, value)
        kept = {k: v for k, v in locked.pending.items() if k not in cancelled}
        locked.pending = {**kept, **pending}
        locked.save()
        audit_record(
            actor=actor,
            action="mq:UpdateBroker",
            resource_arn=locked.arn,
            account_id=locked.account.account_id,
            parameters={"Pending": pending, "Immediate": sorted(immediate)},
            before=before,
            after=broker_snapshot(locked),
        )
    return locked


def _current_access(broker: Broker) -> dict:
    current = broker.pending.get("configuration")
    if current:
        revision = ConfigurationRevision.objects.filter(
            configuration__configuration_id=current["id"], revision=current["revision"]
        ).first()
    else:
        revision = (
            broker.configuration.revisions.filter(revision=broker.configuration_revision).first()
            if broker.configuration_id
            else None
        )
    return documents.access_settings(broker.engine_type, revision.data) if revision else {}
