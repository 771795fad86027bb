"""Every confirmation of a change that takes permissions away shows its blast radius first.

Removing a member, detaching a policy (from the policy, the group or the role page), deleting
an inline policy and removing a boundary: the confirmation page lists the cells of the
matrix the change would gain or lose, computed by performing the change in a savepoint that
is rolled back, and the change is made only by the confirming POST.
"""

import html
import json
import re

import pytest

from accounts.actors import system_actor
from accounts.models import GroupMembership
from accounts.services import groups, roles, users
from policies.models import PolicyAttachment
from policies.services import attachments, managed
from policies.tasks import matrix_recompute
from tests.factories import AccountFactory, BrokerFactory, RootUserFactory

pytestmark = pytest.mark.django_db
ACTOR = system_actor()
ACCT = "111122223333"
REBOOT_OWN_TEAM = {
    "Sid": "OwnTeam",
    "Effect": "Allow",
    "Action": "mq:RebootBroker",
    "Resource": "arn:aws:mq:*:*:broker:*:*",
    "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
}


def _doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def world(client):
    account = AccountFactory(account_id=ACCT, alias="acme")
    orders = BrokerFactory(
        account=account, name="orders", tags={"team": "payments", "env": "production"}
    )
    BrokerFactory(account=account, name="telemetry", tags={"team": "iot"})
    policy = managed.policy_create(
        actor=ACTOR, account=account, name="Operators", document=_doc(REBOOT_OWN_TEAM)
    )
    operators = groups.group_create(actor=ACTOR, account=account, name="operators")
    attachments.policy_attach(actor=ACTOR, policy=policy, identity=operators)
    dana = users.user_create(actor=ACTOR, account=account, name="dana", tags={"team": "payments"})
    groups.group_member_add(actor=ACTOR, group=operators, user=dana)
    deployer = roles.role_create(
        actor=ACTOR,
        account=account,
        name="deployer",
        trust_policy=_doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                "Action": "sts:AssumeRole",
            }
        ),
        tags={"team": "payments"},
    )
    attachments.policy_attach(actor=ACTOR, policy=policy, identity=deployer)
    erin = users.user_create(actor=ACTOR, account=account, name="erin")
    attachments.inline_policy_put(
        actor=ACTOR,
        identity=erin,
        name="reboot-any",
        document=_doc({"Effect": "Allow", "Action": "mq:RebootBroker", "Resource": "*"}),
    )
    describe_only = managed.policy_create(
        actor=ACTOR,
        account=account,
        name="DescribeOnly",
        document=_doc({"Effect": "Allow", "Action": "mq:Describe*", "Resource": "*"}),
    )
    attachments.permissions_boundary_put(actor=ACTOR, identity=erin, policy=describe_only)
    matrix_recompute(account.pk)
    RootUserFactory(account=account, email="root@acme.example")
    client.post(
        "/signin", {"as": "root", "email": "root@acme.example", "password": "Root-Passw0rd"}
    )
    return {
        "account": account,
        "orders": orders,
        "policy": policy,
        "operators": operators,
        "dana": dana,
        "deployer": deployer,
        "erin": erin,
    }


def _impact(page: str) -> tuple[int, int, str]:
    """(gained, lost, the list of changed cells) of the page's impact panel."""
    panel = page[page.index("Impact of this change") :]
    gained = int(re.search(r"\+(\d+) gained", panel).group(1))
    lost = int(re.search(r"\u2212(\d+) lost", panel).group(1))  # a minus sign
    return gained, lost, panel


def _detach_link(page: str, kind: str, name: str) -> str:
    found = re.search(rf'href="(/policies/[^"]+/detach/{kind}/{name}[^"]*)"', page)
    return html.unescape(found.group(1))


def test_removing_a_member_shows_the_cells_the_user_loses_and_changes_nothing_until_confirmed(
    client, world
):
    dana, operators = world["dana"], world["operators"]
    page = client.get("/groups/operators/members/dana/remove").content.decode()
    gained, lost, panel = _impact(page)
    assert (gained, lost) == (0, 1)
    assert dana.arn in panel and "mq:RebootBroker" in panel and "orders" in panel
    assert GroupMembership.objects.filter(group=operators, user=dana).exists()
    # The group page links to this confirmation instead of removing at once.
    members = client.get("/groups/operators").content.decode()
    assert 'href="/groups/operators/members/dana/remove"' in members
    response = client.post("/groups/operators/members/dana/remove")
    assert response.status_code == 302
    assert not GroupMembership.objects.filter(group=operators, user=dana).exists()
    assert client.get("/groups/operators/members/dana/remove").status_code == 404


def test_detaching_from_the_group_page_confirms_with_the_impact_and_returns_there(client, world):
    policy = world["policy"]
    members = client.get("/groups/operators?tab=permissions").content.decode()
    link = html.unescape(
        re.search(r'href="(/policies/[^"]+/detach/group/operators[^"]*)"', members).group(1)
    )
    page = client.get(link).content.decode()
    gained, lost, panel = _impact(page)
    assert (gained, lost) == (0, 1) and world["dana"].arn in panel
    assert 'name="next" value="/groups/operators?tab=permissions"' in page
    assert PolicyAttachment.objects.filter(policy=policy, group=world["operators"]).exists()
    response = client.post(link.split("?")[0], {"next": "/groups/operators?tab=permissions"})
    assert response["Location"] == "/groups/operators?tab=permissions"
    assert not PolicyAttachment.objects.filter(policy=policy, group=world["operators"]).exists()


def test_detaching_from_a_role_shows_what_the_role_loses_and_ignores_a_foreign_next(client, world):
    policy, deployer = world["policy"], world["deployer"]
    page = client.get("/roles/deployer?tab=permissions").content.decode()
    link = html.unescape(
        re.search(r'href="(/policies/[^"]+/detach/role/deployer[^"]*)"', page).group(1)
    )
    gained, lost, panel = _impact(client.get(link).content.decode())
    assert (gained, lost) == (0, 1) and deployer.arn in panel
    response = client.post(link.split("?")[0], {"next": "https://evil.example/phish"})
    assert response["Location"].startswith(f"/policies/{policy.unique_id}")
    assert not PolicyAttachment.objects.filter(policy=policy, role=deployer).exists()


def test_deleting_an_inline_policy_and_removing_a_boundary_show_their_impact(client, world):
    # erin's inline policy allows rebooting any broker, but her boundary allows only Describe*.
    inline_url = "/policies/inline/user/erin/reboot-any/delete"
    gained, lost, panel = _impact(client.get(inline_url).content.decode())
    assert (gained, lost) == (0, 0) and "No principal gains or loses" in panel
    gained, lost, panel = _impact(
        client.get("/policies/boundary/user/erin/delete").content.decode()
    )
    assert (gained, lost) == (2, 0)  # both brokers become rebootable
    assert "New access to production brokers" in panel and world["erin"].arn in panel
    assert client.post("/policies/boundary/user/erin/delete").status_code == 302
    matrix_recompute(world["account"].pk)
    # Without the boundary, deleting the inline policy now takes both reboots away.
    gained, lost, panel = _impact(client.get(inline_url).content.decode())
    assert (gained, lost) == (0, 2) and "mq:RebootBroker" in panel
