"""Root signs in, enrols MFA, creates a user; the user is denied, switches role, succeeds."""

import json
import re

import pyotp
import pytest

from accounts.actors import system_actor
from accounts.services.accounts import account_create
from accounts.services.roles import role_create
from policies.services.attachments import inline_policy_put
from policies.services.managed import policy_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ACCOUNT = "111122223333"


def _doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def world():
    actor = system_actor()
    account = account_create(
        actor=actor,
        account_id=ACCOUNT,
        alias="acme",
        root_email="root@acme.example",
        root_password="Root-Passw0rd!",
    )
    role = role_create(
        actor=actor,
        account=account,
        name="Auditor",
        trust_policy=_doc(
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            }
        ),
    )
    inline_policy_put(
        actor=actor,
        identity=role,
        name="audit",
        document=_doc({"Effect": "Allow", "Action": "cloudtrail:LookupEvents", "Resource": "*"}),
    )
    policy_create(
        actor=actor,
        account=account,
        name="AssumeAuditor",
        document=_doc(
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": f"arn:aws:iam::{ACCOUNT}:role/Auditor",
            }
        ),
    )
    return account


def test_root_enrols_mfa_creates_user_who_switches_role(journey, world):
    page = journey.page
    journey.goto("/signin?as=root")
    journey.shot("root sign-in page")
    page.get_by_label("Root user email address").fill("root@acme.example")
    page.get_by_label("Password").fill("Root-Passw0rd!")
    page.get_by_role("button", name="Sign in as root user").click()
    page.wait_for_url(f"{journey.base_url}/")
    journey.shot("root dashboard")

    page.get_by_role("link", name="Manage your access keys and MFA").click()
    page.get_by_role("link", name="Assign a virtual MFA device").click()
    # The link's GET only shows the start page; the device is created by the POST.
    page.get_by_role("button", name="Create the device and show its QR code").click()
    page.wait_for_selector("#mfa-seed")
    journey.shot("mfa enrolment with qr code")
    totp = pyotp.TOTP(page.locator("#mfa-seed").inner_text().strip())
    import time

    now = time.time()
    page.get_by_label("MFA code 1").fill(totp.at(now - 30))
    page.get_by_label("MFA code 2 (the next one)").fill(totp.at(now))
    page.get_by_role("button", name="Assign MFA").click()
    page.get_by_text("Your virtual MFA device is assigned").wait_for()
    journey.shot("mfa assigned")

    journey.goto("/users/create")
    page.get_by_label("User name").fill("carol")
    page.get_by_label("Provide access to the console").check()
    page.get_by_label("Console password").fill("Carol-Passw0rd!")
    page.get_by_label("User must create a new password at next sign-in").uncheck()
    page.get_by_label("Attach policies directly").select_option(
        f"arn:aws:iam::{ACCOUNT}:policy/AssumeAuditor"
    )
    page.get_by_label("Tags").fill("team=payments")
    journey.shot("create user form")
    page.get_by_role("button", name="Create user").click()
    page.get_by_text("User carol created.").wait_for()
    journey.shot("user created")
    page.get_by_role("button", name="Account").click()
    page.get_by_role("button", name="Sign out").click()

    journey.goto("/signin")
    page.get_by_label("Account ID (12 digits) or account alias").fill("acme")
    page.get_by_label("IAM user name").fill("carol")
    page.get_by_label("Password").fill("Carol-Passw0rd!")
    journey.shot("user sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{journey.base_url}/")
    journey.goto("/audit")
    denial = page.locator(".alert-danger")
    assert re.search(
        rf"User: arn:aws:iam::{ACCOUNT}:user/carol is not authorized to perform: "
        r"cloudtrail:LookupEvents on resource: \* because no identity-based policy allows "
        r"the cloudtrail:LookupEvents action",
        denial.inner_text(),
    )
    journey.shot("access denied with aws message")

    page.get_by_role("link", name="Switch role").click()
    page.get_by_label("Account ID or alias").fill(ACCOUNT)
    page.get_by_label("Role name").fill("Auditor")
    page.get_by_label("Display colour").select_option("green")
    journey.shot("switch role form")
    page.get_by_role("button", name="Switch role").click()
    page.get_by_text("You are now acting as").wait_for()
    journey.shot("acting as role")
    journey.goto("/audit")
    page.get_by_role("heading", name="Audit trail").wait_for()
    assert page.get_by_text("sts:AssumeRole").count() >= 1
    journey.shot("audit trail allowed through role")
    page.get_by_role("button", name="Switch back").click()
    journey.goto("/audit")
    assert page.locator(".alert-danger").count() == 1
    journey.shot("denied again after switching back")
