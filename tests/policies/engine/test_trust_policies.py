"""Role trust policies must allow explicitly; AWS-owned resources are not cross-account."""

import pytest

from policies.engine import PolicySet, Request, evaluate

ACCT = "111122223333"
ALICE = f"arn:aws:iam::{ACCT}:user/alice"
ROLE = f"arn:aws:iam::{ACCT}:role/Auditor"
CONTEXT = {"aws:PrincipalArn": ALICE, "aws:PrincipalAccount": ACCT, "aws:username": "alice"}
ALLOW_ASSUME = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
}


def trust(principal):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
        ],
    }


def decide(identity, resource_policy, action="sts:AssumeRole"):
    request = Request(principal=ALICE, action=action, resource=ROLE, context=CONTEXT)
    return evaluate(request, PolicySet(identity=identity, resource=resource_policy)).value


@pytest.mark.parametrize(
    "identity, trust_principal, expected",
    [
        ((ALLOW_ASSUME,), f"arn:aws:iam::{ACCT}:user/bob", "implicitDeny"),  # trust names others
        ((ALLOW_ASSUME,), f"arn:aws:iam::{ACCT}:root", "allowed"),  # account + identity allow
        ((), f"arn:aws:iam::{ACCT}:root", "implicitDeny"),  # account alone is not enough
        ((), ALICE, "allowed"),  # naming the user itself suffices
        ((ALLOW_ASSUME,), ALICE, "allowed"),
    ],
)
def test_trust_policy_rules_same_account(identity, trust_principal, expected):
    assert decide(identity, trust(trust_principal)) == expected


def test_identity_allow_without_any_trust_policy_is_not_enough():
    assert decide((ALLOW_ASSUME,), None) == "implicitDeny"


def test_other_actions_keep_the_same_account_rule():
    allow_all = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*"}],
    }
    assert decide((allow_all,), trust(f"arn:aws:iam::{ACCT}:user/bob"), "iam:GetRole") == "allowed"


def test_aws_managed_policy_arns_are_decided_by_identity_policies():
    read = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:GetPolicy", "Resource": "*"}],
    }
    request = Request(
        principal=ALICE,
        action="iam:GetPolicy",
        resource="arn:aws:iam::aws:policy/AmazonMQFullAccess",
        context=CONTEXT,
    )
    assert evaluate(request, PolicySet(identity=(read,))).value == "allowed"
    assert evaluate(request, PolicySet()).value == "implicitDeny"


def test_explicit_deny_message_uses_an_before_identity():
    deny = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}],
    }
    request = Request(principal=ALICE, action="mq:ListBrokers", resource="*", context=CONTEXT)
    message = evaluate(request, PolicySet(identity=(deny,))).explanation.message
    assert message.endswith("with an explicit deny in an identity-based policy")
