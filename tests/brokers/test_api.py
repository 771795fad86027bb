"""The native REST API (/api/v1/brokers/, /api/v1/configurations/): SDK names, same services."""

import pytest

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
def api(client, make_user, sign_in):
    return sign_in(client, make_user("admin", FULL))


def _json(client, method, path, body=None, status=200):
    response = getattr(client, method)(path, body, content_type="application/json")
    assert response.status_code == status, response.content.decode()
    return response.json() if response.content else None


def test_anonymous_gets_403_json(client, brokers):
    for path in ("/api/v1/brokers/", f"/api/v1/brokers/{brokers[0].broker_id}/"):
        response = client.get(path)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "NotAuthenticated"


def test_no_permission_is_access_denied_with_aws_message(client, make_user, sign_in, brokers):
    sign_in(client, make_user("nobody"))
    body = _json(client, "get", "/api/v1/brokers/", status=403)
    assert body["error"] == {
        "code": "AccessDenied",
        "message": f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: "
        "mq:ListBrokers on resource: * because no identity-based policy allows the "
        "mq:ListBrokers action",
    }
    spec = {
        "BrokerName": "x",
        "EngineType": "ACTIVEMQ",
        "DeploymentMode": "SINGLE_INSTANCE",
        "HostInstanceType": "mq.t3.micro",
        "PubliclyAccessible": False,
    }
    created = _json(client, "post", "/api/v1/brokers/", spec, status=403)
    assert "mq:CreateBroker" in created["error"]["message"]


def test_limited_permission_by_team_tag(client, make_user, sign_in, brokers):
    operator = make_user(
        "olivia",
        allow(["mq:DescribeBroker", "mq:RebootBroker"], "*", SAME_TEAM),
        tags={"team": "payments"},
    )
    sign_in(client, operator)
    ours, theirs = brokers
    assert _json(client, "get", f"/api/v1/brokers/{ours.broker_id}/")["BrokerName"] == "orders"
    denied = _json(client, "get", f"/api/v1/brokers/{theirs.broker_id}/", status=403)
    assert f"mq:DescribeBroker on resource: {theirs.arn}" in denied["error"]["message"]
    rebooted = _json(client, "post", f"/api/v1/brokers/{ours.broker_id}/reboot/", status=202)
    assert rebooted["BrokerState"] == "REBOOT_IN_PROGRESS"
    _json(client, "post", f"/api/v1/brokers/{theirs.broker_id}/reboot/", status=403)


def test_list_filters_pagination_and_query_count(api, account, django_assert_max_num_queries):
    for n in range(12):
        make_broker(account, f"b{n:02d}", tags={"team": "a" if n % 2 else "b"})
    with django_assert_max_num_queries(12):
        body = _json(api, "get", "/api/v1/brokers/?page_size=5&tag=team%3Da")
    assert body["count"] == 6 and len(body["results"]) == 5
    first = body["results"][0]
    assert set(first) == {
        "BrokerArn",
        "BrokerId",
        "BrokerName",
        "BrokerState",
        "Created",
        "DeploymentMode",
        "EngineType",
        "HostInstanceType",
    }
    assert first["BrokerName"] == "b01"


def test_create_describe_update_delete(api, account, django_capture_on_commit_callbacks):
    spec = {
        "BrokerName": "api-made",
        "EngineType": "RABBITMQ",
        "DeploymentMode": "CLUSTER_MULTI_AZ",
        "HostInstanceType": "mq.m5.large",
        "PubliclyAccessible": True,
        "Users": [{"Username": "admin", "Password": BROKER_PASSWORD}],
        "Tags": {"team": "iot"},
    }
    with django_capture_on_commit_callbacks(execute=True):  # the (eager) task: RUNNING
        created = _json(api, "post", "/api/v1/brokers/", spec, status=201)
    broker_id = created["BrokerId"]
    described = _json(api, "get", f"/api/v1/brokers/{broker_id}/")
    assert described["EngineVersion"] == "4.2" and described["StorageType"] == "EBS"
    assert described["Tags"] == {"team": "iot"} and described["PubliclyAccessible"] is True
    updated = _json(
        api, "patch", f"/api/v1/brokers/{broker_id}/", {"HostInstanceType": "mq.m5.xlarge"}
    )
    assert updated == {"BrokerId": broker_id, "HostInstanceType": "mq.m5.xlarge"}
    assert Broker.objects.get(broker_id=broker_id).pending == {"hostInstanceType": "mq.m5.xlarge"}
    deleted = _json(api, "delete", f"/api/v1/brokers/{broker_id}/")
    assert deleted == {"BrokerId": broker_id}


def test_validation_errors_name_the_attribute(api, account):
    body = _json(
        api,
        "post",
        "/api/v1/brokers/",
        {
            "BrokerName": "x",
            "EngineType": "ACTIVEMQ",
            "DeploymentMode": "CLUSTER_MULTI_AZ",
            "HostInstanceType": "mq.m5.large",
            "PubliclyAccessible": False,
        },
        status=400,
    )
    assert body["error"]["code"] == "BadRequestException"
    assert "deploymentMode" in body["error"]["fields"]
    typed = _json(api, "post", "/api/v1/brokers/", {"BrokerName": 5}, status=400)
    assert typed["error"]["fields"] == {"brokerName": "brokerName must be a string."}


def test_users_pending_through_the_api(api, brokers):
    base = f"/api/v1/brokers/{brokers[0].broker_id}/users/"
    created = _json(
        api, "post", base, {"Username": "app", "Password": BROKER_PASSWORD, "Groups": ["g1"]}, 201
    )
    assert created["Pending"] == {
        "ConsoleAccess": False,
        "Groups": ["g1"],
        "PendingChange": "CREATE",
    }
    listed = _json(api, "get", base)
    assert [u["Username"] for u in listed["results"]] == ["admin", "app"]
    patched = _json(api, "patch", f"{base}admin/", {"ConsoleAccess": False})
    assert patched["Pending"]["PendingChange"] == "UPDATE"
    _json(api, "delete", f"{base}admin/", status=204)
    admin = BrokerUser.objects.get(broker=brokers[0], username="admin")
    assert admin.pending_change == "DELETE"
    assert _json(api, "get", f"{base}nobody/", status=404)["error"]["code"] == "NotFoundException"


def test_configurations_revisions_and_tags(api, account, brokers):
    created = _json(
        api,
        "post",
        "/api/v1/configurations/",
        {"Name": "rabbit-settings", "EngineType": "RABBITMQ", "Tags": {"team": "iot"}},
        status=201,
    )
    base = f"/api/v1/configurations/{created['Id']}/"
    updated = _json(api, "put", base, {"Data": "consumer_timeout = 900000\n", "Description": "15m"})
    assert updated["LatestRevision"]["Revision"] == 2
    bad = _json(api, "put", base, {"Data": "consumer_timeout = soon"}, status=400)
    assert "(line 1)" in bad["error"]["message"]
    revisions = _json(api, "get", f"{base}revisions/")
    assert [r["Revision"] for r in revisions["results"]] == [2, 1]
    revision = _json(api, "get", f"{base}revisions/2/")
    assert revision["Data"] == "consumer_timeout = 900000\n" and revision["Description"] == "15m"
    listing = _json(api, "get", "/api/v1/configurations/?engine=RABBITMQ")
    assert [c["Name"] for c in listing["results"]] == ["rabbit-settings"]
    assert _json(api, "post", f"{base}tags/", {"Tags": {"env": "dev"}}) == {
        "Tags": {"team": "iot", "env": "dev"}
    }
    assert _json(api, "delete", f"{base}tags/?TagKeys=team") == {"Tags": {"env": "dev"}}
    broker_tags = f"/api/v1/brokers/{brokers[0].broker_id}/tags/"
    assert _json(api, "get", broker_tags) == {"Tags": {"team": "payments"}}
    _json(api, "delete", base)
    in_use = brokers[0].configuration.configuration_id
    assert (
        _json(api, "delete", f"/api/v1/configurations/{in_use}/", status=409)["error"]["code"]
        == "ConflictException"
    )


def test_configuration_denied_by_tag(client, make_user, sign_in, account):
    ours = services.configuration_create(
        actor=ACTOR, account=account, name="ours", engine_type="ACTIVEMQ", tags={"team": "x"}
    )
    theirs = services.configuration_create(
        actor=ACTOR, account=account, name="theirs", engine_type="ACTIVEMQ", tags={"team": "y"}
    )
    sign_in(
        client,
        make_user("u", allow("mq:DescribeConfiguration", "*", SAME_TEAM), tags={"team": "x"}),
    )
    assert (
        _json(client, "get", f"/api/v1/configurations/{ours.configuration_id}/")["Name"] == "ours"
    )
    _json(client, "get", f"/api/v1/configurations/{theirs.configuration_id}/", status=403)


def test_schema_describes_the_broker_endpoints(api):
    schema = api.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/brokers/"]["post"]
    assert operation["summary"].startswith("CreateBroker")
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][request.rsplit("/", 1)[-1]]
    assert {"BrokerName", "EngineType", "DeploymentMode"} <= set(component["required"])
