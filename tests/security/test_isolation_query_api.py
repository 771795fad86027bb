"""Tenant isolation on the IAM/STS query API: every action, aimed at account B, from A.

Every registered action is called (SigV4, as A's admin with ``*`` on ``*``) with its required
parameters naming B's objects (B's policy and role ARNs, B's access key id, MFA serial...);
the same call with identifiers that name nothing must be answered alike (no existence
oracle), no answer may show B's identifiers the request did not carry, and B's rows must not
change. Then the cross-account trust: A's admin may assume B's role that trusts A (and not
the one that does not), and the session it gets can do in B only what that role allows.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from botocore.serialize import create_serializer

import accounts.query_api.views  # noqa: F401 - registers the actions
from accounts.models import RoleSession
from accounts.query_api.protocol import service_model
from accounts.query_api.registry import OPERATIONS
from tests.security.conftest import A, B, signed
from tests.security.test_isolation import BWorld

pytestmark = pytest.mark.django_db
DOCUMENT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "mq:Describe*", "Resource": "*"}],
    }
)
CODE = re.compile(rb"<Code>([^<]+)</Code>")


def _values(world: BWorld, *, fake: bool) -> dict:
    account = "999988887777" if fake else B
    return {
        "UserName": "alice",
        "GroupName": "ops",
        "RoleName": "shared",
        "PolicyName": "read",
        "PolicyArn": f"arn:aws:iam::{account}:policy/readers",
        "RoleArn": f"arn:aws:iam::{account}:role/deployer",
        "PolicySourceArn": f"arn:aws:iam::{account}:user/alice",
        "AccessKeyId": "AKIAZZZZZZZZZZZZZZZZ" if fake else world.values["access_key_id"],
        "SerialNumber": f"arn:aws:iam::{account}:mfa/alice",
        "VersionId": "v1",
        "AssumeRolePolicyDocument": DOCUMENT,
        "PolicyDocument": DOCUMENT,
        "PolicyInputList": [DOCUMENT],
        "ActionNames": ["mq:DescribeBroker"],
        "RoleSessionName": "probe",
        "Status": "Inactive",
        "AccountAlias": "probe-alias",
        "VirtualMFADeviceName": "probe",
        "AuthenticationCode1": "123456",
        "AuthenticationCode2": "654321",
        "NewPassword": "N3w-Passw0rd!",
        "OldPassword": "0ld-Passw0rd!",
        "PermissionsBoundary": f"arn:aws:iam::{account}:policy/readers",
        "Tags": [{"Key": "k", "Value": "v"}],
        "TagKeys": ["k"],
        "Description": "probe",
        "AWSServiceName": "mq.amazonaws.com",
        "DeletionTaskId": "x",
    }


def _params(shape, values: dict) -> dict:
    params = {}
    for name in shape.required_members:
        member = shape.members[name]
        if name in values:
            params[name] = values[name]
        elif member.type_name == "string":
            params[name] = "probe"
        elif member.type_name in ("integer", "long"):
            params[name] = member.metadata.get("min", 1)
        elif member.type_name == "boolean":
            params[name] = False
        elif member.type_name == "timestamp":
            params[name] = datetime.now(UTC)
    return params


def _call(client, key, service: str, action: str, params: dict):
    model = service_model(service).operation_model(action)
    request = create_serializer("query").serialize_to_request(params, model)
    body = urlencode(request["body"], doseq=True).encode()
    return signed(
        client,
        "POST",
        "/",
        key,
        service=service,
        body=body,
        content_type="application/x-www-form-urlencoded",
    )


def _code(response) -> str:
    found = CODE.search(response.content)
    return found.group(1).decode() if found else ""


def test_every_query_action_aimed_at_b_reveals_and_changes_nothing(client, tenants):
    client.raise_request_exception = False
    world = BWorld(tenants[1])
    key = tenants[0].keys["admin"]
    before = world.snapshot()
    leaks, calls = [], 0
    for service, action in sorted(OPERATIONS):
        model = service_model(service).operation_model(action)
        real = _params(model.input_shape, _values(world, fake=False)) if model.input_shape else {}
        fake = _params(model.input_shape, _values(world, fake=True)) if model.input_shape else {}
        response = _call(client, key, service, action, real)
        other = _call(client, key, service, action, fake)
        calls += 2
        sent = json.dumps(real, default=str) + json.dumps(fake, default=str)
        text = response.content.decode(errors="replace")
        shown = sorted(m for m in world.markers if m in text and m not in sent)
        if shown:
            leaks.append(f"{action}: shows {shown}")
        if real != fake and (response.status_code, _code(response)) != (
            other.status_code,
            _code(other),
        ):
            leaks.append(
                f"{action}: {response.status_code} {_code(response)} for B's objects, "
                f"{other.status_code} {_code(other)} for none"
            )
        after = world.snapshot()
        if after != before:
            leaks.append(f"{action}: changed {sorted(k for k in after if after[k] != before[k])}")
            before = after
    assert calls >= 2 * 90
    assert not leaks, "\n".join(leaks)


def test_a_may_assume_only_the_role_of_b_that_trusts_it(client, tenants):
    key = tenants[0].keys["admin"]
    trusted = _call(
        client,
        key,
        "sts",
        "AssumeRole",
        {"RoleArn": f"arn:aws:iam::{B}:role/shared", "RoleSessionName": "cross"},
    )
    assert trusted.status_code == 200, trusted.content
    untrusted = _call(
        client,
        key,
        "sts",
        "AssumeRole",
        {"RoleArn": f"arn:aws:iam::{B}:role/deployer", "RoleSessionName": "cross"},
    )
    assert untrusted.status_code == 403 and _code(untrusted) == "AccessDenied"
    from_root = _call(
        client,
        tenants[0].keys["root"],
        "sts",
        "AssumeRole",
        {"RoleArn": f"arn:aws:iam::{B}:role/shared", "RoleSessionName": "cross"},
    )
    assert from_root.status_code == 403  # AWS: a root user cannot assume roles


def test_the_cross_account_session_does_in_b_only_what_the_role_allows(client, tenants):
    client.raise_request_exception = False
    a, b = tenants
    response = _call(
        client,
        a.keys["admin"],
        "sts",
        "AssumeRole",
        {"RoleArn": f"arn:aws:iam::{B}:role/shared", "RoleSessionName": "cross"},
    )
    assert response.status_code == 200
    session = RoleSession.objects.get(session_name="cross")
    secret = re.search(rb"<SecretAccessKey>([^<]+)<", response.content).group(1).decode()
    token = re.search(rb"<SessionToken>([^<]+)<", response.content).group(1).decode()
    creds = (session.access_key_id, secret)
    world = BWorld(b)
    before = world.snapshot()
    # The role allows mq:Describe* in B: describing B's broker works...
    described = signed(client, "GET", f"/api/v1/brokers/{b.broker.broker_id}/", creds, token=token)
    assert described.status_code == 200
    # ...and nothing else: IAM reads, writes of every kind, and A's objects are out of reach.
    for method, path in [
        ("GET", "/api/v1/users/"),
        ("GET", "/api/v1/policies/"),
        ("DELETE", f"/api/v1/brokers/{b.broker.broker_id}/"),
        ("POST", f"/api/v1/brokers/{b.broker.broker_id}/reboot/"),
        ("DELETE", "/api/v1/users/alice/"),
        ("POST", "/api/v1/users/"),
        ("GET", f"/api/v1/brokers/{a.broker.broker_id}/"),
    ]:
        body = json.dumps({"UserName": "mallory"}).encode() if method == "POST" else b""
        answer = signed(client, method, path, creds, token=token, body=body)
        assert answer.status_code in (403, 404), (method, path, answer.content[:300])
    assert world.snapshot() == before
    assert A not in described.content.decode()
