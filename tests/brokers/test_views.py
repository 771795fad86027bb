"""Broker and configuration pages: anonymous, no permission, limited permission; the flows."""

import pytest

from accounts.models import AuditEvent
from brokers import services
from brokers.models import Broker, BrokerUser
from tests.brokers.conftest import ACCOUNT, ACTOR, BROKER_PASSWORD, allow, make_broker

pytestmark = pytest.mark.django_db
SAME_TEAM = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
FULL = allow(["mq:*", "iam:CreateServiceLinkedRole"])


@pytest.fixture
def brokers(account):
    return (
        make_broker(account, "orders", tags={"team": "payments"}),
        make_broker(account, "telemetry", tags={"team": "iot"}),
    )


@pytest.fixture
def admin_client(client, make_user, sign_in):
    return sign_in(client, make_user("admin", FULL))


def _message(user, action, resource):
    return (
        f"User: arn:aws:iam::{ACCOUNT}:user/{user} is not authorized to perform: {action} on "
        f"resource: {resource} because no identity-based policy allows the {action} action"
    )


def test_anonymous_is_sent_to_sign_in(client, brokers):
    for path in ("/brokers", f"/brokers/{brokers[0].broker_id}", "/configurations"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/signin?next=")


def test_no_permission_is_403_with_aws_message(client, make_user, sign_in, brokers):
    sign_in(client, make_user("nobody"))
    response = client.get("/brokers")
    assert response.status_code == 403
    assert _message("nobody", "mq:ListBrokers", "*").encode() in response.content
    detail = client.get(f"/brokers/{brokers[0].broker_id}")
    assert detail.status_code == 403
    assert _message("nobody", "mq:DescribeBroker", brokers[0].arn).encode() in detail.content
    assert AuditEvent.objects.filter(decision="implicitDeny", action="mq:ListBrokers").exists()


def test_limited_permission_by_team_tag(client, make_user, sign_in, brokers):
    operator = make_user(
        "olivia",
        allow("mq:ListBrokers"),
        allow(["mq:DescribeBroker", "mq:ListUsers", "mq:RebootBroker"], "*", SAME_TEAM),
        tags={"team": "payments"},
    )
    sign_in(client, operator)
    ours, theirs = brokers
    listing = client.get("/brokers")
    assert listing.status_code == 200 and b"telemetry" in listing.content
    assert client.get(f"/brokers/{ours.broker_id}").status_code == 200
    assert client.get(f"/brokers/{theirs.broker_id}").status_code == 403
    assert client.post(f"/brokers/{ours.broker_id}/reboot").status_code == 302
    assert Broker.objects.get(pk=ours.pk).state == "REBOOT_IN_PROGRESS"
    denied = client.post(f"/brokers/{theirs.broker_id}/reboot")
    assert denied.status_code == 403
    assert _message("olivia", "mq:RebootBroker", theirs.arn).encode() in denied.content
    assert Broker.objects.get(pk=theirs.pk).state == "RUNNING"


def test_broker_list_filters_and_query_count(admin_client, account, django_assert_max_num_queries):
    # Names that cannot occur inside a random broker id (b-<uuid hex>), so absence means absence.
    for n in range(30):
        make_broker(account, f"queue-{n:02d}", engine="ACTIVEMQ", tags={"n": str(n)})
    with django_assert_max_num_queries(20):
        response = admin_client.get("/brokers")
    assert response.status_code == 200 and response.content.count(b"state-badge") == 25
    assert b"queue-00" in response.content
    assert b"queue-29" not in response.content  # second page
    filtered = admin_client.get("/brokers?tag=n%3D7&state=RUNNING&engine=ACTIVEMQ")
    assert b"queue-07" in filtered.content and b"queue-08" not in filtered.content


def test_list_polls_only_while_a_broker_is_busy(admin_client, account):
    make_broker(account, "steady")
    assert b'hx-trigger="every 2s"' not in admin_client.get("/brokers").content
    make_broker(account, "fresh", running=False)
    assert b'hx-trigger="every 2s"' in admin_client.get("/brokers").content


def test_detail_shows_users_with_pending_badges_and_the_placeholder(admin_client, brokers):
    broker = brokers[0]
    services.broker_user_create(
        actor=ACTOR, broker=broker, username="app", password=BROKER_PASSWORD, groups=["apps"]
    )
    page = admin_client.get(f"/brokers/{broker.broker_id}").content.decode()
    assert "Pending create" in page and "Who can act on this broker" in page
    assert "orders-configuration" in page and f"ssl://{broker.broker_id}-1." in page
    assert "1 user change" in page


def test_state_partial_polls_refreshes_and_redirects(admin_client, account):
    broker = make_broker(account, running=False)
    url = f"/brokers/{broker.broker_id}/state"
    polling = admin_client.get(url)
    assert b'hx-trigger="every 1s"' in polling.content and b"<progress" in polling.content
    Broker.objects.filter(pk=broker.pk).update(state="RUNNING")
    assert admin_client.get(f"{url}?was=CREATION_IN_PROGRESS")["HX-Refresh"] == "true"
    steady = admin_client.get(url)
    assert b"every 1s" not in steady.content
    admin_client.post(f"/brokers/{broker.broker_id}/delete", {"confirm": broker.name})
    Broker.objects.filter(pk=broker.pk).delete()  # the deletion's transition finished
    assert admin_client.get(f"{url}?was=DELETION_IN_PROGRESS")["HX-Redirect"] == "/brokers"
    # Without a deletion to watch, an unknown broker is simply not found.
    assert admin_client.get(url).status_code == 404
    # A link cannot make the console announce the deletion of a broker it never deleted.
    forged = "/brokers/b-00000000-0000-0000-0000-000000000000/state?was=DELETION_IN_PROGRESS"
    assert admin_client.get(forged).status_code == 404


def test_reboot_and_delete_confirmations(admin_client, brokers):
    broker = brokers[0]
    assert b"Reboot broker" in admin_client.get(f"/brokers/{broker.broker_id}/reboot").content
    wrong = admin_client.post(f"/brokers/{broker.broker_id}/delete", {"confirm": "nope"})
    assert wrong.status_code == 400 and Broker.objects.get(pk=broker.pk).state == "RUNNING"
    admin_client.post(f"/brokers/{broker.broker_id}/delete", {"confirm": "orders"})
    assert Broker.objects.get(pk=broker.pk).state == "DELETION_IN_PROGRESS"
    again = admin_client.post(f"/brokers/{broker.broker_id}/reboot", follow=True)
    assert b"is in state [DELETION_IN_PROGRESS]" in again.content


def _wizard(client, step, data, status=302):
    response = client.post(f"/brokers/create/{step}", data)
    assert response.status_code == status, response.content.decode()[:3000]
    return response


def test_wizard_validates_each_step_and_creates(admin_client, account):
    admin_client.get("/brokers/create/start")
    assert admin_client.get("/brokers/create/review")["Location"] == "/brokers/create/engine"
    rabbit_versions = admin_client.get("/brokers/create/engine?engineType=RABBITMQ").content
    assert b'value="3.13"' in rabbit_versions and b'value="5.18"' not in rabbit_versions
    _wizard(admin_client, "engine", {"engineType": "ACTIVEMQ", "engineVersion": "5.18"})
    bad = _wizard(
        admin_client, "mode", {"brokerName": "bad name", "deploymentMode": "CLUSTER_MULTI_AZ"}, 400
    )
    assert b"Broker name must be 1-50 characters" in bad.content
    assert b"is not one of the available choices" in bad.content
    _wizard(
        admin_client, "mode", {"brokerName": "wizard", "deploymentMode": "ACTIVE_STANDBY_MULTI_AZ"}
    )
    micro = _wizard(
        admin_client, "instance", {"hostInstanceType": "mq.t3.micro", "storageType": "EFS"}, 400
    )
    assert b"is not one of the available choices" in micro.content  # not offered for multi-AZ
    ebs = _wizard(
        admin_client, "instance", {"hostInstanceType": "mq.m5.large", "storageType": "EBS"}
    )
    assert ebs["Location"] == "/brokers/create/access"
    late = _wizard(
        admin_client,
        "access",
        {"maintenanceDay": "MONDAY", "maintenanceTime": "25:00", "maintenanceTimeZone": "UTC"},
        400,
    )
    assert b"must be a 24-hour time" in late.content
    _wizard(
        admin_client,
        "access",
        {
            "maintenanceDay": "MONDAY",
            "maintenanceTime": "04:00",
            "maintenanceTimeZone": "UTC",
            "autoMinorVersionUpgrade": "on",
            "logsGeneral": "on",
        },
    )
    weak = _wizard(admin_client, "users", {"username": "admin", "password": "weak"}, 400)
    assert b"Password must be at least 12 characters" in weak.content
    _wizard(
        admin_client,
        "users",
        {"username": "admin", "password": BROKER_PASSWORD, "consoleAccess": "on", "groups": "ops"},
    )
    _wizard(admin_client, "tags", {"tags": "team=payments\nenv=dev"})
    review = admin_client.get("/brokers/create/review").content.decode()
    assert "wizard" in review and "mq.m5.large" in review and "team=payments" in review
    created = _wizard(admin_client, "review", {})
    broker = Broker.objects.get(name="wizard")
    assert created["Location"] == f"/brokers/{broker.broker_id}"
    assert (broker.deployment_mode, broker.storage_type, broker.tags) == (
        "ACTIVE_STANDBY_MULTI_AZ",
        "EBS",
        {"team": "payments", "env": "dev"},
    )
    assert (broker.maintenance_day, broker.logs_general) == ("MONDAY", True)
    assert BrokerUser.objects.get(broker=broker).groups == ["ops"]
    assert "brokers.create-wizard" not in admin_client.session


def test_wizard_submission_is_authorized_and_writes_nothing_when_denied(
    client, make_user, sign_in, account
):
    make_broker(account, "existing")  # the service-linked role exists
    sign_in(client, make_user("nocreate", allow("mq:ListBrokers")))
    _wizard(client, "engine", {"engineType": "RABBITMQ", "engineVersion": "3.13"})
    _wizard(client, "mode", {"brokerName": "rabbit", "deploymentMode": "SINGLE_INSTANCE"})
    _wizard(client, "instance", {"hostInstanceType": "mq.t3.micro", "storageType": "EBS"})
    _wizard(
        client,
        "access",
        {
            "maintenanceDay": "SUNDAY",
            "maintenanceTime": "03:00",
            "maintenanceTimeZone": "UTC",
            "autoMinorVersionUpgrade": "on",
        },
    )
    _wizard(client, "users", {"username": "admin", "password": BROKER_PASSWORD})
    _wizard(client, "tags", {"tags": ""})
    denied = client.post("/brokers/create/review")
    assert denied.status_code == 403
    assert _message("nocreate", "mq:CreateBroker", "*").encode() in denied.content
    assert not Broker.objects.filter(name="rabbit").exists()


def test_user_pages_create_update_delete(admin_client, brokers):
    broker = brokers[0]
    base = f"/brokers/{broker.broker_id}/users"
    weak = admin_client.post(f"{base}/create", {"username": "app", "password": "short"})
    assert weak.status_code == 400 and b"Password must be at least 12" in weak.content
    admin_client.post(
        f"{base}/create", {"username": "app", "password": BROKER_PASSWORD, "groups": "a1, b2"}
    )
    assert BrokerUser.objects.get(broker=broker, username="app").pending_groups == ["a1", "b2"]
    assert b"app" in admin_client.get(f"{base}/app/edit").content
    admin_client.post(
        f"{base}/admin/edit", {"username": "admin", "consoleAccess": "", "groups": "ops"}
    )
    admin = BrokerUser.objects.get(broker=broker, username="admin")
    assert (admin.pending_change, admin.pending_groups, admin.pending_console_access) == (
        "UPDATE",
        ["ops"],
        False,
    )
    admin_client.post(f"{base}/admin/delete")
    assert BrokerUser.objects.get(broker=broker, username="admin").pending_change == "DELETE"


def test_user_page_denied_by_tag(client, make_user, sign_in, brokers):
    sign_in(
        client,
        make_user(
            "kim",
            allow(["mq:DescribeBroker", "mq:CreateUser"], "*", SAME_TEAM),
            tags={"team": "iot"},
        ),
    )
    ours = brokers[1]
    theirs = brokers[0]
    url = f"/brokers/{theirs.broker_id}/users/create"
    assert client.get(url).status_code == 403
    response = client.post(url, {"username": "app", "password": BROKER_PASSWORD})
    assert response.status_code == 403
    ok = client.post(
        f"/brokers/{ours.broker_id}/users/create", {"username": "app", "password": BROKER_PASSWORD}
    )
    assert ok.status_code == 302


def test_edit_broker_queues_pending_changes(admin_client, brokers):
    broker = brokers[0]
    form = admin_client.get(f"/brokers/{broker.broker_id}/edit").content
    assert b"orders-configuration, revision 1" in form
    response = admin_client.post(
        f"/brokers/{broker.broker_id}/edit",
        {
            "engineVersion": "5.18",
            "hostInstanceType": "mq.m5.large",
            "autoMinorVersionUpgrade": "on",
            "maintenanceDay": "FRIDAY",
            "maintenanceTime": "02:00",
            "maintenanceTimeZone": "Europe/Paris",
            "logsGeneral": "on",
            "configuration": "",
        },
    )
    assert response.status_code == 302
    broker.refresh_from_db()
    assert broker.pending["hostInstanceType"] == "mq.m5.large"
    assert broker.maintenance_time_zone == "Europe/Paris"
    page = admin_client.get(f"/brokers/{broker.broker_id}").content.decode()
    assert "pending mq.m5.large" in page


def test_tags_page_adds_changes_and_removes(admin_client, brokers):
    broker = brokers[0]
    admin_client.post(f"/brokers/{broker.broker_id}/tags", {"tags": "env=prod\nowner=ops"})
    broker.refresh_from_db()
    assert broker.tags == {"env": "prod", "owner": "ops"}
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"mq:CreateTags", "mq:DeleteTags"} <= actions
    bad = admin_client.post(f"/brokers/{broker.broker_id}/tags", {"tags": "aws:x=1"})
    assert bad.status_code == 400 and b"reserved prefix" in bad.content


def test_configuration_pages(admin_client, account, brokers, django_assert_max_num_queries):
    for n in range(8):
        services.configuration_create(
            actor=ACTOR, account=account, name=f"cfg{n}", engine_type="RABBITMQ"
        )
    with django_assert_max_num_queries(15):
        listing = admin_client.get("/configurations")
    assert listing.status_code == 200 and b"cfg7" in listing.content
    configuration = brokers[0].configuration
    base = f"/configurations/{configuration.configuration_id}"
    assert b"Revision 1" in admin_client.get(base).content
    broken = admin_client.post(f"{base}/edit", {"document": "<broker>\n<x>\n</broker>"})
    assert broken.status_code == 400 and b"(line 3, column" in broken.content
    check = admin_client.post(
        f"{base}/validate",
        {
            "document": '<broker xmlns="http://activemq.apache.org/schema/core">\n<sslContext/></broker>'
        },
    )
    assert b"sslContext" in check.content and b"line 2" in check.content
    saved = admin_client.post(
        f"{base}/edit",
        {
            "document": '<broker xmlns="http://activemq.apache.org/schema/core"><plugins/></broker>',
            "description": "trimmed",
        },
    )
    assert saved["Location"] == f"{base}/revisions/2"
    revision = admin_client.get(f"{base}/revisions/2").content
    assert b"trimmed" in revision and b"diff-remove" in revision
    assert b"diff-add" in admin_client.get(f"{base}/diff?from=1&to=2").content
    admin_client.post(f"{base}/revisions/2/apply", {"broker": brokers[0].broker_id})
    assert Broker.objects.get(pk=brokers[0].pk).pending["configuration"]["revision"] == 2
    in_use = admin_client.post(f"{base}/delete", {"confirm": configuration.name}, follow=True)
    assert b"is in use" in in_use.content


def test_configuration_pages_denied(client, make_user, sign_in, brokers):
    sign_in(client, make_user("nobody"))
    configuration = brokers[0].configuration
    assert client.get("/configurations").status_code == 403
    page = client.get(f"/configurations/{configuration.configuration_id}")
    assert page.status_code == 403
    assert (
        _message("nobody", "mq:DescribeConfiguration", configuration.arn).encode() in page.content
    )
    created = client.post("/configurations/create", {"name": "x", "engineType": "ACTIVEMQ"})
    assert created.status_code == 403
