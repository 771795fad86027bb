"""Management commands: create_account and load_demo."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.crypto import decrypt
from accounts.models import AccessKey, Account, Group, IAMUser, Role
from brokers.models import Broker, Configuration
from policies.models import ManagedPolicy

pytestmark = pytest.mark.django_db


def test_create_account_prints_root_access_key_json():
    out = StringIO()
    call_command(
        "create_account",
        "--account-id",
        "123456789012",
        "--alias",
        "acme",
        "--root-email",
        "root@acme.example",
        "--root-password",
        "Root-Passw0rd",
        "--with-access-key",
        stdout=out,
    )
    printed = json.loads(out.getvalue())
    key = AccessKey.objects.get(access_key_id=printed["AccessKeyId"])
    assert key.root_user.account.account_id == "123456789012"
    assert decrypt(key.secret_encrypted) == printed["SecretAccessKey"]


def test_create_account_reads_password_from_environment(monkeypatch):
    monkeypatch.setenv("ROOT_PASSWORD", "From-Env-Passw0rd")
    call_command(
        "create_account",
        "--account-id",
        "123456789012",
        "--root-email",
        "root@acme.example",
        stdout=StringIO(),
    )
    assert Account.objects.get(account_id="123456789012").root_user.check_password(
        "From-Env-Passw0rd"
    )


def test_create_account_duplicate_is_a_clear_error():
    args = [
        "--account-id",
        "123456789012",
        "--root-email",
        "r@x.example",
        "--root-password",
        "Root-Passw0rd",
    ]
    call_command("create_account", *args, stdout=StringIO())
    with pytest.raises(CommandError, match="EntityAlreadyExists"):
        call_command("create_account", *args, stdout=StringIO())
    with pytest.raises(CommandError, match="ValidationError"):
        call_command(
            "create_account",
            "--account-id",
            "12",
            "--root-email",
            "a@b.example",
            "--root-password",
            "Root-Passw0rd",
            stdout=StringIO(),
        )


def test_load_demo_is_idempotent_and_builds_the_world():
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Sign in with" in out.getvalue()
    counts = [
        Account.objects.count(),
        IAMUser.objects.count(),
        Group.objects.count(),
        Role.objects.count(),
        Broker.objects.count(),
        Configuration.objects.count(),
        ManagedPolicy.objects.count(),
    ]
    call_command("load_demo", stdout=StringIO())
    assert counts == [
        Account.objects.count(),
        IAMUser.objects.count(),
        Group.objects.count(),
        Role.objects.count(),
        Broker.objects.count(),
        Configuration.objects.count(),
        ManagedPolicy.objects.count(),
    ]
    assert Account.objects.count() == 2
    admins = Group.objects.get(name="Administrators")
    assert {a.policy.name for a in admins.policy_attachments.all()} == {
        "AmazonMQFullAccess",
        "AdministratorAccess",
    }
    assert {b.engine_type for b in Broker.objects.all()} == {"ACTIVEMQ", "RABBITMQ"}
    olivia = IAMUser.objects.get(name="olivia")
    operator_doc = olivia.policy_attachments.get().policy.default_version.document
    assert "aws:ResourceTag/team" in operator_doc
    assert Role.objects.filter(name="AWSServiceRoleForAmazonMQ").count() == 1
    monitor = IAMUser.objects.get(name="svc-monitoring")
    assert monitor.policy_attachments.get().policy.name == "AmazonMQReadOnlyAccess"
