"""Root writes a policy with a mistake, fixes it from the live finding, attaches it to a group,
edits it into v2, compares v1 with v2 side by side and makes v2 the default."""

import pytest

from accounts.actors import system_actor
from accounts.services.accounts import account_create
from accounts.services.groups import group_create, group_member_add
from accounts.services.users import user_create
from policies.models import ManagedPolicy
from tests.policies.test_pages_fixtures import ensure_aws_managed_policies

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ACCOUNT = "111122223333"

# The first draft has a typo in an action name (RebootBrokers), which IAM would store but
# which grants nothing; the validator names it and suggests the right one.
DRAFT = """{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadAllBrokers",
            "Effect": "Allow",
            "Action": [
                "mq:DescribeBroker",
                "mq:ListBrokers"
            ],
            "Resource": "*"
        },
        {
            "Sid": "RebootTeamBrokers",
            "Effect": "Allow",
            "Action": [
                "mq:RebootBrokers"
            ],
            "Resource": "arn:aws:mq:*:111122223333:broker:orders-*:*",
            "Condition": {
                "StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}
            }
        }
    ]
}"""


@pytest.fixture
def world():
    ensure_aws_managed_policies()
    actor = system_actor()
    account = account_create(
        actor=actor,
        account_id=ACCOUNT,
        alias="acme",
        root_email="root@acme.example",
        root_password="Root-Passw0rd!",
    )
    group_create(actor=actor, account=account, name="BrokerOperators")
    user_create(actor=actor, account=account, name="dana", tags={"team": "orders"})
    return account


def test_write_fix_attach_version_compare_and_set_default(journey, world):
    page = journey.page
    journey.goto("/signin?as=root")
    page.get_by_label("Root user email address").fill("root@acme.example")
    page.get_by_label("Password").fill("Root-Passw0rd!")
    page.get_by_role("button", name="Sign in as root user").click()
    page.wait_for_url(f"{journey.base_url}/")

    journey.nav("IAM", "Policies")
    page.get_by_role("heading", name="Policies").wait_for()
    assert page.get_by_role("link", name="AmazonMQFullAccess").count() == 1
    journey.shot("policy list with aws managed policies")

    page.get_by_role("link", name="Create policy").first.click()
    page.get_by_role("heading", name="Create policy").wait_for()
    page.get_by_label("Policy name").fill("OrdersBrokerOperators")
    page.get_by_label("Path").fill("/team/")
    page.get_by_label("Description").fill("Read every broker; reboot the orders team's brokers.")
    page.get_by_label("Tags").fill("team=orders")
    editor = page.get_by_label("Policy document (JSON)")
    editor.fill(DRAFT)
    editor.press("End")  # a keyup, as a person typing would send
    finding = page.locator(".finding", has_text="UNKNOWN_ACTION")
    finding.wait_for()
    assert "Did you mean mq:RebootBroker?" in finding.inner_text()
    assert page.locator("#editor-gutter .mark-error").count() == 1
    journey.shot("typo found live with its line marked")

    finding.get_by_role("link", name="Line 17").click()
    assert page.locator("#L17.is-current").count() == 1
    selected = page.evaluate(
        "() => { const t = document.querySelector('textarea.editor-text');"
        " return t.value.slice(t.selectionStart, t.selectionEnd); }"
    )
    assert selected == '"mq:RebootBrokers"'
    journey.shot("finding link selects the line")

    page.keyboard.type('"mq:RebootBroker"')  # replaces the selected line, as suggested
    page.locator("#editor-status", has_text="No findings").wait_for()
    assert page.locator("#editor-gutter .mark-error").count() == 0
    summary = page.locator("#editor-summary")
    assert "Amazon MQ" in summary.inner_text()
    journey.shot("fixed no findings and the summary")

    page.get_by_role("button", name="Create policy").click()
    page.get_by_text("Policy OrdersBrokerOperators created.").wait_for()
    assert "Limited: List, Read, Write" in page.locator(".summary-table").inner_text()
    journey.shot("policy created with its summary")

    page.get_by_role("link", name="Entities attached (0)").click()
    page.get_by_role("link", name="Attach to an identity").click()
    page.get_by_label("Attach to").select_option("group:BrokerOperators")
    journey.shot("attach to a group")
    page.get_by_role("button", name="Attach policy").click()
    page.get_by_text("attached to group BrokerOperators").wait_for()
    journey.shot("attached to the group")

    # dana joins the group (the group pages belong to the accounts app).
    from accounts.models import Group, IAMUser

    group_member_add(
        actor=system_actor(),
        group=Group.objects.get(name="BrokerOperators"),
        user=IAMUser.objects.get(name="dana"),
    )
    journey.goto("/users/dana?tab=permissions")
    page.get_by_text("Group BrokerOperators").first.wait_for()
    journey.shot("dana gets the policy through the group")

    policy = ManagedPolicy.objects.get(name="OrdersBrokerOperators")
    journey.goto(f"/policies/{policy.unique_id}")
    page.get_by_role("link", name="Edit").click()
    page.get_by_role("heading", name="Edit OrdersBrokerOperators").wait_for()
    editor = page.get_by_label("Policy document (JSON)")
    text = editor.input_value().replace(
        '"mq:RebootBroker"', '"mq:RebootBroker",\n                "mq:UpdateBroker"'
    )
    editor.fill(text)
    editor.press("End")
    page.locator(".summary-table", has_text="Write").wait_for()
    page.get_by_label("Set as the default version (the one that is evaluated)").uncheck()
    page.evaluate("window.scrollTo(0, 0)")  # the findings panel follows the scroll
    journey.shot("editing into version 2")
    page.get_by_role("button", name="Save as new version").click()
    page.get_by_text("Version v2 created.").wait_for()
    journey.shot("versions v1 default and v2")

    page.get_by_role("button", name="Compare side by side").click()
    page.get_by_role("heading", name="Compare versions of OrdersBrokerOperators").wait_for()
    assert page.locator("td.diff-add").count() >= 1
    assert "mq:UpdateBroker" in page.locator("td.diff-add").last.inner_text()
    journey.shot("v1 and v2 side by side")

    page.get_by_role("button", name="Set v2 as default").click()
    page.get_by_text("Version v2 is now the default version.").wait_for()
    row = page.locator("tr", has_text="v2")
    assert "Default" in row.inner_text()
    journey.shot("v2 is the default")
    assert policy.versions.get(is_default=True).version_id == "v2"


def _sign_in_root(journey):
    page = journey.page
    journey.goto("/signin?as=root")
    page.get_by_label("Root user email address").fill("root@acme.example")
    page.get_by_label("Password").fill("Root-Passw0rd!")
    page.get_by_role("button", name="Sign in as root user").click()
    page.wait_for_url(f"{journey.base_url}/")


def test_inline_policy_boundary_sixth_version_and_delete(journey, world):
    import json

    from policies.services import attachments, managed

    actor = system_actor()
    document = json.loads(DRAFT.replace("RebootBrokers", "RebootBroker"))
    policy = managed.policy_create(
        actor=actor, account=world, name="Operators", path="/team/", document=document
    )
    for action in ("mq:DescribeUser", "mq:ListUsers", "mq:ListTags", "mq:ListConfigurations"):
        document["Statement"][0]["Action"].append(action)
        managed.policy_version_create(actor=actor, policy=policy, document=document)
    from accounts.models import Group

    attachments.policy_attach(
        actor=actor, policy=policy, identity=Group.objects.get(name="BrokerOperators")
    )
    page = journey.page
    _sign_in_root(journey)

    journey.goto("/policies/inline/user/dana")
    page.get_by_role("heading", name="Inline policies of user dana").wait_for()
    journey.shot("no inline policies yet")
    page.get_by_role("link", name="Create inline policy").click()
    page.get_by_label("Policy name").fill("orders-read")
    editor = page.get_by_label("Policy document (JSON)")
    editor.fill(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "mq:Describe*", "Resource": "*"},
                    {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
                ],
            },
            indent=4,
        )
    )
    editor.press("End")
    page.locator(".finding", has_text="ALLOW_WITH_NOT_ACTION").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    journey.shot("inline editor with security warning and user quota")
    page.get_by_role("button", name="Create policy").click()
    page.get_by_text("Inline policy orders-read saved on user dana.").wait_for()
    journey.shot("inline policy saved")

    journey.goto("/policies/boundary/user/dana")
    page.get_by_label("Permissions boundary policy").select_option(
        "arn:aws:iam::aws:policy/AmazonMQReadOnlyAccess"
    )
    journey.shot("choose a permissions boundary")
    page.get_by_role("button", name="Set boundary").click()
    page.get_by_text(
        "AmazonMQReadOnlyAccess is now the permissions boundary of user dana."
    ).wait_for()
    journey.shot("boundary set")

    journey.goto(f"/policies/{policy.unique_id}/versions/create")
    page.get_by_text("This policy already has five versions").wait_for()
    page.get_by_label("Delete v2").check()
    journey.shot("sixth version asks which to delete")
    page.get_by_role("button", name="Save as new version").click()
    page.get_by_text(
        "Version v6 created and set as the default. Version v2 was deleted."
    ).wait_for()
    journey.shot("v2 deleted and v6 created")

    journey.goto(f"/policies/{policy.unique_id}/delete")
    page.get_by_text("Cannot delete a policy attached to entities.").wait_for()
    journey.shot("delete explains the preconditions")

    aws = ManagedPolicy.objects.get(name="AmazonMQFullAccess")
    journey.goto(f"/policies/{aws.unique_id}")
    page.get_by_text("AWS managed · read-only").wait_for()
    journey.shot("aws managed policy is read only")
