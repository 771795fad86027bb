"""An operator creates a broker through the wizard, watches it start, adds a user (pending),
reboots the broker and sees the user applied; a real Celery worker moves the states."""

import json

import pytest

from accounts.actors import system_actor
from accounts.services.accounts import account_create
from accounts.services.users import user_create
from brokers.models import Broker, BrokerUser
from policies.aws_managed import sync_aws_managed_policies
from policies.models import ManagedPolicy, PolicyVersion
from policies.services.attachments import inline_policy_put

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ACCOUNT = "111122223333"
PASSWORD = "Alice-Passw0rd!"
BROKER_PASSWORD = "Broker-Passw0rd-1"


@pytest.fixture
def world(settings):
    # Long enough to see the progress bar, short enough for a test.
    settings.MQIAM = {**settings.MQIAM, "BROKER_TRANSITION_DELAY_S": 3}
    actor = system_actor()
    sync_aws_managed_policies(ManagedPolicy, PolicyVersion)  # flushed by transactional tests
    account = account_create(
        actor=actor,
        account_id=ACCOUNT,
        alias="acme",
        root_email="root@acme.example",
        root_password="Root-Passw0rd!",
    )
    alice = user_create(
        actor=actor, account=account, name="alice", password=PASSWORD, tags={"team": "payments"}
    )
    inline_policy_put(
        actor=actor,
        identity=alice,
        name="brokers",
        document=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "mq:*", "Resource": "*"},
                    {
                        "Effect": "Allow",
                        "Action": "iam:CreateServiceLinkedRole",
                        "Resource": "*",
                        "Condition": {"StringLike": {"iam:AWSServiceName": "mq.amazonaws.com"}},
                    },
                ],
            }
        ),
    )
    return account


def _sign_in(journey):
    page = journey.page
    journey.goto("/signin")
    page.get_by_label("Account ID (12 digits) or account alias").fill("acme")
    page.get_by_label("IAM user name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{journey.base_url}/")


def _next(page):
    page.get_by_role("button", name="Next").click()


def test_create_broker_add_user_reboot(journey, world, celery_worker):
    page = journey.page
    _sign_in(journey)
    journey.nav("Amazon MQ", "Brokers")
    page.get_by_text("No brokers yet").wait_for()
    journey.shot("empty broker list")

    page.get_by_role("link", name="Create broker").first.click()
    page.get_by_label("ActiveMQ").check()
    page.get_by_label("Engine version").select_option("5.18")
    journey.shot("wizard step 1 engine")
    _next(page)

    # (Each step's rules are checked on submit; tests/brokers/test_views.py covers the errors,
    # which answer 400 and so would count as a console error here.)
    page.get_by_label("Broker name").fill("orders")
    page.get_by_label("Single-instance broker").check()
    page.get_by_text("Active/standby broker (two Availability Zones)").wait_for()
    page.get_by_text(
        "Cluster deployment (three nodes across Availability Zones) is available"
    ).wait_for()
    journey.shot("wizard step 2 deployment")
    _next(page)

    page.get_by_label("Broker instance type").select_option("mq.t3.micro")
    page.get_by_label("Amazon EFS (durable)").check()
    journey.shot("wizard step 3 instance")
    _next(page)

    page.get_by_label("Day of the week").select_option("SUNDAY")
    page.get_by_label("Publish general logs").check()
    journey.shot("wizard step 4 access and settings")
    _next(page)

    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(BROKER_PASSWORD)
    page.get_by_label("ActiveMQ Web Console access").check()
    journey.shot("wizard step 5 users")
    _next(page)

    page.get_by_label("Tags").fill("team=payments\nenv=staging")
    _next(page)
    page.get_by_role("heading", name="Step 7: Review").wait_for()
    journey.shot("wizard step 7 review")
    page.get_by_role("button", name="Create broker").click()

    page.get_by_text("Creating broker orders").wait_for()
    page.locator('#broker-state [data-state="CREATION_IN_PROGRESS"]').wait_for()
    journey.shot("broker creation in progress")
    page.locator('#broker-state [data-state="RUNNING"]').wait_for(timeout=30000)
    page.get_by_role("rowheader", name="Web console").first.wait_for()
    journey.shot("broker running with endpoints")
    broker = Broker.objects.get(name="orders")
    assert broker.state == "RUNNING" and broker.tags == {"team": "payments", "env": "staging"}

    page.get_by_role("link", name="Add user").click()
    page.get_by_label("Username").fill("order-processor")
    page.get_by_label("Password").fill(BROKER_PASSWORD)
    page.get_by_label("Groups").fill("consumers")
    journey.shot("add broker user")
    page.get_by_role("button", name="Add user").click()
    page.get_by_text("Pending create").wait_for()
    page.get_by_text("Pending changes").wait_for()
    journey.shot("user pending create")
    assert BrokerUser.objects.get(username="order-processor").pending_change == "CREATE"

    page.get_by_role("link", name="Reboot", exact=True).click()
    page.get_by_text("Create user order-processor").wait_for()
    journey.shot("reboot confirmation lists pending changes")
    page.get_by_role("button", name="Reboot broker").click()
    page.locator('#broker-state [data-state="REBOOT_IN_PROGRESS"]').wait_for()
    journey.shot("broker rebooting")
    page.locator('#broker-state [data-state="RUNNING"]').wait_for(timeout=30000)
    page.get_by_role("cell", name="order-processor", exact=True).wait_for()
    assert page.get_by_text("Pending create").count() == 0
    journey.shot("user applied after reboot")
    user = BrokerUser.objects.get(username="order-processor")
    assert user.applied and user.pending_change == "" and user.groups == ["consumers"]

    journey.nav("Amazon MQ", "Brokers")
    page.get_by_role("link", name="orders").wait_for()
    journey.shot("broker list with running broker")


def test_configuration_revision_checked_as_you_type_diffed_and_applied(journey, world):
    from brokers.services import broker_create

    broker = broker_create(
        actor=system_actor(),
        account=world,
        name="orders",
        engine_type="ACTIVEMQ",
        deployment_mode="SINGLE_INSTANCE",
        host_instance_type="mq.t3.micro",
        users=[{"username": "admin", "password": BROKER_PASSWORD}],
    )
    Broker.objects.filter(pk=broker.pk).update(state="RUNNING", transition_token="")
    page = journey.page
    _sign_in(journey)
    journey.goto("/configurations")
    page.get_by_role("link", name="orders-configuration").click()
    page.get_by_role("heading", name="Revision 1 (latest)").wait_for()
    journey.shot("configuration with its first revision")

    page.get_by_role("link", name="Edit (new revision)").click()
    editor = page.get_by_label("Configuration document")
    editor.fill(
        '<broker xmlns="http://activemq.apache.org/schema/core">\n'
        "  <plugins>\n"
        '    <timeStampingBrokerPlugin zeroExpirationOverride="86400000"/>\n'
        "  </plugins>\n"
        "  <sslContext/>\n"
        "</broker>\n"
    )
    editor.press("End")
    page.get_by_text("Amazon MQ will remove").wait_for()
    journey.shot("live check warns about a disallowed element")
    page.get_by_label("Revision description").fill("Expire messages after a day")
    page.get_by_role("button", name="Save revision 2").click()
    page.get_by_text("Revision 2 of orders-configuration saved").wait_for()
    journey.shot("revision 2 with its diff and warnings")

    page.get_by_label("Broker").select_option(broker.broker_id)
    page.get_by_role("button", name="Apply revision 2").click()
    page.get_by_text("is pending on orders").wait_for()
    journey.shot("revision 2 pending on the broker")
    assert Broker.objects.get(pk=broker.pk).pending["configuration"]["revision"] == 2
