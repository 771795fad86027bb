"""validate(): one or more cases per check, with the exact code, severity and path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policies.catalog import get_catalog
from policies.engine.validate import Finding, Severity, policy_size, size_limit, validate

V = "2012-10-17"
BROKER = "arn:aws:mq:us-east-1:111122223333:broker:orders:b-1234a5b6-78cd-901e-2fgh-3i45j6k178l9"
CONFIG = "arn:aws:mq:us-east-1:111122223333:configuration:c-1234a5b6-78cd-901e-2fgh-3i45j6k178l9"
C0, C1 = "Statement[0].Condition", "Statement[1].Condition"
E, SW, W, S = Severity.ERROR, Severity.SECURITY_WARNING, Severity.WARNING, Severity.SUGGESTION
REFERENCE = Path(__file__).resolve().parents[3] / "policies" / "data" / "amazon-mq-iam.json"


@pytest.fixture(scope="module")
def catalog():
    return get_catalog()


def stmt(**fields: Any) -> dict[str, Any]:
    """An Allow statement on mq:ListBrokers/"*", with fields overridden."""
    base: dict[str, Any] = {"Effect": "Allow", "Action": "mq:ListBrokers", "Resource": "*"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def policy(*statements: dict[str, Any], version: str | None = V) -> dict[str, Any]:
    doc: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        doc["Version"] = version
    return doc


def cond(operator: str, key: str, value: Any, **fields: Any) -> dict[str, Any]:
    return stmt(Condition={operator: {key: value}}, **fields)


def triples(findings: list[Finding]) -> set[tuple[Severity, str, str]]:
    return {(f.severity, f.code, f.path) for f in findings}


# (id, kind, document, expected (severity, code, path))
CASES: list[tuple[str, str, Any, tuple[Severity, str, str]]] = [
    # grammar, from parse
    ("grammar-not-object", "identity", ["x"], (E, "GRAMMAR_ERROR", "")),
    (
        "grammar-effect",
        "identity",
        policy(stmt(Effect="Maybe")),
        (E, "GRAMMAR_ERROR", "Statement[0].Effect"),
    ),
    (
        "grammar-unknown-element",
        "identity",
        policy(stmt(Actions="mq:*")),
        (E, "GRAMMAR_ERROR", "Statement[0].Actions"),
    ),
    (
        "grammar-missing-action",
        "identity",
        policy(stmt(Action=None)),
        (E, "GRAMMAR_ERROR", "Statement[0]"),
    ),
    (
        "missing-resource",
        "identity",
        policy(stmt(Resource=None)),
        (E, "MISSING_RESOURCE", "Statement[0]"),
    ),
    # version
    (
        "missing-version",
        "identity",
        policy(stmt(), version=None),
        (W, "MISSING_VERSION", "Version"),
    ),
    (
        "old-version",
        "identity",
        policy(stmt(), version="2008-10-17"),
        (W, "OLD_VERSION", "Version"),
    ),
    (
        "invalid-version",
        "identity",
        policy(stmt(), version="2020-01-01"),
        (E, "INVALID_VERSION", "Version"),
    ),
    (
        "variables-without-version",
        "identity",
        policy(
            stmt(Action="s3:GetObject", Resource="arn:aws:s3:::b/${aws:username}/*"), version=None
        ),
        (W, "POLICY_VARIABLES_WITHOUT_VERSION", "Statement[0].Resource"),
    ),
    (
        "variables-in-condition-old-version",
        "identity",
        policy(
            cond("StringEquals", "aws:PrincipalTag/team", "${aws:username}"), version="2008-10-17"
        ),
        (W, "POLICY_VARIABLES_WITHOUT_VERSION", C0 + ".StringEquals.aws:PrincipalTag/team"),
    ),
    # Sids
    (
        "duplicate-sid",
        "identity",
        policy(stmt(Sid="A"), stmt(Sid="A", Action="mq:ListConfigurations")),
        (E, "DUPLICATE_SID", "Statement[1].Sid"),
    ),
    (
        "invalid-sid",
        "identity",
        policy(stmt(Sid="read-only")),
        (E, "INVALID_SID", "Statement[0].Sid"),
    ),
    # actions
    (
        "unknown-action",
        "identity",
        policy(stmt(Action="mq:RebootBrokers")),
        (E, "UNKNOWN_ACTION", "Statement[0].Action"),
    ),
    (
        "unknown-action-in-list",
        "identity",
        policy(stmt(Action=["mq:ListBrokers", "iam:CreateUsers"])),
        (E, "UNKNOWN_ACTION", "Statement[0].Action[1]"),
    ),
    (
        "unknown-service",
        "identity",
        policy(stmt(Action="amazonmq:ListBrokers")),
        (W, "UNKNOWN_SERVICE", "Statement[0].Action"),
    ),
    (
        "wildcard-matches-nothing",
        "identity",
        policy(stmt(Action="mq:Purge*")),
        (E, "ACTION_WILDCARD_MATCHES_NOTHING", "Statement[0].Action"),
    ),
    (
        "invalid-action-format",
        "identity",
        policy(stmt(Action="mq ListBrokers")),
        (E, "INVALID_ACTION_FORMAT", "Statement[0].Action"),
    ),
    # resources
    (
        "not-an-arn",
        "identity",
        policy(stmt(Action="s3:GetObject", Resource="my-bucket/*")),
        (E, "INVALID_ARN_RESOURCE", "Statement[0].Resource"),
    ),
    (
        "arn-too-short",
        "identity",
        policy(stmt(Resource=["*", "arn:aws:mq"])),
        (E, "INVALID_ARN_RESOURCE", "Statement[0].Resource[1]"),
    ),
    (
        "broker-on-listbrokers",
        "identity",
        policy(stmt(Resource=BROKER)),
        (E, "RESOURCE_ACTION_MISMATCH", "Statement[0].Resource"),
    ),
    (
        "configuration-on-reboot",
        "identity",
        policy(stmt(Action="mq:RebootBroker", Resource=CONFIG)),
        (E, "RESOURCE_ACTION_MISMATCH", "Statement[0].Resource"),
    ),
    (
        "wildcard-configuration-on-reboot",
        "identity",
        policy(
            stmt(
                Action="mq:RebootBroker",
                Resource="arn:aws:mq:us-east-1:111122223333:configuration:*",
            )
        ),
        (E, "RESOURCE_ACTION_MISMATCH", "Statement[0].Resource"),
    ),
    (
        "iam-arn-with-region",
        "identity",
        policy(
            stmt(Action="iam:CreateUser", Resource="arn:aws:iam:us-east-1:111122223333:user/bob")
        ),
        (E, "RESOURCE_ACTION_MISMATCH", "Statement[0].Resource"),
    ),
    (
        "action-fits-no-resource",
        "identity",
        policy(stmt(Action=["mq:RebootBroker", "mq:ListBrokers"], Resource=BROKER)),
        (W, "ACTION_RESOURCE_MISMATCH", "Statement[0].Action[1]"),
    ),
    # conditions: keys
    (
        "unsupported-key",
        "identity",
        policy(cond("StringEquals", "aws:ResourceTag/team", "a")),
        (W, "UNSUPPORTED_CONDITION_KEY", C0 + ".StringEquals.aws:ResourceTag/team"),
    ),
    (
        "unsupported-service-key",
        "identity",
        policy(
            cond(
                "StringEquals",
                "iam:PassedToService",
                "mq.amazonaws.com",
                Action="mq:DeleteBroker",
                Resource=BROKER,
            )
        ),
        (W, "UNSUPPORTED_CONDITION_KEY", C0 + ".StringEquals.iam:PassedToService"),
    ),
    (
        "unknown-service-key",
        "identity",
        policy(cond("StringEquals", "mq:BrokerName", "a")),
        (E, "UNKNOWN_CONDITION_KEY", C0 + ".StringEquals.mq:BrokerName"),
    ),
    (
        "unknown-global-key",
        "identity",
        policy(cond("StringEquals", "aws:SourceIP4", "a")),
        (W, "UNKNOWN_GLOBAL_CONDITION_KEY", C0 + ".StringEquals.aws:SourceIP4"),
    ),
    (
        "invalid-key",
        "identity",
        policy(cond("StringEquals", "SourceIp", "a")),
        (E, "INVALID_CONDITION_KEY", C0 + ".StringEquals.SourceIp"),
    ),
    # conditions: operator types
    (
        "numeric-on-ip",
        "identity",
        policy(cond("NumericEquals", "aws:SourceIp", "1")),
        (E, "CONDITION_TYPE_MISMATCH", C0 + ".NumericEquals.aws:SourceIp"),
    ),
    (
        "ip-on-string",
        "identity",
        policy(cond("IpAddress", "aws:username", "10.0.0.0/8")),
        (E, "CONDITION_TYPE_MISMATCH", C0 + ".IpAddress.aws:username"),
    ),
    (
        "date-on-numeric",
        "identity",
        policy(cond("DateLessThan", "aws:MultiFactorAuthAge", "2026-01-01")),
        (E, "CONDITION_TYPE_MISMATCH", C0 + ".DateLessThan.aws:MultiFactorAuthAge"),
    ),
    (
        "bool-on-date",
        "identity",
        policy(cond("Bool", "aws:CurrentTime", "true")),
        (E, "CONDITION_TYPE_MISMATCH", C0 + ".Bool.aws:CurrentTime"),
    ),
    (
        "string-on-bool",
        "identity",
        policy(cond("StringEquals", "aws:SecureTransport", "true")),
        (W, "STRING_OPERATOR_ON_TYPED_KEY", C0 + ".StringEquals.aws:SecureTransport"),
    ),
    (
        "multivalued-without-set",
        "identity",
        policy(cond("StringEquals", "aws:TagKeys", "team", Action="mq:CreateBroker")),
        (W, "MISSING_SET_OPERATOR", C0 + ".StringEquals.aws:TagKeys"),
    ),
    (
        "set-on-single-valued",
        "identity",
        policy(cond("ForAnyValue:StringEquals", "aws:username", "bob")),
        (W, "SET_OPERATOR_ON_SINGLE_VALUED_KEY", C0 + ".ForAnyValue:StringEquals.aws:username"),
    ),
    (
        "unknown-operator",
        "identity",
        policy(cond("StringEqual", "aws:username", "bob")),
        (E, "INVALID_CONDITION_OPERATOR", C0 + ".StringEqual"),
    ),
    (
        "null-if-exists",
        "identity",
        policy(cond("NullIfExists", "aws:username", "true")),
        (E, "NULL_WITH_IF_EXISTS", C0 + ".NullIfExists"),
    ),
    # conditions: value shapes
    (
        "bad-cidr",
        "identity",
        policy(cond("IpAddress", "aws:SourceIp", ["10.0.0.0/8", "10.0.0.0/33"])),
        (E, "INVALID_CONDITION_VALUE", C0 + ".IpAddress.aws:SourceIp[1]"),
    ),
    (
        "bad-number",
        "identity",
        policy(cond("NumericLessThan", "aws:MultiFactorAuthAge", "one hour")),
        (E, "INVALID_CONDITION_VALUE", C0 + ".NumericLessThan.aws:MultiFactorAuthAge"),
    ),
    (
        "bad-date",
        "identity",
        policy(cond("DateGreaterThan", "aws:CurrentTime", "2026-02-30T00:00:00Z")),
        (E, "INVALID_CONDITION_VALUE", C0 + ".DateGreaterThan.aws:CurrentTime"),
    ),
    (
        "bad-bool",
        "identity",
        policy(cond("Bool", "aws:MultiFactorAuthPresent", "yes")),
        (E, "INVALID_CONDITION_VALUE", C0 + ".Bool.aws:MultiFactorAuthPresent"),
    ),
    (
        "bad-null",
        "identity",
        policy(cond("Null", "aws:TokenIssueTime", 1)),
        (E, "INVALID_CONDITION_VALUE", C0 + ".Null.aws:TokenIssueTime"),
    ),
    (
        "bad-base64",
        "identity",
        policy(cond("BinaryEquals", "aws:username", "not base64!")),
        (E, "INVALID_CONDITION_VALUE", C0 + ".BinaryEquals.aws:username"),
    ),
    (
        "bad-arn-value",
        "identity",
        policy(cond("ArnLike", "aws:PrincipalArn", "alice")),
        (E, "INVALID_CONDITION_VALUE", C0 + ".ArnLike.aws:PrincipalArn"),
    ),
    (
        "variable-in-numeric",
        "identity",
        policy(cond("NumericLessThan", "aws:MultiFactorAuthAge", "${aws:username}")),
        (E, "INVALID_CONDITION_VALUE", C0 + ".NumericLessThan.aws:MultiFactorAuthAge"),
    ),
    # principals per kind
    (
        "principal-in-identity",
        "identity",
        policy(stmt(Principal="*")),
        (E, "PRINCIPAL_NOT_ALLOWED", "Statement[0].Principal"),
    ),
    (
        "principal-in-boundary",
        "boundary",
        policy(stmt(Principal={"AWS": "111122223333"})),
        (E, "PRINCIPAL_NOT_ALLOWED", "Statement[0].Principal"),
    ),
    (
        "notprincipal-in-session",
        "session",
        policy(stmt(NotPrincipal={"AWS": "111122223333"}, Effect="Deny")),
        (E, "PRINCIPAL_NOT_ALLOWED", "Statement[0].NotPrincipal"),
    ),
    (
        "principal-in-scp",
        "scp",
        policy(stmt(Principal="*", Effect="Deny")),
        (E, "PRINCIPAL_NOT_ALLOWED", "Statement[0].Principal"),
    ),
    (
        "missing-principal-resource",
        "resource",
        policy(stmt()),
        (E, "MISSING_PRINCIPAL", "Statement[0]"),
    ),
    (
        "missing-principal-trust",
        "trust",
        policy({"Effect": "Allow", "Action": "sts:AssumeRole"}),
        (E, "MISSING_PRINCIPAL", "Statement[0]"),
    ),
    (
        "notprincipal-in-trust",
        "trust",
        policy(
            {"Effect": "Deny", "Action": "sts:AssumeRole", "NotPrincipal": {"AWS": "111122223333"}}
        ),
        (E, "PRINCIPAL_NOT_ALLOWED", "Statement[0].NotPrincipal"),
    ),
    (
        "wildcard-principal-arn",
        "resource",
        policy(stmt(Principal={"AWS": "arn:aws:iam::*:root"})),
        (E, "UNSUPPORTED_WILDCARD_IN_PRINCIPAL", "Statement[0].Principal.AWS"),
    ),
    (
        "invalid-principal",
        "resource",
        policy(stmt(Principal={"AWS": ["111122223333", "alice"]})),
        (E, "INVALID_PRINCIPAL", "Statement[0].Principal.AWS[1]"),
    ),
    (
        "allow-not-principal",
        "resource",
        policy(stmt(NotPrincipal={"AWS": "111122223333"})),
        (SW, "ALLOW_WITH_NOT_PRINCIPAL", "Statement[0].NotPrincipal"),
    ),
    # trust policies
    (
        "trust-action",
        "trust",
        policy(
            {
                "Effect": "Allow",
                "Principal": {"Service": "mq.amazonaws.com"},
                "Action": "mq:ListBrokers",
            }
        ),
        (E, "INVALID_TRUST_ACTION", "Statement[0].Action"),
    ),
    (
        "trust-resource",
        "trust",
        policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "111122223333"},
                "Action": "sts:AssumeRole",
                "Resource": "*",
            }
        ),
        (E, "RESOURCE_NOT_ALLOWED", "Statement[0].Resource"),
    ),
    # RCPs
    (
        "rcp-principal",
        "rcp",
        policy(stmt(Effect="Deny", Principal={"AWS": "111122223333"})),
        (E, "INVALID_RCP_PRINCIPAL", "Statement[0].Principal"),
    ),
    (
        "rcp-missing-principal",
        "rcp",
        policy(stmt(Effect="Deny")),
        (E, "MISSING_PRINCIPAL", "Statement[0]"),
    ),
    (
        "rcp-allow",
        "rcp",
        policy(stmt(Principal="*")),
        (E, "RCP_ALLOW_NOT_SUPPORTED", "Statement[0].Effect"),
    ),
    (
        "rcp-not-action",
        "rcp",
        policy(stmt(Effect="Deny", Principal="*", Action=None, NotAction="mq:*")),
        (E, "ELEMENT_NOT_SUPPORTED", "Statement[0].NotAction"),
    ),
    (
        "rcp-not-principal",
        "rcp",
        policy(stmt(Effect="Deny", NotPrincipal={"AWS": "111122223333"})),
        (E, "PRINCIPAL_NOT_ALLOWED", "Statement[0].NotPrincipal"),
    ),
    # security warnings
    (
        "passrole-star",
        "identity",
        policy(stmt(Action="iam:PassRole")),
        (SW, "PASS_ROLE_WITH_STAR_IN_RESOURCE", "Statement[0].Resource"),
    ),
    (
        "passrole-via-iam-star",
        "identity",
        policy(stmt(Action=["iam:*"], Resource=["*"])),
        (SW, "PASS_ROLE_WITH_STAR_IN_RESOURCE", "Statement[0].Resource[0]"),
    ),
    (
        "passrole-role-wildcard",
        "identity",
        policy(stmt(Action="iam:Pass*", Resource="arn:aws:iam::111122223333:role/*")),
        (SW, "PASS_ROLE_WITH_STAR_IN_RESOURCE", "Statement[0].Resource"),
    ),
    (
        "allow-not-action",
        "identity",
        policy(stmt(Action=None, NotAction="iam:*")),
        (SW, "ALLOW_WITH_NOT_ACTION", "Statement[0].NotAction"),
    ),
    (
        "allow-not-resource",
        "identity",
        policy(stmt(Action="mq:DeleteBroker", Resource=None, NotResource=BROKER)),
        (SW, "ALLOW_WITH_NOT_RESOURCE", "Statement[0].NotResource"),
    ),
    ("full-access", "identity", policy(stmt(Action="*")), (SW, "FULL_ACCESS", "Statement[0]")),
    (
        "sensitive-key-wildcard",
        "identity",
        policy(cond("StringLike", "aws:PrincipalOrgID", "o-*")),
        (SW, "SENSITIVE_KEY_WITH_WILDCARD", C0 + ".StringLike.aws:PrincipalOrgID"),
    ),
    (
        "sensitive-key-wildcard-list",
        "resource",
        policy(cond("StringLike", "aws:SourceAccount", ["111122223333", "1111*"], Principal="*")),
        (SW, "SENSITIVE_KEY_WITH_WILDCARD", C0 + ".StringLike.aws:SourceAccount[1]"),
    ),
    # suggestions
    (
        "redundant-statement",
        "identity",
        policy(stmt(Action="mq:*"), stmt(Action=["mq:ListBrokers", "mq:List*"])),
        (S, "REDUNDANT_STATEMENT", "Statement[1]"),
    ),
    (
        "redundant-identical",
        "identity",
        policy(stmt(), stmt()),
        (S, "REDUNDANT_STATEMENT", "Statement[1]"),
    ),
    (
        "redundant-narrower-condition",
        "identity",
        policy(stmt(Action="mq:List*"), cond("Bool", "aws:SecureTransport", "true")),
        (S, "REDUNDANT_STATEMENT", "Statement[1]"),
    ),
    (
        "duplicate-action",
        "identity",
        policy(stmt(Action=["mq:ListBrokers", "MQ:listbrokers"])),
        (S, "DUPLICATE_ACTION", "Statement[0].Action[1]"),
    ),
    (
        "redundant-action",
        "identity",
        policy(stmt(Action=["mq:ListBrokers", "mq:List*"])),
        (S, "REDUNDANT_ACTION", "Statement[0].Action[0]"),
    ),
    (
        "duplicate-resource",
        "identity",
        policy(stmt(Action="mq:RebootBroker", Resource=[BROKER, BROKER])),
        (S, "DUPLICATE_RESOURCE", "Statement[0].Resource[1]"),
    ),
    (
        "redundant-resource",
        "identity",
        policy(stmt(Action="mq:RebootBroker", Resource=[BROKER, "arn:aws:mq:*:*:broker:*"])),
        (S, "REDUNDANT_RESOURCE", "Statement[0].Resource[0]"),
    ),
]


@pytest.mark.parametrize(
    ("kind", "document", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_check_reports_finding(catalog, kind, document, expected):
    findings = validate(document, kind, catalog=catalog)
    assert expected in triples(findings), [f.to_dict() for f in findings]


# Documents that must not produce the given code (no false positives on valid usage).
CLEAN: list[tuple[str, str, Any, str]] = [
    ("star-on-listbrokers", "identity", policy(stmt()), "RESOURCE_ACTION_MISMATCH"),
    (
        "broker-wildcard-on-reboot",
        "identity",
        policy(stmt(Action="mq:RebootBroker", Resource="arn:aws:mq:*:*:broker:*")),
        "RESOURCE_ACTION_MISMATCH",
    ),
    (
        "service-wildcard-arn",
        "identity",
        policy(stmt(Action="mq:RebootBroker", Resource="arn:aws:mq:*")),
        "RESOURCE_ACTION_MISMATCH",
    ),
    (
        "variable-in-arn",
        "identity",
        policy(stmt(Action="mq:RebootBroker", Resource="arn:aws:mq:*:*:broker:${aws:username}*")),
        "RESOURCE_ACTION_MISMATCH",
    ),
    (
        "createtags-on-config",
        "identity",
        policy(stmt(Action="mq:CreateTags", Resource=CONFIG)),
        "RESOURCE_ACTION_MISMATCH",
    ),
    (
        "global-key",
        "identity",
        policy(cond("IpAddress", "aws:SourceIp", "203.0.113.0/24")),
        "UNSUPPORTED_CONDITION_KEY",
    ),
    (
        "tag-key-on-supporting-action",
        "identity",
        policy(
            cond(
                "StringEquals",
                "aws:ResourceTag/team",
                "a",
                Action="mq:RebootBroker",
                Resource=BROKER,
            )
        ),
        "UNSUPPORTED_CONDITION_KEY",
    ),
    (
        "tagkeys-with-set",
        "identity",
        policy(
            cond("ForAllValues:StringEquals", "aws:TagKeys", ["team"], Action="mq:CreateBroker")
        ),
        "MISSING_SET_OPERATOR",
    ),
    (
        "epoch-numeric",
        "identity",
        policy(cond("NumericLessThan", "aws:EpochTime", 1800000000)),
        "CONDITION_TYPE_MISMATCH",
    ),
    (
        "epoch-date",
        "identity",
        policy(cond("DateLessThan", "aws:EpochTime", "2026-01-01T00:00:00Z")),
        "CONDITION_TYPE_MISMATCH",
    ),
    (
        "bool-unquoted",
        "identity",
        policy(cond("Bool", "aws:SecureTransport", True)),
        "INVALID_CONDITION_VALUE",
    ),
    (
        "ipv6",
        "identity",
        policy(cond("NotIpAddress", "aws:SourceIp", "2001:db8::/32")),
        "INVALID_CONDITION_VALUE",
    ),
    (
        "date-epoch-value",
        "identity",
        policy(cond("DateGreaterThan", "aws:CurrentTime", "1700000000")),
        "INVALID_CONDITION_VALUE",
    ),
    (
        "sensitive-exact",
        "identity",
        policy(cond("StringEquals", "aws:PrincipalOrgID", "o-abc")),
        "SENSITIVE_KEY_WITH_WILDCARD",
    ),
    (
        "passrole-named",
        "identity",
        policy(stmt(Action="iam:PassRole", Resource="arn:aws:iam::111122223333:role/app")),
        "PASS_ROLE_WITH_STAR_IN_RESOURCE",
    ),
    (
        "deny-not-action",
        "identity",
        policy(stmt(Effect="Deny", Action=None, NotAction="mq:*")),
        "ALLOW_WITH_NOT_ACTION",
    ),
    (
        "scp-allow-not-action",
        "scp",
        policy(stmt(Action=None, NotAction="iam:*")),
        "ALLOW_WITH_NOT_ACTION",
    ),
    ("deny-vs-allow", "identity", policy(stmt(), stmt(Effect="Deny")), "REDUNDANT_STATEMENT"),
    (
        "different-conditions",
        "identity",
        policy(
            cond("Bool", "aws:SecureTransport", "true"),
            cond("Bool", "aws:SecureTransport", "false"),
        ),
        "REDUNDANT_STATEMENT",
    ),
    (
        "variable-not-covered",
        "identity",
        policy(
            stmt(
                Action="s3:GetObject",
                Resource=["arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/bob/x"],
            )
        ),
        "REDUNDANT_RESOURCE",
    ),
    (
        "trust-web-identity",
        "trust",
        policy(
            {
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/x"},
                "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
            }
        ),
        "INVALID_TRUST_ACTION",
    ),
    (
        "trust-no-resource",
        "trust",
        policy(
            {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}
        ),
        "MISSING_RESOURCE",
    ),
    ("rcp-full-access", "rcp", policy(stmt(Principal="*", Action="*")), "RCP_ALLOW_NOT_SUPPORTED"),
    (
        "resource-sid-with-space",
        "resource",
        policy(stmt(Sid="Read only", Principal="*")),
        "INVALID_SID",
    ),
    ("boundary-full", "boundary", policy(stmt(Action="*")), "FULL_ACCESS"),
]


@pytest.mark.parametrize(
    ("kind", "document", "code"), [c[1:] for c in CLEAN], ids=[c[0] for c in CLEAN]
)
def test_valid_usage_is_not_reported(catalog, kind, document, code):
    findings = validate(document, kind, catalog=catalog)
    assert code not in {f.code for f in findings}, [f.to_dict() for f in findings]


def _managed_versions():
    data = json.loads(REFERENCE.read_text())
    for managed in data["managed_policies"]:
        for version in managed["versions"]:
            yield pytest.param(version["document"], id=f"{managed['name']}-{version['version_id']}")


@pytest.mark.parametrize("document", list(_managed_versions()))
def test_aws_managed_policies_have_no_errors(catalog, document):
    findings = validate(document, "identity", catalog=catalog)
    assert [f.to_dict() for f in findings if f.severity is Severity.ERROR] == []
    assert not [f for f in findings if f.code in ("UNKNOWN_ACTION", "UNKNOWN_SERVICE")]


def test_service_linked_role_trust_policy_is_clean(catalog):
    data = json.loads(REFERENCE.read_text())
    assert validate(data["service_linked_role"]["trust_policy"], "trust", catalog=catalog) == []


@pytest.mark.parametrize(
    ("kind", "entity", "limit"),
    [
        ("identity", None, 6144),
        ("identity", "user", 2048),
        ("identity", "group", 5120),
        ("identity", "role", 10240),
        ("boundary", None, 6144),
        ("trust", None, 2048),
        ("session", None, 2048),
        ("scp", None, 5120),
        ("rcp", None, 5120),
        ("resource", None, None),
    ],
)
def test_size_limits(kind, entity, limit):
    assert size_limit(kind, entity) == limit


def test_size_counts_characters_without_white_space_outside_strings():
    doc = {"Version": V, "Statement": [{"Sid": "A B", "Effect": "Allow"}]}
    text = '{"Version":"2012-10-17","Statement":[{"Sid":"A B","Effect":"Allow"}]}'
    assert policy_size(doc) == len(text)


@pytest.mark.parametrize(
    ("kind", "entity", "limit"),
    [
        ("identity", "user", 2048),
        ("trust", None, 2048),
        ("identity", None, 6144),
        ("scp", None, 5120),
    ],
)
def test_size_exceeded_names_size_and_limit(catalog, kind, entity, limit):
    resources = [f"arn:aws:s3:::bucket-{i:04d}/*" for i in range(300)]
    doc = policy({"Effect": "Deny", "Action": "s3:GetObject", "Resource": resources})
    findings = validate(doc, kind, catalog=catalog, entity=entity)
    findings = [f for f in findings if f.code == "POLICY_SIZE_EXCEEDED"]
    assert len(findings) == 1
    assert findings[0].severity is E and findings[0].path == ""
    assert f"{policy_size(doc):,}" in findings[0].message and f"{limit:,}" in findings[0].message


def test_size_within_limit_is_not_reported(catalog):
    assert "POLICY_SIZE_EXCEEDED" not in {f.code for f in validate(policy(stmt()), "trust")}


@pytest.mark.parametrize("kind", ["admin", "", None, "Identity"])
def test_unknown_kind_raises_value_error(kind):
    with pytest.raises(ValueError):
        validate(policy(stmt()), kind)


def test_entity_only_with_identity():
    with pytest.raises(ValueError):
        validate(policy(stmt()), "trust", entity="role")
    with pytest.raises(ValueError):
        size_limit("identity", "bucket")


def test_without_catalog_skips_catalog_checks():
    doc = policy(stmt(Action="mq:NoSuchAction", Resource=BROKER), stmt(Principal="*"))
    codes = {f.code for f in validate(doc, "identity")}
    assert "UNKNOWN_ACTION" not in codes and "RESOURCE_ACTION_MISMATCH" not in codes
    assert "PRINCIPAL_NOT_ALLOWED" in codes


def test_findings_are_ordered_by_severity_and_serialise(catalog):
    doc = policy(stmt(Action="iam:PassRole", Sid="a-b"), stmt(Action="iam:PassRole", Sid="a-b"))
    findings = validate(doc, "identity", catalog=catalog)
    order = [list(Severity).index(f.severity) for f in findings]
    assert order == sorted(order)
    assert findings[0].to_dict() == {
        "severity": "error",
        "code": findings[0].code,
        "message": findings[0].message,
        "path": findings[0].path,
    }


def test_messages_name_the_offender(catalog):
    (finding,) = [
        f
        for f in validate(policy(stmt(Action="mq:RebootBrokr")), "identity", catalog=catalog)
        if f.code == "UNKNOWN_ACTION"
    ]
    assert "mq:RebootBrokr" in finding.message and "mq:RebootBroker" in finding.message


def test_grammar_error_not_duplicated_by_specific_finding(catalog):
    doc = policy(cond("StringEqual", "aws:username", "bob"))
    codes = [f.code for f in validate(doc, "identity", catalog=catalog)]
    assert codes.count("INVALID_CONDITION_OPERATOR") == 1 and "GRAMMAR_ERROR" not in codes


@pytest.mark.parametrize(
    ("operator", "outcome"),
    [
        ("StringEquals", "always false"),
        ("StringEqualsIfExists", "always true"),
        ("StringNotEquals", "always true"),
        ("ForAllValues:StringEquals", "always true"),
        ("ForAnyValue:StringEquals", "always false"),
    ],
)
def test_unsupported_key_message_says_how_the_condition_ends(catalog, operator, outcome):
    doc = policy(cond(operator, "aws:ResourceTag/team", "a"))
    (finding,) = [
        f
        for f in validate(doc, "identity", catalog=catalog)
        if f.code == "UNSUPPORTED_CONDITION_KEY"
    ]
    assert outcome in finding.message and "aws:ResourceTag/team" in finding.message


def test_null_on_unsupported_key_is_not_reported(catalog):
    doc = policy(cond("Null", "aws:ResourceTag/team", "true"))
    assert "UNSUPPORTED_CONDITION_KEY" not in {
        f.code for f in validate(doc, "identity", catalog=catalog)
    }


def test_redundant_statement_message_names_both_statements(catalog):
    doc = policy(stmt(Sid="ReadAll", Action="mq:*"), stmt(Sid="listOnly"))
    (finding,) = [f for f in validate(doc, "identity", catalog=catalog) if f.code.startswith("RED")]
    assert finding.message.startswith('Statement "listOnly" is redundant: statement "ReadAll"')


def test_inline_role_policy_has_the_larger_limit(catalog):
    resources = [f"arn:aws:s3:::bucket-{i:04d}/*" for i in range(300)]
    doc = policy({"Effect": "Deny", "Action": "s3:GetObject", "Resource": resources})
    assert 6144 < policy_size(doc) < 10240
    codes = {f.code for f in validate(doc, "identity", catalog=catalog, entity="role")}
    assert "POLICY_SIZE_EXCEEDED" not in codes
