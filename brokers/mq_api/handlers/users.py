"""Broker user operations: CreateUser, DescribeUser, UpdateUser, DeleteUser, ListUsers."""

from __future__ import annotations

from brokers import describe, selectors, services
from brokers.mq_api.protocol import MQContext, operation, page
from brokers.services.users import UNSET, broker_user_get


def broker_for(ctx: MQContext, params: dict):
    return selectors.broker_get(
        principal=ctx.principal, broker_id=params["broker-id"], region=ctx.region
    )


@operation("CreateUser")
def create_user(ctx: MQContext, params: dict) -> dict:
    services.broker_user_create(
        actor=ctx.actor,
        broker=broker_for(ctx, params),
        username=params["username"],
        password=params.get("password"),
        console_access=params.get("consoleAccess", False),
        groups=params.get("groups"),
        replication_user=params.get("replicationUser", False),
        authz=ctx.authz,
    )
    return {}


@operation("DescribeUser")
def describe_user(ctx: MQContext, params: dict) -> dict:
    broker = broker_for(ctx, params)
    ctx.authorize(broker.arn)
    return describe.user_description(broker_user_get(broker=broker, username=params["username"]))


@operation("UpdateUser")
def update_user(ctx: MQContext, params: dict) -> dict:
    services.broker_user_update(
        actor=ctx.actor,
        broker=broker_for(ctx, params),
        username=params["username"],
        password=params.get("password", UNSET),
        console_access=params.get("consoleAccess", UNSET),
        groups=params.get("groups", UNSET),
        replication_user=params.get("replicationUser", UNSET),
        authz=ctx.authz,
    )
    return {}


@operation("DeleteUser")
def delete_user(ctx: MQContext, params: dict) -> dict:
    services.broker_user_delete(
        actor=ctx.actor,
        broker=broker_for(ctx, params),
        username=params["username"],
        authz=ctx.authz,
    )
    return {}


@operation("ListUsers")
def list_users(ctx: MQContext, params: dict) -> dict:
    broker = broker_for(ctx, params)
    ctx.authorize(broker.arn)
    chunk, token, max_results = page(selectors.broker_user_list(broker=broker), params)
    return {
        "brokerId": broker.broker_id,
        "maxResults": max_results,
        "nextToken": token,
        "users": [describe.user_summary(user) for user in chunk],
    }
