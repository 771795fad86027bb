"""The policies services authorize every IAM action they perform, for every interface alike.

Each service is called directly with the actor of a signed-in IAM user (no view, no API in
between): without the permission it raises AccessDenied, the denial is in the audit trail, and
nothing is written. The implied checks AWS makes hold too: ``iam:PolicyARN`` on attach,
``iam:TagPolicy`` with ``aws:RequestTag/*`` on CreatePolicy with tags, and the boundary being
set (not the current one) as ``iam:PermissionsBoundary``.
"""

from __future__ import annotations

import json

import pytest

from accounts.actors import system_actor
from accounts.errors import EntityAlreadyExists, NoSuchEntity
from accounts.models import AuditEvent, IAMUser, Role
from accounts.principals import principal_for_user
from policies.authorization import AccessDenied, actor_for_principal
from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment, PolicyVersion
from policies.services import attachments, managed
from tests.factories import AccountFactory, GroupFactory, IAMUserFactory, RoleFactory

pytestmark = pytest.mark.django_db
ACCOUNT = "111122223333"
SYSTEM = system_actor(ACCOUNT)


def _doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action, resource="*", condition=None) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


READ_MQ = _doc(_allow("mq:DescribeBroker"))


class World:
    """An account with a caller, a target user, group and role, and two customer policies."""

    def __init__(self):
        self.account = AccountFactory(account_id=ACCOUNT)
        self.caller = IAMUserFactory(account=self.account, name="caller")
        self.user = IAMUserFactory(account=self.account, name="target", tags={"team": "a"})
        self.group = GroupFactory(account=self.account, name="ops")
        self.role = RoleFactory(account=self.account, name="worker")
        self.policy = managed.policy_create(
            actor=SYSTEM, account=self.account, name="Team", document=READ_MQ, tags={"t": "1"}
        )
        self.other = managed.policy_create(
            actor=SYSTEM, account=self.account, name="Other", document=READ_MQ
        )

    def grant(self, *statements) -> None:
        """Give the caller exactly these statements (as the system, unchecked)."""
        attachments.inline_policy_put(
            actor=SYSTEM, identity=self.caller, name="grant", document=_doc(*statements)
        )

    @property
    def actor(self):
        return actor_for_principal(principal_for_user(IAMUser.objects.get(pk=self.caller.pk)))


@pytest.fixture
def world() -> World:
    return World()


def _state() -> tuple:
    """Everything the services write, to prove a denial wrote nothing."""
    return (
        sorted(ManagedPolicy.objects.values_list("name", "tags")),
        sorted(PolicyVersion.objects.values_list("policy__name", "version_id", "is_default")),
        sorted(PolicyAttachment.objects.values_list("pk", flat=True)),
        sorted(InlinePolicy.objects.values_list("name", "document", "user", "group", "role")),
        sorted(IAMUser.objects.values_list("name", "permissions_boundary")),
        sorted(Role.objects.values_list("name", "permissions_boundary")),
        AuditEvent.objects.filter(decision=AuditEvent.Decision.ALLOWED).count(),
    )


def _assert_denied(world: World, call, action: str, resource: str) -> None:
    """``call`` is refused with ``action`` on ``resource``, audited, and writes nothing."""
    before = _state()
    with pytest.raises(AccessDenied) as denied:
        call()
    assert denied.value.result.action == action
    assert denied.value.result.resource == resource
    assert _state() == before
    assert AuditEvent.objects.filter(
        principal_arn=world.caller.arn,
        action=action,
        resource_arn=resource,
        decision=AuditEvent.Decision.IMPLICIT_DENY,
        error_code="AccessDenied",
    ).exists()


def _setup_attached(w: World) -> None:
    attachments.policy_attach(actor=SYSTEM, policy=w.policy, identity=w.user)
    attachments.inline_policy_put(actor=SYSTEM, identity=w.role, name="x", document=READ_MQ)
    attachments.permissions_boundary_put(actor=SYSTEM, identity=w.user, policy=w.policy)
    managed.policy_version_create(actor=SYSTEM, policy=w.other, document=READ_MQ)


# (name, call(world, actor), action, resource(world)): the caller has no permission at all.
CASES = [
    (
        "attach to user",
        lambda w, a: attachments.policy_attach(actor=a, policy=w.other, identity=w.user),
        "iam:AttachUserPolicy",
        lambda w: w.user.arn,
    ),
    (
        "attach to group",
        lambda w, a: attachments.policy_attach(actor=a, policy=w.other, identity=w.group),
        "iam:AttachGroupPolicy",
        lambda w: w.group.arn,
    ),
    (
        "detach from user",
        lambda w, a: attachments.policy_detach(actor=a, policy=w.policy, identity=w.user),
        "iam:DetachUserPolicy",
        lambda w: w.user.arn,
    ),
    (
        "attach to role by ARN",
        lambda w, a: attachments.policy_attach_by_arn(
            actor=a, identity=w.role, policy_arn=w.other.arn
        ),
        "iam:AttachRolePolicy",
        lambda w: w.role.arn,
    ),
    (
        "detach from user by ARN",
        lambda w, a: attachments.policy_detach_by_arn(
            actor=a, identity=w.user, policy_arn=w.policy.arn
        ),
        "iam:DetachUserPolicy",
        lambda w: w.user.arn,
    ),
    (
        "put boundary on user by ARN",
        lambda w, a: attachments.permissions_boundary_put_by_arn(
            actor=a, identity=w.user, policy_arn=w.other.arn
        ),
        "iam:PutUserPermissionsBoundary",
        lambda w: w.user.arn,
    ),
    (
        "put inline on role",
        lambda w, a: attachments.inline_policy_put(
            actor=a, identity=w.role, name="new", document=READ_MQ
        ),
        "iam:PutRolePolicy",
        lambda w: w.role.arn,
    ),
    (
        "delete inline of role",
        lambda w, a: attachments.inline_policy_delete(actor=a, identity=w.role, name="x"),
        "iam:DeleteRolePolicy",
        lambda w: w.role.arn,
    ),
    (
        "put boundary on role",
        lambda w, a: attachments.permissions_boundary_put(actor=a, identity=w.role, policy=w.other),
        "iam:PutRolePermissionsBoundary",
        lambda w: w.role.arn,
    ),
    (
        "delete boundary of user",
        lambda w, a: attachments.permissions_boundary_put(actor=a, identity=w.user, policy=None),
        "iam:DeleteUserPermissionsBoundary",
        lambda w: w.user.arn,
    ),
    (
        "create policy",
        lambda w, a: managed.policy_create(
            actor=a, account=w.account, name="New", path="/x/", document=READ_MQ
        ),
        "iam:CreatePolicy",
        lambda w: f"arn:aws:iam::{ACCOUNT}:policy/x/New",
    ),
    (
        "create version",
        lambda w, a: managed.policy_version_create(actor=a, policy=w.policy, document=READ_MQ),
        "iam:CreatePolicyVersion",
        lambda w: w.policy.arn,
    ),
    (
        "add version deleting one",
        lambda w, a: managed.policy_version_add(
            actor=a, policy=w.other, document=READ_MQ, delete_version_id="v2"
        ),
        "iam:DeletePolicyVersion",
        lambda w: w.other.arn,
    ),
    (
        "set default version",
        lambda w, a: managed.policy_version_set_default(actor=a, policy=w.other, version_id="v2"),
        "iam:SetDefaultPolicyVersion",
        lambda w: w.other.arn,
    ),
    (
        "delete version",
        lambda w, a: managed.policy_version_delete(actor=a, policy=w.other, version_id="v2"),
        "iam:DeletePolicyVersion",
        lambda w: w.other.arn,
    ),
    (
        "delete policy",
        lambda w, a: managed.policy_delete(actor=a, policy=w.policy),
        "iam:DeletePolicy",
        lambda w: w.policy.arn,
    ),
    (
        "delete policy with blockers",
        lambda w, a: managed.policy_delete_with_blockers(
            actor=a, policy=w.policy, remove_blockers=True
        ),
        "iam:DetachUserPolicy",
        lambda w: w.user.arn,
    ),
    (
        "tag policy",
        lambda w, a: managed.policy_tag(actor=a, policy=w.policy, tags={"k": "v"}),
        "iam:TagPolicy",
        lambda w: w.policy.arn,
    ),
    (
        "untag policy",
        lambda w, a: managed.policy_untag(actor=a, policy=w.policy, keys=["t"]),
        "iam:UntagPolicy",
        lambda w: w.policy.arn,
    ),
    (
        "set policy tags",
        lambda w, a: managed.policy_tags_set(actor=a, policy=w.policy, tags={"k": "v"}),
        "iam:TagPolicy",
        lambda w: w.policy.arn,
    ),
]


@pytest.mark.parametrize(
    ("call", "action", "resource"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_service_refuses_a_principal_without_the_permission(world, call, action, resource):
    _setup_attached(world)
    world.grant(_allow("mq:DescribeBroker"))  # something, but nothing of IAM
    _assert_denied(world, lambda: call(world, world.actor), action, resource(world))


@pytest.mark.parametrize(("call", "action", "resource"), [c[1:] for c in CASES[:8]])
def test_the_same_services_are_not_checked_for_the_system(world, call, action, resource):
    _setup_attached(world)
    call(world, SYSTEM)  # commands, tasks and the demo loader act unchecked
    assert not AuditEvent.objects.exclude(decision=AuditEvent.Decision.ALLOWED).exists()


def test_attach_checks_the_policy_arn(world):
    world.grant(
        _allow(
            "iam:AttachUserPolicy",
            condition={"ArnEquals": {"iam:PolicyARN": world.policy.arn}},
        )
    )
    attachments.policy_attach(actor=world.actor, policy=world.policy, identity=world.user)
    assert PolicyAttachment.objects.filter(policy=world.policy, user=world.user).exists()
    _assert_denied(
        world,
        lambda: attachments.policy_attach(
            actor=world.actor, policy=world.other, identity=world.user
        ),
        "iam:AttachUserPolicy",
        world.user.arn,
    )


def test_attach_on_behalf_of_a_service_linked_role_is_not_the_callers_action(world):
    # CreateServiceLinkedRole attaches AWS's policy itself (the caller was authorized for
    # iam:CreateServiceLinkedRole, not for iam:AttachRolePolicy).
    attachments.policy_attach(
        actor=world.actor, policy=world.other, identity=world.role, system=True
    )
    assert PolicyAttachment.objects.filter(policy=world.other, role=world.role).exists()


def test_create_with_tags_needs_tag_policy_with_the_request_tags(world):
    world.grant(
        _allow("iam:CreatePolicy"),
        _allow("iam:TagPolicy", condition={"StringEquals": {"aws:RequestTag/team": "payments"}}),
    )
    arn = f"arn:aws:iam::{ACCOUNT}:policy/Tagged"

    def create(tags):
        return managed.policy_create(
            actor=world.actor, account=world.account, name="Tagged", document=READ_MQ, tags=tags
        )

    _assert_denied(world, lambda: create({"team": "other"}), "iam:TagPolicy", arn)
    assert create({"team": "payments"}).tags == {"team": "payments"}


def test_create_without_tag_policy_is_allowed_only_without_tags(world):
    world.grant(_allow("iam:CreatePolicy"))
    arn = f"arn:aws:iam::{ACCOUNT}:policy/Plain"
    _assert_denied(
        world,
        lambda: managed.policy_create(
            actor=world.actor,
            account=world.account,
            name="Plain",
            document=READ_MQ,
            tags={"a": "b"},
        ),
        "iam:TagPolicy",
        arn,
    )
    managed.policy_create(actor=world.actor, account=world.account, name="Plain", document=READ_MQ)


def test_create_policy_sees_the_tag_keys(world):
    world.grant(
        _allow(
            ["iam:CreatePolicy", "iam:TagPolicy"],
            condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}},
        )
    )
    _assert_denied(
        world,
        lambda: managed.policy_create(
            actor=world.actor,
            account=world.account,
            name="Keys",
            document=READ_MQ,
            tags={"team": "a", "cost": "1"},
        ),
        "iam:CreatePolicy",
        f"arn:aws:iam::{ACCOUNT}:policy/Keys",
    )


def test_boundary_condition_is_the_boundary_being_set(world):
    # The target's current boundary is the allowed one: the check must see the new one.
    attachments.permissions_boundary_put(actor=SYSTEM, identity=world.user, policy=world.policy)
    world.grant(
        _allow(
            "iam:PutUserPermissionsBoundary",
            condition={"ArnEquals": {"iam:PermissionsBoundary": world.policy.arn}},
        )
    )
    _assert_denied(
        world,
        lambda: attachments.permissions_boundary_put(
            actor=world.actor, identity=world.user, policy=world.other
        ),
        "iam:PutUserPermissionsBoundary",
        world.user.arn,
    )
    attachments.permissions_boundary_put(actor=SYSTEM, identity=world.user, policy=None)
    attachments.permissions_boundary_put(
        actor=world.actor, identity=world.user, policy=world.policy
    )
    world.user.refresh_from_db()
    assert world.user.permissions_boundary_id == world.policy.pk


def test_untag_sees_the_keys_removed(world):
    managed.policy_tag(actor=SYSTEM, policy=world.policy, tags={"temp": "x"})
    world.grant(
        _allow(
            "iam:UntagPolicy",
            condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["temp"]}},
        )
    )
    _assert_denied(
        world,
        lambda: managed.policy_untag(actor=world.actor, policy=world.policy, keys=["t"]),
        "iam:UntagPolicy",
        world.policy.arn,
    )
    managed.policy_untag(actor=world.actor, policy=world.policy, keys=["temp"])
    world.policy.refresh_from_db()
    assert world.policy.tags == {"t": "1"}


def test_setting_tags_authorizes_untag_before_tagging(world):
    world.grant(_allow("iam:TagPolicy"))
    _assert_denied(
        world,
        lambda: managed.policy_tags_set(actor=world.actor, policy=world.policy, tags={"new": "1"}),
        "iam:UntagPolicy",
        world.policy.arn,
    )


def test_replacing_a_version_authorizes_the_creation_before_deleting(world):
    managed.policy_version_create(actor=SYSTEM, policy=world.other, document=READ_MQ)
    world.grant(_allow("iam:DeletePolicyVersion"))
    _assert_denied(
        world,
        lambda: managed.policy_version_add(
            actor=world.actor, policy=world.other, document=READ_MQ, delete_version_id="v2"
        ),
        "iam:CreatePolicyVersion",
        world.other.arn,
    )


def test_delete_with_blockers_authorizes_the_delete_before_detaching(world):
    _setup_attached(world)
    world.grant(
        _allow(
            [
                "iam:DetachUserPolicy",
                "iam:DeleteUserPermissionsBoundary",
                "iam:DeletePolicyVersion",
            ]
        )
    )
    _assert_denied(
        world,
        lambda: managed.policy_delete_with_blockers(
            actor=world.actor, policy=world.policy, remove_blockers=True
        ),
        "iam:DeletePolicy",
        world.policy.arn,
    )
    world.grant(
        _allow(
            [
                "iam:DetachUserPolicy",
                "iam:DeleteUserPermissionsBoundary",
                "iam:DeletePolicyVersion",
                "iam:DeletePolicy",
            ]
        )
    )
    managed.policy_delete_with_blockers(
        actor=world.actor, policy=world.policy, remove_blockers=True
    )
    assert not ManagedPolicy.objects.filter(pk=world.policy.pk).exists()


def test_create_only_is_authorized_before_it_says_the_name_exists(world):
    attachments.inline_policy_put(actor=SYSTEM, identity=world.user, name="p", document=READ_MQ)

    def create():
        attachments.inline_policy_put(
            actor=world.actor, identity=world.user, name="p", document=READ_MQ, create_only=True
        )

    _assert_denied(world, create, "iam:PutUserPolicy", world.user.arn)
    world.grant(_allow("iam:PutUserPolicy"))
    with pytest.raises(EntityAlreadyExists):
        create()


@pytest.mark.parametrize(
    "call",
    [attachments.policy_attach_by_arn, attachments.policy_detach_by_arn],
    ids=["attach", "detach"],
)
def test_by_arn_is_authorized_before_the_policy_is_looked_up(world, call):
    # AWS answers AccessDenied, not whether the policy exists, to a caller without the right.
    missing = f"arn:aws:iam::{ACCOUNT}:policy/Missing"
    action = (
        "iam:AttachUserPolicy"
        if call is attachments.policy_attach_by_arn
        else ("iam:DetachUserPolicy")
    )
    _assert_denied(
        world,
        lambda: call(actor=world.actor, identity=world.user, policy_arn=missing),
        action,
        world.user.arn,
    )
    world.grant(_allow(action))
    with pytest.raises(NoSuchEntity):
        call(actor=world.actor, identity=world.user, policy_arn=missing)


def test_boundary_by_arn_checks_the_arn_as_given(world):
    world.grant(
        _allow(
            "iam:PutUserPermissionsBoundary",
            condition={"ArnEquals": {"iam:PermissionsBoundary": world.policy.arn}},
        )
    )
    _assert_denied(
        world,
        lambda: attachments.permissions_boundary_put_by_arn(
            actor=world.actor, identity=world.user, policy_arn=world.other.arn
        ),
        "iam:PutUserPermissionsBoundary",
        world.user.arn,
    )
    attachments.permissions_boundary_put_by_arn(
        actor=world.actor, identity=world.user, policy_arn=world.policy.arn
    )
    world.user.refresh_from_db()
    assert world.user.permissions_boundary_id == world.policy.pk
