"""Every accounts service authorizes what it does, whoever calls it (console, REST, query API).

Each case calls a service directly with the actor of a signed-in principal that has no
permission: the service must refuse with AWS's denial for the action it performs, audit the
denial and change nothing. The same call with an allowed principal succeeds, so that the
test cannot pass by refusing everything.
"""

from __future__ import annotations

import json

import pytest

from accounts.actors import system_actor
from accounts.models import AccessKey, AuditEvent, Group, GroupMembership, IAMUser, Role
from accounts.principals import principal_for_user
from accounts.services import access_keys, accounts, groups, passwords, roles, users
from policies.authorization import AccessDenied, actor_for_principal
from policies.services import attachments
from policies.services.requests import access_request_settings_update
from tests.factories import AccountFactory, IAMUserFactory, RoleFactory

pytestmark = pytest.mark.django_db
ACCOUNT = "111122223333"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}
        ],
    }
)


@pytest.fixture
def world():
    account = AccountFactory(account_id=ACCOUNT, alias="acme")
    target = IAMUserFactory(account=account, name="target")
    users.user_password_set(actor=system_actor(), user=target, password="Corr3ct-Horse!")
    group = groups.group_create(actor=system_actor(), account=account, name="ops")
    role = RoleFactory(account=account, name="deployer", trust_policy=TRUST)
    key = access_keys.access_key_create(actor=system_actor(), owner=target).key
    bare = IAMUserFactory(account=account, name="bare")
    return {
        "account": account,
        "target": target,
        "bare": bare,
        "group": group,
        "role": role,
        "key": key,
    }


def _actor(account, *statements):
    user = IAMUserFactory(account=account, name=f"caller{IAMUser.objects.count()}")
    if statements:
        attachments.inline_policy_put(
            actor=system_actor(),
            identity=user,
            name="grant",
            document={"Version": "2012-10-17", "Statement": list(statements)},
        )
    return actor_for_principal(principal_for_user(user))


def _state(world) -> tuple:
    """What the calls below could change."""
    return (
        list(IAMUser.objects.order_by("pk").values_list("name", "path", "tags", "password")),
        list(Group.objects.order_by("pk").values_list("name", "path")),
        list(Role.objects.order_by("pk").values_list("name", "description", "trust_policy")),
        list(GroupMembership.objects.values_list("user_id", "group_id")),
        list(AccessKey.objects.order_by("pk").values_list("access_key_id", "status")),
        world["account"].__class__.objects.get(pk=world["account"].pk).alias,
    )


CASES = {
    "iam:CreateUser": lambda a, w: users.user_create(actor=a, account=w["account"], name="new"),
    "iam:UpdateUser": lambda a, w: users.user_update(actor=a, user=w["target"], new_name="x"),
    "iam:TagUser": lambda a, w: users.user_tag(actor=a, user=w["target"], tags={"k": "v"}),
    "iam:DeleteLoginProfile": lambda a, w: users.user_password_set(
        actor=a, user=w["target"], password=None
    ),
    "iam:DeleteUser": lambda a, w: users.user_delete(actor=a, user=w["bare"]),
    "iam:CreateGroup": lambda a, w: groups.group_create(
        actor=a, account=w["account"], name="audit"
    ),
    "iam:AddUserToGroup": lambda a, w: groups.group_member_add(
        actor=a, group=w["group"], user=w["target"]
    ),
    "iam:DeleteGroup": lambda a, w: groups.group_delete(actor=a, group=w["group"]),
    "iam:CreateRole": lambda a, w: roles.role_create(
        actor=a, account=w["account"], name="new", trust_policy=TRUST
    ),
    "iam:UpdateAssumeRolePolicy": lambda a, w: roles.role_trust_policy_update(
        actor=a, role=w["role"], trust_policy=TRUST.replace(ACCOUNT, "444455556666")
    ),
    "iam:UpdateRole": lambda a, w: roles.role_update(
        actor=a, role=w["role"], description="changed"
    ),
    "iam:CreateAccessKey": lambda a, w: access_keys.access_key_create(actor=a, owner=w["target"]),
    "iam:UpdateAccessKey": lambda a, w: access_keys.access_key_set_status(
        actor=a, owner=w["target"], access_key_id=w["key"].access_key_id, status="Inactive"
    ),
    "iam:DeleteAccessKey": lambda a, w: access_keys.access_key_delete(
        actor=a, owner=w["target"], access_key_id=w["key"].access_key_id
    ),
    "iam:CreateAccountAlias": lambda a, w: accounts.account_alias_set(
        actor=a, account=w["account"], alias="other-alias"
    ),
    "iam:UpdateAccountPasswordPolicy": lambda a, w: passwords.password_policy_update(
        actor=a, account=w["account"], minimum_length=10
    ),
}


@pytest.mark.parametrize("action", sorted(CASES))
def test_a_service_refuses_audits_and_changes_nothing(world, action):
    call = CASES[action]
    denied = _actor(world["account"])
    before = _state(world)
    with pytest.raises(AccessDenied) as excinfo:
        call(denied, world)
    assert excinfo.value.result.action == action
    assert "is not authorized to perform: " + action in excinfo.value.result.message
    assert _state(world) == before
    assert AuditEvent.objects.filter(
        principal_arn=denied.arn, action=action, error_code="AccessDenied"
    ).exists()
    # The control: the same call by a principal allowed that action succeeds.
    call(_actor(world["account"], {"Effect": "Allow", "Action": action, "Resource": "*"}), world)


def test_create_with_tags_needs_tag_permission_too(world):
    """AWS checks iam:TagUser (with aws:RequestTag/*) besides iam:CreateUser."""
    only_create = _actor(
        world["account"], {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"}
    )
    with pytest.raises(AccessDenied) as excinfo:
        users.user_create(
            actor=only_create, account=world["account"], name="tagged", tags={"team": "a"}
        )
    assert excinfo.value.result.action == "iam:TagUser"
    assert not IAMUser.objects.filter(name="tagged").exists()


def test_access_request_rules_are_changed_by_the_root_user_only(world):
    admin = _actor(world["account"], {"Effect": "Allow", "Action": "*", "Resource": "*"})
    with pytest.raises(AccessDenied) as excinfo:
        access_request_settings_update(
            actor=admin,
            account=world["account"],
            require_two_approvers=True,
            allow_permanent=False,
            pending_expiry_days=3,
        )
    assert "only the root user" in excinfo.value.result.message
