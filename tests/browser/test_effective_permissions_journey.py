"""An administrator asks who can reboot a broker, reads the paths and the access graph (and
exports it), opens what one user can do, follows a conditional cell to its provenance and
into the simulator, then removes the user from the group after reviewing the blast radius;
a real Celery worker recomputes the matrix after every change."""

import json
import time

import pytest

from accounts.actors import system_actor
from accounts.services import groups, roles
from accounts.services.accounts import account_create
from accounts.services.users import user_create
from policies.effective import queries
from policies.services import attachments, managed
from policies.tasks import matrix_sweep
from tests.factories import BrokerFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ACCOUNT = "111122223333"


def _doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _wait_until_current(account, timeout: float = 60.0) -> None:
    """The worker has applied every committed change (what the pages' badge shows)."""
    deadline = time.monotonic() + timeout
    while not queries.freshness(account.pk).current:
        assert time.monotonic() < deadline, "the matrix did not become current"
        time.sleep(0.2)


@pytest.fixture
def world(celery_worker):
    actor = system_actor()
    account = account_create(
        actor=actor,
        account_id=ACCOUNT,
        alias="acme",
        root_email="root@acme.example",
        root_password="Root-Passw0rd!",
    )
    orders = BrokerFactory(
        account=account, name="orders", tags={"team": "payments", "env": "production"}
    )
    telemetry = BrokerFactory(account=account, name="telemetry", tags={"team": "iot"})
    operators_policy = managed.policy_create(
        actor=actor,
        account=account,
        name="BrokerOperators",
        document=_doc(
            {
                "Sid": "RebootOwnTeam",
                "Effect": "Allow",
                "Action": "mq:RebootBroker",
                "Resource": f"arn:aws:mq:*:{ACCOUNT}:broker:*:*",
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
            },
            {
                "Sid": "DeleteWithMFA",
                "Effect": "Allow",
                "Action": "mq:DeleteBroker",
                "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            },
        ),
    )
    operators = groups.group_create(actor=actor, account=account, name="operators")
    attachments.policy_attach(actor=actor, policy=operators_policy, identity=operators)
    for name, team in (("dana", "payments"), ("erin", "iot")):
        user = user_create(actor=actor, account=account, name=name, tags={"team": team})
        groups.group_member_add(actor=actor, group=operators, user=user)
    deployer = roles.role_create(
        actor=actor,
        account=account,
        name="deployer",
        trust_policy=_doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            }
        ),
        tags={"team": "payments"},
    )
    attachments.policy_attach(actor=actor, policy=operators_policy, identity=deployer)
    matrix_sweep()  # the brokers were made directly: the sweep adds them to the matrix
    _wait_until_current(account)
    return {"account": account, "orders": orders, "telemetry": telemetry}


def _sign_in_as_root(journey):
    page = journey.page
    journey.goto("/signin?as=root")
    page.get_by_label("Root user email address").fill("root@acme.example")
    page.get_by_label("Password").fill("Root-Passw0rd!")
    page.get_by_role("button", name="Sign in as root user").click()
    page.wait_for_url(f"{journey.base_url}/")


def _ask_who_can(journey, action: str, broker_name: str):
    page = journey.page
    journey.nav("Access analysis", "Who can…?")
    page.get_by_label("Action", exact=True).select_option(action)
    page.get_by_label("Resource", exact=True).select_option(label=f"broker: {broker_name}")
    page.get_by_role("button", name="Ask").click()
    page.locator("#matrix-freshness").get_by_text("Current").wait_for()


def test_who_can_what_can_provenance_simulator_and_blast_radius(journey, world):
    page, account = journey.page, world["account"]
    _sign_in_as_root(journey)

    _ask_who_can(journey, "mq:RebootBroker", "orders")
    page.get_by_role("heading", name="2 principals can perform mq:RebootBroker").wait_for()
    table = page.get_by_role("table")
    assert table.get_by_role("link", name=f"arn:aws:iam::{ACCOUNT}:user/dana").is_visible()
    assert table.get_by_role("link", name=f"arn:aws:iam::{ACCOUNT}:role/deployer").is_visible()
    assert table.get_by_text("user/erin").count() == 0  # erin's team is iot
    table.get_by_text("group operators").first.wait_for()
    page.locator('#access-graph[data-ready="true"]').wait_for()
    page.locator("#access-graph canvas").first.wait_for()
    journey.shot("who can reboot orders with paths and the access graph")

    with page.expect_download() as download:
        page.get_by_role("button", name="Export SVG").click()
    svg = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "dana" in svg and "orders" in svg

    table.get_by_role("link", name=f"arn:aws:iam::{ACCOUNT}:user/dana").click()
    page.get_by_role("heading", name="What can dana do?").wait_for()
    assert page.locator('a[title="mq:RebootBroker on orders: allowed"]').count() == 1
    assert page.locator('a[title="mq:RebootBroker on telemetry: implicitDeny"]').count() == 1
    conditional = page.locator('a[title="mq:DeleteBroker on orders: conditional"]')
    assert conditional.count() == 1
    page.locator('#access-graph[data-ready="true"]').wait_for()
    journey.shot("what can dana do colour coded by decision with her access graph")

    conditional.click()
    page.get_by_text("Applies only if:").wait_for()
    page.get_by_text("Bool aws:MultiFactorAuthPresent true").wait_for()
    page.get_by_text("DeleteWithMFA").wait_for()
    journey.shot("a conditional cell and the statement behind it")

    page.get_by_role("link", name="Open in the policy simulator").click()
    page.get_by_role("heading", name="Policy simulator").wait_for()
    assert page.get_by_label("Principal").input_value() == "user:dana"
    page.get_by_label("Context keys (key=value per line; lists as JSON)").fill(
        "aws:MultiFactorAuthPresent=true"
    )
    page.get_by_role("button", name="Run simulation").click()
    results = page.get_by_role("region", name="Results")
    results.get_by_text("allowed", exact=True).wait_for()
    results.get_by_text("DeleteWithMFA").wait_for()
    journey.shot("simulator pre-filled from the cell allows with mfa")

    journey.nav("IAM", "Groups")
    page.get_by_role("link", name="operators").click()
    page.get_by_role("link", name="Remove dana from the group").click()
    page.get_by_role("heading", name="Remove dana from group operators?").wait_for()
    impact = page.get_by_role("region", name="Impact of this change")
    impact.get_by_text(f"arn:aws:iam::{ACCOUNT}:user/dana").wait_for()
    impact.get_by_text("mq:RebootBroker").wait_for()
    assert "+0 gained" in impact.inner_text()
    journey.shot("removal shows the cells dana would lose")
    page.get_by_role("button", name="Remove from group").click()
    page.get_by_text("User dana removed from operators.").wait_for()
    journey.shot("dana removed from the group")

    _wait_until_current(account)
    _ask_who_can(journey, "mq:RebootBroker", "orders")
    page.get_by_role("heading", name="1 principal can perform mq:RebootBroker").wait_for()
    assert page.get_by_role("table").get_by_text("user/dana").count() == 0
    journey.shot("after the worker recomputed only the role can reboot orders")
