"""Brokers, users and configurations as Amazon MQ describes them, keyed by wire names.

The Amazon MQ API sends these as they are (filtered through the reference's shapes); the
native API renames the keys to the SDK's member names with the same shapes.
"""

from __future__ import annotations

import base64

from brokers.models import Broker, BrokerUser, Configuration, ConfigurationRevision
from brokers.selectors import latest_revision


def _configuration_id(configuration_id: str | None, revision: int | None) -> dict | None:
    if not configuration_id:
        return None
    return {"id": configuration_id, "revision": revision}


def broker_summary(broker: Broker) -> dict:
    """BrokerSummary."""
    return {
        "brokerArn": broker.arn,
        "brokerId": broker.broker_id,
        "brokerName": broker.name,
        "brokerState": broker.state,
        "created": broker.created_at,
        "deploymentMode": broker.deployment_mode,
        "engineType": broker.engine_type,
        "hostInstanceType": broker.host_instance_type,
    }


def user_summary(user: BrokerUser) -> dict:
    """UserSummary: the username and its pending change, if any."""
    return {"username": user.username, "pendingChange": user.pending_change or None}


def broker_description(broker: Broker, users: list[BrokerUser]) -> dict:
    """DescribeBrokerOutput."""
    pending = broker.pending or {}
    current = _configuration_id(
        broker.configuration.configuration_id if broker.configuration_id else None,
        broker.configuration_revision,
    )
    logs: dict = {
        "general": broker.logs_general,
        "generalLogGroup": f"/aws/amazonmq/broker/{broker.broker_id}/general",
    }
    if broker.engine_type == "ACTIVEMQ":
        logs["audit"] = broker.logs_audit
        logs["auditLogGroup"] = f"/aws/amazonmq/broker/{broker.broker_id}/audit"
    if "logs" in pending:
        logs["pending"] = pending["logs"]
    encryption = {"useAwsOwnedKey": broker.encryption_use_aws_owned_key}
    if broker.encryption_kms_key_id:
        encryption["kmsKeyId"] = broker.encryption_kms_key_id
    return {
        "actionsRequired": broker.actions_required or None,
        "authenticationStrategy": broker.authentication_strategy,
        "autoMinorVersionUpgrade": broker.auto_minor_version_upgrade,
        "brokerArn": broker.arn,
        "brokerId": broker.broker_id,
        "brokerInstances": broker.instances(),
        "brokerName": broker.name,
        "brokerState": broker.state,
        "configurations": {
            "current": current,
            "history": list(broker.configuration_history),
            "pending": pending.get("configuration"),
        }
        if current or pending.get("configuration")
        else None,
        "created": broker.created_at,
        "dataReplicationMode": broker.data_replication_mode,
        "deploymentMode": broker.deployment_mode,
        "encryptionOptions": encryption,
        "engineType": broker.engine_type,
        "engineVersion": broker.engine_version,
        "hostInstanceType": broker.host_instance_type,
        "ldapServerMetadata": broker.ldap_server_metadata,
        "logs": logs,
        "maintenanceWindowStartTime": broker.maintenance_window,
        "pendingAuthenticationStrategy": pending.get("authenticationStrategy"),
        "pendingEngineVersion": pending.get("engineVersion"),
        "pendingHostInstanceType": pending.get("hostInstanceType"),
        "pendingLdapServerMetadata": pending.get("ldapServerMetadata"),
        "pendingSecurityGroups": pending.get("securityGroups"),
        "pendingStorageSize": pending.get("storageSize"),
        "publiclyAccessible": broker.publicly_accessible,
        "securityGroups": list(broker.security_groups),
        "storageSize": broker.storage_size,
        "storageType": broker.storage_type,
        "subnetIds": list(broker.subnet_ids),
        "tags": dict(broker.tags),
        "users": [user_summary(user) for user in users],
    }


def user_description(user: BrokerUser) -> dict:
    """DescribeUserOutput: applied values, plus ``pending`` while a change waits."""
    result: dict = {
        "brokerId": user.broker.broker_id,
        "username": user.username,
        "replicationUser": user.replication_user,
    }
    if user.applied:
        result["consoleAccess"] = user.console_access
        result["groups"] = list(user.groups)
    if user.pending_change:
        pending: dict = {"pendingChange": user.pending_change}
        if user.pending_console_access is not None:
            pending["consoleAccess"] = user.pending_console_access
        if user.pending_groups is not None:
            pending["groups"] = list(user.pending_groups)
        result["pending"] = pending
    return result


def revision_summary(revision: ConfigurationRevision | None) -> dict | None:
    """ConfigurationRevision."""
    if revision is None:
        return None
    return {
        "created": revision.created_at,
        "description": revision.description,
        "revision": revision.revision,
    }


def configuration_description(configuration: Configuration) -> dict:
    """Configuration (also DescribeConfigurationOutput and CreateConfigurationOutput)."""
    return {
        "arn": configuration.arn,
        "authenticationStrategy": configuration.authentication_strategy,
        "created": configuration.created_at,
        "description": configuration.description,
        "engineType": configuration.engine_type,
        "engineVersion": configuration.engine_version,
        "id": configuration.configuration_id,
        "latestRevision": revision_summary(latest_revision(configuration)),
        "name": configuration.name,
        "tags": dict(configuration.tags),
    }


def revision_description(revision: ConfigurationRevision, *, base64_data: bool) -> dict:
    """DescribeConfigurationRevisionOutput; Amazon MQ's wire carries the data base64-encoded."""
    data = revision.data
    if base64_data:
        data = base64.b64encode(data.encode("utf-8")).decode("ascii")
    return {
        "configurationId": revision.configuration.configuration_id,
        "created": revision.created_at,
        "data": data,
        "description": revision.description,
    }
