"""The demo world does what the README says for each of its sign-ins."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.crypto import decrypt
from accounts.models import AccessKey
from policies.models import AccessRequest

pytestmark = pytest.mark.django_db

PASSWORD = "Demo-Passw0rd!"


@pytest.fixture
def demo():
    out = StringIO()
    call_command("load_demo", "--password", PASSWORD, stdout=out)
    return out.getvalue()


def sign_in(client, name: str) -> None:
    response = client.post(
        "/signin", {"as": "user", "account": "acme-prod", "username": name, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content


ADMIN_PAGES = [
    "/users",
    "/groups",
    "/roles",
    "/policies",
    "/access/who-can",
    "/audit",
    "/security-credentials",
    "/account/settings",
    "/brokers",
    "/requests/review",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_alice_the_administrator_opens_every_administration_page(client, demo, path):
    sign_in(client, "alice")
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)


def test_olivia_operates_only_her_teams_brokers_and_administers_nothing(client, demo):
    from brokers.models import Broker

    sign_in(client, "olivia")
    orders = Broker.objects.get(name="orders")  # team payments, as olivia
    telemetry = Broker.objects.get(name="telemetry")  # team iot
    assert client.get(f"/brokers/{orders.broker_id}").status_code == 200
    assert client.get(f"/brokers/{telemetry.broker_id}").status_code == 403
    assert client.get("/users").status_code == 403
    assert client.get("/security-credentials").status_code == 200


@pytest.mark.parametrize("name", ["alice", "olivia", "svc-reports"])
def test_every_demo_user_can_enrol_their_own_mfa(client, demo, name):
    sign_in(client, name)
    assert client.get("/security-credentials/mfa").status_code == 200  # the start page
    response = client.post("/security-credentials/mfa", {"step": "start"})
    assert response.status_code == 200
    assert b"otpauth" in response.content or b"data:image/svg+xml" in response.content


@pytest.mark.parametrize("name", ["alice", "olivia", "svc-reports"])
def test_every_demo_user_can_switch_into_the_read_only_role(client, demo, name):
    sign_in(client, name)
    response = client.post(
        "/switch-role", {"account": "acme-prod", "role_name": "BrokerReadOnly", "color": "green"}
    )
    assert response.status_code == 302, response.content
    assert "BrokerReadOnly" in client.get("/").content.decode()


@pytest.mark.parametrize("mfa", [False, True])
def test_brokeradmin_needs_an_mfa_sign_in_which_self_service_enrolment_allows(client, demo, mfa):
    import time

    import pyotp

    from accounts.actors import system_actor
    from accounts.models import IAMUser
    from accounts.services import mfa as mfa_service

    if mfa:
        olivia = IAMUser.objects.get(name="olivia")
        enrolment = mfa_service.mfa_device_create(actor=system_actor(), owner=olivia, name="olivia")
        totp = pyotp.TOTP(enrolment.seed)
        now = time.time() - 60
        mfa_service.mfa_device_enable(
            actor=system_actor(),
            device=enrolment.device,
            code1=totp.at(now),
            code2=totp.at(now + 30),
        )
    response = client.post(
        "/signin",
        {"as": "user", "account": "acme-prod", "username": "olivia", "password": PASSWORD},
    )
    if mfa:
        assert response["Location"].startswith("/signin/mfa")
        assert client.post("/signin/mfa", {"code": totp.now()}).status_code == 302
    response = client.post(
        "/switch-role", {"account": "acme-prod", "role_name": "BrokerAdmin", "color": "red"}
    )
    assert (response.status_code == 302) is mfa


def test_the_service_user_has_a_pending_request_and_reviewers_see_it(client, demo):
    pending = AccessRequest.objects.get(user__name="svc-reports")
    assert pending.status == "pending"
    sign_in(client, "svc-reports")
    assert pending.request_id in client.get("/requests").content.decode()
    client.post("/signout")
    sign_in(client, "alice")
    assert pending.request_id in client.get("/requests/review").content.decode()


def test_the_service_users_key_is_printed_on_every_run(demo):
    again = StringIO()
    call_command("load_demo", "--password", PASSWORD, stdout=again)
    key = AccessKey.objects.get(user__name="svc-monitoring")
    for output in (demo, again.getvalue()):
        line = next(x for x in output.splitlines() if "svc-monitoring access key" in x)
        printed = json.loads(line.split(": ", 1)[1])
        assert printed == {
            "AccessKeyId": key.access_key_id,
            "SecretAccessKey": decrypt(key.secret_encrypted),
        }


@pytest.mark.django_db(transaction=True)
def test_the_run_banner_prints_the_address_and_sign_ins_once_the_console_answers(
    live_server, settings
):
    from tests.policies.test_pages_fixtures import ensure_aws_managed_policies

    ensure_aws_managed_policies()
    call_command("load_demo", "--password", PASSWORD, "--quiet", stdout=StringIO())
    settings.MQIAM = {**settings.MQIAM, "CONSOLE_URL": live_server.url}
    out, err = StringIO(), StringIO()
    call_command(
        "demo_banner", "--once", "--timeout", "20", "--worker-grace", "0", stdout=out, stderr=err
    )
    text = out.getvalue()
    assert err.getvalue() == ""
    assert f"The console is up: {live_server.url}/" in text
    for name in ("alice", "olivia", "svc-reports", "svc-monitoring access key"):
        assert name in text


def test_the_console_url_in_emails_follows_host_and_port():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    code = "from django.conf import settings; print(settings.MQIAM['CONSOLE_URL'])"
    env = {k: v for k, v in os.environ.items() if k != "MQIAM_CONSOLE_URL"}
    env.update(PORT="8123", HOST="0.0.0.0", DJANGO_SETTINGS_MODULE="config.settings.local")
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8123"
