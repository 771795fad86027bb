"""Inline policies of users, groups and roles; permissions boundaries; attach and detach."""

from __future__ import annotations

import json

import pytest

from accounts.models import AuditEvent, IAMUser, Role
from policies.engine.validate import policy_size
from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment
from policies.services import attachments
from tests.policies.test_pages_fixtures import *  # noqa: F403 (the fixtures)
from tests.policies.test_pages_fixtures import (
    ACCOUNT,
    ACTOR,
    ALICE,
    allow,
    denial,
    doc,
    grant,
    sign_in,
    sign_in_root,
)

pytestmark = pytest.mark.django_db
READ = json.dumps(doc(allow(["mq:Describe*", "mq:List*"])), indent=2)
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Deployer"
GROUP_ARN = f"arn:aws:iam::{ACCOUNT}:group/Readers"


def _big(n: int) -> dict:
    """A document of about ``n`` characters (IAM's count)."""
    return doc(allow("mq:DescribeBroker", f"arn:aws:mq:*:*:broker:{'x' * (n - 98)}:*"))


# -- inline policy list ---------------------------------------------------------------------


def test_inline_list_anonymous_is_sent_to_sign_in(client, deployer):
    assert client.get("/policies/inline/role/Deployer").status_code == 302


def test_inline_list_without_permission_is_403(client, alice, deployer):
    sign_in(client)
    response = client.get("/policies/inline/role/Deployer")
    assert response.status_code == 403
    assert denial("iam:ListRolePolicies", ROLE_ARN).encode() in response.content


def test_inline_list_limited_by_resource_tag(client, alice, deployer, readers):
    grant(
        alice,
        allow(
            ["iam:ListRolePolicies", "iam:ListGroupPolicies"],
            condition={"StringEqualsIfExists": {"aws:ResourceTag/team": "nobody"}},
        ),
        name="x",
    )
    grant(
        alice,
        allow(
            "iam:ListRolePolicies",
            condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
        ),
    )
    sign_in(client)
    assert client.get("/policies/inline/role/Deployer").status_code == 200
    # Groups carry no tags, so the IfExists condition passes only for them.
    assert client.get("/policies/inline/group/Readers").status_code == 200
    attachments.inline_policy_put(actor=ACTOR, identity=alice, name="self", document=READ)
    assert client.get("/policies/inline/user/alice").status_code == 403


def test_inline_list_shows_quota_and_boundary(client, account, deployer, team_policy):
    attachments.inline_policy_put(actor=ACTOR, identity=deployer, name="read", document=READ)
    attachments.permissions_boundary_put(actor=ACTOR, identity=deployer, policy=team_policy)
    sign_in_root(client)
    page = client.get("/policies/inline/role/Deployer").content.decode()
    assert ">read</a>" in page and "of 10,240 characters" in page
    assert "TeamBrokers" in page and "/policies/boundary/role/Deployer/delete" in page


def test_inline_pages_of_unknown_identity_are_404(client, account):
    sign_in_root(client)
    assert client.get("/policies/inline/user/nobody").status_code == 404
    assert client.get("/policies/inline/robot/x").status_code == 404
    assert client.get("/policies/boundary/group/Readers").status_code == 404


# -- create, edit, delete -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "fixture"),
    [("user", "alice", "alice"), ("group", "Readers", "readers"), ("role", "Deployer", "deployer")],
)
def test_inline_create_edit_delete_for_each_identity(client, request, kind, name, fixture):
    identity = request.getfixturevalue(fixture)
    sign_in_root(client)
    page = client.get(f"/policies/create-inline/{kind}/{name}").content.decode()
    assert 'name="editor_entity" value="' + kind + '"' in page
    response = client.post(
        f"/policies/create-inline/{kind}/{name}", {"name": "read", "document": READ}
    )
    assert response.status_code == 302, response.content.decode()
    inline = InlinePolicy.objects.get(name="read", **{kind: identity})
    assert inline.document == READ
    edit = client.get(f"/policies/inline/{kind}/{name}/read").content.decode()
    assert "mq:Describe*" in edit and "Save changes" in edit and " disabled" in edit
    changed = json.dumps(doc(allow("mq:ListBrokers")))
    response = client.post(
        f"/policies/inline/{kind}/{name}/read", {"name": "ignored", "document": changed}
    )
    assert response.status_code == 302
    inline.refresh_from_db()
    assert inline.document == changed and inline.name == "read"
    Label = kind.capitalize()
    assert AuditEvent.objects.filter(action=f"iam:Put{Label}Policy").count() == 2
    assert (
        b"Delete inline policy read?"
        in client.get(f"/policies/inline/{kind}/{name}/read/delete").content
    )
    assert client.post(f"/policies/inline/{kind}/{name}/read/delete").status_code == 302
    assert not InlinePolicy.objects.filter(pk=inline.pk).exists()
    assert AuditEvent.objects.filter(action=f"iam:Delete{Label}Policy").exists()


def test_inline_create_refuses_to_overwrite(client, account, deployer):
    attachments.inline_policy_put(actor=ACTOR, identity=deployer, name="read", document=READ)
    sign_in_root(client)
    response = client.post(
        "/policies/create-inline/role/Deployer", {"name": "read", "document": READ}
    )
    assert response.status_code == 400
    assert b"This role already has an inline policy named read." in response.content


def test_inline_size_is_a_sum_per_identity(client, account, alice):
    one, two = _big(1500), _big(700)
    attachments.inline_policy_put(actor=ACTOR, identity=alice, name="one", document=one)
    sign_in_root(client)
    page = client.get("/policies/create-inline/user/alice").content.decode()
    assert f'name="editor_other_size" value="{policy_size(one)}"' in page
    response = client.post(
        "/policies/create-inline/user/alice", {"name": "two", "document": json.dumps(two)}
    )
    assert response.status_code == 400
    # Only the sum is over the quota (each alone fits), and it is refused by its size alone.
    assert policy_size(one) < 2048 and policy_size(two) < 2048
    assert policy_size(one) + policy_size(two) > 2048
    assert b"Maximum policy size of 2048 bytes exceeded for user" in response.content
    # The same document fits a role, whose quota is 10,240.
    role_page = client.get("/policies/inline/user/alice/one").content.decode()
    assert "of 2,048 characters" in role_page


def test_inline_put_denied_and_limited(client, alice, deployer, readers):
    grant(alice, allow(["iam:PutRolePolicy", "iam:GetRolePolicy"], ROLE_ARN))
    sign_in(client)
    ok = client.post("/policies/create-inline/role/Deployer", {"name": "r", "document": READ})
    assert ok.status_code == 302
    denied = client.post("/policies/create-inline/group/Readers", {"name": "r", "document": READ})
    assert denied.status_code == 403
    assert denial("iam:PutGroupPolicy", GROUP_ARN).encode() in denied.content
    assert client.get("/policies/create-inline/group/Readers").status_code == 403


def test_inline_get_denied(client, alice, deployer):
    attachments.inline_policy_put(actor=ACTOR, identity=deployer, name="read", document=READ)
    sign_in(client)
    response = client.get("/policies/inline/role/Deployer/read")
    assert response.status_code == 403
    assert denial("iam:GetRolePolicy", ROLE_ARN).encode() in response.content
    assert client.post("/policies/inline/role/Deployer/read/delete").status_code == 403
    assert InlinePolicy.objects.filter(role=deployer).exists()


def test_inline_unknown_policy_is_404(client, account, deployer):
    sign_in_root(client)
    assert client.get("/policies/inline/role/Deployer/nope").status_code == 404


def test_inline_refused_document_shows_path(client, account, deployer):
    sign_in_root(client)
    text = json.dumps(
        doc({"Effect": "Allow", "Action": "mq:*", "Resource": "*", "Principal": "*"}), indent=2
    )
    response = client.post("/policies/create-inline/role/Deployer", {"name": "p", "document": text})
    assert response.status_code == 400
    assert b"Statement[0].Principal" in response.content


def test_service_linked_role_is_read_only(client, account):
    role = Role.objects.create(
        account=account,
        name="AWSServiceRoleForAmazonMQ",
        path="/aws-service-role/mq.amazonaws.com/",
        unique_id="AROASLR0000000000001",
        trust_policy="{}",
        is_service_linked=True,
    )
    sign_in_root(client)
    page = client.get(f"/policies/inline/role/{role.name}").content.decode()
    assert "only AWS may change its policies" in page and "Create inline policy" not in page
    response = client.post(
        f"/policies/create-inline/role/{role.name}", {"name": "x", "document": READ}
    )
    assert response.status_code == 400
    assert b"this role is only modifiable by AWS" in response.content


# -- permissions boundaries -----------------------------------------------------------------


def test_boundary_set_and_remove_for_a_user(client, account, alice, team_policy):
    sign_in_root(client)
    page = client.get("/policies/boundary/user/alice").content.decode()
    assert "TeamBrokers (customer managed)" in page
    assert "AmazonMQServiceRolePolicy" not in page  # not attachable
    response = client.post("/policies/boundary/user/alice", {"policy_arn": team_policy.arn})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.permissions_boundary_id == team_policy.pk
    assert (
        b"Remove the permissions boundary"
        in client.get("/policies/boundary/user/alice/delete").content
    )
    assert client.post("/policies/boundary/user/alice/delete").status_code == 302
    alice.refresh_from_db()
    assert alice.permissions_boundary_id is None
    actions = list(
        AuditEvent.objects.filter(action__contains="PermissionsBoundary")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["iam:PutUserPermissionsBoundary", "iam:DeleteUserPermissionsBoundary"]


def test_boundary_denied_without_permission(client, alice, deployer, team_policy):
    sign_in(client)
    assert client.get("/policies/boundary/role/Deployer").status_code == 403
    response = client.post("/policies/boundary/role/Deployer", {"policy_arn": team_policy.arn})
    assert response.status_code == 403
    assert denial("iam:PutRolePermissionsBoundary", ROLE_ARN).encode() in response.content


def test_boundary_limited_by_the_permissions_boundary_condition(
    client, alice, deployer, team_policy, other_policy
):
    grant(
        alice,
        allow(
            ["iam:GetRole", "iam:PutRolePermissionsBoundary"],
            ROLE_ARN,
            condition={"StringEquals": {"iam:PermissionsBoundary": team_policy.arn}},
        ),
        allow("iam:GetRole", ROLE_ARN),
    )
    sign_in(client)
    assert (
        client.post(
            "/policies/boundary/role/Deployer", {"policy_arn": other_policy.arn}
        ).status_code
        == 403
    )
    assert (
        client.post("/policies/boundary/role/Deployer", {"policy_arn": team_policy.arn}).status_code
        == 302
    )
    deployer.refresh_from_db()
    assert deployer.permissions_boundary_id == team_policy.pk


def test_boundary_removal_names_the_current_boundary(client, alice, account):
    from policies.services import managed

    boundary = managed.policy_create(
        actor=ACTOR, account=account, name="Wide", document=doc(allow("*"))
    )
    attachments.permissions_boundary_put(actor=ACTOR, identity=alice, policy=boundary)

    def may_remove_if_boundary_is(arn, name):
        condition = {"StringEquals": {"iam:PermissionsBoundary": arn}}
        grant(alice, allow("iam:DeleteUserPermissionsBoundary", ALICE, condition), name=name)

    may_remove_if_boundary_is("arn:aws:iam::aws:policy/Other", "wrong")
    sign_in(client)
    response = client.post("/policies/boundary/user/alice/delete")
    assert response.status_code == 403
    assert denial("iam:DeleteUserPermissionsBoundary", ALICE).encode() in response.content
    may_remove_if_boundary_is(boundary.arn, "right")
    assert client.post("/policies/boundary/user/alice/delete").status_code == 302
    alice.refresh_from_db()
    assert alice.permissions_boundary_id is None


# -- attach and detach ----------------------------------------------------------------------


def test_attach_page_and_attach_to_group(client, account, team_policy, readers, deployer):
    sign_in_root(client)
    page = client.get(f"/policies/{team_policy.unique_id}/attach").content.decode()
    assert '<optgroup label="Groups">' in page and 'value="group:Readers"' in page
    response = client.post(f"/policies/{team_policy.unique_id}/attach", {"target": "group:Readers"})
    assert response.status_code == 302
    assert PolicyAttachment.objects.filter(policy=team_policy, group=readers).exists()
    event = AuditEvent.objects.get(action="iam:AttachGroupPolicy")
    assert event.request_parameters["PolicyArn"] == team_policy.arn


def test_attach_denied_and_limited_by_policy_arn(client, alice, team_policy, other_policy, readers):
    grant(
        alice,
        allow("iam:GetPolicy"),
        allow(
            "iam:AttachGroupPolicy",
            GROUP_ARN,
            condition={"ArnLike": {"iam:PolicyARN": f"arn:aws:iam::{ACCOUNT}:policy/team/*"}},
        ),
    )
    sign_in(client)
    ok = client.post(f"/policies/{team_policy.unique_id}/attach", {"target": "group:Readers"})
    assert ok.status_code == 302
    denied = client.post(f"/policies/{other_policy.unique_id}/attach", {"target": "group:Readers"})
    assert denied.status_code == 403
    assert denial("iam:AttachGroupPolicy", GROUP_ARN).encode() in denied.content
    no_get = client.post(f"/policies/{team_policy.unique_id}/attach", {"target": "user:alice"})
    assert no_get.status_code == 403 and b"iam:AttachUserPolicy" in no_get.content


def test_attach_quota_is_a_form_error(client, account, readers):
    from policies.services import managed

    for n in range(10):
        policy = managed.policy_create(
            actor=ACTOR, account=account, name=f"Q{n}", document=doc(allow("mq:List*"))
        )
        attachments.policy_attach(actor=ACTOR, policy=policy, identity=readers)
    eleventh = managed.policy_create(
        actor=ACTOR, account=account, name="Q10", document=doc(allow("mq:List*"))
    )
    sign_in_root(client)
    response = client.post(f"/policies/{eleventh.unique_id}/attach", {"target": "group:Readers"})
    assert response.status_code == 400
    assert b"Cannot exceed quota for PoliciesPerGroup: 10" in response.content


def test_service_role_policy_is_not_attachable(client, account, alice):
    slr_policy = ManagedPolicy.objects.get(name="AmazonMQServiceRolePolicy")
    sign_in_root(client)
    page = client.get(f"/policies/{slr_policy.unique_id}/attach").content.decode()
    assert "cannot be attached" in page
    response = client.post(f"/policies/{slr_policy.unique_id}/attach", {"target": "user:alice"})
    assert response.status_code == 400
    assert b"does not exist or is not attachable" in response.content


def test_detach_confirms_then_detaches(client, account, team_policy, deployer):
    attachments.policy_attach(actor=ACTOR, policy=team_policy, identity=deployer)
    sign_in_root(client)
    url = f"/policies/{team_policy.unique_id}/detach/role/Deployer"
    assert b"Detach TeamBrokers from role Deployer?" in client.get(url).content
    assert client.post(url).status_code == 302
    assert not PolicyAttachment.objects.filter(policy=team_policy).exists()
    assert AuditEvent.objects.filter(action="iam:DetachRolePolicy").exists()


def test_detach_denied(client, alice, team_policy, deployer):
    attachments.policy_attach(actor=ACTOR, policy=team_policy, identity=deployer)
    grant(alice, allow("iam:GetPolicy"))
    sign_in(client)
    response = client.post(f"/policies/{team_policy.unique_id}/detach/role/Deployer")
    assert response.status_code == 403
    assert denial("iam:DetachRolePolicy", ROLE_ARN).encode() in response.content
    assert PolicyAttachment.objects.filter(policy=team_policy).exists()


def test_detach_anonymous(client, team_policy, deployer):
    response = client.post(f"/policies/{team_policy.unique_id}/detach/role/Deployer")
    assert response.status_code == 302 and response["Location"].startswith("/signin")


def test_attach_page_lists_only_policy_targets(client, account, alice, readers, deployer):
    IAMUser.objects.filter(pk=alice.pk).update(name="alice")
    sign_in_root(client)
    aws = ManagedPolicy.objects.get(name="AmazonMQReadOnlyAccess")
    page = client.get(f"/policies/{aws.unique_id}/attach").content.decode()
    assert 'value="user:alice"' in page and 'value="role:Deployer"' in page
