"""Secrets never reach a log line or the audit trail, whatever flow handles them.

Every flow that carries a secret runs with every logger at DEBUG and the SQL log on (so a
secret written to the database in clear would show too): console sign-in (right and wrong
passwords), user creation with a password, password change, access keys from the console,
the REST API and the query API, virtual MFA enrolment, AssumeRole and GetSessionToken. Then
all captured log output, every audit row and every django-axes row are searched for each
secret the flows used or returned.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time

import pyotp
import pytest
from django.db import connection

from accounts.actors import system_actor
from accounts.models import AuditEvent
from accounts.services.passwords import password_policy_update
from tests.security.conftest import PASSWORD, ROOT_PASSWORD, B, sign_in, signed

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Brand-N3w-Passw0rd-771"
WRONG_PASSWORD = "Wr0ng-But-Secret-Passw0rd-405"
CREATED_PASSWORD = "Cr3ated-User-Passw0rd-613"
API_PASSWORD = "Api-Cr3ated-Passw0rd-902"
PROFILE_PASSWORD = "Pr0file-Passw0rd-338"


def _xml(response, element: str) -> str:
    found = re.search(rf"<{element}>([^<]+)</{element}>".encode(), response.content)
    assert found, (element, response.content[:400])
    return found.group(1).decode()


def _query(client, key, service: str, body: str, token=None):
    return signed(
        client,
        "POST",
        "/",
        key,
        service=service,
        body=body.encode(),
        content_type="application/x-www-form-urlencoded",
        **({"token": token} if token else {}),
    )


@pytest.fixture
def captured(caplog):
    """Every logger at DEBUG, the SQL log included."""
    caplog.set_level(logging.DEBUG)
    for name in ("django.db.backends", "django.request", "axes", "mqiam", "celery"):
        caplog.set_level(logging.DEBUG, logger=name)
    connection.force_debug_cursor = True
    yield caplog
    connection.force_debug_cursor = False


def test_no_secret_in_logs_or_audit_records(client, tenants, captured):
    a, _ = tenants
    secrets = {
        PASSWORD,
        ROOT_PASSWORD,
        NEW_PASSWORD,
        WRONG_PASSWORD,
        CREATED_PASSWORD,
        API_PASSWORD,
        PROFILE_PASSWORD,
    }
    for key in a.keys.values():
        secrets.add(key.secret_access_key)
    admin_key = a.keys["admin"]

    # Sign-in: a wrong password, then root and an IAM user.
    client.post(
        "/signin",
        {"as": "user", "account": a.account_id, "username": "alice", "password": WRONG_PASSWORD},
    )
    sign_in(client, a, "alice")
    # Password change by the user (the account lets users change their own, as AWS's setting).
    password_policy_update(actor=system_actor(), account=a.account, allow_users_to_change=True)
    response = client.post(
        "/password/change",
        {
            "old_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code in (200, 302, 400)
    sign_in(client, a)  # root
    # A user created with a console password (console form, REST API, query API).
    client.post(
        "/users/create",
        {"name": "carol", "path": "/", "console_access": "on", "password": CREATED_PASSWORD},
    )
    signed(
        client,
        "POST",
        "/api/v1/users/",
        admin_key,
        body=json.dumps({"UserName": "dave", "Password": API_PASSWORD}).encode(),
    )
    _query(client, admin_key, "iam", "Action=CreateUser&Version=2010-05-08&UserName=erin")
    _query(
        client,
        admin_key,
        "iam",
        f"Action=CreateLoginProfile&Version=2010-05-08&UserName=erin&Password={PROFILE_PASSWORD}",
    )
    # Access keys: the console (secret shown on the next page), the REST API, the query API.
    client.post("/security-credentials/access-keys")
    page = client.get("/security-credentials").content.decode()
    secrets |= set(re.findall(r"[A-Za-z0-9+/]{40}", page))
    made = signed(client, "POST", "/api/v1/users/alice/access-keys/", admin_key)
    secrets.add(made.json()["SecretAccessKey"])
    made = _query(
        client, admin_key, "iam", "Action=CreateAccessKey&Version=2010-05-08&UserName=alice"
    )
    secrets.add(_xml(made, "SecretAccessKey"))
    # Virtual MFA enrolment (the seed is a secret).
    made = _query(
        client,
        admin_key,
        "iam",
        "Action=CreateVirtualMFADevice&Version=2010-05-08&VirtualMFADeviceName=admin",
    )
    wire_seed = _xml(made, "Base32StringSeed")  # a blob: base64 of the base32 text
    seed = base64.b64decode(wire_seed).decode()
    secrets |= {wire_seed, seed}
    serial = _xml(made, "SerialNumber")
    totp = pyotp.TOTP(seed)
    now = time.time() - 60
    _query(
        client,
        admin_key,
        "iam",
        "Action=EnableMFADevice&Version=2010-05-08&UserName=admin"
        f"&SerialNumber={serial}&AuthenticationCode1={totp.at(now)}"
        f"&AuthenticationCode2={totp.at(now + 30)}",
    )
    # AssumeRole (REST and query API) and GetSessionToken: their secrets and tokens.
    assumed = signed(
        client,
        "POST",
        "/api/v1/assume-role/",
        admin_key,
        body=json.dumps(
            {"RoleArn": f"arn:aws:iam::{a.account_id}:role/deployer", "RoleSessionName": "probe"}
        ).encode(),
    )
    assert assumed.status_code == 200, assumed.content
    credentials = assumed.json()["Credentials"]
    secrets |= {credentials["SecretAccessKey"], credentials["SessionToken"]}
    made = _query(
        client,
        admin_key,
        "sts",
        "Action=AssumeRole&Version=2011-06-15"
        f"&RoleArn=arn:aws:iam::{B}:role/shared&RoleSessionName=probe",
    )
    secrets |= {_xml(made, "SecretAccessKey"), _xml(made, "SessionToken")}
    made = _query(client, admin_key, "sts", "Action=GetSessionToken&Version=2011-06-15")
    secrets |= {_xml(made, "SecretAccessKey"), _xml(made, "SessionToken")}
    # The temporary credentials in use (the request is logged, the token must not be).
    _query(
        client,
        (_xml(made, "AccessKeyId"), _xml(made, "SecretAccessKey")),
        "sts",
        "Action=GetCallerIdentity&Version=2011-06-15",
        token=_xml(made, "SessionToken"),
    )

    # botocore's own DEBUG lines come from this test signing its requests (client side); the
    # console never imports botocore's signer.
    server = [r for r in captured.records if not r.name.startswith(("botocore", "urllib3"))]
    logs = "\n".join(
        captured.handler.format(record) + json.dumps(record.__dict__.get("args"), default=str)
        for record in server
    )
    assert "INSERT INTO" in logs  # the SQL log was on: a secret stored in clear would show
    audit = "\n".join(json.dumps(row, default=str) for row in AuditEvent.objects.values())
    axes = _axes_rows()
    assert len(secrets) > 15
    for secret in sorted(secrets):
        assert secret not in logs, f"a secret ({secret[:4]}…) is in the log"
        assert secret not in audit, f"a secret ({secret[:4]}…) is in the audit trail"
        assert secret not in axes, f"a secret ({secret[:4]}…) is in django-axes' records"


def _axes_rows() -> str:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return "\n".join(
        json.dumps(row, default=str)
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
        for row in model.objects.values()
    )
