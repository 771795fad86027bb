"""Configuration operations: Create, Describe, Update (new revision), List, revisions, Delete."""

from __future__ import annotations

from brokers import describe, selectors, services
from brokers.mq_api.protocol import MQContext, decode_data, operation, page


def configuration_for(ctx: MQContext, params: dict):
    return selectors.configuration_get(
        principal=ctx.principal, configuration_id=params["configuration-id"], region=ctx.region
    )


@operation("CreateConfiguration")
def create_configuration(ctx: MQContext, params: dict) -> dict:
    configuration = services.configuration_create(
        actor=ctx.actor,
        account=ctx.account,
        region=ctx.region,
        name=params.get("name"),
        engine_type=params.get("engineType"),
        engine_version=params.get("engineVersion"),
        authentication_strategy=params.get("authenticationStrategy"),
        tags=params.get("tags"),
        authz=ctx.authz,
    )
    return describe.configuration_description(configuration)


@operation("DescribeConfiguration")
def describe_configuration(ctx: MQContext, params: dict) -> dict:
    configuration = configuration_for(ctx, params)
    ctx.authorize(configuration.arn)
    return describe.configuration_description(configuration)


@operation("UpdateConfiguration")
def update_configuration(ctx: MQContext, params: dict) -> dict:
    configuration = configuration_for(ctx, params)
    revision = services.configuration_update(
        actor=ctx.actor,
        configuration=configuration,
        data=decode_data(params["data"]),
        description=params.get("description"),
        authz=ctx.authz,
    )
    return {
        "arn": configuration.arn,
        "created": configuration.created_at,
        "id": configuration.configuration_id,
        "latestRevision": describe.revision_summary(revision),
        "name": configuration.name,
        "warnings": revision.warnings or None,
    }


@operation("ListConfigurations")
def list_configurations(ctx: MQContext, params: dict) -> dict:
    ctx.authorize("*")
    configurations = selectors.configuration_list(principal=ctx.principal, region=ctx.region)
    chunk, token, max_results = page(configurations, params)
    return {
        "configurations": [describe.configuration_description(c) for c in chunk],
        "maxResults": max_results,
        "nextToken": token,
    }


@operation("ListConfigurationRevisions")
def list_configuration_revisions(ctx: MQContext, params: dict) -> dict:
    configuration = configuration_for(ctx, params)
    ctx.authorize(configuration.arn)
    chunk, token, max_results = page(selectors.revision_list(configuration=configuration), params)
    return {
        "configurationId": configuration.configuration_id,
        "maxResults": max_results,
        "nextToken": token,
        "revisions": [describe.revision_summary(r) for r in chunk],
    }


@operation("DescribeConfigurationRevision")
def describe_configuration_revision(ctx: MQContext, params: dict) -> dict:
    configuration = configuration_for(ctx, params)
    ctx.authorize(configuration.arn)
    revision = selectors.revision_get(
        configuration=configuration, revision=params["configuration-revision"]
    )
    return describe.revision_description(revision, base64_data=True)


@operation("DeleteConfiguration")
def delete_configuration(ctx: MQContext, params: dict) -> dict:
    configuration = configuration_for(ctx, params)
    services.configuration_delete(actor=ctx.actor, configuration=configuration, authz=ctx.authz)
    return {"configurationId": configuration.configuration_id}
