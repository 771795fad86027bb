"""Roles REST API: the triple, trust policies as JSON, service-linked refusals, audit."""

from __future__ import annotations

import json

import pytest

from accounts.models import AuditEvent, Role
from policies.models import InlinePolicy, PolicyAttachment
from tests.accounts.support import ACCOUNT, allow, call, denial, grant
from tests.factories import ManagedPolicyFactory, RoleFactory

pytestmark = pytest.mark.django_db
SLR = "AWSServiceRoleForAmazonMQ"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}


def role_arn(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ACCOUNT}:role{path}{name}"


def unmodifiable(name: str = SLR) -> dict:
    return {
        "code": "UnmodifiableEntity",
        "message": f"Cannot perform the operation on the protected role '{name}' - this role "
        "is only modifiable by AWS",
    }


@pytest.fixture
def deployer(account):
    return RoleFactory(account=account, name="Deployer", path="/ops/", tags={"team": "payments"})


@pytest.fixture
def builder(account):
    return RoleFactory(account=account, name="Builder", path="/dev/")


ENDPOINTS = [
    ("get", "/api/v1/roles/", None, "iam:ListRoles", "*"),
    (
        "post",
        "/api/v1/roles/",
        {"RoleName": "Ops", "AssumeRolePolicyDocument": TRUST},
        "iam:CreateRole",
        role_arn("Ops"),
    ),
    ("get", "/api/v1/roles/Deployer/", None, "iam:GetRole", "deployer"),
    ("patch", "/api/v1/roles/Deployer/", {"Description": "x"}, "iam:UpdateRole", "deployer"),
    ("delete", "/api/v1/roles/Deployer/", None, "iam:DeleteRole", "deployer"),
    ("get", "/api/v1/roles/Deployer/trust-policy/", None, "iam:GetRole", "deployer"),
    (
        "put",
        "/api/v1/roles/Deployer/trust-policy/",
        {"PolicyDocument": TRUST},
        "iam:UpdateAssumeRolePolicy",
        "deployer",
    ),
    ("get", "/api/v1/roles/Deployer/tags/", None, "iam:ListRoleTags", "deployer"),
    (
        "post",
        "/api/v1/roles/Deployer/tags/",
        {"Tags": [{"Key": "env", "Value": "prod"}]},
        "iam:TagRole",
        "deployer",
    ),
    ("delete", "/api/v1/roles/Deployer/tags/?TagKeys=team", None, "iam:UntagRole", "deployer"),
]


@pytest.mark.parametrize(("method", "url", "data", "action", "resource"), ENDPOINTS)
def test_anonymous_is_403_json(api_client, deployer, method, url, data, action, resource):
    response = call(api_client, method, url, data)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "NotAuthenticated"
    assert Role.objects.filter(pk=deployer.pk, tags={"team": "payments"}).exists()


@pytest.mark.parametrize(("method", "url", "data", "action", "resource"), ENDPOINTS)
def test_no_permission_is_403_with_aws_message(
    alice_api, deployer, method, url, data, action, resource
):
    resource = deployer.arn if resource == "deployer" else resource
    before = Role.objects.get(pk=deployer.pk).trust_policy
    response = call(alice_api, method, url, data)
    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "AccessDenied", "message": denial(action, resource)}
    }
    assert AuditEvent.objects.get(action=action, decision="implicitDeny").resource_arn == resource
    deployer.refresh_from_db()
    assert deployer.trust_policy == before and deployer.tags == {"team": "payments"}
    assert deployer.description == "" and Role.objects.count() == 1


def test_get_role_limited_to_a_path(alice_api, alice, deployer, builder):
    grant(alice, allow("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/ops/*"))
    response = alice_api.get("/api/v1/roles/deployer/")
    assert response.status_code == 200
    body = response.json()
    assert body["Arn"] == role_arn("Deployer", "/ops/") and body["RoleId"].startswith("AROA")
    assert body["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    assert body["Tags"] == [{"Key": "team", "Value": "payments"}]
    assert body["RoleLastUsed"] == {} and body["ServiceLinked"] is False
    response = alice_api.get("/api/v1/roles/Builder/")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == denial("iam:GetRole", builder.arn)


def test_list_roles_with_the_page_s_filters(root_api, account, slr, django_assert_max_num_queries):
    boundary = ManagedPolicyFactory(account=account, name="Boundary")
    for n in range(30):
        RoleFactory(
            account=account,
            name=f"r{n:02d}",
            path="/ops/" if n % 2 else "/",
            tags={"team": "iot" if n % 3 else "payments"},
            permissions_boundary=boundary,
        )
    with django_assert_max_num_queries(8):
        response = root_api.get("/api/v1/roles/", {"page_size": 10})
    body = response.json()
    assert body["count"] == 31 and len(body["results"]) == 10
    first = next(r for r in body["results"] if r["RoleName"] == "r00")
    assert first["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary.arn
    response = root_api.get("/api/v1/roles/", {"service_linked": "true"})
    (only,) = response.json()["results"]
    assert only["RoleName"] == SLR and only["ServiceLinked"] is True
    assert only["AttachedPolicyCount"] == 1
    response = root_api.get("/api/v1/roles/", {"path": "/ops/", "tag": "team=payments"})
    assert [r["RoleName"] for r in response.json()["results"]] == [
        "r03",
        "r09",
        "r15",
        "r21",
        "r27",
    ]


def test_create_role_with_trust_json_object(root_api, account):
    policy = ManagedPolicyFactory(account=account, name="MqRead")
    boundary = ManagedPolicyFactory(account=account, name="MqOnly")
    response = root_api.post(
        "/api/v1/roles/",
        {
            "RoleName": "CrossAccountOps",
            "AssumeRolePolicyDocument": TRUST,
            "MaxSessionDuration": 7200,
            "PermissionsBoundary": boundary.arn,
            "Tags": [{"Key": "team", "Value": "payments"}],
            "PolicyArns": [policy.arn],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["AssumeRolePolicyDocument"] == TRUST and body["MaxSessionDuration"] == 7200
    assert body["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": boundary.arn,
    }
    role = Role.objects.get(name="CrossAccountOps")
    assert list(
        AuditEvent.objects.filter(resource_arn=role.arn)
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy"]


def test_create_role_with_trust_json_text_kept_as_written(root_api):
    text = json.dumps(TRUST, indent=3)
    response = root_api.post(
        "/api/v1/roles/", {"RoleName": "R1", "AssumeRolePolicyDocument": text}, format="json"
    )
    assert response.status_code == 201
    assert Role.objects.get(name="R1").trust_policy == text


def test_create_role_malformed_trust_policy(root_api):
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    response = root_api.post(
        "/api/v1/roles/", {"RoleName": "R1", "AssumeRolePolicyDocument": bad}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "MalformedPolicyDocument" and "Principal" in error["message"]
    assert not Role.objects.exists()


def test_create_role_errors(root_api, deployer):
    body = {"RoleName": "DEPLOYER", "AssumeRolePolicyDocument": TRUST}
    response = root_api.post("/api/v1/roles/", body, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "Role with name DEPLOYER already exists."
    body = {"RoleName": "R2", "AssumeRolePolicyDocument": TRUST, "MaxSessionDuration": 60}
    response = root_api.post("/api/v1/roles/", body, format="json")
    assert response.status_code == 400
    assert "maxSessionDuration" in response.json()["error"]["message"]
    body = {"RoleName": "R3", "AssumeRolePolicyDocument": TRUST, "Path": "/aws-service-role/x/"}
    assert root_api.post("/api/v1/roles/", body, format="json").status_code == 400


def test_create_role_request_tag_condition(alice_api, alice):
    grant(
        alice,
        allow(
            ["iam:CreateRole", "iam:TagRole"],
            Condition={"StringEquals": {"aws:RequestTag/team": "payments"}},
        ),
    )
    body = {"RoleName": "R1", "AssumeRolePolicyDocument": TRUST}
    for team, expected in (("iot", 403), ("payments", 201)):
        body["Tags"] = [{"Key": "team", "Value": team}]
        assert alice_api.post("/api/v1/roles/", body, format="json").status_code == expected


def test_update_role_and_trust_policy(root_api, deployer):
    response = root_api.patch(
        "/api/v1/roles/Deployer/",
        {"Description": "Deploys", "MaxSessionDuration": 43200},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["Description"], response.json()["MaxSessionDuration"]) == (
        "Deploys",
        43200,
    )
    response = root_api.put(
        "/api/v1/roles/Deployer/trust-policy/", {"PolicyDocument": TRUST}, format="json"
    )
    assert response.status_code == 200 and response.json() == {"PolicyDocument": TRUST}
    assert root_api.get("/api/v1/roles/Deployer/trust-policy/").json() == {"PolicyDocument": TRUST}
    event = AuditEvent.objects.get(action="iam:UpdateAssumeRolePolicy")
    assert json.loads(event.request_parameters["PolicyDocument"]) == TRUST


def test_tags_round_trip(root_api, deployer):
    response = root_api.post(
        "/api/v1/roles/Deployer/tags/", {"Tags": [{"Key": "env", "Value": "prod"}]}, format="json"
    )
    assert response.json()["Tags"] == [
        {"Key": "team", "Value": "payments"},
        {"Key": "env", "Value": "prod"},
    ]
    response = root_api.delete("/api/v1/roles/Deployer/tags/?TagKeys=TEAM")
    assert response.json() == {"Tags": [{"Key": "env", "Value": "prod"}]}


def test_service_linked_role_refusals_are_unmodifiable_entity(root_api, slr):
    cases = [
        ("patch", f"/api/v1/roles/{SLR}/", {"MaxSessionDuration": 7200}),
        ("put", f"/api/v1/roles/{SLR}/trust-policy/", {"PolicyDocument": TRUST}),
        ("post", f"/api/v1/roles/{SLR}/tags/", {"Tags": [{"Key": "a", "Value": "b"}]}),
        ("delete", f"/api/v1/roles/{SLR}/tags/?TagKeys=a", None),
        ("delete", f"/api/v1/roles/{SLR}/?force=true", None),
    ]
    for method, url, data in cases:
        response = call(root_api, method, url, data)
        assert response.status_code == 400, url
        assert response.json() == {"error": unmodifiable()}, url
    slr.refresh_from_db()
    assert slr.max_session_duration == 3600 and slr.policy_attachments.count() == 1
    response = root_api.patch(f"/api/v1/roles/{SLR}/", {"Description": "MQ"}, format="json")
    assert response.status_code == 200 and response.json()["Description"] == "MQ"


def test_delete_role_conflict_then_force(root_api, account, deployer):
    PolicyAttachment.objects.create(policy=ManagedPolicyFactory(account=account), role=deployer)
    InlinePolicy.objects.create(role=deployer, name="extra", document=json.dumps({}))
    response = root_api.delete("/api/v1/roles/Deployer/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "DeleteConflict"
    assert root_api.delete("/api/v1/roles/Deployer/?force=true").status_code == 204
    assert not Role.objects.filter(pk=deployer.pk).exists()
    assert list(
        AuditEvent.objects.filter(resource_arn=deployer.arn, decision="allowed")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:DeleteRole"]


def test_schema_documents_every_endpoint_with_examples(root_api):
    schema = root_api.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/users/",
        "/api/v1/users/{name}/",
        "/api/v1/users/{name}/tags/",
        "/api/v1/users/{name}/login-profile/",
        "/api/v1/users/{name}/groups/",
        "/api/v1/groups/",
        "/api/v1/groups/{name}/",
        "/api/v1/groups/{name}/members/",
        "/api/v1/groups/{name}/members/{user_name}/",
        "/api/v1/roles/",
        "/api/v1/roles/{name}/",
        "/api/v1/roles/{name}/trust-policy/",
        "/api/v1/roles/{name}/tags/",
    ):
        assert path in paths, path
        for method, operation in paths[path].items():
            assert operation.get("summary"), (path, method)
            if method in ("post", "put", "patch"):
                content = operation["requestBody"]["content"]["application/json"]
                assert content.get("examples"), (path, method)
    parameters = {p["name"] for p in paths["/api/v1/users/"]["get"]["parameters"]}
    assert {"search", "path", "group", "tag", "mfa", "page", "page_size"} <= parameters
