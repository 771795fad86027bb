"""The API authenticates with AWS SigV4 (signed by real client libraries) or the session."""

import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from requests_aws4auth import AWS4Auth

from accounts.actors import system_actor
from accounts.models import AccessKey, AuditEvent
from accounts.services import access_keys, roles, users
from policies.services import attachments
from tests.factories import AccountFactory, IAMUserFactory

pytestmark = pytest.mark.django_db(transaction=True)
ACCOUNT = "111122223333"


def _doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.fixture
def alice():
    account = AccountFactory(account_id=ACCOUNT, alias="acme")
    user = IAMUserFactory(account=account, name="alice")
    users.user_password_set(actor=system_actor(), user=user, password="Corr3ct-Horse!")
    return user


@pytest.fixture
def alice_key(alice):
    return access_keys.access_key_create(actor=system_actor(), owner=alice)


def _auth(new_key, service="execute-api"):
    return AWS4Auth(new_key.key.access_key_id, new_key.secret_access_key, "us-east-1", service)


def test_sigv4_with_requests_aws4auth(live_server, alice_key):
    response = requests.get(
        f"{live_server.url}/api/v1/caller-identity/", auth=_auth(alice_key), timeout=10
    )
    assert response.status_code == 200
    assert response.json() == {
        "UserId": alice_key.key.user.unique_id,
        "Account": ACCOUNT,
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
    }
    key = AccessKey.objects.get(pk=alice_key.key.pk)
    assert key.last_used_at is not None and key.last_used_service == "execute-api"


def _botocore_request(url, new_key, *, method="GET", body=b"", token=None, when=None):
    credentials = Credentials(
        new_key.key.access_key_id if hasattr(new_key, "key") else new_key["AccessKeyId"],
        new_key.secret_access_key if hasattr(new_key, "key") else new_key["SecretAccessKey"],
        token,
    )
    request = AWSRequest(
        method=method,
        url=url,
        data=body,
        headers={"Content-Type": "application/json"} if body else {},
    )
    if when is not None:
        with mock.patch(
            "botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)
        ):
            SigV4Auth(credentials, "execute-api", "us-east-1").add_auth(request)
    else:
        SigV4Auth(credentials, "execute-api", "us-east-1").add_auth(request)
    return request


def _send(request, body=None):
    return requests.request(
        request.method,
        request.url,
        headers=dict(request.headers),
        data=request.body if body is None else body,
        timeout=10,
    )


def test_sigv4_with_botocore_and_a_json_body(live_server, alice, alice_key):
    attachments.inline_policy_put(
        actor=system_actor(),
        identity=alice,
        name="keys",
        document=_doc(
            {
                "Effect": "Allow",
                "Action": "iam:*AccessKey*",
                "Resource": "arn:aws:iam::*:user/${aws:username}",
            }
        ),
    )
    url = f"{live_server.url}/api/v1/users/self/access-keys/"
    response = _send(_botocore_request(url, alice_key))
    assert response.status_code == 200
    assert [k["AccessKeyId"] for k in response.json()] == [alice_key.key.access_key_id]
    patch_url = f"{url}{alice_key.key.access_key_id}/"
    body = json.dumps({"Status": "Inactive"}).encode()
    second = access_keys.access_key_create(actor=system_actor(), owner=alice)
    response = _send(_botocore_request(patch_url, second, method="PATCH", body=body))
    assert response.status_code == 200, response.text
    assert response.json()["Status"] == "Inactive"


@pytest.mark.parametrize(
    "tamper, code",
    [
        ("secret", "SignatureDoesNotMatch"),
        ("body", "SignatureDoesNotMatch"),
        ("unknown-key", "InvalidClientTokenId"),
    ],
)
def test_bad_signatures_are_403_with_aws_codes(live_server, alice_key, tamper, code):
    url = f"{live_server.url}/api/v1/caller-identity/"
    if tamper == "secret":
        alice_key = type(alice_key)(alice_key.key, "x" * 40)
        request = _botocore_request(url, alice_key)
    elif tamper == "unknown-key":
        request = _botocore_request(
            url, {"AccessKeyId": "AKIAUNKNOWN000000000", "SecretAccessKey": "y" * 40}
        )
    else:
        request = _botocore_request(url, alice_key, method="POST", body=b'{"a": 1}')
        response = _send(request, body=b'{"a": 2}')
        assert response.status_code == 403
        assert response.json()["error"]["code"] == code
        return
    response = _send(request)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == code


def test_inactive_key_is_invalid_client_token_id(live_server, alice_key):
    AccessKey.objects.filter(pk=alice_key.key.pk).update(status="Inactive")
    response = requests.get(
        f"{live_server.url}/api/v1/caller-identity/", auth=_auth(alice_key), timeout=10
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "InvalidClientTokenId"


def test_skewed_clock_is_request_expired(live_server, alice_key):
    when = datetime.now(UTC) - timedelta(minutes=20)
    request = _botocore_request(f"{live_server.url}/api/v1/caller-identity/", alice_key, when=when)
    response = _send(request)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "RequestExpired"


def test_anonymous_api_call_is_403(live_server):
    response = requests.get(f"{live_server.url}/api/v1/caller-identity/", timeout=10)
    assert response.status_code == 403
    assert response.json()["error"]["code"] in {"NotAuthenticated", "MissingAuthenticationToken"}


def test_api_denial_is_aws_access_denied_and_audited(live_server, alice_key):
    response = requests.get(
        f"{live_server.url}/api/v1/audit-events/", auth=_auth(alice_key), timeout=10
    )
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "AccessDenied"
    assert error["message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: "
        "cloudtrail:LookupEvents on resource: * because no identity-based policy allows the "
        "cloudtrail:LookupEvents action"
    )
    assert (
        AuditEvent.objects.filter(action="cloudtrail:LookupEvents", decision="implicitDeny").count()
        == 1
    )


def test_assume_role_returns_temporary_credentials_usable_at_once(live_server, alice, alice_key):
    role = roles.role_create(
        actor=system_actor(),
        account=alice.account,
        name="Auditor",
        trust_policy=_doc(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": alice.arn}}
        ),
    )
    attachments.inline_policy_put(
        actor=system_actor(),
        identity=role,
        name="audit",
        document=_doc({"Effect": "Allow", "Action": "cloudtrail:LookupEvents", "Resource": "*"}),
    )
    response = requests.post(
        f"{live_server.url}/api/v1/assume-role/",
        auth=_auth(alice_key),
        json={"RoleArn": role.arn, "RoleSessionName": "ci"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    credentials = response.json()["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    temporary = AWS4Auth(
        credentials["AccessKeyId"],
        credentials["SecretAccessKey"],
        "us-east-1",
        "execute-api",
        session_token=credentials["SessionToken"],
    )
    me = requests.get(f"{live_server.url}/api/v1/caller-identity/", auth=temporary, timeout=10)
    assert me.json()["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/Auditor/ci"
    events = requests.get(f"{live_server.url}/api/v1/audit-events/", auth=temporary, timeout=10)
    assert events.status_code == 200
    wrong_token = AWS4Auth(
        credentials["AccessKeyId"],
        credentials["SecretAccessKey"],
        "us-east-1",
        "execute-api",
        session_token="forged",
    )
    assert (
        requests.get(
            f"{live_server.url}/api/v1/caller-identity/", auth=wrong_token, timeout=10
        ).json()["error"]["code"]
        == "InvalidClientTokenId"
    )
    from accounts.models import RoleSession

    RoleSession.objects.update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    expired = requests.get(f"{live_server.url}/api/v1/caller-identity/", auth=temporary, timeout=10)
    assert expired.json()["error"]["code"] == "ExpiredToken"


def test_session_authentication_needs_csrf_for_writes(client, alice):
    client.post(
        "/signin",
        {"as": "user", "account": ACCOUNT, "username": "alice", "password": "Corr3ct-Horse!"},
    )
    assert client.get("/api/v1/caller-identity/").json()["Arn"].endswith("user/alice")
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.post(
        "/signin",
        {"as": "user", "account": ACCOUNT, "username": "alice", "password": "Corr3ct-Horse!"},
    )
    response = strict.post("/api/v1/users/self/access-keys/")
    assert response.status_code == 403
