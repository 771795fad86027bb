"""Answers that carry a new secret (access key, session credentials, MFA seed) are sent with
``Cache-Control: no-store`` on every interface; the MFA page's GET changes nothing.
"""

from __future__ import annotations

import json
import re
import time

import pyotp
import pytest

from accounts.models import AuditEvent, MFADevice
from tests.security.conftest import sign_in, signed

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives


def _query(client, key, service: str, body: str):
    return signed(
        client,
        "POST",
        "/",
        key,
        service=service,
        body=body.encode(),
        content_type="application/x-www-form-urlencoded",
    )


def test_the_console_page_showing_a_new_secret_key_is_not_stored(client, tenants):
    sign_in(client, tenants[0])
    client.post("/security-credentials/access-keys")
    page = client.get("/security-credentials")
    assert re.search(rb"[A-Za-z0-9+/]{40}", page.content), "the new secret is on the page"
    assert _no_store(page)


def test_the_mfa_page_get_changes_nothing_and_the_post_enrols(client, tenants):
    tenant = tenants[0]
    sign_in(client, tenant)
    devices, events = MFADevice.objects.count(), AuditEvent.objects.count()
    start = client.get("/security-credentials/mfa")
    assert start.status_code == 200
    assert b'name="step" value="start"' in start.content
    assert b'id="mfa-seed"' not in start.content
    # No device, no audit row: a GET (a prefetch, a crawler, a reload) has no effect.
    assert (MFADevice.objects.count(), AuditEvent.objects.count()) == (devices, events)

    created = client.post("/security-credentials/mfa", {"step": "start"})
    assert created.status_code == 200 and _no_store(created)
    seed = re.search(rb'id="mfa-seed">([A-Z2-7]+)<', created.content).group(1).decode()
    device = MFADevice.objects.get(root_user=tenant.root)
    assert not device.is_enabled
    assert AuditEvent.objects.filter(action="iam:CreateVirtualMFADevice").count() == 1

    # A wrong code shows the same device's seed again (still not stored by caches).
    wrong = client.post("/security-credentials/mfa", {"code1": "000000", "code2": "000000"})
    assert wrong.status_code == 400 and _no_store(wrong) and seed.encode() in wrong.content
    totp = pyotp.TOTP(seed)
    now = time.time()
    done = client.post(
        "/security-credentials/mfa", {"code1": totp.at(now - 30), "code2": totp.at(now)}
    )
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.is_enabled


def test_rest_api_answers_with_a_secret_are_not_stored(client, tenants):
    tenant = tenants[0]
    made = signed(client, "POST", "/api/v1/users/alice/access-keys/", tenant.keys["admin"])
    assert made.status_code == 201 and made.json()["SecretAccessKey"]
    assert _no_store(made)
    listed = signed(client, "GET", "/api/v1/users/alice/access-keys/", tenant.keys["admin"])
    assert listed.status_code == 200 and "SecretAccessKey" not in listed.content.decode()
    body = json.dumps({"RoleArn": tenant.role.arn, "RoleSessionName": "s1"}).encode()
    assumed = signed(client, "POST", "/api/v1/assume-role/", tenant.keys["admin"], body=body)
    assert assumed.status_code == 200, assumed.content
    assert assumed.json()["Credentials"]["SecretAccessKey"]
    assert _no_store(assumed)


@pytest.mark.parametrize(
    ("service", "body", "secret"),
    [
        ("iam", "Action=CreateAccessKey&Version=2010-05-08&UserName=alice", b"SecretAccessKey"),
        (
            "iam",
            "Action=CreateVirtualMFADevice&Version=2010-05-08&VirtualMFADeviceName=phone",
            b"Base32StringSeed",
        ),
        ("sts", "Action=GetSessionToken&Version=2011-06-15", b"SecretAccessKey"),
    ],
)
def test_query_api_answers_with_a_secret_are_not_stored(client, tenants, service, body, secret):
    response = _query(client, tenants[0].keys["admin"], service, body)
    assert response.status_code == 200, response.content[:400]
    assert secret in response.content
    assert _no_store(response)


def test_query_api_answers_without_a_secret_keep_their_headers(client, tenants):
    response = _query(
        client, tenants[0].keys["admin"], "iam", "Action=ListUsers&Version=2010-05-08"
    )
    assert response.status_code == 200 and not _no_store(response)
