"""Deeply nested JSON is a 400 in each interface's error shape, never a RecursionError (500).

Every interface reads JSON through ``config.jsonsafe.loads``: the REST API's parser, the MQ
API's body reader and ``check_policy_document`` (console, REST and IAM query API policies).
"""

from __future__ import annotations

import json

import pytest

from config import jsonsafe
from tests.security.conftest import signed

pytestmark = pytest.mark.django_db
DEEP = 100_000


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_the_loader_refuses_deep_nesting_and_reads_the_rest():
    with pytest.raises(jsonsafe.JSONTooDeep):
        jsonsafe.loads(_nested(DEEP))
    with pytest.raises(ValueError):
        jsonsafe.loads(_nested(jsonsafe.MAX_DEPTH + 1))
    assert jsonsafe.loads(_nested(jsonsafe.MAX_DEPTH)) == json.loads(_nested(jsonsafe.MAX_DEPTH))
    # Brackets inside strings are text, not nesting.
    text = json.dumps({"a": "[" * 5000 + '\\"{' * 100, "b": [[{"c": "]]"}]]})
    assert jsonsafe.depth(text) == 4
    assert jsonsafe.loads(text) == json.loads(text)


@pytest.mark.parametrize(
    "path", ["/api/v1/policies/validate/", "/api/v1/users/", "/api/v1/simulate/"]
)
def test_rest_api_answers_a_deep_body_with_a_json_400(client, tenants, path):
    body = ('{"PolicyDocument": ' + _nested(DEEP) + "}").encode()
    response = signed(client, "POST", path, tenants[0].keys["root"], body=body)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "MalformedInput"
    assert "nested more than" in error["message"]


def test_rest_api_answers_a_deep_policy_document_string_with_malformed_policy(client, tenants):
    condition = '{"StringEquals": {"aws:username": ' + _nested(3000) + "}}"
    document = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "mq:*", '
        f'"Resource": "*", "Condition": {condition}}}]}}'
    )
    body = json.dumps({"PolicyName": "deep", "PolicyDocument": document}).encode()
    response = signed(client, "POST", "/api/v1/policies/", tenants[0].keys["root"], body=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MalformedPolicyDocument"


def test_mq_api_answers_a_deep_body_with_its_json_400(client, tenants):
    body = ('{"name": "x", "engineType": "ACTIVEMQ", "tags": ' + _nested(DEEP) + "}").encode()
    response = signed(
        client, "POST", "/v1/configurations", tenants[0].keys["root"], service="mq", body=body
    )
    assert response.status_code == 400
    assert response["x-amzn-ErrorType"] == "BadRequestException"
    answer = response.json()
    assert answer["errorAttribute"] == "body"
    assert "nested more than" in answer["message"]


@pytest.mark.parametrize("depth", [3_000, 30_000])
def test_query_api_create_policy_with_a_deep_condition_is_malformed_xml(client, tenants, depth):
    condition = '{"StringEquals": {"aws:username": ' + _nested(depth) + "}}"
    document = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"mq:*",'
        f'"Resource":"*","Condition":{condition}}}]}}'
    )
    from urllib.parse import urlencode

    body = urlencode(
        {
            "Action": "CreatePolicy",
            "Version": "2010-05-08",
            "PolicyName": "deep",
            "PolicyDocument": document,
        }
    ).encode()
    response = signed(
        client,
        "POST",
        "/",
        tenants[0].keys["root"],
        service="iam",
        body=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Code>MalformedPolicyDocument</Code>" in response.content


def test_the_simulator_context_refuses_a_deep_list_as_a_bad_value():
    from policies.simulator.service import parse_context

    assert parse_context('aws:TagKeys=["a", "b"]') == {"aws:TagKeys": ["a", "b"]}
    with pytest.raises(ValueError, match="is not a JSON list"):
        parse_context("aws:TagKeys=" + _nested(DEEP))
