"""List operations read a constant number of queries, however many entities they list."""

from __future__ import annotations

import json

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.actors import system_actor
from accounts.services import access_keys
from policies.services import attachments
from tests.factories import GroupFactory, GroupMembershipFactory, IAMUserFactory, RoleFactory

pytestmark = pytest.mark.django_db
MQ_READ_ONLY = "arn:aws:iam::aws:policy/AmazonMQReadOnlyAccess"


def signed_post(client, key, body: str):
    """POST / through Django's test client, signed by botocore for host ``testserver``."""
    content_type = "application/x-www-form-urlencoded; charset=utf-8"
    request = AWSRequest(
        method="POST", url="http://testserver/", data=body, headers={"Content-Type": content_type}
    )
    credentials = Credentials(key.key.access_key_id, key.secret_access_key)
    SigV4Auth(credentials, "iam", "us-east-1").add_auth(request)
    headers = {
        "HTTP_" + name.upper().replace("-", "_"): value
        for name, value in request.headers.items()
        if name.lower() not in ("content-type", "content-length", "host")
    }
    return client.post("/", data=body, content_type=content_type, **headers)


def add_entities(account, start: int, count: int) -> None:
    from policies.models import ManagedPolicy

    policy = ManagedPolicy.objects.get(name="AmazonMQReadOnlyAccess")
    group = GroupFactory(account=account, name=f"group-{start}")
    for i in range(start, start + count):
        user = IAMUserFactory(account=account, name=f"user-{i:03}", tags={"k": "v"})
        GroupMembershipFactory(user=user, group=group)
        attachments.policy_attach(actor=system_actor(), policy=policy, identity=user)
        attachments.inline_policy_put(
            actor=system_actor(),
            identity=user,
            name="inline",
            document=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "mq:List*", "Resource": "*"}],
                }
            ),
        )
        RoleFactory(account=account, name=f"role-{i:03}")


@pytest.mark.parametrize(
    "body",
    [
        "Action=ListUsers&Version=2010-05-08",
        "Action=ListRoles&Version=2010-05-08",
        "Action=ListGroups&Version=2010-05-08",
        "Action=ListPolicies&Version=2010-05-08",
        "Action=GetAccountAuthorizationDetails&Version=2010-05-08",
        f"Action=ListEntitiesForPolicy&Version=2010-05-08&PolicyArn={MQ_READ_ONLY}",
        "Action=GenerateCredentialReport&Version=2010-05-08",
        "Action=GetAccountSummary&Version=2010-05-08",
    ],
)
def test_queries_do_not_grow_with_the_number_of_entities(client, account, body):
    key = access_keys.access_key_create(actor=system_actor(), owner=account.root_user)
    add_entities(account, 0, 3)
    with CaptureQueriesContext(connection) as few:
        assert signed_post(client, key, body).status_code == 200
    add_entities(account, 3, 20)
    with CaptureQueriesContext(connection) as many:
        response = signed_post(client, key, body)
    assert response.status_code == 200, response.content
    assert len(many) <= len(few) + 1, [q["sql"] for q in many.captured_queries]
    action = body.split("&")[0].removeprefix("Action=")
    assert f"<{action}Response " in response.content.decode()
