"""Role pages: authorization triple, the trust form, service-linked roles, audit, queries."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent, Role, RoleSession
from accounts.principals import principal_for_user
from accounts.services import sts
from policies.authorization import actor_for_principal
from policies.context import request_context
from policies.models import InlinePolicy, PolicyAttachment
from tests.accounts.support import ACCOUNT, ALICE, allow, denial, grant
from tests.factories import ManagedPolicyFactory, RoleFactory

pytestmark = pytest.mark.django_db
OTHER = "444455556666"
SLR_NAME = "AWSServiceRoleForAmazonMQ"
SLR_REASON = (
    "This role is linked to Amazon MQ and can only be edited by the service; "
    "its description can be changed."
)
UNMODIFIABLE = (
    f"Cannot perform the operation on the protected role &#x27;{SLR_NAME}&#x27; - this role "
    "is only modifiable by AWS"
)


def role_arn(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ACCOUNT}:role{path}{name}"


@pytest.fixture
def deployer(account):
    return RoleFactory(account=account, name="Deployer", path="/ops/", tags={"team": "payments"})


@pytest.fixture
def builder(account):
    return RoleFactory(account=account, name="Builder", path="/dev/", tags={"team": "iot"})


def trust_from(role: Role) -> dict:
    return json.loads(Role.objects.get(pk=role.pk).trust_policy)


# --- the triple ------------------------------------------------------------------------

PAGES = [
    ("get", "/roles", None),
    ("get", "/roles/create", None),
    ("post", "/roles/create", {"name": "x"}),
    ("post", "/roles/trust-preview", {"trusted_entity": "this-account"}),
    ("get", "/roles/Deployer", None),
    ("get", "/roles/Deployer/edit", None),
    ("post", "/roles/Deployer/edit", {"description": "x", "max_session_duration": 3600}),
    ("get", "/roles/Deployer/trust-policy", None),
    ("post", "/roles/Deployer/trust-policy", {"trust_json": "{}"}),
    ("post", "/roles/Deployer/tags", {"tags": "a=b"}),
    ("post", "/roles/Deployer/policies/attach", {"policy_arn": "x"}),
    ("post", "/roles/Deployer/policies/detach", {"policy_arn": "x"}),
    ("post", "/roles/Deployer/sessions/ASIAEXAMPLE000000000/revoke", {}),
    ("get", "/roles/Deployer/delete", None),
    ("post", "/roles/Deployer/delete", {"confirm": "Deployer"}),
]


@pytest.mark.parametrize(("method", "url", "data"), PAGES)
def test_anonymous_is_sent_to_sign_in(client, deployer, method, url, data):
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 302
    assert response["Location"].startswith("/signin?next=")
    assert Role.objects.filter(pk=deployer.pk, description="").exists()


NO_PERMISSION = [
    ("get", "/roles", None, "iam:ListRoles", "*"),
    (
        "post",
        "/roles/create",
        {
            "name": "Auditor",
            "path": "/",
            "trusted_entity": "this-account",
            "max_session_duration": 3600,
        },
        "iam:CreateRole",
        role_arn("Auditor"),
    ),
    ("get", "/roles/Deployer", None, "iam:GetRole", "Deployer"),
    ("get", "/roles/Deployer/edit", None, "iam:GetRole", "Deployer"),
    (
        "post",
        "/roles/Deployer/edit",
        {"description": "x", "max_session_duration": 7200},
        "iam:UpdateRole",
        "Deployer",
    ),
    ("get", "/roles/Deployer/trust-policy", None, "iam:GetRole", "Deployer"),
    (
        "post",
        "/roles/Deployer/trust-policy",
        {"trust_json": json.dumps({"Version": "2012-10-17", "Statement": []})},
        "iam:UpdateAssumeRolePolicy",
        "Deployer",
    ),
    (
        "post",
        "/roles/Deployer/tags",
        {"tags": "team=payments\nenv=prod"},
        "iam:TagRole",
        "Deployer",
    ),
    ("post", "/roles/Deployer/tags", {"tags": ""}, "iam:UntagRole", "Deployer"),
    (
        "post",
        "/roles/Deployer/policies/attach",
        {"policy_arn": "arn:aws:iam::aws:policy/AmazonMQReadOnlyAccess"},
        "iam:AttachRolePolicy",
        "Deployer",
    ),
    (
        "post",
        "/roles/Deployer/policies/detach",
        {"policy_arn": "arn:aws:iam::aws:policy/AmazonMQReadOnlyAccess"},
        "iam:DetachRolePolicy",
        "Deployer",
    ),
    ("get", "/roles/Deployer/delete", None, "iam:GetRole", "Deployer"),
    ("post", "/roles/Deployer/delete", {"confirm": "Deployer"}, "iam:DeleteRole", "Deployer"),
]


@pytest.mark.parametrize(("method", "url", "data", "action", "resource"), NO_PERMISSION)
def test_no_permission_is_403_with_aws_message(
    alice_client, deployer, method, url, data, action, resource
):
    resource = deployer.arn if resource == "Deployer" else resource
    before = trust_from(deployer)
    response = getattr(alice_client, method)(url, data or {})
    assert response.status_code == 403
    assert denial(action, resource) in response.content.decode()
    event = AuditEvent.objects.get(action=action, decision="implicitDeny")
    assert event.principal_arn == ALICE and event.resource_arn == resource
    deployer.refresh_from_db()
    assert deployer.tags == {"team": "payments"} and deployer.description == ""
    assert trust_from(deployer) == before and Role.objects.count() == 1


def test_get_role_limited_to_a_path(alice_client, alice, deployer, builder):
    grant(alice, allow("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/ops/*"))
    assert alice_client.get("/roles/Deployer").status_code == 200
    response = alice_client.get("/roles/Builder")
    assert response.status_code == 403
    assert denial("iam:GetRole", builder.arn) in response.content.decode()


def test_get_role_limited_by_the_role_s_tag(alice_client, alice, deployer, builder):
    grant(
        alice,
        allow(
            "iam:GetRole",
            Condition={"StringEquals": {"aws:ResourceTag/team": "payments"}},
        ),
    )
    assert alice_client.get("/roles/Deployer").status_code == 200
    assert alice_client.get("/roles/Builder").status_code == 403


def test_revoke_session_needs_put_role_policy(alice_client, alice, deployer):
    session = _session(deployer, alice)
    response = alice_client.post(f"/roles/Deployer/sessions/{session.access_key_id}/revoke")
    assert response.status_code == 403
    assert denial("iam:PutRolePolicy", deployer.arn) in response.content.decode()
    session.refresh_from_db()
    assert session.revoked_at is None


# --- list --------------------------------------------------------------------------------


def test_list_roles_filtered_sorted_paginated(
    root_client, account, slr, django_assert_max_num_queries
):
    now = timezone.now()
    policy = ManagedPolicyFactory(account=account, name="MqRead")
    for n in range(30):
        role = RoleFactory(
            account=account,
            name=f"app-{n:02d}",
            path="/ops/" if n % 2 else "/",
            last_used_at=now - timedelta(days=n) if n % 3 else None,
        )
        PolicyAttachment.objects.create(policy=policy, role=role)
        if n % 4 == 0:
            _session(role, None)
    with django_assert_max_num_queries(8):
        response = root_client.get("/roles")
    assert response.status_code == 200
    rows = response.context["table"].page.object_list.data
    assert [r.name for r in rows][:3] == [SLR_NAME, "app-00", "app-01"]  # 25 a page, by name
    assert (rows[1].policy_count, rows[1].active_session_count) == (1, 1)
    assert (rows[2].policy_count, rows[2].active_session_count) == (1, 0)
    response = root_client.get("/roles", {"service_linked": "true"})
    rows = response.context["table"].page.object_list.data
    assert [r.name for r in rows] == [SLR_NAME]
    assert "Service-linked" in response.content.decode()
    assert "AWS service mq.amazonaws.com" in response.content.decode()
    response = root_client.get("/roles", {"path": "/ops/", "unused_days": "10", "search": "app"})
    names = [r.name for r in response.context["table"].page.object_list.data]
    # odd numbers (path /ops/) never used (n divisible by 3) or last used 10+ days ago
    assert names == [f"app-{n:02d}" for n in range(1, 30, 2) if n % 3 == 0 or n >= 10]
    response = root_client.get("/roles", {"sort": "-last_used_at"})
    assert 'aria-sort="descending"' in response.content.decode()
    with django_assert_max_num_queries(8):
        assert root_client.get("/roles", {"page": 2}).status_code == 200


def test_empty_state_says_what_to_do(root_client):
    page = root_client.get("/roles").content.decode()
    assert "No roles yet" in page and "the Amazon MQ service" in page


# --- create ------------------------------------------------------------------------------


def _create(client, **fields):
    data = {
        "name": "CrossAccountOps",
        "path": "/",
        "description": "",
        "trusted_entity": "other-account",
        "other_account_id": OTHER,
        "max_session_duration": 3600,
        **fields,
    }
    return client.post("/roles/create", data)


def test_create_from_the_trust_form_other_account_with_mfa(root_client, account):
    response = _create(root_client, require_mfa="on", max_session_duration=7200)
    assert response.status_code == 302 and response["Location"] == "/roles/CrossAccountOps"
    role = Role.objects.get(name="CrossAccountOps")
    assert role.max_session_duration == 7200 and role.unique_id.startswith("AROA")
    assert json.loads(role.trust_policy) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        ],
    }
    event = AuditEvent.objects.get(action="iam:CreateRole")
    assert event.resource_arn == role.arn
    assert json.loads(event.request_parameters["AssumeRolePolicyDocument"]) == json.loads(
        role.trust_policy
    )


def test_create_with_external_id_boundary_policies_and_tags(root_client, account):
    boundary = ManagedPolicyFactory(account=account, name="MqOnly")
    policy = ManagedPolicyFactory(account=account, name="MqRead")
    response = _create(
        root_client,
        require_external_id="on",
        external_id="Partner-7",
        permissions_boundary=boundary.arn,
        policies=[policy.arn],
        tags="team=payments\nenv=prod",
    )
    assert response.status_code == 302, response.context["form"].errors
    role = Role.objects.get(name="CrossAccountOps")
    assert role.permissions_boundary == boundary and role.tags == {
        "team": "payments",
        "env": "prod",
    }
    statement = json.loads(role.trust_policy)["Statement"][0]
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": "Partner-7"}}
    actions = list(
        AuditEvent.objects.filter(resource_arn=role.arn)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy"]


def test_create_for_the_mq_service(root_client):
    response = _create(root_client, name="MqLogs", trusted_entity="mq-service")
    assert response.status_code == 302
    principal = trust_from(Role.objects.get(name="MqLogs"))["Statement"][0]["Principal"]
    assert principal == {"Service": "mq.amazonaws.com"}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"other_account_id": "1234"}, "other_account_id", "Enter the 12-digit ID"),
        ({"require_external_id": "on"}, "external_id", "Enter the external ID"),
        ({"trusted_entity": "mq-service", "require_mfa": "on"}, "require_mfa", "not to an AWS"),
        ({"trusted_entity": "custom"}, "trust_json", "Write the trust policy"),
        ({"name": "bad name"}, "name", "Member must satisfy regular expression pattern"),
        ({"path": "ops"}, "path", "at 'path' failed to satisfy constraint"),
        ({"tags": "aws:x=1"}, "tags", "reserved prefix aws:"),
        ({"max_session_duration": 60}, "max_session_duration", "Select a valid choice"),
    ],
)
def test_create_errors_land_on_their_field(root_client, fields, field, message):
    response = _create(root_client, **fields)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Role.objects.exists()


def test_create_custom_json_shows_iam_error_and_findings(root_client):
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}],
    }
    response = _create(root_client, trusted_entity="custom", trust_json=json.dumps(document))
    assert response.status_code == 400
    errors = response.context["form"].errors["trust_json"]
    assert len(errors) == 1 and "must name a Principal" in errors[0]
    findings = response.context["findings"]
    assert findings[0]["code"] == "MISSING_PRINCIPAL"
    assert "Findings in the custom trust policy" in response.content.decode()


def test_create_custom_json(root_client):
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": ALICE},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            }
        ],
    }
    text = json.dumps(document, indent=1)
    response = _create(root_client, trusted_entity="custom", trust_json=text)
    assert response.status_code == 302
    assert Role.objects.get(name="CrossAccountOps").trust_policy == text  # kept as written


def test_create_name_taken_ignoring_case(root_client, deployer):
    response = _create(root_client, name="DEPLOYER")
    assert response.status_code == 409
    assert response.context["form"].errors["name"] == ["Role with name DEPLOYER already exists."]


def test_create_boundary_needs_the_boundary_condition(alice_client, alice, account):
    boundary = ManagedPolicyFactory(account=account, name="MqOnly")
    other = ManagedPolicyFactory(account=account, name="Anything")
    only_with_boundary = {"StringEquals": {"iam:PermissionsBoundary": boundary.arn}}
    grant(
        alice,
        allow(["iam:CreateRole", "iam:PutRolePermissionsBoundary"], Condition=only_with_boundary),
    )
    response = _create(alice_client, permissions_boundary=other.arn)
    assert response.status_code == 403
    assert denial("iam:CreateRole", role_arn("CrossAccountOps")) in response.content.decode()
    response = _create(alice_client, permissions_boundary=boundary.arn)
    assert response.status_code == 302
    assert Role.objects.get().permissions_boundary == boundary


def test_create_request_tags_are_in_the_context(alice_client, alice):
    grant(
        alice,
        allow(
            ["iam:CreateRole", "iam:TagRole"],
            Condition={"StringEquals": {"aws:RequestTag/team": "payments"}},
        ),
    )
    assert _create(alice_client, tags="team=iot").status_code == 403
    assert _create(alice_client, tags="team=payments").status_code == 302


def test_trust_preview_shows_the_built_policy(root_client):
    response = root_client.post(
        "/roles/trust-preview",
        {"trusted_entity": "other-account", "other_account_id": OTHER, "require_mfa": "on"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"arn:aws:iam::{OTHER}:root" in page and "aws:MultiFactorAuthPresent" in page
    response = root_client.post("/roles/trust-preview", {"trusted_entity": "other-account"})
    assert "Enter the 12-digit ID" in response.content.decode()


# --- detail, edit, trust, tags, sessions -------------------------------------------------


def _session(role, user, *, revoked=False):
    now = timezone.now()
    return RoleSession.objects.create(
        role=role,
        session_name=f"s-{RoleSession.objects.count()}",
        access_key_id=f"ASIA{RoleSession.objects.count():016d}",
        secret_encrypted=b"x",
        token_hash=f"{RoleSession.objects.count():064d}",
        source_arn=user.arn if user else ALICE,
        issued_at=now,
        expires_at=now + timedelta(hours=1),
        revoked_at=now if revoked else None,
    )


def test_detail_tabs(root_client, account, deployer, alice):
    policy = ManagedPolicyFactory(account=account, name="MqRead")
    PolicyAttachment.objects.create(policy=policy, role=deployer)
    InlinePolicy.objects.create(role=deployer, name="extra", document=json.dumps({}))
    _session(deployer, alice)
    _session(deployer, alice, revoked=True)
    page = root_client.get("/roles/Deployer").content.decode()
    assert 'aria-current="page">Permissions (2)' in page and "MqRead" in page and "extra" in page
    page = root_client.get("/roles/Deployer?tab=trust").content.decode()
    assert "AWS account" in page and "111122223333" in page and "sts:AssumeRole" in page
    page = root_client.get("/roles/Deployer?tab=tags").content.decode()
    assert "payments" in page
    response = root_client.get("/roles/Deployer?tab=sessions")
    assert len(response.context["sessions"]) == 1 and "Sessions (1)" in response.content.decode()


def test_revoke_a_session_from_the_role_page(root_client, deployer, alice):
    session = _session(deployer, alice)
    response = root_client.post(f"/roles/Deployer/sessions/{session.access_key_id}/revoke")
    assert response.status_code == 302 and response["Location"].endswith("?tab=sessions")
    session.refresh_from_db()
    assert session.revoked_at is not None
    assert AuditEvent.objects.get(action="console:RevokeRoleSession").resource_arn == session.arn


def test_last_used_tab_lists_assume_role_requests(root_client, account, alice):
    role = RoleFactory(
        account=account,
        name="Auditor",
        trust_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )
    principal = principal_for_user(alice)
    sts.assume_role(
        actor=actor_for_principal(principal),
        caller=principal,
        role=role,
        session_name="audit",
        context=request_context(principal),
    )
    response = root_client.get("/roles/Auditor?tab=last-used")
    page = response.content.decode()
    assert "Last assumed" in page and ALICE in page and "Allowed" in page
    assert len(response.context["assumptions"]) == 1


def test_update_description_and_session_duration(root_client, deployer):
    response = root_client.post(
        "/roles/Deployer/edit", {"description": "Deploys brokers", "max_session_duration": 14400}
    )
    assert response.status_code == 302
    deployer.refresh_from_db()
    assert (deployer.description, deployer.max_session_duration) == ("Deploys brokers", 14400)
    event = AuditEvent.objects.get(action="iam:UpdateRole")
    assert event.before["MaxSessionDuration"] == 3600 and event.after["MaxSessionDuration"] == 14400


def test_update_trust_policy_shows_findings_and_is_audited(root_client, deployer):
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    response = root_client.post("/roles/Deployer/trust-policy", {"trust_json": json.dumps(bad)})
    assert response.status_code == 400
    assert "must name a Principal" in response.context["form"].errors["trust_json"][0]
    assert response.context["findings"][0]["code"] == "MISSING_PRINCIPAL"
    good = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "mq.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    response = root_client.post("/roles/Deployer/trust-policy", {"trust_json": json.dumps(good)})
    assert response.status_code == 302 and response["Location"].endswith("?tab=trust")
    assert trust_from(deployer) == good
    event = AuditEvent.objects.get(action="iam:UpdateAssumeRolePolicy")
    assert json.loads(event.after["AssumeRolePolicyDocument"]) == good


def test_tags_are_set_and_removed_with_tag_and_untag(alice_client, alice, deployer):
    grant(
        alice,
        allow("iam:TagRole", deployer.arn),
        allow(
            "iam:UntagRole",
            deployer.arn,
            Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}},
        ),
    )
    response = alice_client.post("/roles/Deployer/tags", {"tags": "env=prod"})
    assert response.status_code == 302
    deployer.refresh_from_db()
    assert deployer.tags == {"env": "prod"}
    assert AuditEvent.objects.get(action="iam:UntagRole").request_parameters == {
        "TagKeys": ["team"]
    }
    assert AuditEvent.objects.get(action="iam:TagRole").request_parameters == {
        "Tags": {"env": "prod"}
    }
    response = alice_client.post("/roles/Deployer/tags", {"tags": ""})
    assert response.status_code == 403  # removing "env" is not allowed by the condition
    deployer.refresh_from_db()
    assert deployer.tags == {"env": "prod"}


def test_tag_errors_stay_on_the_tags_form(root_client, deployer):
    response = root_client.post("/roles/Deployer/tags", {"tags": "aws:owner=me"})
    assert response.status_code == 400
    assert "reserved prefix aws:" in response.context["tags_form"].errors["tags"][0]


def test_attach_and_detach(root_client, account, deployer):
    policy = ManagedPolicyFactory(account=account, name="MqRead")
    response = root_client.post("/roles/Deployer/policies/attach", {"policy_arn": policy.arn})
    assert response.status_code == 302
    assert deployer.policy_attachments.count() == 1
    response = root_client.post("/roles/Deployer/policies/detach", {"policy_arn": policy.arn})
    assert response.status_code == 302
    assert deployer.policy_attachments.count() == 0
    assert (
        AuditEvent.objects.filter(
            action__in=["iam:AttachRolePolicy", "iam:DetachRolePolicy"], resource_arn=deployer.arn
        ).count()
        == 2
    )


def test_eleventh_policy_is_limit_exceeded_on_the_form(root_client, account, deployer):
    for n in range(10):
        PolicyAttachment.objects.create(
            policy=ManagedPolicyFactory(account=account, name=f"p{n}"), role=deployer
        )
    extra = ManagedPolicyFactory(account=account, name="eleventh")
    response = root_client.post("/roles/Deployer/policies/attach", {"policy_arn": extra.arn})
    assert response.status_code == 409
    assert response.context["attach_form"].errors["policy_arn"] == [
        "Cannot exceed quota for PoliciesPerRole: 10"
    ]


# --- service-linked roles ----------------------------------------------------------------


def test_service_linked_role_is_read_only_with_the_reason(root_client, slr):
    page = root_client.get(f"/roles/{SLR_NAME}").content.decode()
    assert SLR_REASON in page
    assert f'href="/roles/{SLR_NAME}/delete"' not in page
    assert "Edit description" in page and "Attach policy" not in page
    assert "AmazonMQServiceRolePolicy" in page
    page = root_client.get(f"/roles/{SLR_NAME}?tab=trust").content.decode()
    assert "Edit trust policy" not in page and "mq.amazonaws.com" in page
    page = root_client.get(f"/roles/{SLR_NAME}/edit").content.decode()
    assert SLR_REASON in page and "max_session_duration" not in page


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (f"/roles/{SLR_NAME}/delete", {"confirm": SLR_NAME, "remove_blockers": "1"}),
        (
            f"/roles/{SLR_NAME}/trust-policy",
            {
                "trust_json": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"AWS": ALICE},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                )
            },
        ),
    ],
)
def test_service_linked_role_changes_are_unmodifiable_entity(root_client, slr, url, data):
    before = Role.objects.get(pk=slr.pk).trust_policy
    response = root_client.post(url, data)
    assert response.status_code == 400
    assert UNMODIFIABLE in response.content.decode()
    assert Role.objects.get(pk=slr.pk).trust_policy == before
    assert slr.policy_attachments.count() == 1


def test_service_linked_role_detach_and_tags_are_refused(root_client, slr):
    arn = "arn:aws:iam::aws:policy/aws-service-role/AmazonMQServiceRolePolicy"
    response = root_client.post(
        f"/roles/{SLR_NAME}/policies/detach", {"policy_arn": arn}, follow=True
    )
    assert UNMODIFIABLE in response.content.decode()
    assert slr.policy_attachments.count() == 1
    response = root_client.post(f"/roles/{SLR_NAME}/tags", {"tags": "a=b"})
    assert response.status_code == 400 and Role.objects.get(pk=slr.pk).tags == {}


def test_service_linked_role_description_can_change(root_client, slr):
    response = root_client.post(f"/roles/{SLR_NAME}/edit", {"description": "Used by brokers"})
    assert response.status_code == 302
    slr.refresh_from_db()
    assert slr.description == "Used by brokers" and slr.max_session_duration == 3600
    assert AuditEvent.objects.filter(action="iam:UpdateRole", resource_arn=slr.arn).exists()


# --- delete ------------------------------------------------------------------------------


def _blocked_role(account, role):
    policy = ManagedPolicyFactory(account=account, name="MqRead")
    PolicyAttachment.objects.create(policy=policy, role=role)
    InlinePolicy.objects.create(role=role, name="extra", document=json.dumps({}))


def test_delete_explains_preconditions(root_client, account, deployer):
    _blocked_role(account, deployer)
    page = root_client.get("/roles/Deployer/delete").content.decode()
    assert "Cannot delete entity, must delete policies first." in page
    assert "Cannot delete entity, must detach all policies first." in page
    assert "Attached policy MqRead" in page and "Inline policy extra" in page


def test_delete_without_removing_is_delete_conflict(root_client, account, deployer):
    _blocked_role(account, deployer)
    response = root_client.post("/roles/Deployer/delete", {"confirm": "Deployer"})
    assert response.status_code == 409
    assert "Cannot delete entity, must delete policies first." in response.content.decode()
    assert Role.objects.filter(pk=deployer.pk).exists()


def test_delete_removing_blockers_first_is_audited(root_client, account, deployer, alice):
    _blocked_role(account, deployer)
    _session(deployer, alice)
    response = root_client.post(
        "/roles/Deployer/delete", {"confirm": "Deployer", "remove_blockers": "1"}
    )
    assert response.status_code == 302 and response["Location"] == "/roles"
    assert not Role.objects.filter(pk=deployer.pk).exists()
    assert not RoleSession.objects.exists()
    actions = list(
        AuditEvent.objects.filter(resource_arn=deployer.arn)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:DeleteRole"]


def test_delete_with_a_denied_step_changes_nothing(alice_client, alice, account, deployer):
    _blocked_role(account, deployer)
    grant(alice, allow(["iam:GetRole", "iam:DeleteRolePolicy", "iam:DeleteRole"]))
    response = alice_client.post(
        "/roles/Deployer/delete", {"confirm": "Deployer", "remove_blockers": "1"}
    )
    assert response.status_code == 403
    assert denial("iam:DetachRolePolicy", deployer.arn) in response.content.decode()
    assert deployer.inline_policies.count() == 1 and deployer.policy_attachments.count() == 1


def test_sessions_are_named_in_urls_by_their_random_key_id_not_a_sequence(
    root_client, deployer, alice
):
    session = _session(deployer, alice)
    page = root_client.get("/role-sessions").content.decode()
    assert f"/role-sessions/{session.access_key_id}/revoke" in page
    assert f"/role-sessions/{session.pk}/revoke" not in page
    role_page = root_client.get("/roles/Deployer?tab=sessions").content.decode()
    assert f"/roles/Deployer/sessions/{session.access_key_id}/revoke" in role_page
    # The primary key names nothing.
    assert root_client.post(f"/roles/Deployer/sessions/{session.pk}/revoke").status_code == 404
    root_client.post(f"/role-sessions/{session.pk}/revoke")
    session.refresh_from_db()
    assert session.revoked_at is None
    response = root_client.post(f"/role-sessions/{session.access_key_id}/revoke")
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.revoked_at is not None
