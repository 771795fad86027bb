"""Rate limits: sign-in and MFA codes (django-axes), access-key creation (Throttling, 429)."""

from __future__ import annotations

import time

import pyotp
import pytest

from accounts.actors import system_actor
from accounts.models import AccessKey
from accounts.principals import principal_for_user
from accounts.services import access_keys, mfa
from accounts.services.rate_limits import Throttling
from policies.authorization import actor_for_principal
from tests.security.conftest import PASSWORD, sign_in, signed

pytestmark = pytest.mark.django_db
LIMIT = 3


@pytest.fixture
def low_limit(settings):
    settings.MQIAM_RATE_LIMITS = {**settings.MQIAM_RATE_LIMITS, "iam:CreateAccessKey": (LIMIT, 60)}


def _create_then_delete(client, tenant, user_name="alice"):
    response = signed(
        client, "POST", f"/api/v1/users/{user_name}/access-keys/", tenant.keys["admin"]
    )
    if response.status_code == 201:
        key_id = response.json()["AccessKeyId"]
        deleted = signed(
            client,
            "DELETE",
            f"/api/v1/users/{user_name}/access-keys/{key_id}/",
            tenant.keys["admin"],
        )
        assert deleted.status_code == 204
    return response


def test_access_key_creation_is_throttled_per_principal(client, tenants, low_limit):
    a = tenants[0]
    statuses = [_create_then_delete(client, a).status_code for _ in range(LIMIT)]
    assert statuses == [201] * LIMIT
    response = _create_then_delete(client, a)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "Throttling"
    assert not AccessKey.objects.filter(user=a.alice).exists()


def test_the_limit_is_per_principal(client, tenants, low_limit):
    a, b = tenants
    for _ in range(LIMIT):
        assert _create_then_delete(client, a).status_code == 201
    assert _create_then_delete(client, b).status_code == 201  # another principal: own budget


def test_the_query_api_answers_throttling(client, tenants, low_limit):
    a = tenants[0]
    for _ in range(LIMIT):
        _create_then_delete(client, a)
    body = b"Action=CreateAccessKey&Version=2010-05-08&UserName=alice"
    response = signed(
        client,
        "POST",
        "/",
        a.keys["admin"],
        service="iam",
        body=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 429
    assert b"<Code>Throttling</Code>" in response.content


def test_the_console_itself_is_not_throttled(tenants, low_limit):
    for _ in range(LIMIT + 2):
        new = access_keys.access_key_create(actor=system_actor(), owner=tenants[0].alice)
        access_keys.access_key_delete(
            actor=system_actor(), owner=tenants[0].alice, access_key_id=new.key.access_key_id
        )


def test_the_default_limit_applies_without_configuration(tenants, settings):
    count, seconds = settings.MQIAM_RATE_LIMITS["iam:CreateAccessKey"]
    assert 1 <= count <= 20 and seconds == 60
    # The admin's own actor: the service authorizes iam:CreateAccessKey, then throttles.
    actor = actor_for_principal(principal_for_user(tenants[0].admin))
    with pytest.raises(Throttling):
        for _ in range(count + 1):
            new = access_keys.access_key_create(actor=actor, owner=tenants[0].alice)
            access_keys.access_key_delete(
                actor=actor, owner=tenants[0].alice, access_key_id=new.key.access_key_id
            )


def test_failed_sign_ins_are_throttled(client, tenants, settings):
    a = tenants[0]
    wrong = {"as": "user", "account": a.account_id, "username": "alice", "password": "nope"}
    statuses = [
        client.post("/signin", wrong).status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {401}
    right = {**wrong, "password": PASSWORD}
    assert client.post("/signin", right).status_code == 429


def test_wrong_mfa_codes_are_throttled_like_passwords(client, tenants, settings):
    a = tenants[0]
    enrolment = mfa.mfa_device_create(actor=system_actor(), owner=a.alice, name="alice")
    totp = pyotp.TOTP(enrolment.seed)
    now = time.time() - 60
    mfa.mfa_device_enable(
        actor=system_actor(), device=enrolment.device, code1=totp.at(now), code2=totp.at(now + 30)
    )
    signin = {"as": "user", "account": a.account_id, "username": "alice", "password": PASSWORD}
    response = client.post("/signin", signin)
    assert response["Location"].startswith("/signin/mfa")
    statuses = [
        client.post("/signin/mfa", {"code": "000000"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {401}
    # Locked out: even the right code is refused now, and so is a fresh password sign-in.
    assert client.post("/signin/mfa", {"code": totp.now()}).status_code == 429
    assert client.post("/signin", signin).status_code == 429


def test_signed_in_console_key_creation_is_throttled_too(client, tenants, low_limit):
    a = tenants[0]
    sign_in(client, a, "admin")
    for _ in range(LIMIT):
        client.post("/security-credentials/access-keys")
        key = AccessKey.objects.filter(user=a.admin).exclude(pk=a.keys["admin"].key.pk).first()
        access_keys.access_key_delete(
            actor=system_actor(), owner=a.admin, access_key_id=key.access_key_id
        )
    response = client.post("/security-credentials/access-keys", follow=True)
    assert AccessKey.objects.filter(user=a.admin).count() == 1  # only the fixture's key
    assert b"Rate exceeded" in response.content
