"""The README's demo sign-ins, each showing its features, on a 1,000 px wide screen.

alice administers (every main page, no sideways scrolling, also in a role session with a
display name); olivia operates only her team's broker, which who-can and the simulator agree
on; svc-reports sees its pending request. A real Celery worker keeps the matrix current.
"""

from __future__ import annotations

import time
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import call_command

from accounts.actors import system_actor
from accounts.models import Account
from brokers.models import Broker
from policies.effective import queries
from policies.models import ManagedPolicy
from policies.services.managed import policy_create
from policies.tasks import matrix_sweep
from tests.policies.test_pages_fixtures import ensure_aws_managed_policies

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
PASSWORD = "Demo-Passw0rd!"
WIDTH = 1000
# The longest name IAM allows: it must not push the policy list's other columns off-screen.
LONG_POLICY_NAME = "Operators-" + "x" * 118


@pytest.fixture
def demo(celery_worker):
    ensure_aws_managed_policies()
    call_command("load_demo", "--password", PASSWORD, "--quiet", stdout=StringIO())
    account = Account.objects.get(alias="acme-prod")
    policy_create(
        actor=system_actor(account.account_id),
        account=account,
        name=LONG_POLICY_NAME,
        document='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"mq:ListBrokers","Resource":"*"}]}',
    )
    matrix_sweep()  # the demo's brokers join the matrix
    deadline = time.monotonic() + 90
    while not queries.freshness(account.pk).current:
        assert time.monotonic() < deadline, "the matrix did not become current"
        time.sleep(0.2)
    return account


def sign_in(journey, name: str) -> None:
    page = journey.page
    journey.goto("/signin")
    page.get_by_label("Account ID (12 digits) or account alias").fill("acme-prod")
    page.get_by_label("IAM user name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{journey.base_url}/")


def sign_out(journey) -> None:
    page = journey.page
    page.get_by_role("button", name="Account").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{journey.base_url}/signin**")


def assert_fits(journey, label: str) -> None:
    """No sideways scrolling at this width, and the navigation's right end is on screen."""
    page = journey.page
    widths = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, window.innerWidth,"
        " document.querySelector('nav[aria-label=Main] .dropdown:last-child')"
        "?.getBoundingClientRect().right ?? 0,"
        # A table wider than its card would be cut off (scrolled inside the card).
        " [...document.querySelectorAll('.table-responsive')]"
        ".filter((t) => t.scrollWidth > t.clientWidth + 1).length]"
    )
    journey.shot(label)
    scroll_width, inner_width, account_menu_right, cut_tables = widths
    if scroll_width > inner_width or account_menu_right > inner_width or cut_tables:
        journey.overflows.append((label, scroll_width, account_menu_right, cut_tables))


@pytest.fixture(autouse=True)
def _overflows(journey):
    """Every page is measured; the test fails at the end with all that scroll sideways."""
    journey.overflows = []
    yield
    assert journey.overflows == [], f"pages wider than {WIDTH} px: {journey.overflows}"


def main_pages(account) -> list[tuple[str, str]]:
    orders = Broker.objects.get(account=account, name="orders")
    admin_policy = ManagedPolicy.objects.get(account=account, name="AdministratorAccess")
    long_policy = ManagedPolicy.objects.get(account=account, name=LONG_POLICY_NAME)
    return [
        ("dashboard", "/"),
        ("users", "/users"),
        ("user alice", "/users/alice"),
        ("groups", "/groups"),
        ("group administrators", "/groups/Administrators"),
        ("roles", "/roles"),
        ("role brokeradmin", "/roles/BrokerAdmin"),
        ("policies", "/policies"),
        ("policy administratoraccess", f"/policies/{admin_policy.unique_id}"),
        ("policy with a 128 character name", f"/policies/{long_policy.unique_id}"),
        ("brokers", "/brokers"),
        ("broker orders", f"/brokers/{orders.broker_id}"),
        ("configurations", "/configurations"),
        (
            "who can reboot orders",
            f"/access/who-can?action=mq:RebootBroker&resource={quote(orders.arn)}",
        ),
        ("what can olivia do", "/access/user/olivia"),
        ("simulator", "/simulator"),
        ("requests", "/requests"),
        ("requests to review", "/requests/review"),
        ("audit trail", "/audit"),
        ("account settings", "/account/settings"),
        ("credential report", "/account/credential-report"),
        ("security credentials", "/security-credentials"),
        ("role sessions", "/role-sessions"),
        ("api docs", "/api/docs/"),
    ]


def test_alice_administers_every_page_at_1000px_also_in_a_role_session(journey, demo):
    page = journey.page
    page.set_viewport_size({"width": WIDTH, "height": 800})
    sign_in(journey, "alice")
    for label, path in main_pages(demo):
        journey.goto(path)
        if path == "/api/docs/":  # Swagger UI renders the schema after loading it
            page.locator(".swagger-ui .information-container").wait_for()
        assert page.locator(".alert-danger", has_text="not authorized").count() == 0, label
        assert_fits(journey, f"alice {label}")
    journey.goto("/policies")
    long_link = page.get_by_role("link", name=LONG_POLICY_NAME)
    assert long_link.get_attribute("title") == LONG_POLICY_NAME  # truncated, full on hover

    journey.goto("/switch-role")
    page.get_by_label("Account ID or alias").fill("acme-prod")
    page.get_by_label("Role name").fill("BrokerReadOnly")
    page.get_by_label("Display name (optional)").fill("Reader at prod")
    page.get_by_label("Display colour").select_option("orange")
    page.get_by_role("button", name="Switch role").click()
    page.get_by_text("You are now acting as").wait_for()
    badge = page.locator(".role-badge")
    assert "Reader at prod" in badge.inner_text()
    for label, path in main_pages(demo)[:12]:
        journey.goto(path)
        assert_fits(journey, f"role session {label}")
    page.get_by_role("button", name="Switch back").click()
    page.get_by_text("Switched back to your own identity.").wait_for()


def test_olivia_operates_her_teams_broker_and_who_can_agrees_with_the_simulator(journey, demo):
    page = journey.page
    page.set_viewport_size({"width": WIDTH, "height": 800})
    orders = Broker.objects.get(account=demo, name="orders")
    telemetry = Broker.objects.get(account=demo, name="telemetry")

    # alice asks who can reboot each broker: olivia only for her team's (tag-conditioned).
    sign_in(journey, "alice")
    who = {}
    for broker in (orders, telemetry):
        journey.goto(f"/access/who-can?action=mq:RebootBroker&resource={quote(broker.arn)}")
        page.locator("#matrix-freshness").get_by_text("Current").wait_for()
        page.locator("#access-graph[data-ready=true]").wait_for()
        who[broker.name] = (
            page.get_by_role("link", name=f"arn:aws:iam::{demo.account_id}:user/olivia").count() > 0
        )
        assert_fits(journey, f"who can reboot {broker.name}")
    assert who == {"orders": True, "telemetry": False}

    journey.goto("/simulator")
    page.get_by_label("Principal").select_option("user:olivia")
    page.get_by_label("Actions", exact=True).select_option("mq:RebootBroker")
    page.get_by_label("Resources", exact=True).select_option([orders.arn, telemetry.arn])
    page.get_by_role("button", name="Run simulation").click()
    results = page.locator("#simulation-results tbody > tr.result-row")
    decisions = {}
    for i in range(results.count()):
        row = results.nth(i)
        decisions[row.get_attribute("data-resource")] = row.get_attribute("data-decision")
    assert decisions == {orders.arn: "allowed", telemetry.arn: "implicitDeny"}
    # Where each value came from: the tag from the resource, the principal tag from olivia.
    sources = page.locator("#simulation-context")
    assert (
        sources.locator("tr", has_text="aws:ResourceTag/team").first.get_by_text("resource").count()
    )
    assert (
        sources.locator("tr", has_text="aws:PrincipalTag/team")
        .first.get_by_text("principal")
        .count()
    )
    assert_fits(journey, "simulator agrees with who-can")

    # What-if: typing the telemetry broker's team overrides the value read from the resource.
    page.locator("#simulation-context tr", has_text="iot").get_by_role(
        "button", name="Override"
    ).first.click()
    context_box = page.get_by_label("Context keys (key=value per line; lists as JSON)")
    assert "aws:ResourceTag/team=iot" in context_box.input_value()
    context_box.fill("aws:ResourceTag/team=payments")
    page.get_by_role("button", name="Run simulation").click()
    row = page.locator(f"#simulation-results tr.result-row[data-resource='{telemetry.arn}']")
    assert row.get_attribute("data-decision") == "allowed"
    assert (
        page.locator("#simulation-context tr", has_text="aws:ResourceTag/team")
        .first.get_by_text("typed")
        .count()
    )
    assert_fits(journey, "simulator what-if typed tag overrides the resource")
    sign_out(journey)

    sign_in(journey, "olivia")
    journey.goto(f"/brokers/{orders.broker_id}")
    page.get_by_role("heading", name="orders").wait_for()
    assert_fits(journey, "olivia operates orders")
    journey.goto(f"/brokers/{telemetry.broker_id}")
    assert page.locator(".alert-danger").count() == 1
    assert_fits(journey, "olivia denied telemetry")
    journey.goto("/users")
    assert page.locator(".alert-danger").count() == 1
    journey.goto("/security-credentials/mfa")
    page.get_by_role("button", name="Create the device and show its QR code").click()
    page.wait_for_selector("#mfa-seed")
    assert_fits(journey, "olivia enrols her own mfa")
    sign_out(journey)

    sign_in(journey, "svc-reports")
    journey.goto("/requests")
    assert page.get_by_text("pending", exact=False).count() >= 1
    assert_fits(journey, "svc-reports sees its pending request")


def _doc(*statements) -> str:
    import json

    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_a_30_node_access_graph_reads_and_collapses(journey, demo):
    from accounts.services.groups import group_create, group_member_add
    from accounts.services.users import user_create
    from policies.services.attachments import policy_attach

    actor = system_actor(demo.account_id)
    orders = Broker.objects.get(account=demo, name="orders")
    broker_arn = f"arn:aws:mq:*:{demo.account_id}:broker:orders:*"
    for g in range(5):
        group = group_create(actor=actor, account=demo, name=f"team-{g}-operators")
        policy = policy_create(
            actor=actor,
            account=demo,
            name=f"Team{g}BrokerAccess",
            document=_doc(
                {
                    "Sid": "Describe",
                    "Effect": "Allow",
                    "Action": "mq:DescribeBroker",
                    "Resource": broker_arn,
                },
                {
                    "Sid": "Reboot",
                    "Effect": "Allow",
                    "Action": "mq:RebootBroker",
                    "Resource": broker_arn,
                },
                {
                    "Sid": "Users",
                    "Effect": "Allow",
                    "Action": ["mq:ListUsers", "mq:DescribeUser"],
                    "Resource": broker_arn,
                },
            ),
        )
        policy_attach(actor=actor, policy=policy, identity=group)
        for u in range(4):
            user = user_create(actor=actor, account=demo, name=f"operator-{g}-{u}")
            group_member_add(actor=actor, group=group, user=user)
    deadline = time.monotonic() + 90
    while not queries.freshness(demo.pk).current:
        assert time.monotonic() < deadline, "the matrix did not become current"
        time.sleep(0.2)

    page = journey.page
    page.set_viewport_size({"width": WIDTH, "height": 800})
    sign_in(journey, "alice")
    journey.goto(f"/access/who-can?action=mq:RebootBroker&resource={quote(orders.arn)}")
    graph = page.locator("#access-graph[data-ready=true]")
    graph.wait_for()
    assert int(graph.get_attribute("data-nodes")) >= 30
    graph.scroll_into_view_if_needed()
    assert_fits(journey, "30 node access graph")
    graph.screenshot(path=str(journey.directory / "graph-expanded.png"))
    expanded = int(graph.get_attribute("data-visible"))
    page.get_by_role("button", name="Collapse groups").click()
    assert int(graph.get_attribute("data-visible")) <= expanded - 20
    assert_fits(journey, "access graph with groups collapsed")
    graph.screenshot(path=str(journey.directory / "graph-collapsed.png"))
    page.get_by_role("button", name="Expand all").click()
    assert int(graph.get_attribute("data-visible")) == expanded
