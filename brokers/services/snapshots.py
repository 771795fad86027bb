"""Before/after snapshots for the audit trail (AWS names, never a secret)."""

from __future__ import annotations

from brokers.models import Broker, BrokerUser, Configuration


def broker_snapshot(broker: Broker) -> dict:
    """What the audit trail records of a broker."""
    return {
        "BrokerId": broker.broker_id,
        "BrokerName": broker.name,
        "BrokerArn": broker.arn,
        "BrokerState": broker.state,
        "EngineType": broker.engine_type,
        "EngineVersion": broker.engine_version,
        "DeploymentMode": broker.deployment_mode,
        "HostInstanceType": broker.host_instance_type,
        "PubliclyAccessible": broker.publicly_accessible,
        "AuthenticationStrategy": broker.authentication_strategy,
        "Configuration": (
            {"Id": broker.configuration.configuration_id, "Revision": broker.configuration_revision}
            if broker.configuration_id
            else None
        ),
        "Pending": dict(broker.pending),
        "Tags": dict(broker.tags),
    }


def broker_user_snapshot(user: BrokerUser) -> dict:
    """What the audit trail records of a broker user (never its password)."""
    return {
        "Username": user.username,
        "ConsoleAccess": user.console_access,
        "Groups": list(user.groups),
        "PendingChange": user.pending_change or None,
    }


def configuration_snapshot(configuration: Configuration) -> dict:
    """What the audit trail records of a configuration."""
    return {
        "Id": configuration.configuration_id,
        "Arn": configuration.arn,
        "Name": configuration.name,
        "EngineType": configuration.engine_type,
        "EngineVersion": configuration.engine_version,
        "LatestRevision": configuration.latest_revision,
        "Tags": dict(configuration.tags),
    }
