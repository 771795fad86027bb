"""Console sign-in: root and IAM users, throttling, MFA, forced password change, sign-out."""

import time

import pyotp
import pytest

from accounts.actors import system_actor
from accounts.crypto import decrypt
from accounts.models import AuditEvent
from accounts.services import mfa, users
from accounts.services.passwords import password_policy_update
from policies.services import attachments
from tests.factories import AccountFactory, IAMUserFactory, RootUserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Corr3ct-Horse!"


@pytest.fixture
def account():
    return AccountFactory(account_id="111122223333", alias="acme")


@pytest.fixture
def alice(account):
    user = IAMUserFactory(account=account, name="alice")
    users.user_password_set(actor=system_actor(), user=user, password=PASSWORD)
    return user


def _user_signin(client, account="acme", username="alice", password=PASSWORD, **extra):
    return client.post(
        "/signin",
        {"as": "user", "account": account, "username": username, "password": password, **extra},
    )


def test_anonymous_console_pages_redirect_to_signin(client):
    response = client.get("/audit")
    assert response.status_code == 302
    assert response["Location"] == "/signin?next=%2Faudit"


def test_iam_user_signs_in_with_alias_or_account_id(client, alice):
    response = _user_signin(client)
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert b"arn:aws:iam::111122223333:user/alice" in page.content
    client.post("/signout")
    assert _user_signin(client, account="111122223333", username="ALICE").status_code == 302
    event = AuditEvent.objects.filter(action="signin:ConsoleLogin", decision="allowed").first()
    assert event.principal_arn == alice.arn


def test_root_signs_in_with_email(client, account):
    RootUserFactory(account=account, email="root@acme.example")
    response = client.post(
        "/signin", {"as": "root", "email": "ROOT@acme.example", "password": "Root-Passw0rd"}
    )
    assert response.status_code == 302
    assert b"arn:aws:iam::111122223333:root" in client.get("/").content


@pytest.mark.parametrize(
    "kwargs",
    [
        {"password": "wrong-password"},
        {"username": "nobody"},
        {"account": "other-account"},
    ],
)
def test_wrong_credentials_get_one_clear_message_and_an_audit_row(client, alice, kwargs):
    response = _user_signin(client, **kwargs)
    assert response.status_code == 401
    assert b"Your authentication information is incorrect" in response.content
    assert AuditEvent.objects.filter(action="signin:ConsoleLogin", decision="error").exists()


def test_user_without_console_password_cannot_sign_in(client, account):
    IAMUserFactory(account=account, name="bot")
    assert _user_signin(client, username="bot").status_code == 401


def test_failed_sign_ins_lock_out_the_user_then_cool_off(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _user_signin(client, password="wrong")
    response = _user_signin(client)  # even the right password is refused now
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert client.get("/").status_code == 302


def _signin_from(client, address, *, username="alice", password=PASSWORD, root=None):
    data = (
        {"as": "root", "email": root, "password": password}
        if root
        else {"as": "user", "account": "acme", "username": username, "password": password}
    )
    return client.post("/signin", data, REMOTE_ADDR=address)


def _known_browser(address, **kwargs):
    """A browser on which the user signed in before (it keeps the known-browser cookie)."""
    from django.test import Client

    browser = Client()
    assert _signin_from(browser, address, **kwargs).status_code == 302
    browser.post("/signout")
    return browser


def test_spraying_from_one_address_slows_unknown_browsers_there_not_known_ones(
    client, account, settings
):
    settings.MQIAM_SIGNIN_SOURCE_LIMIT = 4
    other = IAMUserFactory(account=account, name="bob")
    users.user_password_set(actor=system_actor(), user=other, password=PASSWORD)
    bobs_browser = _known_browser("198.51.100.7", username="bob")
    for i in range(settings.MQIAM_SIGNIN_SOURCE_LIMIT + 7):  # back-off 2**7 s, capped at 60 s
        _signin_from(client, "198.51.100.7", username=f"guess{i}", password="wrong")
    refused = _signin_from(client, "198.51.100.7", username="bob")
    assert refused.status_code == 429 and b"Wait" in refused.content
    assert _signin_from(bobs_browser, "198.51.100.7", username="bob").status_code == 302
    assert _signin_from(client, "203.0.113.9", username="bob").status_code == 302


def test_a_stranger_cannot_lock_the_owner_out(client, account, alice, settings):
    root = RootUserFactory(account=account, email="owner@acme.example")
    alices_browser = _known_browser("192.0.2.10")
    roots_browser = _known_browser("192.0.2.10", root=root.email, password="Root-Passw0rd")
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        _signin_from(client, "192.0.2.10", password="wrong")  # a colleague behind the same NAT
        _signin_from(client, "192.0.2.10", root=root.email, password="wrong")
    assert _signin_from(client, "192.0.2.10").status_code == 429  # that user, that browser
    # The owners' known browsers, at the same address, are not locked out…
    assert _signin_from(alices_browser, "192.0.2.10").status_code == 302
    owner = _signin_from(roots_browser, "192.0.2.10", root=root.email, password="Root-Passw0rd")
    assert owner.status_code == 302
    # …nor is a new browser elsewhere, below the per-user slow-down threshold.
    assert _signin_from(client, "203.0.113.50").status_code == 302


def test_the_lockout_ends_after_the_cool_off_and_refusals_do_not_renew_it(client, alice, settings):
    from datetime import timedelta

    from django.utils import timezone

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _signin_from(client, "192.0.2.20", password="wrong")
    for _ in range(3):  # the attacker keeps trying during the lockout
        assert _signin_from(client, "192.0.2.20", password="wrong").status_code == 429
    failures = AuditEvent.objects.filter(
        action="signin:ConsoleLogin", error_code="Failed authentication"
    )
    assert failures.count() == settings.AXES_FAILURE_LIMIT
    assert AuditEvent.objects.filter(error_code="Throttled").count() == 3
    failures.update(time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert _signin_from(client, "192.0.2.20").status_code == 302


def test_many_sources_guessing_one_user_are_slowed_down_per_user(client, account, alice, settings):
    settings.MQIAM_SIGNIN_USER_LIMIT = 3
    alices_browser = _known_browser("192.0.2.30")
    for i in range(settings.MQIAM_SIGNIN_USER_LIMIT + 7):
        _signin_from(client, f"203.0.113.{i + 1}", password="wrong")  # one guess per address
    refused = _signin_from(client, "203.0.113.200")
    assert refused.status_code == 429 and b"Wait" in refused.content
    assert _signin_from(alices_browser, "203.0.113.201").status_code == 302


def test_open_redirects_are_refused(client, alice):
    response = _user_signin(client, next="https://evil.example/")
    assert response["Location"] == "/"
    client.post("/signout")
    response = _user_signin(client, next="//evil.example/x")
    assert response["Location"] == "/"
    client.post("/signout")
    assert _user_signin(client, next="/audit")["Location"] == "/audit"


def _enable_mfa(owner):
    enrolment = mfa.mfa_device_create(actor=system_actor(), owner=owner, name=owner.name)
    totp = pyotp.TOTP(enrolment.seed)
    now = time.time() - 60
    mfa.mfa_device_enable(
        actor=system_actor(), device=enrolment.device, code1=totp.at(now), code2=totp.at(now + 30)
    )
    return totp


def test_mfa_is_required_and_sets_the_mfa_context(client, alice):
    totp = _enable_mfa(alice)
    response = _user_signin(client)
    assert response.status_code == 302 and response["Location"].startswith("/signin/mfa")
    assert client.get("/").status_code == 302  # not signed in yet
    assert client.post("/signin/mfa", {"code": "000000"}).status_code == 401
    response = client.post("/signin/mfa", {"code": totp.now()})
    assert response.status_code == 302
    assert b"used at sign-in" in client.get("/").content


def test_an_mfa_code_cannot_be_replayed(client, alice):
    totp = _enable_mfa(alice)
    code = totp.now()
    _user_signin(client)
    assert client.post("/signin/mfa", {"code": code}).status_code == 302
    client.post("/signout")
    _user_signin(client)
    assert client.post("/signin/mfa", {"code": code}).status_code == 401


def test_mfa_enable_needs_two_consecutive_codes(alice):
    enrolment = mfa.mfa_device_create(actor=system_actor(), owner=alice, name="alice")
    totp = pyotp.TOTP(enrolment.seed)
    assert decrypt(enrolment.device.seed_encrypted) == enrolment.seed
    assert enrolment.seed.encode() not in bytes(enrolment.device.seed_encrypted)
    now = time.time()
    with pytest.raises(mfa.InvalidAuthenticationCode):
        mfa.mfa_device_enable(
            actor=system_actor(), device=enrolment.device, code1=totp.at(now), code2=totp.at(now)
        )
    assert enrolment.qr_svg_data_uri().startswith("data:image/svg+xml")


def test_forced_password_change_then_policy_enforced(client, alice):
    alice.password_reset_required = True
    alice.save()
    # As in AWS (which attaches IAMUserChangePassword when it requires a reset), changing one's
    # own password needs iam:ChangePassword unless the password policy lets every user do it.
    attachments.inline_policy_put(
        actor=system_actor(),
        identity=alice,
        name="change-password",
        document={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "iam:ChangePassword",
                    "Resource": "arn:aws:iam::*:user/${aws:username}",
                }
            ],
        },
    )
    response = _user_signin(client)
    assert response["Location"] == "/password/change"
    assert client.get("/audit")["Location"] == "/password/change"
    weak = client.post(
        "/password/change",
        {"old_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
    )
    assert weak.status_code == 400
    assert b"at least 8 characters" in weak.content
    ok = client.post(
        "/password/change",
        {
            "old_password": PASSWORD,
            "new_password": "N3w-Passw0rd!",
            "confirm_password": "N3w-Passw0rd!",
        },
    )
    assert ok.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("N3w-Passw0rd!") and not alice.password_reset_required
    assert client.get("/").status_code == 200


def test_password_policy_rules_and_reuse_prevention(account, alice):
    password_policy_update(
        actor=system_actor(),
        account=account,
        minimum_length=12,
        require_symbols=True,
        require_numbers=True,
        require_uppercase=True,
        require_lowercase=True,
        reuse_prevention=2,
    )
    from accounts.services.passwords import PasswordPolicyViolation

    with pytest.raises(PasswordPolicyViolation) as exc:
        users.user_password_set(actor=system_actor(), user=alice, password="alllowercase12")
    assert "uppercase" in exc.value.message and "symbol" in exc.value.message
    users.user_password_set(actor=system_actor(), user=alice, password="Second-Passw0rd")
    with pytest.raises(PasswordPolicyViolation, match="last 2 passwords"):
        users.user_password_set(actor=system_actor(), user=alice, password=PASSWORD)


def test_expired_password_must_be_changed(client, account, alice):
    from datetime import timedelta

    from django.utils import timezone

    password_policy_update(actor=system_actor(), account=account, max_age_days=30)
    alice.password_changed_at = timezone.now() - timedelta(days=31)
    alice.save()
    assert _user_signin(client)["Location"] == "/password/change"


def test_session_expires_after_the_configured_age(client, alice, settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    _user_signin(client)
    assert client.session.get_expiry_age() == 12 * 3600


def test_changing_ones_password_is_the_same_decision_in_the_console_and_the_api(client, alice):
    """Without iam:ChangePassword (default password policy) the console page refuses, as
    ChangePassword through the query API does; the password stays as it was."""
    _user_signin(client)
    response = client.post(
        "/password/change",
        {
            "old_password": PASSWORD,
            "new_password": "N3w-Passw0rd!",
            "confirm_password": "N3w-Passw0rd!",
        },
    )
    assert response.status_code == 403
    assert b"iam:ChangePassword" in response.content
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
