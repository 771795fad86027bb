"""A service user is denied rebooting a broker, requests access from the denial page, an
administrator reviews the blast radius and approves, the user reboots the broker; when the
grant expires the expiry task removes it and the access is gone."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.actors import system_actor
from accounts.services.accounts import account_create
from accounts.services.users import user_create
from brokers.models import Broker
from policies.aws_managed import sync_aws_managed_policies
from policies.models import AccessRequest, InlinePolicy, ManagedPolicy, PolicyVersion
from policies.services.attachments import inline_policy_put
from policies.tasks import access_request_sweep, matrix_sweep
from tests.factories import BrokerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Service-Passw0rd!"


def _policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def world():
    actor = system_actor()
    sync_aws_managed_policies(ManagedPolicy, PolicyVersion)  # flushed by transactional tests
    account = account_create(
        actor=actor,
        account_id="111122223333",
        alias="acme",
        root_email="root@acme.example",
        root_password="Root-Passw0rd!",
    )
    svc = user_create(
        actor=actor, account=account, name="svc-orders", password=PASSWORD,
        tags={"team": "payments"},
    )  # fmt: skip
    inline_policy_put(
        actor=actor,
        identity=svc,
        name="read-brokers",
        document=_policy(
            {"Effect": "Allow", "Action": ["mq:DescribeBroker", "mq:ListBrokers"], "Resource": "*"}
        ),
    )
    admin = user_create(actor=actor, account=account, name="ops-admin", password=PASSWORD)
    inline_policy_put(
        actor=actor,
        identity=admin,
        name="grant-access",
        document=_policy(
            {
                "Effect": "Allow",
                "Action": ["iam:PutUserPolicy", "iam:DeleteUserPolicy", "iam:GetUser"],
                "Resource": "arn:aws:iam::111122223333:user/*",
            },
            {"Effect": "Allow", "Action": ["mq:Describe*", "mq:List*"], "Resource": "*"},
        ),
    )
    broker = BrokerFactory(
        account=account, name="orders", tags={"env": "production", "team": "payments"}
    )
    BrokerFactory(account=account, name="telemetry", tags={"team": "iot"})
    matrix_sweep()  # the brokers were made directly: the sweep adds them to the matrix
    return broker


def _sign_in(journey, name):
    page = journey.page
    journey.goto("/signin")
    page.get_by_label("Account ID (12 digits) or account alias").fill("acme")
    page.get_by_label("IAM user name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{journey.base_url}/")


def _sign_out(journey):
    journey.page.get_by_role("button", name="Account").click()
    journey.page.get_by_role("button", name="Sign out").click()


def _try_reboot(journey, broker):
    page = journey.page
    journey.goto(f"/brokers/{broker.broker_id}")
    page.get_by_role("link", name="Reboot", exact=True).click()
    page.get_by_role("button", name="Reboot broker").click()


def test_request_review_approve_use_and_expire(journey, world):
    page, broker = journey.page, world
    _sign_in(journey, "svc-orders")
    journey.goto(f"/brokers/{broker.broker_id}")
    page.get_by_role("heading", name="orders").wait_for()
    journey.shot("service user sees the broker")

    _try_reboot(journey, broker)
    page.get_by_role("heading", name="Access denied").wait_for()
    page.get_by_text("is not authorized to perform: mq:RebootBroker").wait_for()
    journey.shot("reboot denied with a request access button")

    page.get_by_role("link", name="Request access").click()
    page.get_by_role("heading", name="Request access").wait_for()
    assert page.get_by_role("checkbox", name="mq:RebootBroker").is_checked()
    assert page.get_by_label("Brokers", exact=True).evaluate(
        "s => [...s.selectedOptions].map(o => o.text)"
    ) == ["orders (us-east-1)"]
    journey.shot("request form pre-filled from the denial")
    page.get_by_label("For how long?").select_option("4")
    page.get_by_role("textbox", name="Justification").fill(
        "Reboot orders to apply the pending TLS settings (CHG-1234)."
    )
    preview = page.locator("#request-preview")
    preview.get_by_text("Limited: Write").wait_for()
    preview.get_by_text("No findings").wait_for()
    page.get_by_text("Policy document (JSON)").click()
    preview.get_by_text('"aws:CurrentTime"').wait_for()
    page.evaluate("window.scrollTo(0, 0)")  # the preview card follows the scroll
    journey.shot("live preview of the least privilege policy")
    page.get_by_role("button", name="Submit request").click()
    page.get_by_text("submitted for review").wait_for()
    journey.shot("request submitted waiting for an approver")
    req = AccessRequest.objects.get()
    assert req.actions == ["mq:RebootBroker"] and req.status == "pending"

    _sign_out(journey)
    _sign_in(journey, "ops-admin")
    navigation = page.get_by_role("navigation", name="Main")
    navigation.get_by_title("Requests waiting for your review").wait_for()
    journey.shot("administrator sees one request to review")
    navigation.get_by_role("link", name="Requests").click()
    page.get_by_role("link", name=req.request_id).click()
    page.get_by_text("New access to production brokers").wait_for()
    page.get_by_text("Reboot orders to apply the pending TLS settings").first.wait_for()
    journey.shot("review with blast radius flagging production")
    page.get_by_role("combobox", name="Duration").select_option("1")
    page.get_by_role("button", name="Approve").click()
    page.get_by_role("alert").get_by_text("approved: inline policy").wait_for()
    journey.shot("approved policy applied until expiry")
    req.refresh_from_db()
    assert req.status == "approved" and req.duration_hours == 1
    assert InlinePolicy.objects.filter(name=req.policy_name).exists()

    _sign_out(journey)
    _sign_in(journey, "svc-orders")
    journey.goto("/notifications")
    page.get_by_text("approved: your access is granted").wait_for()
    journey.shot("requester notified of the approval")
    _try_reboot(journey, broker)
    page.get_by_text("Rebooting broker orders.").wait_for()
    journey.shot("service user reboots the broker")

    # Time moves past the expiry; the beat task's sweep removes the grant.
    Broker.objects.filter(pk=broker.pk).update(state="RUNNING", transition_token="")
    AccessRequest.objects.filter(pk=req.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert access_request_sweep()["revoked"] == [req.request_id]
    journey.goto(f"/requests/{req.request_id}")
    page.get_by_text("Expired", exact=True).first.wait_for()
    journey.shot("request expired and its policy removed")
    _try_reboot(journey, broker)
    page.get_by_role("heading", name="Access denied").wait_for()
    journey.shot("access is gone after expiry")
    assert not InlinePolicy.objects.filter(name=req.policy_name).exists()
