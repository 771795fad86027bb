"""Policy documents over IAM's size quotas are refused with AWS's LimitExceeded on the REST and
IAM query APIs, before any parsing or validation (a document that is not even JSON gets the
same answer); the validate endpoint answers one size finding. Results only, no timing.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from accounts.errors import LimitExceeded
from policies.documents import check_policy_document
from policies.models import InlinePolicy, ManagedPolicy
from tests.security.conftest import signed

pytestmark = pytest.mark.django_db


def _thousand_statements() -> str:
    # About 90,000 characters: under the PolicyDocument parameter's 131,072 and the validate
    # endpoint's 100,000, far over every IAM size quota.
    statements = [
        {
            "Effect": "Allow",
            "Action": "mq:DescribeBroker",
            "Resource": f"arn:aws:mq:*:*:broker:b{i}:*",
        }
        for i in range(1000)
    ]
    text = json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"))
    assert len(text) < 100_000
    return text


def _query(client, key, **fields):
    return signed(
        client,
        "POST",
        "/",
        key,
        service="iam",
        body=urlencode({"Version": "2010-05-08", **fields}).encode(),
        content_type="application/x-www-form-urlencoded",
    )


@pytest.mark.parametrize(
    ("kind", "entity", "message"),
    [
        ("identity", None, "Cannot exceed quota for PolicySize: 6144"),
        ("identity", "user", "Maximum policy size of 2048 bytes exceeded for user."),
        ("identity", "group", "Maximum policy size of 5120 bytes exceeded for group."),
        ("identity", "role", "Maximum policy size of 10240 bytes exceeded for role."),
        ("trust", None, "Cannot exceed quota for PolicySize: 2048"),
    ],
)
@pytest.mark.parametrize("broken", [False, True])
def test_an_oversize_document_is_limit_exceeded_before_it_is_parsed(kind, entity, message, broken):
    text = _thousand_statements()
    if broken:
        text = text[:-200]  # no longer JSON: only a refusal without parsing says LimitExceeded
    with pytest.raises(LimitExceeded) as refused:
        check_policy_document(text, kind=kind, entity=entity)
    assert refused.value.message == message


def test_rest_api_refuses_a_1000_statement_policy_with_limit_exceeded(client, tenants):
    key = tenants[0].keys["admin"]
    for path, body in (
        ("/api/v1/policies/", {"PolicyName": "huge", "PolicyDocument": _thousand_statements()}),
        (
            "/api/v1/policies/",
            {"PolicyName": "huge", "PolicyDocument": _thousand_statements()[:-200]},
        ),
    ):
        response = signed(client, "POST", path, key, body=json.dumps(body).encode())
        assert response.status_code == 409, response.content[:300]
        assert response.json()["error"] == {
            "code": "LimitExceeded",
            "message": "Cannot exceed quota for PolicySize: 6144",
        }
    assert not ManagedPolicy.objects.filter(name="huge").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"Action": "CreatePolicy", "PolicyName": "huge"},
            "Cannot exceed quota for PolicySize: 6144",
        ),
        (
            {"Action": "PutUserPolicy", "UserName": "alice", "PolicyName": "huge"},
            "Maximum policy size of 2048 bytes exceeded for user.",
        ),
        (
            {"Action": "PutRolePolicy", "RoleName": "deployer", "PolicyName": "huge"},
            "Maximum policy size of 10240 bytes exceeded for role.",
        ),
        (
            {"Action": "PutGroupPolicy", "GroupName": "ops", "PolicyName": "huge"},
            "Maximum policy size of 5120 bytes exceeded for group.",
        ),
    ],
)
def test_query_api_refuses_a_1000_statement_policy_with_limit_exceeded(
    client, tenants, fields, message
):
    response = _query(
        client, tenants[0].keys["admin"], PolicyDocument=_thousand_statements(), **fields
    )
    assert response.status_code == 409, response.content[:300]
    assert b"<Code>LimitExceeded</Code>" in response.content
    assert f"<Message>{message}</Message>".encode() in response.content
    assert not ManagedPolicy.objects.filter(name="huge").exists()
    assert not InlinePolicy.objects.filter(name="huge").exists()


def test_validate_endpoint_answers_one_size_finding_for_1000_statements(client, tenants):
    body = json.dumps({"PolicyDocument": _thousand_statements(), "PolicyType": "identity"})
    response = signed(
        client,
        "POST",
        "/api/v1/policies/validate/",
        tenants[0].keys["admin"],
        body=body.encode(),
    )
    assert response.status_code == 200
    answer = response.json()
    assert [f["Code"] for f in answer["Findings"]] == ["POLICY_SIZE_EXCEEDED"]
    assert answer["Size"]["Limit"] == 6144 and answer["Size"]["Document"] > 6144
    assert answer["Summary"] is None
