"""Every broker operation asks IAM with AWS's exact action, resource and tag context."""

import pytest
from django.test import RequestFactory

from accounts.models import AuditEvent, Role
from accounts.principals import principal_for_user
from brokers import services
from brokers.authz import RequestAuthorizer
from brokers.models import Broker
from brokers.services.updates import broker_update
from policies.authorization import AccessDenied
from policies.models import ManagedPolicy
from policies.services.attachments import policy_attach
from tests.brokers.conftest import ACCOUNT, ACTOR, BROKER_PASSWORD, allow, make_broker

pytestmark = pytest.mark.django_db
SLR_ARN = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/mq.amazonaws.com/AWSServiceRoleForAmazonMQ"
SAME_TEAM = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
CREATE_SLR = allow(
    "iam:CreateServiceLinkedRole",
    SLR_ARN,
    {"StringLike": {"iam:AWSServiceName": "mq.amazonaws.com"}},
)


def _authz(user) -> RequestAuthorizer:
    request = RequestFactory().post("/brokers/create/review", REMOTE_ADDR="198.51.100.7")
    request.principal = principal_for_user(user)
    return RequestAuthorizer(request, request.principal, "us-east-1")


def _spec(**overrides):
    spec = {
        "engine_type": "ACTIVEMQ",
        "deployment_mode": "SINGLE_INSTANCE",
        "host_instance_type": "mq.t3.micro",
        "users": [{"username": "admin", "password": BROKER_PASSWORD}],
    }
    return spec | overrides


def _denied(call) -> str:
    with pytest.raises(AccessDenied) as denied:
        call()
    return denied.value.message


def test_operators_reboot_only_their_teams_brokers(account, make_user):
    olivia = make_user(
        "olivia",
        allow("mq:RebootBroker", "arn:aws:mq:*:*:broker:*:*", SAME_TEAM),
        tags={"team": "payments"},
    )
    ours = make_broker(account, "orders", tags={"team": "payments"})
    theirs = make_broker(account, "telemetry", tags={"team": "iot"})
    rebooted = services.broker_reboot(actor=ACTOR, broker=ours, authz=_authz(olivia))
    assert rebooted.state == "REBOOT_IN_PROGRESS"
    message = _denied(
        lambda: services.broker_reboot(actor=ACTOR, broker=theirs, authz=_authz(olivia))
    )
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/olivia is not authorized to perform: "
        f"mq:RebootBroker on resource: {theirs.arn} because no identity-based policy allows "
        "the mq:RebootBroker action"
    )
    assert Broker.objects.get(pk=theirs.pk).state == "RUNNING"
    denial = AuditEvent.objects.get(action="mq:RebootBroker", decision="implicitDeny")
    assert denial.resource_arn == theirs.arn and denial.source_ip == "198.51.100.7"


def test_create_broker_request_tags_must_carry_the_callers_team(account, make_user):
    statement = allow(
        ["mq:CreateBroker", "mq:CreateTags"],
        "*",
        {"StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"}},
    )
    carol = make_user("carol", statement, CREATE_SLR, tags={"team": "payments"})
    broker = services.broker_create(
        actor=ACTOR,
        account=account,
        name="mine",
        tags={"team": "payments"},
        authz=_authz(carol),
        **_spec(),
    )
    assert broker.tags == {"team": "payments"}
    for tags in ({"team": "iot"}, None):
        message = _denied(
            lambda tags=tags: services.broker_create(
                actor=ACTOR,
                account=account,
                name="other",
                tags=tags,
                authz=_authz(carol),
                **_spec(),
            )
        )
        assert "mq:CreateBroker on resource: *" in message
    assert list(Broker.objects.values_list("name", flat=True)) == ["mine"]


def test_tags_on_create_also_need_create_tags_on_the_new_arn(account, make_user):
    dave = make_user("dave", allow("mq:CreateBroker"), CREATE_SLR)
    message = _denied(
        lambda: services.broker_create(
            actor=ACTOR,
            account=account,
            name="tagged",
            broker_id="b-11111111-2222-3333-4444-555555555555",
            tags={"team": "payments"},
            authz=_authz(dave),
            **_spec(),
        )
    )
    assert message.startswith(f"User: arn:aws:iam::{ACCOUNT}:user/dave is not authorized to ")
    assert (
        "mq:CreateTags on resource: arn:aws:mq:us-east-1:111122223333:broker:tagged:"
        "b-11111111-2222-3333-4444-555555555555" in message
    )
    assert not Broker.objects.exists() and not Role.objects.filter(is_service_linked=True).exists()
    untagged = services.broker_create(
        actor=ACTOR, account=account, name="plain", authz=_authz(dave), **_spec()
    )
    assert untagged.tags == {}


def test_only_the_first_broker_needs_iam_create_service_linked_role(account, make_user):
    erin = make_user("erin", allow("mq:*"))
    message = _denied(
        lambda: services.broker_create(
            actor=ACTOR, account=account, name="first", authz=_authz(erin), **_spec()
        )
    )
    assert f"iam:CreateServiceLinkedRole on resource: {SLR_ARN}" in message
    make_broker(account, "by-admin")  # the role now exists
    assert services.broker_create(
        actor=ACTOR, account=account, name="second", authz=_authz(erin), **_spec()
    )


def test_amazon_mq_full_access_creates_the_first_broker(account, make_user):
    frank = make_user("frank")
    policy_attach(
        actor=ACTOR,
        policy=ManagedPolicy.objects.get(account=None, name="AmazonMQFullAccess"),
        identity=frank,
    )
    broker = services.broker_create(
        actor=ACTOR, account=account, name="full", tags={"a": "b"}, authz=_authz(frank), **_spec()
    )
    assert Role.objects.filter(account=account, is_service_linked=True).count() == 1
    assert broker.tags == {"a": "b"}


def test_delete_tags_is_checked_against_the_tag_keys(account, make_user):
    keep_team = {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["team"]}}
    gina = make_user("gina", allow("mq:DeleteTags", "*", keep_team))
    broker = make_broker(account, tags={"team": "payments", "env": "dev"})
    assert services.tags_delete(actor=ACTOR, resource=broker, keys=["env"], authz=_authz(gina)) == {
        "team": "payments"
    }
    assert "mq:DeleteTags" in _denied(
        lambda: services.tags_delete(
            actor=ACTOR, resource=broker, keys=["team"], authz=_authz(gina)
        )
    )


def test_explicit_deny_on_production_brokers_says_so(account, make_user):
    deny = {
        "Effect": "Deny",
        "Action": "mq:DeleteBroker",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/env": "production"}},
    }
    hank = make_user("hank", allow("mq:*"), deny)
    broker = make_broker(account, tags={"env": "production"})
    message = _denied(
        lambda: services.broker_delete(actor=ACTOR, broker=broker, authz=_authz(hank))
    )
    assert message.endswith("with an explicit deny in an identity-based policy")


def test_rabbitmq_configuration_with_a_role_needs_pass_role_and_access_permission(
    account, make_user
):
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/MqLdapLookup"
    ivan = make_user("ivan", allow("mq:UpdateBroker"))
    broker = make_broker(
        account,
        engine="RABBITMQ",
        users=[{"username": "admin", "password": BROKER_PASSWORD}],
    )
    configuration = services.configuration_create(
        actor=ACTOR, account=account, name="ldap", engine_type="RABBITMQ"
    )
    services.configuration_update(
        actor=ACTOR,
        configuration=configuration,
        data=f"auth_backends.1 = ldap\naws.arns.assume_role_arn = {role_arn}\n",
    )
    reference = {"id": configuration.configuration_id, "revision": 2}
    message = _denied(
        lambda: broker_update(
            actor=ACTOR, broker=broker, configuration=reference, authz=_authz(ivan)
        )
    )
    assert f"iam:PassRole on resource: {role_arn}" in message
    pass_role = allow(
        "iam:PassRole", role_arn, {"StringEquals": {"iam:PassedToService": "mq.amazonaws.com"}}
    )
    ivan_with_pass = make_user("ivan2", allow("mq:UpdateBroker"), pass_role)
    assert "mq:UpdateBrokerAccessConfiguration" in _denied(
        lambda: broker_update(
            actor=ACTOR, broker=broker, configuration=reference, authz=_authz(ivan_with_pass)
        )
    )
    judy = make_user(
        "judy", allow(["mq:UpdateBroker", "mq:UpdateBrokerAccessConfiguration"]), pass_role
    )
    updated = broker_update(actor=ACTOR, broker=broker, configuration=reference, authz=_authz(judy))
    assert updated.pending["configuration"] == reference


def test_user_operations_use_the_broker_arn_and_its_tags(account, make_user):
    kim = make_user(
        "kim",
        allow(["mq:CreateUser", "mq:UpdateUser", "mq:DeleteUser"], "*", SAME_TEAM),
        tags={"team": "payments"},
    )
    ours = make_broker(account, "ours", tags={"team": "payments"})
    theirs = make_broker(account, "theirs", tags={"team": "iot"})
    services.broker_user_create(
        actor=ACTOR, broker=ours, username="app", password=BROKER_PASSWORD, authz=_authz(kim)
    )
    services.broker_user_update(
        actor=ACTOR, broker=ours, username="app", groups=["g1"], authz=_authz(kim)
    )
    services.broker_user_delete(actor=ACTOR, broker=ours, username="admin", authz=_authz(kim))
    for action, call in [
        (
            "mq:CreateUser",
            lambda: services.broker_user_create(
                actor=ACTOR,
                broker=theirs,
                username="app",
                password=BROKER_PASSWORD,
                authz=_authz(kim),
            ),
        ),
        (
            "mq:UpdateUser",
            lambda: services.broker_user_update(
                actor=ACTOR, broker=theirs, username="admin", groups=[], authz=_authz(kim)
            ),
        ),
        (
            "mq:DeleteUser",
            lambda: services.broker_user_delete(
                actor=ACTOR, broker=theirs, username="admin", authz=_authz(kim)
            ),
        ),
    ]:
        assert f"{action} on resource: {theirs.arn}" in _denied(call)
