"""Golden tests of policy synthesis: a pure function over the catalog (no database)."""

from datetime import UTC, datetime

import pytest

from policies.catalog import get_catalog
from policies.engine.validate import validate
from policies.requests.synthesis import (
    INTENTS,
    SynthesisError,
    Target,
    expiry_condition,
    synthesize,
)

ACCT = "111122223333"
ORDERS = f"arn:aws:mq:us-east-1:{ACCT}:broker:orders:b-1111"
TELEMETRY = f"arn:aws:mq:eu-west-1:{ACCT}:broker:telemetry:b-2222"
CONFIG = f"arn:aws:mq:us-east-1:{ACCT}:configuration:c-3333"
EXPIRY = datetime(2031, 5, 4, 13, 30, 59, tzinfo=UTC)
UNTIL = {"DateLessThan": {"aws:CurrentTime": "2031-05-04T13:30:59Z"}}


def _synth(actions, targets, expires_at=EXPIRY):
    return synthesize(
        get_catalog(), account_id=ACCT, actions=actions, targets=targets, expires_at=expires_at
    )


def _arn(arn):
    return Target("arn", arn=arn)


GOLDEN = {
    "operate-brokers": (
        [_arn(ORDERS), _arn(TELEMETRY)],
        [
            {
                "Sid": "NoResourceLevelPermissions",
                "Effect": "Allow",
                "Action": "mq:ListBrokers",
                "Resource": "*",
                "Condition": UNTIL,
            },
            {
                "Sid": "OnBrokers",
                "Effect": "Allow",
                "Action": ["mq:DescribeBroker", "mq:RebootBroker"],
                "Resource": [TELEMETRY, ORDERS],  # sorted
                "Condition": UNTIL,
            },
        ],
    ),
    "manage-broker-users": (
        [_arn(ORDERS)],
        [
            {
                "Sid": "NoResourceLevelPermissions",
                "Effect": "Allow",
                "Action": "mq:ListBrokers",
                "Resource": "*",
                "Condition": UNTIL,
            },
            {
                "Sid": "OnBrokers",
                "Effect": "Allow",
                "Action": [
                    "mq:CreateUser",
                    "mq:DeleteUser",
                    "mq:DescribeBroker",
                    "mq:DescribeUser",
                    "mq:ListUsers",
                    "mq:UpdateUser",
                ],
                "Resource": ORDERS,
                "Condition": UNTIL,
            },
        ],
    ),
    "read-configurations": (
        [_arn(CONFIG)],
        [
            {
                "Sid": "NoResourceLevelPermissions",
                "Effect": "Allow",
                "Action": "mq:ListConfigurations",
                "Resource": "*",
                "Condition": UNTIL,
            },
            {
                "Sid": "OnConfigurations",
                "Effect": "Allow",
                "Action": [
                    "mq:DescribeConfiguration",
                    "mq:DescribeConfigurationRevision",
                    "mq:ListConfigurationRevisions",
                ],
                "Resource": CONFIG,
                "Condition": UNTIL,
            },
        ],
    ),
    "edit-configurations": (
        [_arn(CONFIG)],
        [
            {
                "Sid": "NoResourceLevelPermissions",
                "Effect": "Allow",
                "Action": "mq:ListConfigurations",
                "Resource": "*",
                "Condition": UNTIL,
            },
            {
                "Sid": "OnConfigurations",
                "Effect": "Allow",
                "Action": [
                    "mq:DescribeConfiguration",
                    "mq:DescribeConfigurationRevision",
                    "mq:ListConfigurationRevisions",
                    "mq:UpdateConfiguration",
                ],
                "Resource": CONFIG,
                "Condition": UNTIL,
            },
        ],
    ),
}


@pytest.mark.parametrize("intent", sorted(GOLDEN))
def test_golden_policy_per_intent(intent):
    targets, statements = GOLDEN[intent]
    result = _synth(INTENTS[intent].actions, targets)
    assert result.document == {"Version": "2012-10-17", "Statement": statements}
    assert result.dependent_actions == ()
    assert validate(result.document, "identity", catalog=get_catalog(), entity="user") == []


def test_actions_without_resource_types_get_a_star_statement_of_their_own():
    result = _synth(["mq:CreateConfiguration", "mq:RebootBroker"], [_arn(ORDERS)], None)
    assert result.document["Statement"] == [
        {
            "Sid": "NoResourceLevelPermissions",
            "Effect": "Allow",
            "Action": "mq:CreateConfiguration",
            "Resource": "*",
        },
        {"Sid": "OnBrokers", "Effect": "Allow", "Action": "mq:RebootBroker", "Resource": ORDERS},
    ]
    assert result.star_actions == ("mq:CreateConfiguration",)


def test_tag_target_becomes_a_resource_tag_condition_on_the_accounts_arn_pattern():
    tag = Target("tag", key="team", value="payments")
    result = _synth(["mq:RebootBroker", "mq:UpdateConfiguration"], [tag])
    assert result.document["Statement"] == [
        {
            "Sid": "TaggedBrokers",
            "Effect": "Allow",
            "Action": "mq:RebootBroker",
            "Resource": f"arn:aws:mq:*:{ACCT}:broker:*:*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "payments"}, **UNTIL},
        },
        {
            "Sid": "TaggedConfigurations",
            "Effect": "Allow",
            "Action": "mq:UpdateConfiguration",
            "Resource": f"arn:aws:mq:*:{ACCT}:configuration:*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "payments"}, **UNTIL},
        },
    ]


def test_arns_and_tags_together_and_actions_on_both_kinds():
    tag = Target("tag", key="env", value="dev")
    result = _synth(["mq:CreateTags"], [_arn(CONFIG), _arn(ORDERS), tag], None)
    assert result.document["Statement"] == [
        {
            "Sid": "OnBrokersAndConfigurations",
            "Effect": "Allow",
            "Action": "mq:CreateTags",
            "Resource": [ORDERS, CONFIG],
        },
        {
            "Sid": "TaggedBrokersAndConfigurations",
            "Effect": "Allow",
            "Action": "mq:CreateTags",
            "Resource": [
                f"arn:aws:mq:*:{ACCT}:broker:*:*",
                f"arn:aws:mq:*:{ACCT}:configuration:*",
            ],
            "Condition": {"StringEquals": {"aws:ResourceTag/env": "dev"}},
        },
    ]


def test_dependent_actions_are_added_listed_and_scoped():
    result = _synth(["mq:CreateBroker"], [], None)
    statements = {s["Sid"]: s for s in result.document["Statement"]}
    assert statements["NoResourceLevelPermissions"]["Action"] == "mq:CreateBroker"
    assert "ec2:CreateNetworkInterface" in statements["DependentActions"]["Action"]
    assert statements["DependentActions"]["Resource"] == "*"
    assert statements["ServiceLinkedRole"] == {
        "Sid": "ServiceLinkedRole",
        "Effect": "Allow",
        "Action": "iam:CreateServiceLinkedRole",
        "Resource": f"arn:aws:iam::{ACCT}:role/aws-service-role/mq.amazonaws.com/*",
        "Condition": {"StringEquals": {"iam:AWSServiceName": "mq.amazonaws.com"}},
    }
    catalog_dependents = get_catalog().action("mq:CreateBroker").dependent_actions
    assert set(result.dependent_actions) == set(catalog_dependents)
    assert "mq:CreateBroker" not in result.dependent_actions


def test_expiry_condition_is_on_every_statement_in_utc_seconds():
    assert expiry_condition(EXPIRY) == UNTIL
    assert expiry_condition(None) == {}
    result = _synth(["mq:CreateBroker", "mq:RebootBroker"], [_arn(ORDERS)])
    assert all(s["Condition"]["DateLessThan"] == UNTIL["DateLessThan"]
               for s in result.document["Statement"])  # fmt: skip


def test_actions_are_canonical_and_once():
    result = _synth(["MQ:rebootbroker", "mq:RebootBroker"], [_arn(ORDERS)], None)
    assert result.actions == ("mq:RebootBroker",)


@pytest.mark.parametrize(
    ("actions", "targets", "message"),
    [
        (["mq:Reboot*"], [_arn(ORDERS)], "not wildcards"),
        (["mq:Teleport"], [_arn(ORDERS)], "not an action"),
        ([], [_arn(ORDERS)], "at least one action"),
        (["mq:RebootBroker"], [], "acts on brokers"),
        (["mq:RebootBroker"], [_arn(CONFIG)], "acts on brokers"),
        (["mq:RebootBroker"], [_arn("arn:aws:mq:us-east-1:999999999999:broker:x:b-1")], "account"),
        (["mq:RebootBroker"], [Target("tag", key="bad key!", value="x")], "tag key"),
    ],
)
def test_requests_that_cannot_be_least_privilege_are_refused(actions, targets, message):
    with pytest.raises(SynthesisError, match=message):
        _synth(actions, targets)


def test_targets_no_action_uses_are_reported():
    result = _synth(["mq:ListBrokers"], [_arn(ORDERS)], None)
    assert result.unused_targets == (_arn(ORDERS),)
    assert result.document["Statement"][0]["Resource"] == "*"


def test_other_services_resources_from_a_denial():
    user = f"arn:aws:iam::{ACCT}:user/ops/bob"
    result = _synth(["iam:GetUser"], [_arn(user)], None)
    assert result.document["Statement"] == [
        {"Sid": "OnUser", "Effect": "Allow", "Action": "iam:GetUser", "Resource": user}
    ]
