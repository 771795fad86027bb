"""The trust-policy builder: the documents the console writes for each choice (pure)."""

from __future__ import annotations

import pytest

from accounts.errors import ValidationError
from accounts.services.trust import (
    MQ_SERVICE,
    OTHER_ACCOUNT,
    THIS_ACCOUNT,
    TrustedEntity,
    trust_policy_from_choices,
    trusted_entities,
    trusted_entities_summary,
)
from policies.documents import check_policy_document

OWN = "111122223333"
OTHER = "444455556666"


def _statement(**kwargs):
    return trust_policy_from_choices(account_id=OWN, **kwargs)["Statement"][0]


@pytest.mark.parametrize(
    ("kwargs", "principal", "condition"),
    [
        ({"trusted_entity": THIS_ACCOUNT}, {"AWS": f"arn:aws:iam::{OWN}:root"}, None),
        (
            {"trusted_entity": OTHER_ACCOUNT, "other_account_id": OTHER},
            {"AWS": f"arn:aws:iam::{OTHER}:root"},
            None,
        ),
        ({"trusted_entity": MQ_SERVICE}, {"Service": "mq.amazonaws.com"}, None),
        (
            {"trusted_entity": THIS_ACCOUNT, "require_mfa": True},
            {"AWS": f"arn:aws:iam::{OWN}:root"},
            {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        ),
        (
            {"trusted_entity": OTHER_ACCOUNT, "other_account_id": OTHER, "external_id": "Ext-42"},
            {"AWS": f"arn:aws:iam::{OTHER}:root"},
            {"StringEquals": {"sts:ExternalId": "Ext-42"}},
        ),
        (
            {
                "trusted_entity": OTHER_ACCOUNT,
                "other_account_id": OTHER,
                "external_id": "Ext-42",
                "require_mfa": True,
            },
            {"AWS": f"arn:aws:iam::{OTHER}:root"},
            {
                "StringEquals": {"sts:ExternalId": "Ext-42"},
                "Bool": {"aws:MultiFactorAuthPresent": "true"},
            },
        ),
    ],
)
def test_choices_make_the_console_s_trust_policy(kwargs, principal, condition):
    document = trust_policy_from_choices(account_id=OWN, **kwargs)
    assert document["Version"] == "2012-10-17"
    assert len(document["Statement"]) == 1
    statement = document["Statement"][0]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Principal"] == principal
    assert statement.get("Condition") == condition


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kwargs",
    [
        {"trusted_entity": THIS_ACCOUNT, "require_mfa": True},
        {"trusted_entity": OTHER_ACCOUNT, "other_account_id": OTHER, "external_id": "a:b/c=d"},
        {"trusted_entity": MQ_SERVICE},
    ],
)
def test_built_policies_are_accepted_by_iam_s_trust_checks(kwargs):
    check_policy_document(trust_policy_from_choices(account_id=OWN, **kwargs), kind="trust")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"trusted_entity": OTHER_ACCOUNT}, "other_account_id"),
        ({"trusted_entity": OTHER_ACCOUNT, "other_account_id": "12345"}, "other_account_id"),
        ({"trusted_entity": OTHER_ACCOUNT, "other_account_id": "12345678901a"}, "other_account_id"),
        ({"trusted_entity": THIS_ACCOUNT, "external_id": "x"}, "external_id"),
        ({"trusted_entity": THIS_ACCOUNT, "external_id": "has space"}, "external_id"),
        ({"trusted_entity": THIS_ACCOUNT, "external_id": "x" * 1225}, "external_id"),
        ({"trusted_entity": MQ_SERVICE, "require_mfa": True}, "require_mfa"),
        ({"trusted_entity": MQ_SERVICE, "external_id": "abc"}, "external_id"),
        ({"trusted_entity": "everyone"}, "trusted_entity"),
    ],
)
def test_bad_choices_name_the_field(kwargs, field):
    with pytest.raises(ValidationError) as caught:
        trust_policy_from_choices(account_id=OWN, **kwargs)
    assert field in caught.value.fields


def test_other_account_id_is_the_trusted_one_not_the_own():
    statement = _statement(trusted_entity=OTHER_ACCOUNT, other_account_id=OTHER)
    assert OWN not in statement["Principal"]["AWS"]


def test_trusted_entities_reads_every_principal_form():
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    "AWS": [OTHER, f"arn:aws:iam::{OWN}:user/alice", f"arn:aws:iam::{OWN}:role/R"]
                },
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            },
            {"Effect": "Allow", "Principal": {"Service": "mq.amazonaws.com"}, "Action": "sts:*"},
            {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"},
        ],
    }
    entities = trusted_entities(document)
    assert entities[0] == TrustedEntity(
        "AWS account", OTHER, "Allow", ("Bool aws:MultiFactorAuthPresent true",)
    )
    assert [(e.kind, e.value, e.effect) for e in entities[1:]] == [
        ("IAM user", f"arn:aws:iam::{OWN}:user/alice", "Allow"),
        ("IAM role", f"arn:aws:iam::{OWN}:role/R", "Allow"),
        ("AWS service", "mq.amazonaws.com", "Allow"),
        ("Everyone", "", "Deny"),
    ]
    assert trusted_entities_summary(document) == (
        f"AWS account {OTHER}, IAM user arn:aws:iam::{OWN}:user/alice, "
        f"IAM role arn:aws:iam::{OWN}:role/R, AWS service mq.amazonaws.com"
    )


def test_unreadable_trust_policies_read_as_nothing():
    assert trusted_entities("{not json") == []
    assert trusted_entities({"Statement": "x"}) == []
    assert trusted_entities_summary("[]") == "—"
