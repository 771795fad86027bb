"""Tag operations on broker and configuration ARNs: CreateTags, DeleteTags, ListTags."""

from __future__ import annotations

from brokers import services
from brokers.mq_api.protocol import MQContext, operation


@operation("CreateTags")
def create_tags(ctx: MQContext, params: dict) -> dict:
    resource = services.resource_for_arn(ctx.account, params["resource-arn"])
    services.tags_create(
        actor=ctx.actor, resource=resource, tags=params.get("tags") or {}, authz=ctx.authz
    )
    return {}


@operation("DeleteTags")
def delete_tags(ctx: MQContext, params: dict) -> dict:
    resource = services.resource_for_arn(ctx.account, params["resource-arn"])
    services.tags_delete(
        actor=ctx.actor, resource=resource, keys=params.get("tagKeys") or [], authz=ctx.authz
    )
    return {}


@operation("ListTags")
def list_tags(ctx: MQContext, params: dict) -> dict:
    resource = services.resource_for_arn(ctx.account, params["resource-arn"])
    ctx.authorize(resource.arn)
    return {"tags": dict(resource.tags)}
