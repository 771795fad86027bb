"""Broker operations: Create, Describe, List, Update, Reboot, Delete, Promote, shared resources."""

from __future__ import annotations

from brokers import describe, selectors, services
from brokers.errors import bad_request
from brokers.mq_api.protocol import MQContext, operation, page
from brokers.services.updates import UNSET, broker_update


def broker_for(ctx: MQContext, params: dict):
    return selectors.broker_get(
        principal=ctx.principal, broker_id=params["broker-id"], region=ctx.region
    )


@operation("CreateBroker")
def create_broker(ctx: MQContext, params: dict) -> dict:
    broker = services.broker_create(
        actor=ctx.actor,
        account=ctx.account,
        region=ctx.region,
        name=params.get("brokerName"),
        engine_type=params.get("engineType"),
        engine_version=params.get("engineVersion"),
        deployment_mode=params.get("deploymentMode"),
        host_instance_type=params.get("hostInstanceType"),
        publicly_accessible=params.get("publiclyAccessible", False),
        auto_minor_version_upgrade=params.get("autoMinorVersionUpgrade"),
        storage_type=params.get("storageType"),
        storage_size=params.get("storageSize"),
        authentication_strategy=params.get("authenticationStrategy"),
        ldap_server_metadata=params.get("ldapServerMetadata"),
        logs=params.get("logs"),
        encryption_options=params.get("encryptionOptions"),
        maintenance_window=params.get("maintenanceWindowStartTime"),
        subnet_ids=params.get("subnetIds"),
        security_groups=params.get("securityGroups"),
        configuration=params.get("configuration"),
        users=params.get("users"),
        tags=params.get("tags"),
        creator_request_id=params.get("creatorRequestId"),
        data_replication_mode=params.get("dataReplicationMode"),
        authz=ctx.authz,
    )
    return {"brokerArn": broker.arn, "brokerId": broker.broker_id}


@operation("DescribeBroker")
def describe_broker(ctx: MQContext, params: dict) -> dict:
    broker = broker_for(ctx, params)
    ctx.authorize(broker.arn)
    return describe.broker_description(broker, list(selectors.broker_user_list(broker=broker)))


@operation("ListBrokers")
def list_brokers(ctx: MQContext, params: dict) -> dict:
    ctx.authorize("*")
    brokers = selectors.broker_list(principal=ctx.principal, region=ctx.region)
    chunk, token, _ = page(brokers, params)
    return {"brokerSummaries": [describe.broker_summary(b) for b in chunk], "nextToken": token}


_UPDATE_ARGUMENTS = {
    "authenticationStrategy": "authentication_strategy",
    "autoMinorVersionUpgrade": "auto_minor_version_upgrade",
    "configuration": "configuration",
    "engineVersion": "engine_version",
    "hostInstanceType": "host_instance_type",
    "ldapServerMetadata": "ldap_server_metadata",
    "logs": "logs",
    "maintenanceWindowStartTime": "maintenance_window",
    "securityGroups": "security_groups",
    "storageSize": "storage_size",
    "dataReplicationMode": "data_replication_mode",
}


@operation("UpdateBroker")
def update_broker(ctx: MQContext, params: dict) -> dict:
    broker = broker_for(ctx, params)
    if params.get("resourceShareArns"):
        raise bad_request("Resource shares are not supported by this console.", "resourceShareArns")
    arguments = {argument: params.get(wire, UNSET) for wire, argument in _UPDATE_ARGUMENTS.items()}
    broker = broker_update(actor=ctx.actor, broker=broker, authz=ctx.authz, **arguments)
    result = {wire: params[wire] for wire in _UPDATE_ARGUMENTS if wire in params}
    if "ldapServerMetadata" in result:
        result["ldapServerMetadata"] = {
            k: v for k, v in result["ldapServerMetadata"].items() if k != "serviceAccountPassword"
        }
    return {**result, "brokerId": broker.broker_id}


@operation("RebootBroker")
def reboot_broker(ctx: MQContext, params: dict) -> dict:
    services.broker_reboot(actor=ctx.actor, broker=broker_for(ctx, params), authz=ctx.authz)
    return {}


@operation("DeleteBroker")
def delete_broker(ctx: MQContext, params: dict) -> dict:
    broker = services.broker_delete(
        actor=ctx.actor, broker=broker_for(ctx, params), authz=ctx.authz
    )
    return {"brokerId": broker.broker_id}


@operation("Promote")
def promote(ctx: MQContext, params: dict) -> dict:
    broker = broker_for(ctx, params)
    ctx.authorize(broker.arn)
    raise bad_request(
        f"Broker [{broker.broker_id}] is not part of a cross-Region data replication pair.",
        "broker-id",
    )


@operation("DescribeSharedResources")
def describe_shared_resources(ctx: MQContext, params: dict) -> dict:
    broker = broker_for(ctx, params)
    ctx.authorize(broker.arn)
    return {"sharedResources": []}
