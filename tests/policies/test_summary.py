"""The policy summary (a pure function over document and catalog) and the editor's report."""

from __future__ import annotations

import json

import pytest

from policies.aws_managed import mq_reference
from policies.catalog import get_catalog
from policies.summary import editor_report, policy_summary

CATALOG = get_catalog()
LOG_GROUP = "arn:aws:logs:*:*:log-group:/aws/amazonmq/*"
SLR = "arn:aws:iam::*:role/aws-service-role/mq.amazonaws.com/AWSServiceRoleForAmazonMQ"


def _aws_policy(name: str) -> dict:
    data = next(p for p in mq_reference()["managed_policies"] if p["name"] == name)
    return next(v for v in data["versions"] if v["version_id"] == data["default_version"])[
        "document"
    ]


def _rows(summary, effect="allow") -> dict:
    """Service prefix -> (access, granted, resources, conditions, ineffective)."""
    return {
        s.prefix: (s.access, s.granted, s.resources, s.conditions, s.ineffective)
        for s in getattr(summary, effect).services
    }


def _doc(*statements) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# Golden summaries of the five AWS managed Amazon MQ policies, as AWS's console shows them:
# service -> (access level, actions granted, resources, request conditions, ineffective).
GOLDEN = {
    "AmazonMQFullAccess": {
        "cloudformation": (
            "Full: Tagging; Limited: Write",
            3,
            ("*",),
            ("StringEquals cloudformation:CreateAction: CreateStack",),
            (),
        ),
        "ec2": ("Limited: List, Write, Permissions management", 14, ("*",), (), ()),
        "iam": (
            "Limited: Permissions management",
            1,
            (SLR,),
            ("StringLike iam:AWSServiceName: mq.amazonaws.com",),
            (),
        ),
        "logs": ("Limited: Write", 1, (LOG_GROUP,), (), ()),
        "mq": ("Full access", 27, ("*",), (), ()),
    },
    "AmazonMQReadOnlyAccess": {
        "ec2": ("Limited: List", 4, ("*",), (), ()),
        "mq": ("Full: List, Read", 12, ("*",), (), ()),
    },
    "AmazonMQApiFullAccess": {
        "ec2": ("Limited: List, Write, Permissions management", 12, ("*",), (), ()),
        "iam": (
            "Limited: Permissions management",
            1,
            ("*",),
            ("StringLike iam:AWSServiceName: mq.amazonaws.com",),
            (),
        ),
        "logs": ("Limited: Write", 1, (LOG_GROUP,), (), ()),
        "mq": ("Full access", 27, ("*",), (), ()),
    },
    "AmazonMQApiReadOnlyAccess": {
        "ec2": ("Limited: List", 4, ("*",), (), ()),
        "mq": ("Full: List, Read", 12, ("*",), (), ()),
    },
    "AmazonMQServiceRolePolicy": {
        "ec2": (
            "Limited: List, Write, Tagging",
            4,
            (
                "*",
                "arn:aws:ec2:*:*:vpc-endpoint/*",
                "arn:aws:ec2:*:*:vpc/*",
                "arn:aws:ec2:*:*:subnet/*",
                "arn:aws:ec2:*:*:security-group/*",
            ),
            (
                "StringEquals ec2:CreateAction: CreateVpcEndpoint",
                "StringEquals aws:RequestTag/AMQManaged: true",
                "StringEquals ec2:ResourceTag/AMQManaged: true",
            ),
            (),
        ),
        # DescribeLogGroups has no resource type: the log-group ARN does not grant it.
        "logs": ("Limited: List, Write", 4, (LOG_GROUP,), (), ("logs:DescribeLogGroups",)),
    },
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_aws_managed_mq_policies_golden(name):
    summary = policy_summary(_aws_policy(name), CATALOG)
    assert summary.error is None and not summary.unrecognized
    assert _rows(summary) == GOLDEN[name]
    assert not summary.deny.services and not summary.allow.other_services
    assert summary.allow.service_count == len(GOLDEN[name])


def test_mq_levels_count_the_mq_reference():
    summary = policy_summary(_aws_policy("AmazonMQReadOnlyAccess"), CATALOG)
    mq = next(s for s in summary.allow.services if s.prefix == "mq")
    assert [(lv.level, lv.granted, lv.total) for lv in mq.levels] == [
        ("List", 5, 5),
        ("Read", 7, 7),
    ]
    assert mq.total == 27
    assert [a.name for a in mq.levels[0].actions] == [
        "mq:ListBrokers",
        "mq:ListConfigurationRevisions",
        "mq:ListConfigurations",
        "mq:ListTags",
        "mq:ListUsers",
    ]


def test_services_are_ordered_by_name_as_aws_does():
    summary = policy_summary(_aws_policy("AmazonMQFullAccess"), CATALOG)
    names = [s.name for s in summary.allow.services]
    assert names == sorted(names, key=str.lower)


def test_not_action_allow_folds_other_services_and_lists_the_partial_one():
    summary = policy_summary(
        _doc({"Effect": "Allow", "NotAction": ["iam:*", "mq:Delete*"], "Resource": "*"}),
        CATALOG,
    )
    mq = next(s for s in summary.allow.services if s.prefix == "mq")
    assert mq.access == "Full: List, Read; Limited: Write, Tagging"  # DeleteTags is Tagging
    assert "mq:DeleteBroker" not in {a.name for lv in mq.levels for a in lv.actions}
    (others,) = summary.allow.other_services
    assert others.excluded == ("iam",)
    assert others.count == len(CATALOG.services) - 2  # all but iam (excluded) and mq (listed)
    assert summary.allow.service_count == len(CATALOG.services) - 1


def test_deny_with_condition_is_an_explicit_deny_row():
    summary = policy_summary(
        _doc(
            {"Effect": "Allow", "Action": "mq:*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "mq:RebootBroker",
                "Resource": "arn:aws:mq:*:*:broker:*:*",
                "Condition": {
                    "StringNotEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}
                },
            },
        ),
        CATALOG,
    )
    assert _rows(summary, "deny") == {
        "mq": (
            "Limited: Write",
            1,
            ("arn:aws:mq:*:*:broker:*:*",),
            ("StringNotEquals aws:ResourceTag/team: ${aws:PrincipalTag/team}",),
            (),
        )
    }
    assert _rows(summary)["mq"][0] == "Full access"


def test_not_action_deny_denies_everything_but_the_list():
    summary = policy_summary(
        _doc({"Effect": "Deny", "NotAction": "mq:List*", "Resource": "*"}), CATALOG
    )
    mq = next(s for s in summary.deny.services if s.prefix == "mq")
    assert mq.access == "Full: Read, Write, Tagging"
    assert summary.deny.other_services[0].count == len(CATALOG.services) - 1


def test_star_is_one_row_for_all_services():
    summary = policy_summary(_doc({"Effect": "Allow", "Action": "*", "Resource": "*"}), CATALOG)
    assert not summary.allow.services
    (everything,) = summary.allow.other_services
    assert everything.count == len(CATALOG.services) and everything.resources == ("*",)


def test_an_explicit_service_takes_what_a_wildcard_statement_also_grants():
    summary = policy_summary(
        _doc(
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "mq:List*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            },
        ),
        CATALOG,
    )
    mq = next(s for s in summary.allow.services if s.prefix == "mq")
    assert mq.access == "Full access"
    assert summary.allow.other_services[0].count == len(CATALOG.services) - 1


def test_actions_without_resource_types_need_star():
    summary = policy_summary(
        _doc(
            {
                "Effect": "Allow",
                "Action": ["mq:ListBrokers", "mq:RebootBroker"],
                "Resource": "arn:aws:mq:us-east-1:111122223333:broker:orders:*",
            }
        ),
        CATALOG,
    )
    assert _rows(summary)["mq"] == (
        "Limited: Write",
        1,
        ("arn:aws:mq:us-east-1:111122223333:broker:orders:*",),
        (),
        ("mq:ListBrokers",),
    )


def test_not_resource_is_kept_apart():
    summary = policy_summary(
        _doc(
            {
                "Effect": "Allow",
                "Action": "mq:RebootBroker",
                "NotResource": "arn:aws:mq:*:*:broker:prod-*:*",
            }
        ),
        CATALOG,
    )
    mq = summary.allow.services[0]
    assert mq.resources == () and mq.not_resources == ("arn:aws:mq:*:*:broker:prod-*:*",)


def test_unrecognized_actions_and_services():
    summary = policy_summary(
        _doc({"Effect": "Allow", "Action": ["mq:RebootBrokers", "nosuch:Thing"], "Resource": "*"}),
        CATALOG,
    )
    assert [(u.pattern, u.reason) for u in summary.unrecognized] == [
        ("mq:RebootBrokers", "unknown action"),
        ("nosuch:Thing", "unknown service"),
    ]
    assert summary.empty


def test_unreadable_document_gives_an_error_not_an_exception():
    summary = policy_summary({"Statement": [{"Effect": "Maybe"}]}, CATALOG)
    assert summary.error and summary.empty
    assert policy_summary("not json", CATALOG).error


def test_to_dict_is_json():
    summary = policy_summary(_aws_policy("AmazonMQFullAccess"), CATALOG)
    data = json.loads(json.dumps(summary.to_dict()))
    mq = next(s for s in data["Allow"]["Services"] if s["Service"] == "mq")
    assert mq["Access"] == "Full access" and mq["Granted"] == 27


# -- the editor's report --------------------------------------------------------------------


def test_report_locates_findings_and_marks_lines():
    text = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
        '      "Action": ["mq:RebootBrokers", "iam:PassRole"],\n      "Resource": "*"\n    }\n'
        "  ]\n}"
    )
    report = editor_report(text, "identity", CATALOG)
    codes = {(f.code, f.line) for f in report.findings}
    assert ("UNKNOWN_ACTION", 6) in codes
    assert ("PASS_ROLE_WITH_STAR_IN_RESOURCE", 7) in codes
    assert report.line_marks[6] == "error" and report.line_marks[7] == "security_warning"
    assert report.limit == 6144 and report.size == len(
        json.dumps(json.loads(text), separators=(",", ":"))
    )
    assert report.summary is not None and report.line_count == 10


def test_report_json_error_has_its_line_and_no_summary():
    report = editor_report(
        '{\n  "Version": "2012-10-17"\n  "Statement": []\n}', "identity", CATALOG
    )
    (finding,) = report.findings
    assert finding.code == "JSON_SYNTAX_ERROR" and (finding.line, finding.column) == (3, 3)
    assert report.summary is None


def test_report_inline_quota_is_a_sum_per_entity():
    text = json.dumps(_doc({"Effect": "Allow", "Action": "mq:ListBrokers", "Resource": "*"}))
    fits = editor_report(text, "identity", CATALOG, entity="group", other_size=5000)
    assert fits.limit == 5120 and not fits.over_limit
    over = editor_report(text, "identity", CATALOG, entity="user", other_size=2000)
    assert over.over_limit and over.findings[0].code == "POLICY_SIZE_EXCEEDED"
    assert over.findings[0].line is None
    assert over.to_dict()["Size"] == {
        "Used": over.size + 2000,
        "Document": over.size,
        "OtherInlinePolicies": 2000,
        "Limit": 2048,
    }
