"""Deleting a group with members or a policy in use: the confirmation offers to remove what
blocks it in the same step and shows what that takes away (the blast radius) first."""

import pytest

from accounts.actors import system_actor
from accounts.models import Group, GroupMembership
from accounts.services import users
from policies.models import ManagedPolicy, PolicyAttachment
from policies.services import attachments
from tests.policies import test_confirm_impact as confirm

world = confirm.world  # the fixture: a group, a policy, their users and brokers
_impact = confirm._impact
PASSWORD = "Corr3ct-Horse!"

pytestmark = pytest.mark.django_db


def test_group_delete_shows_what_members_lose_then_removes_everything_on_confirm(client, world):
    dana, operators = world["dana"], world["operators"]
    page = client.get("/groups/operators/delete").content.decode()
    assert 'name="remove_blockers"' in page
    gained, lost, panel = _impact(page)
    assert (gained, lost) == (0, 1)
    assert dana.arn in panel and "mq:RebootBroker" in panel and "orders" in panel
    assert GroupMembership.objects.filter(group=operators, user=dana).exists()  # a preview
    response = client.post(
        "/groups/operators/delete", {"confirm": "operators", "remove_blockers": "1"}
    )
    assert response.status_code == 302
    assert not Group.objects.filter(name="operators").exists()


def test_policy_delete_shows_what_its_users_lose_then_detaches_on_confirm(client, world):
    policy = world["policy"]
    page = client.get(f"/policies/{policy.unique_id}/delete").content.decode()
    assert 'name="remove_blockers"' in page
    gained, lost, panel = _impact(page)
    # dana (through the group) and the deployer role lose rebooting their team's broker.
    assert (gained, lost) == (0, 2)
    assert world["dana"].arn in panel and world["deployer"].arn in panel
    assert PolicyAttachment.objects.filter(policy=policy).count() == 2  # a preview
    response = client.post(
        f"/policies/{policy.unique_id}/delete",
        {"confirm": policy.name, "remove_blockers": "1"},
    )
    assert response.status_code == 302
    assert not ManagedPolicy.objects.filter(pk=policy.pk).exists()


def test_impact_not_previewed_for_a_principal_denied_a_step(client, world):
    # alice may read the group but not remove its members: the page says so, changes nothing.
    alice = users.user_create(actor=system_actor(), account=world["account"], name="alice")
    users.user_password_set(actor=system_actor(), user=alice, password=PASSWORD)
    attachments.inline_policy_put(
        actor=system_actor(),
        identity=alice,
        name="read",
        document={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:GetGroup", "Resource": "*"}],
        },
    )
    client.post("/signout")
    client.post(
        "/signin",
        {
            "as": "user",
            "account": "111122223333",
            "username": "alice",
            "password": PASSWORD,
        },
    )
    page = client.get("/groups/operators/delete").content.decode()
    assert "not authorized to perform: iam:RemoveUserFromGroup" in page and "gained" not in page
    assert GroupMembership.objects.filter(group=world["operators"]).exists()
