"""SimulatePrincipalPolicy / SimulateCustomPolicy: the enforcement engine's answers, explained."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from accounts.actors import system_actor
from accounts.principals import principal_for_user
from accounts.services import roles
from policies.authorization import authorize
from policies.context import request_context
from policies.engine import Request, evaluate
from policies.selectors import gather_policies
from policies.services import attachments
from policies.simulator.service import simulate as console_simulate
from tests.factories import IAMUserFactory
from tests.query_api.conftest import ACCOUNT, error_of

pytestmark = pytest.mark.django_db(transaction=True)

BROKER = f"arn:aws:mq:us-east-1:{ACCOUNT}:broker:prod-orders:b-1"
DEV_BROKER = f"arn:aws:mq:us-east-1:{ACCOUNT}:broker:dev-orders:b-2"
# Written by hand so that the statement positions below are known.
READ_NOT_DELETE = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": "mq:Describe*",
      "Resource": "*"
    },
    {
      "Sid": "NoProdDelete",
      "Effect": "Deny",
      "Action": "mq:DeleteBroker",
      "Resource": "arn:aws:mq:*:*:broker:prod-*"
    }
  ]
}"""


def results_by_action(response) -> dict:
    return {(r["EvalActionName"], r["EvalResourceName"]): r for r in response["EvaluationResults"]}


def test_simulate_principal_policy_decisions_and_positions(iam):
    iam.create_user(UserName="bob")
    iam.put_user_policy(UserName="bob", PolicyName="brokers", PolicyDocument=READ_NOT_DELETE)
    response = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/bob",
        ActionNames=["mq:DescribeBroker", "mq:DeleteBroker", "mq:RebootBroker"],
        ResourceArns=[BROKER],
    )
    results = results_by_action(response)
    allowed = results[("mq:DescribeBroker", BROKER)]
    assert allowed["EvalDecision"] == "allowed"
    assert allowed["MatchedStatements"] == [
        {
            "SourcePolicyId": "brokers",
            "SourcePolicyType": "user",
            "StartPosition": {"Line": 4, "Column": 5},
            "EndPosition": {"Line": 9, "Column": 6},
        }
    ]
    denied = results[("mq:DeleteBroker", BROKER)]
    assert denied["EvalDecision"] == "explicitDeny"
    assert denied["MatchedStatements"][0]["StartPosition"] == {"Line": 10, "Column": 5}
    assert denied["MatchedStatements"][0]["EndPosition"] == {"Line": 15, "Column": 6}
    implicit = results[("mq:RebootBroker", BROKER)]
    assert implicit["EvalDecision"] == "implicitDeny" and implicit["MatchedStatements"] == []
    assert implicit["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}
    assert "PermissionsBoundaryDecisionDetail" not in implicit
    assert response["IsTruncated"] is False


def test_missing_context_values_and_context_entries(iam):
    iam.create_user(UserName="bob")
    iam.put_user_policy(
        UserName="bob",
        PolicyName="office",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "mq:*",
                        "Resource": "*",
                        "Condition": {
                            "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                            "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]},
                        },
                    }
                ],
            }
        ),
    )
    arn = f"arn:aws:iam::{ACCOUNT}:user/bob"
    without = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["mq:ListBrokers"])
    result = without["EvaluationResults"][0]
    assert result["EvalDecision"] == "implicitDeny" and result["EvalResourceName"] == "*"
    assert result["MissingContextValues"] == ["aws:SourceIp", "aws:TagKeys"]
    with_context = iam.simulate_principal_policy(
        PolicySourceArn=arn,
        ActionNames=["mq:ListBrokers"],
        ContextEntries=[
            {
                "ContextKeyName": "aws:SourceIp",
                "ContextKeyValues": ["10.1.2.3"],
                "ContextKeyType": "ip",
            },
            {
                "ContextKeyName": "aws:TagKeys",
                "ContextKeyValues": ["team"],
                "ContextKeyType": "stringList",
            },
        ],
    )["EvaluationResults"][0]
    assert with_context["EvalDecision"] == "allowed"
    assert with_context["MissingContextValues"] == []


def test_boundary_input_and_detail(iam):
    iam.create_user(UserName="bob")
    iam.put_user_policy(UserName="bob", PolicyName="brokers", PolicyDocument=READ_NOT_DELETE)
    boundary = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "mq:List*", "Resource": "*"}],
        }
    )
    result = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/bob",
        ActionNames=["mq:DescribeBroker"],
        ResourceArns=[BROKER],
        PermissionsBoundaryPolicyInputList=[boundary],
    )["EvaluationResults"][0]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}


def test_trust_policies_decide_assume_role(iam, account):
    bob = IAMUserFactory(account=account, name="bob")
    carol = IAMUserFactory(account=account, name="carol")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": bob.arn}, "Action": "sts:AssumeRole"}
        ],
    }
    role = roles.role_create(
        actor=system_actor(), account=account, name="ops", trust_policy=json.dumps(trust)
    )
    attachments.inline_policy_put(
        actor=system_actor(),
        identity=carol,
        name="assume",
        document=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
            }
        ),
    )

    def decide(user):
        return iam.simulate_principal_policy(
            PolicySourceArn=user.arn, ActionNames=["sts:AssumeRole"], ResourceArns=[role.arn]
        )["EvaluationResults"][0]

    named = decide(bob)  # the trust policy names bob himself: no identity policy needed
    assert named["EvalDecision"] == "allowed"
    assert named["MatchedStatements"][0]["SourcePolicyType"] == "resource"
    assert decide(carol)["EvalDecision"] == "implicitDeny"  # allowed by IAM, not by the trust


def test_simulate_custom_policy_with_resource_policy_and_pagination(iam):
    custom = iam.simulate_custom_policy(
        PolicyInputList=[READ_NOT_DELETE],
        ActionNames=["mq:DescribeBroker", "mq:DeleteBroker"],
        ResourceArns=[BROKER, DEV_BROKER],
        MaxItems=3,
    )
    assert custom["IsTruncated"] is True and len(custom["EvaluationResults"]) == 3
    rest = iam.simulate_custom_policy(
        PolicyInputList=[READ_NOT_DELETE],
        ActionNames=["mq:DescribeBroker", "mq:DeleteBroker"],
        ResourceArns=[BROKER, DEV_BROKER],
        MaxItems=3,
        Marker=custom["Marker"],
    )
    decisions = [r["EvalDecision"] for r in custom["EvaluationResults"] + rest["EvaluationResults"]]
    assert decisions == ["allowed", "allowed", "explicitDeny", "implicitDeny"]
    assert custom["EvaluationResults"][0]["MatchedStatements"][0]["SourcePolicyId"] == (
        "PolicyInputList.1"
    )
    caller = f"arn:aws:iam::{ACCOUNT}:user/bob"
    resource_policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": caller},
                    "Action": "mq:RebootBroker",
                    "Resource": DEV_BROKER,
                }
            ],
        }
    )
    granted = iam.simulate_custom_policy(
        PolicyInputList=[READ_NOT_DELETE],
        ActionNames=["mq:RebootBroker"],
        ResourceArns=[DEV_BROKER],
        ResourcePolicy=resource_policy,
        CallerArn=caller,
    )["EvaluationResults"][0]
    assert granted["EvalDecision"] == "allowed"
    assert granted["MatchedStatements"][0]["SourcePolicyId"] == "ResourcePolicy"


def test_simulate_role_and_group_sources(iam):
    iam.create_group(GroupName="readers")
    iam.put_group_policy(GroupName="readers", PolicyName="read", PolicyDocument=READ_NOT_DELETE)
    group = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:group/readers", ActionNames=["mq:DescribeBroker"]
    )["EvaluationResults"][0]
    assert group["EvalDecision"] == "allowed"
    assert group["MatchedStatements"][0]["SourcePolicyType"] == "group"
    iam.create_role(
        RoleName="svc",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "mq.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    iam.attach_role_policy(
        RoleName="svc", PolicyArn="arn:aws:iam::aws:policy/AmazonMQReadOnlyAccess"
    )
    role = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/svc",
        ActionNames=["mq:DescribeBroker", "mq:DeleteBroker"],
    )["EvaluationResults"]
    assert [r["EvalDecision"] for r in role] == ["allowed", "implicitDeny"]
    assert role[0]["MatchedStatements"][0] == {
        **role[0]["MatchedStatements"][0],
        "SourcePolicyId": "AmazonMQReadOnlyAccess",
        "SourcePolicyType": "aws-managed",
    }


def test_simulate_errors_and_denial(iam, denied_iam):
    with pytest.raises(ClientError) as excinfo:
        iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/ghost", ActionNames=["mq:ListBrokers"]
        )
    assert error_of(excinfo)[0::2] == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.simulate_custom_policy(PolicyInputList=['{"Statement": 1}'], ActionNames=["mq:X"])
    assert error_of(excinfo)[0::2] == ("InvalidInput", 400)
    with pytest.raises(ClientError) as excinfo:
        denied_iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/nobody", ActionNames=["mq:ListBrokers"]
        )
    assert error_of(excinfo)[0::2] == ("AccessDenied", 403)
    with pytest.raises(ClientError) as excinfo:
        denied_iam.simulate_custom_policy(PolicyInputList=[READ_NOT_DELETE], ActionNames=["mq:X"])
    assert error_of(excinfo)[0] == "AccessDenied"


# -- The simulator answers what enforcement does: a property over policies, actions, resources

POLICIES = {
    "reader": [READ_NOT_DELETE],
    "self-service": [
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "iam:*",
                        "Resource": f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
                    },
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
                ],
            }
        )
    ],
    "office-only": [
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "NotAction": "mq:Delete*",
                        "Resource": "*",
                        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
                    },
                    {
                        "Effect": "Deny",
                        "Action": "*",
                        "Resource": "*",
                        "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
                    },
                ],
            }
        )
    ],
}
ACTIONS = [
    "mq:DescribeBroker",
    "mq:DeleteBroker",
    "mq:RebootBroker",
    "iam:GetUser",
    "iam:CreateUser",
    "sts:AssumeRole",
]


def _entries(context: dict) -> list[dict]:
    return [
        {
            "ContextKeyName": key,
            "ContextKeyValues": value if isinstance(value, list) else [value],
            "ContextKeyType": "stringList" if isinstance(value, list) else "string",
        }
        for key, value in context.items()
    ]


@pytest.mark.parametrize("secure", [True, False])
@pytest.mark.parametrize("source_ip", ["10.1.2.3", "192.0.2.10"])
def test_simulation_equals_engine_authorize_and_console_simulator(iam, account, source_ip, secure):
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}
        ],
    }
    role = roles.role_create(
        actor=system_actor(), account=account, name="target", trust_policy=json.dumps(trust)
    )
    checked, seen = 0, set()
    for name, documents in POLICIES.items():
        user = IAMUserFactory(account=account, name=name)
        for i, text in enumerate(documents):
            attachments.inline_policy_put(
                actor=system_actor(), identity=user, name=f"p{i}", document=text
            )
        principal = principal_for_user(user, credential="access-key")
        context = request_context(
            principal, source_ip=source_ip, secure=secure, now=datetime(2026, 1, 1, tzinfo=UTC)
        )
        resources = ["*", BROKER, DEV_BROKER, user.arn, role.arn]
        response = iam.simulate_principal_policy(
            PolicySourceArn=user.arn,
            ActionNames=ACTIONS,
            ResourceArns=resources,
            ContextEntries=_entries(context),
            MaxItems=1000,
        )
        answers = results_by_action(response)
        console = console_simulate(
            principal=principal,
            draft_policies=[],
            draft_boundary=None,
            actions=ACTIONS,
            resources=resources,
            context=context,
        )
        page = {(r.action, r.resource): r.decision for r in console.results}
        policy_set = gather_policies(principal).policy_set
        for action in ACTIONS:
            for resource in resources:
                trust_policy = role.trust_policy if resource == role.arn else None
                enforced = authorize(
                    principal, action, resource, context, resource_policy=trust_policy
                ).decision
                simulated = answers[(action, resource)]["EvalDecision"]
                seen.add(simulated)
                assert simulated == enforced, (name, action, resource)
                if trust_policy is None:
                    engine = evaluate(
                        Request(principal.arn, action, resource, context), policy_set
                    ).value
                    assert simulated == engine == page[(action, resource)], (name, action)
                checked += 1
    assert checked == len(POLICIES) * len(ACTIONS) * 5
    assert seen == {"allowed", "explicitDeny", "implicitDeny"}
