"""IAM roles: CRUD, trust policy, tags, and Amazon MQ's service-linked role."""

from __future__ import annotations

import uuid
from collections import defaultdict

from accounts.errors import InvalidInput, NoSuchEntity
from accounts.models import AuditEvent, Role
from accounts.query_api import render
from accounts.query_api.registry import Call, operation, paginate, tags_in, tags_out
from accounts.services import roles
from brokers.models import Broker
from policies.authorization import all_or_nothing
from policies.aws_managed import mq_reference
from policies.models import ManagedPolicy
from policies.services.attachments import permissions_boundary_put_step, policy_attach
from policies.services.managed import policy_get_by_arn


def _named(call: Call) -> Role:
    """The role named by ``RoleName`` (its services authorize what is done to it)."""
    return roles.role_get(account=call.account, name=call.get("RoleName"))


def _role(call: Call, action: str) -> Role:
    """The role named by ``RoleName``, once the read ``action`` on it is authorized."""
    role = _named(call)
    call.require(action, role.arn)
    return role


@operation("iam", "CreateRole")
def create_role(call: Call) -> dict:
    """iam:CreateRole on the new ARN with request tags and boundary as condition keys."""
    name, path = call.get("RoleName"), call.get("Path", "/")
    tags = tags_in(call.get("Tags"))
    boundary_arn = call.get("PermissionsBoundary")
    with all_or_nothing():
        role = roles.role_create(
            actor=call.actor,
            account=call.account,
            name=name,
            path=path,
            trust_policy=call.get("AssumeRolePolicyDocument"),
            description=call.get("Description", ""),
            max_session_duration=call.get("MaxSessionDuration", 3600),
            tags=tags,
            permissions_boundary_arn=boundary_arn,
        )
        if boundary_arn:
            policy = policy_get_by_arn(account=call.account, arn=boundary_arn)
            # Authorized by iam:CreateRole with iam:PermissionsBoundary, as AWS does.
            permissions_boundary_put_step(identity=role, policy=policy).run(call.actor)
    return {"Role": render.role(role, full=True)}


@operation("iam", "GetRole")
def get_role(call: Call) -> dict:
    """The role with its trust policy, boundary, tags and last use."""
    return {"Role": render.role(_role(call, "iam:GetRole"), full=True)}


@operation("iam", "UpdateRole")
def update_role(call: Call) -> None:
    """Description and/or maximum session duration."""
    role = _named(call)
    roles.role_update(
        actor=call.actor,
        role=role,
        description=call.get("Description"),
        max_session_duration=call.get("MaxSessionDuration"),
    )


@operation("iam", "UpdateRoleDescription")
def update_role_description(call: Call) -> dict:
    """The older call that changes only the description (and answers with the role)."""
    role = roles.role_update(
        actor=call.actor,
        role=_named(call),
        description=call.get("Description"),
        action="iam:UpdateRoleDescription",
    )
    return {"Role": render.role(role, full=True)}


@operation("iam", "DeleteRole")
def delete_role(call: Call) -> None:
    """Delete a role without policies (service-linked roles: DeleteServiceLinkedRole)."""
    roles.role_delete(actor=call.actor, role=_named(call))


@operation("iam", "ListRoles")
def list_roles(call: Call) -> dict:
    """The account's roles under ``PathPrefix``."""
    call.require("iam:ListRoles", "*")
    queryset = (
        Role.objects.filter(account=call.account, path__startswith=call.get("PathPrefix", "/"))
        .select_related("account")
        .order_by("name", "id")
    )
    return paginate(call, queryset, "Roles", render.role)


@operation("iam", "UpdateAssumeRolePolicy")
def update_assume_role_policy(call: Call) -> None:
    """Replace the trust policy (checked as a trust policy: Principal required)."""
    role = _named(call)
    roles.role_trust_policy_update(
        actor=call.actor, role=role, trust_policy=call.get("PolicyDocument")
    )


@operation("iam", "ListRoleTags")
def list_role_tags(call: Call) -> dict:
    """The role's tags, a page at a time."""
    return paginate(call, tags_out(_role(call, "iam:ListRoleTags").tags), "Tags")


@operation("iam", "TagRole")
def tag_role(call: Call) -> None:
    """Add or overwrite tags; the request tags are condition keys of iam:TagRole."""
    roles.role_tag(actor=call.actor, role=_named(call), tags=tags_in(call.get("Tags")))


@operation("iam", "UntagRole")
def untag_role(call: Call) -> None:
    """Remove tags by key (``aws:TagKeys``)."""
    roles.role_untag(actor=call.actor, role=_named(call), keys=call.get("TagKeys"))


def _mq_slr(service_name: str) -> dict:
    slr = mq_reference()["service_linked_role"]
    if service_name != slr["aws_service_name_for_CreateServiceLinkedRole"]:
        raise InvalidInput(
            f"The service {service_name} has no service-linked role here: only "
            f"{slr['aws_service_name_for_CreateServiceLinkedRole']} (Amazon MQ) does."
        )
    return slr


@operation("iam", "CreateServiceLinkedRole")
def create_service_linked_role(call: Call) -> dict:
    """AWSServiceRoleForAmazonMQ with its AWS managed policy (``iam:AWSServiceName``)."""
    service_name = call.get("AWSServiceName")
    slr = _mq_slr(service_name)
    if call.get("CustomSuffix"):
        raise InvalidInput(f"Custom suffix is not allowed for {slr['role_name']}.")
    with all_or_nothing():
        role = roles.service_linked_role_create(
            actor=call.actor,
            account=call.account,
            service_name=service_name,
            slr=slr,
            description=call.get("Description"),
        )
        for policy_arn in slr["attached_policies"]:
            policy = ManagedPolicy.objects.get(account=None, name=policy_arn.rsplit("/", 1)[-1])
            policy_attach(actor=call.actor, policy=policy, identity=role, system=True)
    return {"Role": render.role(role, full=True)}


def _role_usage(role: Role) -> list[dict]:
    """Brokers still using Amazon MQ's service-linked role, per region (AWS's RoleUsageList)."""
    by_region: dict[str, list[str]] = defaultdict(list)
    for broker in Broker.objects.filter(account=role.account).select_related("account"):
        by_region[broker.region].append(broker.arn)
    return [{"Region": region, "Resources": arns} for region, arns in sorted(by_region.items())]


@operation("iam", "DeleteServiceLinkedRole")
def delete_service_linked_role(call: Call) -> dict:
    """Submit the deletion; it fails while brokers of the account still use the role."""
    role = _named(call)
    task_id = f"task{role.path}{role.name}/{uuid.uuid4()}"
    roles.service_linked_role_delete(
        actor=call.actor, role=role, task_id=task_id, usage=_role_usage(role)
    )
    return {"DeletionTaskId": task_id}


@operation("iam", "GetServiceLinkedRoleDeletionStatus")
def get_service_linked_role_deletion_status(call: Call) -> dict:
    """SUCCEEDED, or FAILED with the resources that still use the role."""
    task_id = call.get("DeletionTaskId")
    event = (
        AuditEvent.objects.filter(
            account_id=call.account.account_id,
            action="iam:DeleteServiceLinkedRole",
            request_parameters__DeletionTaskId=task_id,
        )
        .order_by("-time")
        .first()
    )
    if event is None:
        raise NoSuchEntity(f"Deletion task {task_id} cannot be found.")
    call.require("iam:GetServiceLinkedRoleDeletionStatus", event.resource_arn)
    parameters = event.request_parameters
    out: dict = {"Status": parameters["Status"]}
    if parameters["Status"] == "FAILED":
        out["Reason"] = {
            "Reason": parameters.get("Reason"),
            "RoleUsageList": parameters.get("RoleUsageList") or [],
        }
    return out
