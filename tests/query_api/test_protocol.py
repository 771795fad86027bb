"""The query protocol from botocore's models: parameters in, XML out, routing at the base URL."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.model import ServiceModel
from botocore.parsers import QueryParser
from django.test import Client

from accounts.query_api import xml
from accounts.query_api.protocol import QueryValidationError, parse_input, service_model

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def iam_input(operation: str):
    return service_model("iam").operation_model(operation).input_shape


def test_lists_of_structures_and_scalars_are_read_back():
    params = parse_input(
        iam_input("CreateUser"),
        {
            "UserName": "bob",
            "Tags.member.1.Key": "team",
            "Tags.member.1.Value": "blue",
            "Tags.member.2.Key": "env",
            "Tags.member.2.Value": "",
        },
    )
    assert params == {
        "UserName": "bob",
        "Tags": [{"Key": "team", "Value": "blue"}, {"Key": "env", "Value": ""}],
    }
    simulate = parse_input(
        iam_input("SimulateCustomPolicy"),
        {
            "PolicyInputList.member.1": "{}",
            "ActionNames.member.1": "mq:ListBrokers",
            "ContextEntries.member.1.ContextKeyName": "aws:TagKeys",
            "ContextEntries.member.1.ContextKeyValues.member.1": "a",
            "ContextEntries.member.1.ContextKeyValues.member.2": "b",
            "ContextEntries.member.1.ContextKeyType": "stringList",
            "MaxItems": "5",
        },
    )
    assert simulate["ContextEntries"][0]["ContextKeyValues"] == ["a", "b"]
    assert simulate["MaxItems"] == 5
    assert parse_input(iam_input("ListPolicies"), {"OnlyAttached": "true"}) == {
        "OnlyAttached": True
    }
    assert parse_input(iam_input("UntagUser"), {"UserName": "u", "TagKeys": ""}) == {
        "UserName": "u",
        "TagKeys": [],
    }


def test_maps_and_flattened_lists_follow_the_model():
    model = ServiceModel(
        {
            "metadata": {"protocol": "query", "apiVersion": "2020-01-01"},
            "operations": {},
            "shapes": {
                "In": {
                    "type": "structure",
                    "members": {
                        "Attrs": {"shape": "Attrs"},
                        "Flat": {"shape": "Flat", "flattened": True},
                    },
                },
                "Attrs": {
                    "type": "map",
                    "key": {"shape": "S", "locationName": "Name"},
                    "value": {"shape": "S", "locationName": "Val"},
                },
                "Flat": {"type": "list", "member": {"shape": "S"}, "flattened": True},
                "S": {"type": "string"},
            },
        }
    )
    params = parse_input(
        model.shape_for("In"),
        {"Attrs.entry.1.Name": "a", "Attrs.entry.1.Val": "1", "Flat.1": "x", "Flat.2": "y"},
    )
    assert params == {"Attrs": {"a": "1"}, "Flat": ["x", "y"]}


def test_validation_errors_use_aws_wording():
    with pytest.raises(QueryValidationError) as excinfo:
        parse_input(iam_input("CreateUser"), {})
    assert excinfo.value.message == (
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint: "
        "Member must not be null"
    )
    with pytest.raises(QueryValidationError) as excinfo:
        parse_input(
            iam_input("UpdateAccessKey"),
            {"AccessKeyId": "AKIA1234567890123456", "Status": "Off", "UserName": "x" * 129},
        )
    message = excinfo.value.message
    assert message.startswith("2 validation errors detected: ")
    assert "Member must satisfy enum value set: [Active, Inactive, Expired]" in message
    assert "Member must have length less than or equal to 128" in message
    with pytest.raises(QueryValidationError) as excinfo:
        parse_input(iam_input("ListUsers"), {"MaxItems": "5000"})
    assert "Member must have value less than or equal to 1000" in excinfo.value.message
    with pytest.raises(QueryValidationError) as excinfo:
        parse_input(iam_input("CreateLoginProfile"), {"UserName": "u", "Password": ""})
    assert "Value '***'" in excinfo.value.message  # sensitive values are not echoed


def _parse(operation: str, body: str, status: int = 200) -> dict:
    model = service_model("iam").operation_model(operation)
    response = {"body": body.encode(), "headers": {}, "status_code": status}
    return QueryParser().parse(response, model.output_shape)


def test_responses_parse_back_with_botocore():
    model = service_model("iam").operation_model("GetUserPolicy")
    when = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    body = xml.response(
        "GetUserPolicy",
        model.output_shape,
        {"UserName": "bob", "PolicyName": "p", "PolicyDocument": '{"a": "<&>"}'},
        IAM_NS,
        "req-1",
    )
    assert "%7B%22a%22%3A%20%22%3C%26%3E%22%7D" in body  # documents are URL-encoded
    parsed = _parse("GetUserPolicy", body)
    assert unquote(parsed["PolicyDocument"]) == '{"a": "<&>"}'  # boto3 then JSON-decodes it
    assert parsed["ResponseMetadata"]["RequestId"] == "req-1"
    listed = xml.response(
        "ListUsers",
        service_model("iam").operation_model("ListUsers").output_shape,
        {"Users": [], "IsTruncated": False},
        IAM_NS,
        "req-2",
    )
    assert "<Users/>" in listed and "<IsTruncated>false</IsTruncated>" in listed
    assert _parse("ListUsers", listed)["Users"] == []
    user = xml.response(
        "GetUser",
        service_model("iam").operation_model("GetUser").output_shape,
        {
            "User": {
                "UserName": "a\rb",
                "Path": "/",
                "UserId": "AIDA",
                "Arn": "x",
                "CreateDate": when,
            }
        },
        IAM_NS,
        "req-3",
    )
    assert "<CreateDate>2026-05-01T12:00:00Z</CreateDate>" in user
    assert _parse("GetUser", user)["User"]["UserName"] == "a\rb"


def test_error_envelope_parses_with_botocore():
    body = xml.error("NoSuchEntity", "gone <now>", status=404, xmlns=IAM_NS, request_id="r")
    parsed = _parse("GetUser", body, 404)
    assert parsed["Error"]["Code"] == "NoSuchEntity"
    assert parsed["Error"]["Message"] == "gone <now>"
    assert parsed["Error"]["Type"] == "Sender"
    assert "<Type>Receiver</Type>" in xml.error("X", "y", status=500, xmlns=IAM_NS, request_id="r")


# -- Routing at the base URL -----------------------------------------------------------------

pytest_db = pytest.mark.django_db(transaction=True)


@pytest_db
def test_dashboard_stays_at_get_slash(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/signin")


@pytest_db
def test_unsigned_requests_get_xml_errors_and_no_csrf_check():
    client = Client(enforce_csrf_checks=True)
    for response in (
        client.post("/", {"Action": "ListUsers", "Version": "2010-05-08"}),
        client.get("/", {"Action": "ListUsers", "Version": "2010-05-08"}),
    ):
        assert response.status_code == 403
        assert response["Content-Type"] == "text/xml"
        body = response.content.decode()
        assert f'<ErrorResponse xmlns="{IAM_NS}">' in body
        assert "<Code>MissingAuthenticationToken</Code>" in body
        assert response["x-amzn-RequestId"] in body


def _signed(url: str, key, body: str, service: str = "iam") -> requests.Response:
    request = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    credentials = Credentials(key.key.access_key_id, key.secret_access_key)
    SigV4Auth(credentials, service, "us-east-1").add_auth(request)
    return requests.post(url, data=body, headers=dict(request.headers), timeout=10)


@pytest_db
def test_dispatch_errors(live_server, admin_key):
    url = live_server.url + "/"
    unknown = _signed(url, admin_key, "Action=NoSuchThing&Version=2010-05-08")
    assert unknown.status_code == 400 and "<Code>InvalidAction</Code>" in unknown.text
    missing = _signed(url, admin_key, "Version=2010-05-08")
    assert missing.status_code == 400 and "<Code>MissingAction</Code>" in missing.text
    unsupported = _signed(url, admin_key, "Action=CreateSAMLProvider&Version=2010-05-08")
    assert "not implemented by this console" in unsupported.text
    old = _signed(url, admin_key, "Action=ListUsers&Version=2009-01-01")
    assert old.status_code == 400 and "for version 2009-01-01" in old.text
    wrong_scope = _signed(url, admin_key, "Action=ListUsers&Version=2010-05-08", "execute-api")
    assert wrong_scope.status_code == 403
    assert "Credential should be scoped to correct service: 'iam'." in wrong_scope.text
    sts_error = _signed(url, admin_key, "Action=AssumeRole&Version=2011-06-15", "sts")
    assert sts_error.status_code == 400 and f'xmlns="{STS_NS}"' in sts_error.text
    assert "<Code>ValidationError</Code>" in sts_error.text


@pytest_db
def test_presigned_get_caller_identity(live_server, admin_key):
    from tests.query_api.conftest import client_for

    sts = client_for(live_server, "sts", admin_key)
    # As ``aws eks get-token`` does: botocore signs for POST unless told the method.
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=300, HttpMethod="GET")
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, response.text
    assert "<Arn>arn:aws:iam::111122223333:user/admin</Arn>" in response.text
