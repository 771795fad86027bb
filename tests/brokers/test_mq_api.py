"""boto3's own ``mq`` client against the live console: every operation, allowed and denied."""

import base64
from dataclasses import dataclass

import pytest
from botocore.exceptions import ClientError

from brokers import services
from brokers.shapes import operations
from tests.brokers.conftest import (
    ACCOUNT,
    ACTOR,
    BROKER_PASSWORD,
    activemq_spec,
    allow,
    make_broker,
)

pytestmark = pytest.mark.django_db(transaction=True)
NS = "http://activemq.apache.org/schema/core"


@dataclass
class World:
    broker_id: str
    broker_arn: str
    configuration_id: str
    configuration_arn: str
    spare_configuration_id: str
    spare_configuration_arn: str


@pytest.fixture
def world(account):
    broker = make_broker(account, "orders", tags={"team": "payments", "env": "dev"})
    services.broker_user_create(
        actor=ACTOR, broker=broker, username="app", password=BROKER_PASSWORD, groups=["apps"]
    )
    spare = services.configuration_create(
        actor=ACTOR, account=account, name="spare", engine_type="RABBITMQ"
    )
    return World(
        broker_id=broker.broker_id,
        broker_arn=broker.arn,
        configuration_id=broker.configuration.configuration_id,
        configuration_arn=broker.configuration.arn,
        spare_configuration_id=spare.configuration_id,
        spare_configuration_arn=spare.arn,
    )


@pytest.fixture
def admin_mq(make_user, mq_client):
    return mq_client(make_user("admin", allow(["mq:*", "iam:CreateServiceLinkedRole"])))


@pytest.fixture
def denied_mq(make_user, mq_client):
    return mq_client(make_user("nobody"))


def _xml(body: str) -> str:
    return base64.b64encode(f'<broker xmlns="{NS}">{body}</broker>'.encode()).decode()


def _check_create_broker(result, w, mq):
    assert result["BrokerId"].startswith("b-")
    described = mq.describe_broker(BrokerId=result["BrokerId"])
    assert described["BrokerArn"] == result["BrokerArn"]
    assert described["Tags"] == {"team": "payments"}


def _check_describe_broker(result, w, mq):
    assert (result["BrokerId"], result["BrokerName"], result["BrokerState"]) == (
        w.broker_id,
        "orders",
        "RUNNING",
    )
    assert result["Users"] == [
        {"Username": "admin"},
        {"Username": "app", "PendingChange": "CREATE"},
    ]
    assert result["Configurations"]["Current"] == {"Id": w.configuration_id, "Revision": 1}
    assert result["BrokerInstances"][0]["Endpoints"][0].startswith(f"ssl://{w.broker_id}-1.")
    assert result["EncryptionOptions"] == {"UseAwsOwnedKey": True}


def _check_update_broker(result, w, mq):
    assert result["HostInstanceType"] == "mq.m5.large"
    assert mq.describe_broker(BrokerId=w.broker_id)["PendingHostInstanceType"] == "mq.m5.large"


def _check_reboot(result, w, mq):
    users = mq.list_users(BrokerId=w.broker_id)["Users"]
    assert users == [{"Username": "admin"}, {"Username": "app"}]  # the pending CREATE applied


def _check_update_configuration(result, w, mq):
    assert result["LatestRevision"]["Revision"] == 2
    assert result["Warnings"] == [
        {"ElementName": "sslContext", "Reason": "DISALLOWED_ELEMENT_REMOVED"}
    ]
    revision = mq.describe_configuration_revision(
        ConfigurationId=w.configuration_id, ConfigurationRevision="2"
    )
    assert base64.b64decode(revision["Data"]).decode().count("plugins") == 1


# operation → (call, resource the action is authorized on, check of the allowed answer)
OPERATIONS = {
    "CreateBroker": (
        lambda mq, w: mq.create_broker(**activemq_spec("new-one", Tags={"team": "payments"})),
        lambda w: "*",
        _check_create_broker,
    ),
    "DescribeBroker": (
        lambda mq, w: mq.describe_broker(BrokerId=w.broker_id),
        lambda w: w.broker_arn,
        _check_describe_broker,
    ),
    "ListBrokers": (
        lambda mq, w: mq.list_brokers(),
        lambda w: "*",
        lambda r, w, mq: [b["BrokerId"] for b in r["BrokerSummaries"]] == [w.broker_id],
    ),
    "UpdateBroker": (
        lambda mq, w: mq.update_broker(BrokerId=w.broker_id, HostInstanceType="mq.m5.large"),
        lambda w: w.broker_arn,
        _check_update_broker,
    ),
    "RebootBroker": (
        lambda mq, w: mq.reboot_broker(BrokerId=w.broker_id),
        lambda w: w.broker_arn,
        _check_reboot,
    ),
    "DeleteBroker": (
        lambda mq, w: mq.delete_broker(BrokerId=w.broker_id),
        lambda w: w.broker_arn,
        lambda r, w, mq: (
            r["BrokerId"] == w.broker_id and mq.list_brokers()["BrokerSummaries"] == []
        ),
    ),
    "Promote": (
        lambda mq, w: mq.promote(BrokerId=w.broker_id, Mode="SWITCHOVER"),
        lambda w: w.broker_arn,
        None,  # allowed, then refused: the broker is not a CRDR replica
    ),
    "DescribeSharedResources": (
        lambda mq, w: mq.describe_shared_resources(BrokerId=w.broker_id),
        lambda w: w.broker_arn,
        lambda r, w, mq: r.get("SharedResources") == [],
    ),
    "CreateUser": (
        lambda mq, w: mq.create_user(
            BrokerId=w.broker_id, Username="bob", Password=BROKER_PASSWORD, ConsoleAccess=True
        ),
        lambda w: w.broker_arn,
        lambda r, w, mq: (
            mq.describe_user(BrokerId=w.broker_id, Username="bob")["Pending"]
            == {"ConsoleAccess": True, "Groups": [], "PendingChange": "CREATE"}
        ),
    ),
    "DescribeUser": (
        lambda mq, w: mq.describe_user(BrokerId=w.broker_id, Username="admin"),
        lambda w: w.broker_arn,
        lambda r, w, mq: (r["Username"], r["ConsoleAccess"], r["Groups"]) == ("admin", True, []),
    ),
    "UpdateUser": (
        lambda mq, w: mq.update_user(BrokerId=w.broker_id, Username="admin", Groups=["ops"]),
        lambda w: w.broker_arn,
        lambda r, w, mq: (
            mq.describe_user(BrokerId=w.broker_id, Username="admin")["Pending"]
            == {"ConsoleAccess": True, "Groups": ["ops"], "PendingChange": "UPDATE"}
        ),
    ),
    "DeleteUser": (
        lambda mq, w: mq.delete_user(BrokerId=w.broker_id, Username="admin"),
        lambda w: w.broker_arn,
        lambda r, w, mq: (
            mq.list_users(BrokerId=w.broker_id)["Users"][0]
            == {"Username": "admin", "PendingChange": "DELETE"}
        ),
    ),
    "ListUsers": (
        lambda mq, w: mq.list_users(BrokerId=w.broker_id),
        lambda w: w.broker_arn,
        lambda r, w, mq: (r["BrokerId"], len(r["Users"]), r["MaxResults"]) == (w.broker_id, 2, 20),
    ),
    "CreateConfiguration": (
        lambda mq, w: mq.create_configuration(
            Name="fresh", EngineType="RABBITMQ", EngineVersion="3.13", Tags={"team": "iot"}
        ),
        lambda w: "*",
        lambda r, w, mq: r["Id"].startswith("c-") and r["LatestRevision"]["Revision"] == 1,
    ),
    "DescribeConfiguration": (
        lambda mq, w: mq.describe_configuration(ConfigurationId=w.configuration_id),
        lambda w: w.configuration_arn,
        lambda r, w, mq: (r["Name"], r["EngineType"]) == ("orders-configuration", "ACTIVEMQ"),
    ),
    "UpdateConfiguration": (
        lambda mq, w: mq.update_configuration(
            ConfigurationId=w.configuration_id,
            Data=_xml("<plugins/><sslContext/>"),
            Description="no ssl",
        ),
        lambda w: w.configuration_arn,
        _check_update_configuration,
    ),
    "ListConfigurations": (
        lambda mq, w: mq.list_configurations(),
        lambda w: "*",
        lambda r, w, mq: len(r["Configurations"]) == 2,
    ),
    "ListConfigurationRevisions": (
        lambda mq, w: mq.list_configuration_revisions(ConfigurationId=w.configuration_id),
        lambda w: w.configuration_arn,
        lambda r, w, mq: [x["Revision"] for x in r["Revisions"]] == [1],
    ),
    "DescribeConfigurationRevision": (
        lambda mq, w: mq.describe_configuration_revision(
            ConfigurationId=w.configuration_id, ConfigurationRevision="1"
        ),
        lambda w: w.configuration_arn,
        lambda r, w, mq: base64.b64decode(r["Data"]).decode().startswith("<?xml"),
    ),
    "DeleteConfiguration": (
        lambda mq, w: mq.delete_configuration(ConfigurationId=w.spare_configuration_id),
        lambda w: w.spare_configuration_arn,
        lambda r, w, mq: r["ConfigurationId"] == w.spare_configuration_id,
    ),
    "CreateTags": (
        lambda mq, w: mq.create_tags(ResourceArn=w.broker_arn, Tags={"owner": "ops"}),
        lambda w: w.broker_arn,
        lambda r, w, mq: mq.list_tags(ResourceArn=w.broker_arn)["Tags"]["owner"] == "ops",
    ),
    "DeleteTags": (
        lambda mq, w: mq.delete_tags(ResourceArn=w.broker_arn, TagKeys=["env", "team"]),
        lambda w: w.broker_arn,
        lambda r, w, mq: mq.list_tags(ResourceArn=w.broker_arn)["Tags"] == {},
    ),
    "ListTags": (
        lambda mq, w: mq.list_tags(ResourceArn=w.configuration_arn),
        lambda w: w.configuration_arn,
        lambda r, w, mq: r["Tags"] == {},
    ),
    "DescribeBrokerEngineTypes": (
        lambda mq, w: mq.describe_broker_engine_types(EngineType="ACTIVEMQ"),
        lambda w: "*",
        lambda r, w, mq: r["BrokerEngineTypes"][0]["EngineVersions"][0] == {"Name": "5.18"},
    ),
    "DescribeBrokerInstanceOptions": (
        lambda mq, w: mq.describe_broker_instance_options(EngineType="RABBITMQ"),
        lambda w: "*",
        lambda r, w, mq: {o["StorageType"] for o in r["BrokerInstanceOptions"]} == {"EBS"},
    ),
}


def test_every_reference_operation_is_covered():
    assert set(OPERATIONS) == set(operations())


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_operation_allowed(name, world, admin_mq):
    call, _, check = OPERATIONS[name]
    if check is None:
        with pytest.raises(admin_mq.exceptions.BadRequestException) as error:
            call(admin_mq, world)
        assert error.value.response["ErrorAttribute"] == "broker-id"
        return
    result = call(admin_mq, world)
    assert result["ResponseMetadata"]["HTTPStatusCode"] == operations()[name]["success_status"]
    assert check(result, world, admin_mq) is not False


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_operation_denied_with_forbidden_exception(name, world, denied_mq):
    call, resource, _ = OPERATIONS[name]
    action = operations()[name]["required_permission"]
    with pytest.raises(denied_mq.exceptions.ForbiddenException) as error:
        call(denied_mq, world)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error.value.response["Error"]["Message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: {action} on "
        f"resource: {resource(world)} because no identity-based policy allows the {action} action"
    )


def test_pending_user_lifecycle_through_boto3(world, admin_mq):
    admin_mq.create_user(BrokerId=world.broker_id, Username="carol", Password=BROKER_PASSWORD)
    pending = admin_mq.list_users(BrokerId=world.broker_id)["Users"]
    assert {"Username": "carol", "PendingChange": "CREATE"} in pending
    admin_mq.reboot_broker(BrokerId=world.broker_id)
    users = admin_mq.list_users(BrokerId=world.broker_id)["Users"]
    assert users == [{"Username": "admin"}, {"Username": "app"}, {"Username": "carol"}]
    carol = admin_mq.describe_user(BrokerId=world.broker_id, Username="carol")
    assert "Pending" not in carol and carol["ConsoleAccess"] is False


def test_amazon_mq_error_shapes(world, admin_mq):
    with pytest.raises(admin_mq.exceptions.NotFoundException) as missing:
        admin_mq.describe_broker(BrokerId="b-00000000-0000-0000-0000-000000000000")
    assert missing.value.response["ErrorAttribute"] == "broker-id"
    assert missing.value.response["Error"]["Message"] == (
        "Can't find requested broker [b-00000000-0000-0000-0000-000000000000]. Make sure your "
        "broker exists."
    )
    with pytest.raises(admin_mq.exceptions.BadRequestException) as bad:
        admin_mq.create_broker(**activemq_spec("bad name"))
    assert bad.value.response["ErrorAttribute"] == "brokerName"
    with pytest.raises(admin_mq.exceptions.ConflictException):
        admin_mq.create_broker(**activemq_spec("orders"))
    with pytest.raises(admin_mq.exceptions.BadRequestException) as mode:
        admin_mq.create_broker(**activemq_spec("x", DeploymentMode="CLUSTER_MULTI_AZ"))
    assert mode.value.response["ErrorAttribute"] == "deploymentMode"
    with pytest.raises(admin_mq.exceptions.NotFoundException) as user:
        admin_mq.describe_user(BrokerId=world.broker_id, Username="nobody")
    assert user.value.response["ErrorAttribute"] == "username"
    with pytest.raises(admin_mq.exceptions.ConflictException):
        admin_mq.delete_configuration(ConfigurationId=world.configuration_id)  # in use
    with pytest.raises(admin_mq.exceptions.BadRequestException) as data:
        admin_mq.update_configuration(ConfigurationId=world.configuration_id, Data="not base64!")
    assert data.value.response["ErrorAttribute"] == "data"
    malformed = base64.b64encode(b"<broker>\n<a>\n</broker>").decode()
    with pytest.raises(admin_mq.exceptions.BadRequestException) as xml:
        admin_mq.update_configuration(ConfigurationId=world.configuration_id, Data=malformed)
    assert "(line 3, column" in xml.value.response["Error"]["Message"]


def test_not_running_broker_refuses_with_bad_request(account, world, admin_mq):
    from brokers.models import Broker

    Broker.objects.filter(broker_id=world.broker_id).update(state="REBOOT_IN_PROGRESS")
    with pytest.raises(admin_mq.exceptions.BadRequestException) as error:
        admin_mq.reboot_broker(BrokerId=world.broker_id)
    assert "is in state [REBOOT_IN_PROGRESS]" in error.value.response["Error"]["Message"]


def test_signature_failures_use_the_json_front_door_names(live_server, make_user, mq_client):
    import boto3

    client = mq_client(make_user("someone"))
    wrong = boto3.client(
        "mq",
        endpoint_url=live_server.url,
        region_name="us-east-1",
        aws_access_key_id=client._request_signer._credentials.access_key,
        aws_secret_access_key="wrong-secret-wrong-secret-wrong-secret00",
    )
    with pytest.raises(ClientError) as bad_signature:
        wrong.list_brokers()
    assert bad_signature.value.response["Error"]["Code"] == "InvalidSignatureException"
    unknown = boto3.client(
        "mq",
        endpoint_url=live_server.url,
        region_name="us-east-1",
        aws_access_key_id="AKIAAAAAAAAAAAAAAAAA",
        aws_secret_access_key="x" * 40,
    )
    with pytest.raises(ClientError) as unknown_key:
        unknown.list_brokers()
    assert unknown_key.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert unknown_key.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_paginators_and_regions(account, admin_mq, make_user, mq_client):
    for name in ("a1", "a2", "a3"):
        make_broker(account, name)
    pages = admin_mq.get_paginator("list_brokers").paginate(PaginationConfig={"PageSize": 2})
    names = [b["BrokerName"] for page in pages for b in page["BrokerSummaries"]]
    assert names == ["a1", "a2", "a3"]
    europe = mq_client(make_user("eu", allow(["mq:*", "iam:CreateServiceLinkedRole"])), "eu-west-1")
    assert europe.list_brokers()["BrokerSummaries"] == []
    created = europe.create_broker(**activemq_spec("a1"))  # names are unique per Region
    assert created["BrokerArn"].startswith(f"arn:aws:mq:eu-west-1:{ACCOUNT}:broker:a1:")


def test_tag_conditions_through_boto3(account, make_user, mq_client):
    ours = make_broker(account, "ours", tags={"team": "payments"})
    theirs = make_broker(account, "theirs", tags={"team": "iot"})
    operator = make_user(
        "olivia",
        allow(
            ["mq:RebootBroker", "mq:DescribeBroker"],
            "arn:aws:mq:*:*:broker:*:*",
            {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
        ),
        tags={"team": "payments"},
    )
    mq = mq_client(operator)
    mq.reboot_broker(BrokerId=ours.broker_id)
    with pytest.raises(mq.exceptions.ForbiddenException) as error:
        mq.reboot_broker(BrokerId=theirs.broker_id)
    assert f"mq:RebootBroker on resource: {theirs.arn}" in error.value.response["Error"]["Message"]
