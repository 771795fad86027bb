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
