"""Request size limits: a 10 MB body or a flood of fields gets a clean 413/400 on every surface.

Four surfaces, four error shapes: console pages (HTML), the REST API (JSON ``error``), the
IAM/STS query API (XML ``ErrorResponse``) and the Amazon MQ API (``x-amzn-ErrorType``).
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from tests.security.conftest import sign_in, signed

pytestmark = pytest.mark.django_db
TEN_MB = 10 * 1024 * 1024


def _json_error(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()["error"]


def test_the_limits_are_set():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 1000
    assert "config.resilience.RequestGuardMiddleware" in settings.MIDDLEWARE


@pytest.mark.parametrize("path", ["/signin", "/users/create", "/policies/validate"])
def test_console_forms_refuse_a_10_mb_body_with_413(client, tenants, path):
    sign_in(client, tenants[0])
    body = "x=" + "a" * TEN_MB
    response = client.post(path, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert b"Request too large" in response.content


@pytest.mark.parametrize(
    "path", ["/api/v1/policies/validate/", "/api/v1/users/", "/api/v1/simulate/"]
)
def test_rest_api_refuses_a_10_mb_body_with_413_json(client, tenants, path):
    body = json.dumps({"PolicyDocument": "a" * TEN_MB}).encode()
    response = signed(client, "POST", path, tenants[0].keys["root"], body=body)
    assert response.status_code == 413
    assert _json_error(response)["code"] == "RequestEntityTooLarge"


def test_rest_api_refuses_a_10_mb_body_on_a_session_too(client, tenants):
    sign_in(client, tenants[0])
    body = json.dumps({"PolicyDocument": "a" * TEN_MB})
    response = client.post("/api/v1/policies/validate/", body, content_type="application/json")
    assert response.status_code == 413
    assert _json_error(response)["code"] == "RequestEntityTooLarge"


@pytest.mark.parametrize("service", ["iam", "sts"])
def test_query_api_refuses_a_10_mb_body_with_413_xml(client, tenants, service):
    body = ("Action=GetUser&Version=2010-05-08&UserName=" + "a" * TEN_MB).encode()
    response = signed(
        client,
        "POST",
        "/",
        tenants[0].keys["root"],
        service=service,
        body=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/xml")
    text = response.content.decode()
    assert "<ErrorResponse" in text and "<Code>RequestEntityTooLarge</Code>" in text
    assert f"{service}.amazonaws.com" in text
    assert response["x-amzn-RequestId"]


def test_mq_api_refuses_a_10_mb_body_with_413_in_its_shape(client, tenants):
    body = json.dumps({"name": "x", "engineType": "ACTIVEMQ", "data": "a" * TEN_MB}).encode()
    response = signed(
        client, "POST", "/v1/configurations", tenants[0].keys["root"], service="mq", body=body
    )
    assert response.status_code == 413
    assert response["x-amzn-ErrorType"] == "BadRequestException"
    assert "message" in response.json()


def test_a_body_just_under_the_limit_is_read(client, tenants):
    document = json.dumps({"Version": "2012-10-17", "Statement": []})
    body = json.dumps({"PolicyDocument": document, "PolicyType": "identity"}).encode()
    response = signed(
        client, "POST", "/api/v1/policies/validate/", tenants[0].keys["root"], body=body
    )
    assert response.status_code != 413


def test_too_many_form_fields_is_a_400_on_the_console(client, tenants):
    sign_in(client, tenants[0])
    body = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 10))
    response = client.post("/users/create", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_too_many_form_fields_is_a_400_xml_on_the_query_api(client, tenants):
    fields = "&".join(f"Tags.member.{i}.Key=k{i}" for i in range(1100))
    body = f"Action=ListUsers&Version=2010-05-08&{fields}".encode()
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
    assert b"<ErrorResponse" in response.content


def test_too_many_form_fields_is_a_400_json_on_the_rest_api(client, tenants):
    sign_in(client, tenants[0])
    body = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 10))
    response = client.post("/api/v1/users/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "code" in _json_error(response)
