"""Root creates a group with a policy, a cross-account role from the trust form (with MFA),
and looks at the Amazon MQ service-linked role, which is read-only."""

import json

import pytest

from accounts.actors import system_actor
from accounts.models import Group, IAMUser, Role
from accounts.services.accounts import account_create
from accounts.services.groups import group_create, group_member_add
from accounts.services.roles import role_create
from accounts.services.users import user_create
from brokers.services import ensure_mq_service_linked_role
from policies.models import ManagedPolicy
from policies.services.attachments import policy_attach
from policies.services.managed import policy_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ACCOUNT = "111122223333"
OTHER = "444455556666"
SLR = "AWSServiceRoleForAmazonMQ"


@pytest.fixture
def world():
    actor = system_actor()
    account = account_create(
        actor=actor,
        account_id=ACCOUNT,
        alias="acme",
        root_email="root@acme.example",
        root_password="Root-Passw0rd!",
    )
    policy_create(
        actor=actor,
        account=account,
        name="BrokerReadOnly",
        document={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["mq:Describe*", "mq:List*"], "Resource": "*"}
            ],
        },
    )
    user_create(actor=actor, account=account, name="carol", path="/ops/")
    for n in range(3):
        group_create(actor=actor, account=account, name=f"team-{n}")
    ensure_mq_service_linked_role(actor=actor, account=account)
    return account


def test_root_manages_groups_and_roles(journey, world):
    page = journey.page
    journey.goto("/signin?as=root")
    page.get_by_label("Root user email address").fill("root@acme.example")
    page.get_by_label("Password").fill("Root-Passw0rd!")
    page.get_by_role("button", name="Sign in as root user").click()
    page.wait_for_url(f"{journey.base_url}/")

    journey.nav("IAM", "Groups")
    page.get_by_role("link", name="team-0").wait_for()
    journey.shot("groups list")

    page.get_by_role("link", name="Create group").first.click()
    page.get_by_label("Group name").fill("BrokerOperators")
    page.get_by_label("Path").fill("/ops/")
    page.get_by_label("Attach permissions policies").select_option(
        f"arn:aws:iam::{ACCOUNT}:policy/BrokerReadOnly"
    )
    journey.shot("create group form")
    page.get_by_role("button", name="Create group").click()
    page.get_by_text("Group BrokerOperators created.").wait_for()

    page.get_by_label("Add user to group").fill("carol")
    page.get_by_role("button", name="Add user").click()
    page.get_by_text("User carol added to BrokerOperators.").wait_for()
    assert page.get_by_role("row", name="carol").count() == 1
    journey.shot("group members")
    page.get_by_role("link", name="Permissions (1)").click()
    page.get_by_role("cell", name=f"arn:aws:iam::{ACCOUNT}:policy/BrokerReadOnly").wait_for()
    journey.shot("group permissions")
    group = Group.objects.get(name="BrokerOperators")
    assert group.path == "/ops/" and group.policy_attachments.count() == 1
    assert IAMUser.objects.get(name="carol").memberships.get().group == group

    journey.nav("IAM", "Roles")
    page.get_by_role("heading", name="Roles").wait_for()
    journey.shot("roles list with the service-linked role")

    page.get_by_role("link", name="Create role").click()
    page.get_by_label("Another AWS account").check()
    page.get_by_label("Account ID to trust").fill(OTHER)
    page.get_by_label("Require MFA (aws:MultiFactorAuthPresent must be true)").check()
    preview = page.locator("#trust-preview-json")
    preview.filter(has_text="aws:MultiFactorAuthPresent").wait_for()
    assert f"arn:aws:iam::{OTHER}:root" in preview.inner_text()
    page.get_by_label("Role name").fill("CrossAccountOps")
    page.get_by_label("Description").fill("Operators of the partner account, with MFA")
    page.get_by_label("Maximum session duration").select_option(label="2 hours")
    page.get_by_label("Attach permissions policies").select_option(
        f"arn:aws:iam::{ACCOUNT}:policy/BrokerReadOnly"
    )
    page.get_by_label("Tags").fill("team=payments")
    journey.shot("create role from the trust form")
    page.get_by_role("button", name="Create role").click()
    page.get_by_text("Role CrossAccountOps created.").wait_for()
    journey.shot("role created")
    page.get_by_role("link", name="Trust relationships").click()
    page.get_by_role("cell", name="Bool aws:MultiFactorAuthPresent true").wait_for()
    journey.shot("role trust relationships")
    role = Role.objects.get(name="CrossAccountOps")
    assert role.max_session_duration == 7200 and role.tags == {"team": "payments"}
    assert json.loads(role.trust_policy)["Statement"][0] == {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    }

    journey.nav("IAM", "Roles")
    page.get_by_role("link", name=SLR).click()
    page.get_by_text(
        "This role is linked to Amazon MQ and can only be edited by the service"
    ).wait_for()
    assert page.get_by_role("link", name="Delete").count() == 0
    assert page.get_by_role("button", name="Attach policy").count() == 0
    journey.shot("service-linked role is read-only")
    page.get_by_role("link", name="Trust relationships").click()
    page.get_by_role("cell", name="mq.amazonaws.com").wait_for()
    assert page.get_by_role("link", name="Edit trust policy").count() == 0
    journey.shot("service-linked role trust")


def test_root_deletes_a_group_and_a_role_with_their_preconditions(journey, world):
    page = journey.page
    journey.goto("/signin?as=root")
    page.get_by_label("Root user email address").fill("root@acme.example")
    page.get_by_label("Password").fill("Root-Passw0rd!")
    page.get_by_role("button", name="Sign in as root user").click()
    page.wait_for_url(f"{journey.base_url}/")
    actor = system_actor()
    group = Group.objects.get(name="team-0")
    carol = IAMUser.objects.get(name="carol")
    policy = ManagedPolicy.objects.get(name="BrokerReadOnly")
    group_member_add(actor=actor, group=group, user=carol)
    policy_attach(actor=actor, policy=policy, identity=group)
    role = role_create(
        actor=actor,
        account=group.account,
        name="Deployer",
        trust_policy={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
    )
    policy_attach(actor=actor, policy=policy, identity=role)

    journey.goto("/groups/team-0")
    page.get_by_role("link", name="Delete").click()
    page.get_by_text("This group still has:").wait_for()
    journey.shot("group delete explains the preconditions")
    page.get_by_label("To confirm, type the group name team-0").fill("team-0")
    page.get_by_role("button", name="Delete group").click()
    page.get_by_text("Group team-0 deleted.").wait_for()
    journey.shot("group deleted")
    assert not Group.objects.filter(name="team-0").exists()

    journey.goto("/roles/Deployer/trust-policy")
    page.get_by_role("heading", name="Edit the trust policy of Deployer").wait_for()
    journey.shot("trust policy editor")
    journey.goto("/roles/Deployer/delete")
    page.get_by_text("This role still has:").wait_for()
    journey.shot("role delete explains the preconditions")
    page.get_by_label("To confirm, type the role name Deployer").fill("Deployer")
    page.get_by_role("button", name="Delete role").click()
    page.get_by_text("Role Deployer deleted.").wait_for()
    assert not Role.objects.filter(name="Deployer").exists()
    journey.shot("role deleted")
