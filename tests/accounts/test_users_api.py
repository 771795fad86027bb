"""Users REST API: the authorization triple, AWS's errors and field names, audit, queries."""

from __future__ import annotations

import pytest

from accounts.actors import system_actor
from accounts.models import AccessKey, AuditEvent, IAMUser
from accounts.services import access_keys, users
from policies.models import PolicyAttachment
from tests.accounts.support import ACCOUNT, ALICE, PASSWORD, allow, call, denial, grant
from tests.factories import (
    AccessKeyFactory,
    AccountFactory,
    GroupFactory,
    GroupMembershipFactory,
    IAMUserFactory,
    InlinePolicyFactory,
    ManagedPolicyFactory,
)

pytestmark = pytest.mark.django_db


def user_arn(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ACCOUNT}:user{path}{name}"


@pytest.fixture
def carol(account):
    return IAMUserFactory(account=account, name="carol", path="/ops/", tags={"team": "payments"})


@pytest.fixture
def dave(account):
    return IAMUserFactory(account=account, name="dave", path="/dev/")


ENDPOINTS = [
    ("get", "/api/v1/users/", None, "iam:ListUsers", "*"),
    ("post", "/api/v1/users/", {"UserName": "erin"}, "iam:CreateUser", user_arn("erin")),
    ("get", "/api/v1/users/carol/", None, "iam:GetUser", "carol"),
    ("patch", "/api/v1/users/carol/", {"NewUserName": "caroline"}, "iam:UpdateUser", "carol"),
    ("delete", "/api/v1/users/carol/", None, "iam:DeleteUser", "carol"),
    ("get", "/api/v1/users/carol/tags/", None, "iam:ListUserTags", "carol"),
    (
        "post",
        "/api/v1/users/carol/tags/",
        {"Tags": [{"Key": "env", "Value": "prod"}]},
        "iam:TagUser",
        "carol",
    ),
    ("delete", "/api/v1/users/carol/tags/?TagKeys=team", None, "iam:UntagUser", "carol"),
    ("get", "/api/v1/users/carol/login-profile/", None, "iam:GetLoginProfile", "carol"),
    (
        "post",
        "/api/v1/users/carol/login-profile/",
        {"Password": "Carol-Passw0rd!"},
        "iam:CreateLoginProfile",
        "carol",
    ),
    (
        "patch",
        "/api/v1/users/carol/login-profile/",
        {"PasswordResetRequired": True},
        "iam:UpdateLoginProfile",
        "carol",
    ),
    ("delete", "/api/v1/users/carol/login-profile/", None, "iam:DeleteLoginProfile", "carol"),
    ("get", "/api/v1/users/carol/groups/", None, "iam:ListGroupsForUser", "carol"),
]


@pytest.mark.parametrize(("method", "url", "data", "action", "resource"), ENDPOINTS)
def test_anonymous_is_403_json(api_client, carol, method, url, data, action, resource):
    response = call(api_client, method, url, data)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "NotAuthenticated"
    assert IAMUser.objects.filter(name="carol", tags={"team": "payments"}).exists()


@pytest.mark.parametrize(("method", "url", "data", "action", "resource"), ENDPOINTS)
def test_no_permission_is_403_with_aws_message(
    alice_api, carol, method, url, data, action, resource
):
    resource = carol.arn if resource == "carol" else resource
    response = call(alice_api, method, url, data)
    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "AccessDenied", "message": denial(action, resource)}
    }
    event = AuditEvent.objects.get(action=action, decision="implicitDeny")
    assert event.principal_arn == ALICE and event.resource_arn == resource
    carol.refresh_from_db()
    assert (carol.name, carol.tags, carol.password) == ("carol", {"team": "payments"}, "")
    assert not IAMUser.objects.filter(name="erin").exists()


def test_get_user_limited_to_a_path(alice_api, alice, carol, dave):
    grant(alice, allow("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/ops/*"))
    response = alice_api.get("/api/v1/users/carol/")
    assert response.status_code == 200
    assert response.json() == {
        "Path": "/ops/",
        "UserName": "carol",
        "UserId": carol.unique_id,
        "Arn": user_arn("carol", "/ops/"),
        "CreateDate": response.json()["CreateDate"],
        "PasswordLastUsed": None,
        "Tags": [{"Key": "team", "Value": "payments"}],
        "PermissionsBoundary": None,
    }
    response = alice_api.get("/api/v1/users/dave/")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == denial("iam:GetUser", dave.arn)


def test_tag_user_limited_by_resource_tag(alice_api, alice, carol, dave):
    grant(
        alice,
        allow("iam:TagUser", Condition={"StringEquals": {"aws:ResourceTag/team": "payments"}}),
    )
    body = {"Tags": [{"Key": "env", "Value": "prod"}]}
    assert alice_api.post("/api/v1/users/carol/tags/", body, format="json").status_code == 200
    assert alice_api.post("/api/v1/users/dave/tags/", body, format="json").status_code == 403


def test_missing_user_is_no_such_entity(root_api):
    response = root_api.get("/api/v1/users/nobody/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "NoSuchEntity", "message": "The user with name nobody cannot be found."}
    }


def test_list_users_with_the_page_s_filters(root_api, account, django_assert_max_num_queries):
    ops = GroupFactory(account=account, name="ops")
    boundary = ManagedPolicyFactory(account=account, name="Boundary")
    for n in range(30):
        user = IAMUserFactory(
            account=account,
            name=f"u{n:02d}",
            path="/ops/" if n % 2 else "/",
            permissions_boundary=boundary,
        )
        if n % 3 == 0:
            GroupMembershipFactory(user=user, group=ops)
        AccessKeyFactory(user=user)
    with django_assert_max_num_queries(8):
        response = root_api.get("/api/v1/users/", {"page_size": 10})
    body = response.json()
    assert response.status_code == 200 and body["count"] == 30 and len(body["results"]) == 10
    first = body["results"][0]
    assert first["UserName"] == "u00" and first["GroupCount"] == 1
    assert first["PasswordEnabled"] is False and first["MFAEnabled"] is False
    response = root_api.get("/api/v1/users/", {"path": "/ops/", "group": "OPS", "search": "u1"})
    assert [u["UserName"] for u in response.json()["results"]] == ["u15"]
    with django_assert_max_num_queries(8):
        response = root_api.get("/api/v1/users/", {"page": 3, "page_size": 10})
    assert [u["UserName"] for u in response.json()["results"]][:1] == ["u20"]


def test_list_is_limited_to_the_own_account(root_api, carol):
    IAMUserFactory(account=AccountFactory(), name="stranger")
    names = [u["UserName"] for u in root_api.get("/api/v1/users/").json()["results"]]
    assert names == ["carol"]


def test_create_user_in_one_step_is_audited(root_api, account):
    GroupFactory(account=account, name="BrokerOperators")
    policy = ManagedPolicyFactory(account=account, name="MqRead")
    response = root_api.post(
        "/api/v1/users/",
        {
            "UserName": "erin",
            "Path": "/ops/",
            "Tags": [{"Key": "team", "Value": "payments"}],
            "Password": "Erin-Passw0rd!",
            "PasswordResetRequired": True,
            "Groups": ["brokeroperators"],
            "PolicyArns": [policy.arn],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["Arn"] == user_arn("erin", "/ops/") and body["UserId"].startswith("AIDA")
    assert body["Tags"] == [{"Key": "team", "Value": "payments"}]
    erin = IAMUser.objects.get(name="erin")
    assert erin.has_console_password and erin.password_reset_required
    assert list(erin.groups.values_list("name", flat=True)) == ["BrokerOperators"]
    assert erin.policy_attachments.get().policy == policy
    created = AuditEvent.objects.get(action="iam:CreateUser")
    assert created.request_parameters["Password"] == "***"  # never in the audit trail
    assert (
        AuditEvent.objects.filter(
            action__in=["iam:AddUserToGroup", "iam:AttachUserPolicy"], decision="allowed"
        ).count()
        == 2
    )


def test_create_user_taken_name_ignoring_case(root_api, carol):
    response = root_api.post("/api/v1/users/", {"UserName": "CAROL"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "EntityAlreadyExists",
        "message": "User with name CAROL already exists.",
    }


def test_create_user_bad_input_is_400_json(root_api):
    response = root_api.post("/api/v1/users/", {"UserName": "bad name"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "ValidationError"
    assert "Member must satisfy regular expression pattern" in response.json()["error"]["message"]
    response = root_api.post("/api/v1/users/", {"Path": "/"}, format="json")
    assert response.status_code == 400 and "UserName" in response.json()["error"]["fields"]


def test_create_user_with_unknown_group_creates_nothing(root_api):
    response = root_api.post(
        "/api/v1/users/", {"UserName": "erin", "Groups": ["nope"]}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "The group with name nope cannot be found."
    assert not IAMUser.objects.filter(name="erin").exists()


def test_create_denied_part_way_creates_nothing(alice_api, alice, account):
    GroupFactory(account=account, name="ops")
    grant(alice, allow("iam:CreateUser"))
    response = alice_api.post(
        "/api/v1/users/", {"UserName": "erin", "Groups": ["ops"]}, format="json"
    )
    assert response.status_code == 403
    assert "iam:AddUserToGroup" in response.json()["error"]["message"]
    assert not IAMUser.objects.filter(name="erin").exists()


def test_update_user_needs_both_arns(alice_api, alice, carol):
    grant(alice, allow("iam:UpdateUser", f"arn:aws:iam::{ACCOUNT}:user/ops/*"))
    response = alice_api.patch("/api/v1/users/carol/", {"NewUserName": "caroline"}, format="json")
    assert response.status_code == 200 and response.json()["UserName"] == "caroline"
    response = alice_api.patch("/api/v1/users/caroline/", {"NewPath": "/dev/"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == denial(
        "iam:UpdateUser", user_arn("caroline", "/dev/")
    )
    event = AuditEvent.objects.get(action="iam:UpdateUser", decision="allowed")
    assert event.request_parameters == {"NewUserName": "caroline", "NewPath": None}


def _blocked(account, user):
    users.user_password_set(actor=system_actor(), user=user, password=PASSWORD)
    access_keys.access_key_create(actor=system_actor(), owner=user)
    InlinePolicyFactory(user=user, name="extra")
    PolicyAttachment.objects.create(policy=ManagedPolicyFactory(account=account), user=user)
    GroupMembershipFactory(user=user, group=GroupFactory(account=account, name="ops"))


def test_delete_user_with_blockers_is_delete_conflict(root_api, account, carol):
    _blocked(account, carol)
    response = root_api.delete("/api/v1/users/carol/")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "DeleteConflict"
    assert error["message"] == "Cannot delete entity, must delete login profile first."
    assert len(error["fields"]["blockers"]) == 5


def test_delete_user_force_removes_blockers_audited(root_api, account, carol):
    _blocked(account, carol)
    response = root_api.delete("/api/v1/users/carol/?force=true")
    assert response.status_code == 204
    assert not IAMUser.objects.filter(name="carol").exists()
    assert not AccessKey.objects.exists()
    actions = set(
        AuditEvent.objects.filter(decision="allowed", action__startswith="iam:")
        .exclude(action__in=["iam:CreateLoginProfile", "iam:CreateAccessKey"])
        .values_list("action", flat=True)
    )
    assert actions == {
        "iam:DeleteLoginProfile",
        "iam:DeleteAccessKey",
        "iam:DeleteUserPolicy",
        "iam:DetachUserPolicy",
        "iam:RemoveUserFromGroup",
        "iam:DeleteUser",
    }


def test_delete_user_force_with_a_denied_step_changes_nothing(alice_api, alice, account, carol):
    _blocked(account, carol)
    grant(
        alice,
        allow(["iam:DeleteLoginProfile", "iam:DeleteAccessKey", "iam:DeleteUser"]),
    )
    response = alice_api.delete("/api/v1/users/carol/?force=true")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == denial("iam:DeleteUserPolicy", carol.arn)
    carol.refresh_from_db()
    assert carol.has_console_password and carol.access_keys.count() == 1


def test_tags_round_trip(root_api, carol):
    response = root_api.post(
        "/api/v1/users/carol/tags/", {"Tags": [{"Key": "Team", "Value": "iot"}]}, format="json"
    )
    assert response.json() == {"Tags": [{"Key": "Team", "Value": "iot"}]}  # keys ignore case
    assert root_api.get("/api/v1/users/carol/tags/").json() == {
        "Tags": [{"Key": "Team", "Value": "iot"}]
    }
    response = root_api.delete("/api/v1/users/carol/tags/?TagKeys=team")
    assert response.json() == {"Tags": []}
    assert AuditEvent.objects.get(action="iam:UntagUser").request_parameters == {
        "TagKeys": ["team"]
    }
    response = root_api.delete("/api/v1/users/carol/tags/")
    assert response.status_code == 400


def test_untag_condition_on_tag_keys(alice_api, alice, carol):
    grant(
        alice,
        allow(
            "iam:UntagUser",
            carol.arn,
            Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}},
        ),
    )
    assert alice_api.delete("/api/v1/users/carol/tags/?TagKeys=team").status_code == 403
    assert alice_api.delete("/api/v1/users/carol/tags/?TagKeys=env").status_code == 200


def test_fifty_one_tags_is_limit_exceeded(root_api, carol):
    tags = [{"Key": f"k{n}", "Value": "v"} for n in range(50)]
    response = root_api.post("/api/v1/users/carol/tags/", {"Tags": tags}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "LimitExceeded",
        "message": "Cannot exceed quota for TagsPerUser: 50",
    }


def test_login_profile_lifecycle(root_api, carol):
    url = "/api/v1/users/carol/login-profile/"
    response = root_api.get(url)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Login Profile for User carol cannot be found."
    response = root_api.post(url, {"Password": "Carol-Passw0rd!"}, format="json")
    assert response.status_code == 201
    assert response.json()["UserName"] == "carol"
    response = root_api.post(url, {"Password": "Other-Passw0rd!"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "EntityAlreadyExists",
        "message": "Login Profile for user carol already exists.",
    }
    response = root_api.patch(url, {"PasswordResetRequired": True}, format="json")
    assert response.status_code == 200 and response.json()["PasswordResetRequired"] is True
    assert root_api.delete(url).status_code == 204
    assert root_api.get(url).status_code == 404
    actions = list(
        AuditEvent.objects.filter(resource_arn=carol.arn)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
        "iam:DeleteLoginProfile",
    ]


def test_login_profile_password_policy_applies(root_api, carol):
    response = root_api.post("/api/v1/users/carol/login-profile/", {"Password": "a"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "PasswordPolicyViolation"


def test_groups_for_user(root_api, account, carol):
    for name in ("b-team", "a-team"):
        GroupMembershipFactory(user=carol, group=GroupFactory(account=account, name=name))
    response = root_api.get("/api/v1/users/carol/groups/")
    assert [g["GroupName"] for g in response.json()] == ["a-team", "b-team"]
    assert response.json()[0]["GroupId"].startswith("AGPA")


def test_existing_access_key_routes_still_work(root_api, carol):
    response = root_api.post("/api/v1/users/carol/access-keys/")
    assert response.status_code == 201 and response.json()["AccessKeyId"].startswith("AKIA")
    assert len(root_api.get("/api/v1/users/carol/access-keys/").json()) == 1
