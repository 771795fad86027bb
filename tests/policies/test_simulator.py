"""The simulator (page and API) uses the enforcement engine and gathering: they agree."""

import itertools
import json

import pytest

from accounts.actors import system_actor
from accounts.principals import principal_for_user
from accounts.services import users
from policies.authorization import authorize
from policies.context import request_context
from policies.services import attachments, managed
from policies.simulator.service import principal_for_role, simulate
from tests.factories import AccountFactory, BrokerFactory, RoleFactory, RootUserFactory

pytestmark = pytest.mark.django_db
ACTOR = system_actor()
ACCT = "111122223333"


def _doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.fixture
def world():
    account = AccountFactory(account_id=ACCT, alias="acme")
    RootUserFactory(account=account, email="root@acme.example")
    brokers = [
        BrokerFactory(account=account, name="orders", tags={"team": "payments"}),
        BrokerFactory(account=account, name="iot", tags={"team": "iot"}),
    ]
    olivia = users.user_create(
        actor=ACTOR, account=account, name="olivia", tags={"team": "payments"}
    )
    policy = managed.policy_create(
        actor=ACTOR,
        account=account,
        name="Ops",
        document=_doc(
            {
                "Sid": "Team",
                "Effect": "Allow",
                "Action": ["mq:RebootBroker", "mq:Describe*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
            },
            {
                "Sid": "Mfa",
                "Effect": "Allow",
                "Action": "mq:DeleteBroker",
                "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            },
            {
                "Sid": "Office",
                "Effect": "Deny",
                "Action": "mq:*",
                "Resource": "*",
                "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
            },
        ),
    )
    attachments.policy_attach(actor=ACTOR, policy=policy, identity=olivia)
    role = RoleFactory(account=account, name="Ops", tags={"team": "iot"})
    attachments.policy_attach(actor=ACTOR, policy=policy, identity=role)
    return {"account": account, "brokers": brokers, "olivia": olivia, "role": role}


def test_simulate_equals_enforcement_on_the_same_inputs(world):
    actions = ["mq:RebootBroker", "mq:DescribeBroker", "mq:DeleteBroker", "mq:UpdateBroker"]
    contexts = [
        {"ip": "10.1.2.3", "mfa": True},
        {"ip": "192.0.2.1", "mfa": True},
        {"ip": "10.9.9.9", "mfa": False},
    ]
    principals = [principal_for_user(world["olivia"]), principal_for_role(world["role"])]
    checked = 0
    for principal, action, broker, ctx in itertools.product(
        principals, actions, world["brokers"], contexts
    ):
        from django.utils import timezone

        principal = type(principal)(
            **{**principal.__dict__, "mfa_authenticated_at": timezone.now() if ctx["mfa"] else None}
        )
        context = request_context(principal, source_ip=ctx["ip"])
        enforced = authorize(principal, action, broker.arn, context)
        simulated = simulate(
            principal=principal,
            draft_policies=[],
            draft_boundary=None,
            actions=[action],
            resources=[broker.arn],
            context=context,
        )
        assert simulated.results[0].decision == enforced.decision, (
            principal.arn,
            action,
            broker.name,
            ctx,
        )
        checked += 1
    assert checked == 48


def test_simulator_page_explains_and_highlights(client, world):
    client.post(
        "/signin", {"as": "root", "email": "root@acme.example", "password": "Root-Passw0rd"}
    )
    assert client.get("/simulator").status_code == 200
    orders = world["brokers"][0]
    page = client.post(
        "/simulator",
        {
            "principal": "user:olivia",
            "actions": ["mq:RebootBroker", "mq:DeleteBroker"],
            "resources": [orders.arn],
            "context": "aws:SourceIp=10.0.0.7\naws:ResourceTag/team=payments",
        },
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "allowed" in text and "implicitDeny" in text
    assert "<code>Team</code>" in text  # the deciding statement's Sid
    assert "aws:MultiFactorAuthPresent (missing)" in text
    assert "policy-line-hit" in text


def test_simulator_needs_simulate_permission(client, world):
    olivia = world["olivia"]
    users.user_password_set(actor=ACTOR, user=olivia, password="Corr3ct-Horse!")
    client.post(
        "/signin",
        {"as": "user", "account": ACCT, "username": "olivia", "password": "Corr3ct-Horse!"},
    )
    page = client.post(
        "/simulator",
        {"principal": "user:olivia", "actions": ["mq:RebootBroker"], "resources": ["*"]},
    )
    assert page.status_code == 403
    assert b"iam:SimulatePrincipalPolicy" in page.content


def test_simulate_api_with_draft_policies(client, world):
    client.post(
        "/signin", {"as": "root", "email": "root@acme.example", "password": "Root-Passw0rd"}
    )
    body = client.post(
        "/api/v1/simulate/",
        {
            "PolicyInputList": [
                json.dumps(_doc({"Effect": "Allow", "Action": "mq:List*", "Resource": "*"}))
            ],
            "ActionNames": ["mq:ListBrokers", "mq:RebootBroker"],
            "ResourceArns": ["*"],
        },
        content_type="application/json",
    ).json()
    assert [r["decision"] for r in body["results"]] == ["allowed", "implicitDeny"]
    bad = client.post(
        "/api/v1/simulate/",
        {"PolicyInputList": ["{nope"], "ActionNames": ["mq:ListBrokers"]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "MalformedPolicyDocument"


def _sign_in_root(client):
    response = client.post(
        "/signin", {"as": "root", "email": "root@acme.example", "password": "Root-Passw0rd"}
    )
    assert response.status_code == 302


def _page_decisions(text: str) -> dict:
    import re

    return dict(
        re.findall(r'class="result-row" data-resource="([^"]+)" data-decision="(\w+)"', text)
    )


@pytest.fixture
def tag_world():
    """olivia (team=payments) may reboot the brokers of her own team: a tag condition only."""
    account = AccountFactory(account_id=ACCT, alias="acme")
    RootUserFactory(account=account, email="root@acme.example")
    orders = BrokerFactory(account=account, name="orders", tags={"team": "payments"})
    iot = BrokerFactory(account=account, name="iot", tags={"team": "iot"})
    olivia = users.user_create(
        actor=ACTOR, account=account, name="olivia", tags={"team": "payments"}
    )
    policy = managed.policy_create(
        actor=ACTOR,
        account=account,
        name="OwnTeam",
        document=_doc(
            {
                "Effect": "Allow",
                "Action": "mq:RebootBroker",
                "Resource": "arn:aws:mq:*:*:broker:*:*",
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
            }
        ),
    )
    attachments.policy_attach(actor=ACTOR, policy=policy, identity=olivia)
    return account, orders, iot, olivia


def test_simulator_page_and_who_can_agree_on_a_tag_conditioned_access(client, tag_world):
    from policies.effective import queries
    from policies.tasks import matrix_recompute

    account, orders, iot, olivia = tag_world
    matrix_recompute(account.pk)
    _sign_in_root(client)
    # No context typed: the broker's team tag is read from the broker itself.
    page = client.post(
        "/simulator",
        {
            "principal": "user:olivia",
            "actions": ["mq:RebootBroker"],
            "resources": [orders.arn, iot.arn],
        },
    )
    assert page.status_code == 200
    simulated = _page_decisions(page.content.decode())
    who = {
        broker.arn: {
            row["principal_arn"]: row["decision"]
            for row in queries.who_can(
                account_pk=account.pk, action="mq:RebootBroker", resource_arn=broker.arn
            )
        }.get(olivia.arn, "implicitDeny")
        for broker in (orders, iot)
    }
    assert simulated == who == {orders.arn: "allowed", iot.arn: "implicitDeny"}


def test_simulator_shows_where_each_context_value_came_from_and_typed_overrides(client, world):
    iot = world["brokers"][1]
    _sign_in_root(client)
    page = client.post(
        "/simulator",
        {
            "principal": "user:olivia",
            "actions": ["mq:RebootBroker"],
            "resources": [iot.arn],
            "context": "aws:SourceIp=10.0.0.7",
        },
    )
    rows = page.context["context_rows"]
    by_key = {(r["key"], r["source"]): r for r in rows}
    assert by_key[("aws:ResourceTag/team", "resource")]["value"] == "iot"
    assert by_key[("aws:ResourceTag/team", "resource")]["arns"] == [iot.arn]
    assert by_key[("aws:PrincipalTag/team", "principal")]["value"] == "payments"
    assert by_key[("aws:SourceIp", "typed")]["value"] == "10.0.0.7"
    assert "data-context-override" in page.content.decode()
    # What-if: a typed tag overrides the resource's own and changes the decision.
    page = client.post(
        "/simulator",
        {
            "principal": "user:olivia",
            "actions": ["mq:RebootBroker"],
            "resources": [iot.arn],
            "context": "aws:SourceIp=10.0.0.7\naws:ResourceTag/team=payments",
        },
    )
    sources = {(r["key"], r["source"]) for r in page.context["context_rows"]}
    assert ("aws:ResourceTag/team", "typed") in sources
    assert ("aws:ResourceTag/team", "resource") not in sources
    assert _page_decisions(page.content.decode()) == {iot.arn: "allowed"}
