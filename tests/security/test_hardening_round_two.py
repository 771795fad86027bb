"""Hardening, round two: REST assume-role, switch-role, cross-account audit, REST SigV4 scope.

Accounts A and B (tests/security/conftest.py): B's role "shared" trusts A, B's "deployer"
trusts only B. A's admin may do everything in A (``*`` on ``*``).
"""

from __future__ import annotations

import json
import re

import pytest

from accounts.models import AuditEvent, RoleSession
from accounts.services import roles
from tests.security.conftest import ACTOR, A, B, sign_in, signed

pytestmark = pytest.mark.django_db


def _assume(client, tenant, body: dict):
    return signed(
        client,
        "POST",
        "/api/v1/assume-role/",
        tenant.keys["admin"],
        body=json.dumps(body).encode(),
    )


def _query(client, tenant, body: str, *, service="sts", region="us-east-1"):
    return signed(
        client,
        "POST",
        "/",
        tenant.keys["admin"],
        service=service,
        region=region,
        body=body.encode(),
        content_type="application/x-www-form-urlencoded",
    )


# Item 3 of the authorization-seam issue, on the REST endpoint.


def test_rest_assume_role_needs_tag_session_and_set_source_identity(client, tenants):
    a, _ = tenants
    role_arn = a.role.arn  # A's deployer trusts A's root for sts:AssumeRole only
    tagged = _assume(
        client,
        a,
        {"RoleArn": role_arn, "RoleSessionName": "t1", "Tags": [{"Key": "team", "Value": "x"}]},
    )
    assert tagged.status_code == 403 and "sts:TagSession" in tagged.json()["error"]["message"]
    sourced = _assume(
        client, a, {"RoleArn": role_arn, "RoleSessionName": "t1", "SourceIdentity": "alice"}
    )
    assert sourced.status_code == 403
    assert "sts:SetSourceIdentity" in sourced.json()["error"]["message"]
    assert not RoleSession.objects.exists()
    roles.role_trust_policy_update(
        actor=ACTOR,
        role=a.role,
        trust_policy={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                    "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
                }
            ],
        },
    )
    both = _assume(
        client,
        a,
        {
            "RoleArn": role_arn,
            "RoleSessionName": "t1",
            "Tags": [{"Key": "team", "Value": "x"}],
            "SourceIdentity": "alice",
        },
    )
    assert both.status_code == 200, both.content
    assert both.json()["SourceIdentity"] == "alice"


# Hardening item 9: no existence oracle across accounts.


def test_rest_assume_role_answers_alike_for_a_forbidden_and_a_missing_role(client, tenants):
    a, b = tenants
    forbidden = b.role.arn  # exists, does not trust A
    missing = f"arn:aws:iam::{B}:role/no-such-role"
    answers = []
    for arn in (forbidden, missing):
        response = _assume(client, a, {"RoleArn": arn, "RoleSessionName": "probe"})
        body = response.json()
        answers.append((response.status_code, body["error"]["code"], body["error"]["message"]))
    assert answers[0][:2] == answers[1][:2] == (403, "AccessDenied")
    assert answers[0][2].replace(forbidden, "ARN") == answers[1][2].replace(missing, "ARN")


def test_switch_role_answers_alike_for_a_forbidden_and_a_missing_role(client, tenants):
    a, _ = tenants
    sign_in(client, a, "admin")
    answers = []
    for name in ("deployer", "no-such-role"):
        response = client.post("/switch-role", {"account": B, "role_name": name, "color": "blue"})
        page = re.sub(
            rb'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"',
            b"",
            response.content,
        )
        answers.append((response.status_code, page.replace(name.encode(), b"NAME")))
    assert answers[0][0] == answers[1][0] == 403
    assert answers[0][1] == answers[1][1]
    shared = client.post("/switch-role", {"account": B, "role_name": "shared", "color": "blue"})
    assert shared.status_code == 302  # the role that trusts A still works


# Hardening item 11: failed cross-account AssumeRole is logged in the role's account too.


def test_a_denied_cross_account_assume_role_is_audited_in_the_roles_account(client, tenants):
    a, b = tenants
    response = _query(
        client,
        a,
        f"Action=AssumeRole&Version=2011-06-15&RoleArn={b.role.arn}&RoleSessionName=probe",
    )
    assert response.status_code == 403
    denied = AuditEvent.objects.filter(
        action="sts:AssumeRole", resource_arn=b.role.arn, decision="implicitDeny"
    )
    assert sorted(denied.values_list("account_id", flat=True)) == sorted([A, B])
    assert {e.principal_arn for e in denied} == {a.admin.arn}
    # An allowed one is logged once, in the role's account (as before).
    ok = _query(
        client,
        a,
        f"Action=AssumeRole&Version=2011-06-15&RoleArn={b.shared_role.arn}&RoleSessionName=ok",
    )
    assert ok.status_code == 200, ok.content
    assert AuditEvent.objects.filter(action="sts:AssumeRole", decision="allowed").count() == 1


# Hardening item 10: the REST API's signing service is execute-api, failures are audited.


def test_rest_api_requires_the_execute_api_signing_service(client, tenants):
    a, _ = tenants
    ok = signed(client, "GET", "/api/v1/caller-identity/", a.keys["admin"])
    assert ok.status_code == 200
    for service in ("iam", "mq", "s3"):
        response = signed(
            client, "GET", "/api/v1/caller-identity/", a.keys["admin"], service=service
        )
        assert response.status_code == 403, service
        error = response.json()["error"]
        assert error["code"] == "SignatureDoesNotMatch"
        assert "execute-api" in error["message"]
    bad_region = signed(client, "GET", "/api/v1/caller-identity/", a.keys["admin"], region="mars-1")
    assert bad_region.status_code == 403
    rows = AuditEvent.objects.filter(action="sigv4:Authenticate", account_id=A)
    assert rows.count() == 4 and {r.principal_arn for r in rows} == {a.admin.arn}


def test_a_wrong_secret_on_the_rest_api_is_audited(client, tenants):
    a, _ = tenants
    key_id = a.keys["admin"].key.access_key_id
    response = signed(client, "GET", "/api/v1/caller-identity/", (key_id, "y" * 40))
    assert response.status_code == 403
    row = AuditEvent.objects.get(action="sigv4:Authenticate")
    assert (row.account_id, row.error_code, row.request_parameters["AccessKeyId"]) == (
        A,
        "SignatureDoesNotMatch",
        key_id,
    )
    unknown = signed(client, "GET", "/api/v1/caller-identity/", ("AKIA" + "Z" * 16, "y" * 40))
    assert unknown.status_code == 403
    # A key id of no account has no owner to tell: not recorded (no audit-table flooding).
    assert AuditEvent.objects.filter(action="sigv4:Authenticate").count() == 1
