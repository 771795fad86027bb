"""Dashboard, account settings and the credential report, through the console pages."""

import csv
import io

import pytest

from accounts.actors import system_actor
from accounts.models import Account, AuditEvent, CredentialReport, PasswordPolicy
from accounts.services import access_keys, users
from policies.services import attachments
from tests.factories import AccountFactory, IAMUserFactory, RootUserFactory

pytestmark = pytest.mark.django_db
ACCOUNT = "111122223333"
PASSWORD = "Corr3ct-Horse!"


@pytest.fixture
def account():
    account = AccountFactory(account_id=ACCOUNT, alias="acme")
    RootUserFactory(account=account, email="root@acme.example")
    return account


@pytest.fixture
def alice(account):
    user = IAMUserFactory(account=account, name="alice")
    users.user_password_set(actor=system_actor(), user=user, password=PASSWORD)
    return user


def _sign_in(client, name="alice"):
    client.post(
        "/signin", {"as": "user", "account": ACCOUNT, "username": name, "password": PASSWORD}
    )


def _root(client):
    client.post(
        "/signin", {"as": "root", "email": "root@acme.example", "password": "Root-Passw0rd"}
    )


def _allow(user, *actions):
    attachments.inline_policy_put(
        actor=system_actor(),
        identity=user,
        name="allow",
        document={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
        },
    )


def test_dashboard_shows_quotas_and_hints_only_with_permission(client, account, alice):
    access_keys.access_key_create(actor=system_actor(), owner=account.root_user)
    _sign_in(client)
    page = client.get("/").content.decode()
    assert "IAM resources against quotas" not in page
    _allow(alice, "iam:GetAccountSummary")
    page = client.get("/").content.decode()
    assert "IAM resources against quotas" in page
    assert "The root user has access keys" in page
    assert "The root user has no MFA" in page
    assert "console user(s) without MFA" in page


def test_alias_and_password_policy_are_saved_and_audited(client, account):
    _root(client)
    assert client.get("/account/settings").status_code == 200
    response = client.post("/account/settings", {"section": "alias", "alias": "acme-new"})
    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).alias == "acme-new"
    bad = client.post("/account/settings", {"section": "alias", "alias": "Bad Alias"})
    assert bad.status_code == 400
    response = client.post(
        "/account/settings",
        {
            "section": "password-policy",
            "minimum_length": 14,
            "require_symbols": "on",
            "allow_users_to_change": "on",
            "reuse_prevention": 5,
        },
    )
    assert response.status_code == 302
    policy = PasswordPolicy.objects.get(account=account)
    assert (policy.minimum_length, policy.require_symbols, policy.reuse_prevention) == (14, True, 5)
    assert AuditEvent.objects.filter(action="iam:UpdateAccountPasswordPolicy").exists()
    out_of_range = client.post(
        "/account/settings", {"section": "password-policy", "minimum_length": 3}
    )
    assert out_of_range.status_code == 400


def test_settings_need_iam_permissions(client, alice):
    _sign_in(client)
    response = client.get("/account/settings")
    assert response.status_code == 403
    assert b"iam:GetAccountPasswordPolicy" in response.content
    _allow(alice, "iam:GetAccountPasswordPolicy")
    assert client.get("/account/settings").status_code == 200
    denied = client.post("/account/settings", {"section": "alias", "alias": "other"})
    assert denied.status_code == 403
    assert b"iam:CreateAccountAlias" in denied.content


def test_credential_report_generated_by_a_task_and_downloaded(
    client, account, alice, django_capture_on_commit_callbacks
):
    access_keys.access_key_create(actor=system_actor(), owner=alice)
    _root(client)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/account/credential-report").status_code == 302
    report = CredentialReport.objects.get(account=account)
    assert report.status == "COMPLETE" and report.total == 1
    response = client.get("/account/credential-report?download=1")
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["user"] for r in rows] == ["<root_account>", "alice"]
    assert rows[1]["password_enabled"] == "true" and rows[1]["access_key_1_active"] == "true"
    assert list(rows[0])[:4] == ["user", "arn", "user_creation_time", "password_enabled"]


def test_credential_report_progress_partial_and_denial(client, account, alice):
    CredentialReport.objects.create(account=account, status="INPROGRESS", total=10, done=4)
    _root(client)
    partial = client.get("/account/credential-report", HTTP_HX_REQUEST="true")
    assert b"4 of 10 users" in partial.content and b"hx-trigger" in partial.content
    client.post("/signout")
    _sign_in(client)
    assert client.post("/account/credential-report").status_code == 403
