"""DescribeBrokerEngineTypes and DescribeBrokerInstanceOptions: what can be created."""

from __future__ import annotations

from brokers import engines
from brokers.mq_api.protocol import MQContext, operation, page


@operation("DescribeBrokerEngineTypes")
def describe_broker_engine_types(ctx: MQContext, params: dict) -> dict:
    ctx.authorize("*")
    items = engines.engine_type_options(params.get("engineType"))
    chunk, token, max_results = page(items, params)
    return {"brokerEngineTypes": chunk, "maxResults": max_results, "nextToken": token}


@operation("DescribeBrokerInstanceOptions")
def describe_broker_instance_options(ctx: MQContext, params: dict) -> dict:
    ctx.authorize("*")
    items = engines.instance_options(
        region=ctx.region,
        engine_type=params.get("engineType"),
        host_instance_type=params.get("hostInstanceType"),
        storage_type=params.get("storageType"),
    )
    chunk, token, max_results = page(items, params)
    return {"brokerInstanceOptions": chunk, "maxResults": max_results, "nextToken": token}
