"""Policy pages: list, create in the editor, live validation, detail tabs, tags, delete."""

from __future__ import annotations

import json
import re

import pytest

from accounts.models import AuditEvent
from policies.models import ManagedPolicy, PolicyAttachment
from policies.services import attachments, managed
from tests.policies.test_pages_fixtures import *  # noqa: F403 (the fixtures)
from tests.policies.test_pages_fixtures import (
    ACCOUNT,
    ACTOR,
    allow,
    denial,
    doc,
    grant,
    sign_in,
    sign_in_root,
)

pytestmark = pytest.mark.django_db
TEAM_ARN = f"arn:aws:iam::{ACCOUNT}:policy/team/TeamBrokers"
OTHER_ARN = f"arn:aws:iam::{ACCOUNT}:policy/OtherPolicy"


def _detail(policy, tab=""):
    return f"/policies/{policy.unique_id}" + (f"?tab={tab}" if tab else "")


# -- list -----------------------------------------------------------------------------------


def test_list_anonymous_is_sent_to_sign_in(client):
    response = client.get("/policies")
    assert response.status_code == 302 and response["Location"].startswith("/signin")


def test_list_without_permission_is_403_with_aws_message(client, alice):
    sign_in(client)
    response = client.get("/policies")
    assert response.status_code == 403
    assert denial("iam:ListPolicies", "*").encode() in response.content
    assert AuditEvent.objects.filter(action="iam:ListPolicies", decision="implicitDeny").exists()


def test_list_shows_aws_and_customer_policies_with_usage(client, alice, team_policy, readers):
    grant(alice, allow("iam:ListPolicies"))
    attachments.policy_attach(actor=ACTOR, policy=team_policy, identity=readers)
    sign_in(client)
    response = client.get("/policies")
    assert response.status_code == 200
    page = response.content.decode()
    assert "AmazonMQFullAccess" in page and "AWS managed" in page
    assert "TeamBrokers" in page and "Customer managed" in page
    assert "Permissions policy <span class='text-body-secondary'>(1)</span>" in page


def test_list_limited_by_a_condition(client, alice):
    grant(alice, allow("iam:ListPolicies", condition={"Bool": {"aws:SecureTransport": "true"}}))
    sign_in(client)
    assert client.get("/policies").status_code == 403
    assert client.get("/policies", secure=True).status_code == 200


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("type=customer", ["TeamBrokers", "OtherPolicy"], ["AmazonMQFullAccess"]),
        ("type=aws", ["AmazonMQFullAccess"], ["TeamBrokers"]),
        ("used=true", ["TeamBrokers", "OtherPolicy"], ["Spare", "AmazonMQFullAccess"]),
        ("used=false&type=customer", ["Spare"], ["TeamBrokers", "OtherPolicy"]),
        ("usage=permissions", ["TeamBrokers"], ["OtherPolicy", "Spare"]),
        ("usage=boundary", ["OtherPolicy"], ["TeamBrokers"]),
        ("usage=unused&type=customer", ["Spare"], ["TeamBrokers"]),
        ("attachments_min=1", ["TeamBrokers"], ["OtherPolicy"]),
        ("attachments_max=0&type=customer", ["OtherPolicy", "Spare"], ["TeamBrokers"]),
        ("search=team", ["TeamBrokers"], ["OtherPolicy"]),
        ("path=/team/", ["TeamBrokers"], ["OtherPolicy", "AmazonMQFullAccess"]),
    ],
)
def test_list_filters(client, account, team_policy, other_policy, readers, query, present, absent):
    attachments.policy_attach(actor=ACTOR, policy=team_policy, identity=readers)
    user = account.iamuser_set.create(name="bounded", unique_id="AIDAXXXXXXXXXXXXXXXX1")
    attachments.permissions_boundary_put(actor=ACTOR, identity=user, policy=other_policy)
    managed.policy_create(actor=ACTOR, account=account, name="Spare", document=doc(allow("mq:*")))
    sign_in_root(client)
    page = client.get(f"/policies?{query}").content.decode()
    for name in present:
        assert f">{name}</a>" in page, (query, name)
    for name in absent:
        assert f">{name}</a>" not in page, (query, name)


def test_list_sorts_by_attachments(client, account, team_policy, other_policy, readers):
    attachments.policy_attach(actor=ACTOR, policy=other_policy, identity=readers)
    sign_in_root(client)
    page = client.get("/policies?type=customer&sort=-attachment_count").content.decode()
    assert page.index(">OtherPolicy</a>") < page.index(">TeamBrokers</a>")
    page = client.get("/policies?type=customer&sort=attachment_count").content.decode()
    assert page.index(">TeamBrokers</a>") < page.index(">OtherPolicy</a>")


def test_list_empty_filter_result_says_what_to_do(client, account):
    sign_in_root(client)
    page = client.get("/policies?search=nothing-like-this").content.decode()
    assert "No policies match these filters" in page and "Clear filters" in page


def test_list_paginates_and_query_count_is_flat(
    client, account, readers, django_assert_max_num_queries
):
    for n in range(30):
        policy = managed.policy_create(
            actor=ACTOR, account=account, name=f"P{n:02d}", document=doc(allow("mq:ListBrokers"))
        )
        attachments.policy_attach(actor=ACTOR, policy=policy, identity=readers) if n < 9 else None
    sign_in_root(client)
    client.get("/policies")  # warm the session and the catalog
    with django_assert_max_num_queries(6):
        response = client.get("/policies")
    assert "Page 1 of 2" in response.content.decode() or "page=2" in response.content.decode()
    with django_assert_max_num_queries(6):
        client.get("/policies?page=2&sort=-attachment_count")


# -- create (the editor) --------------------------------------------------------------------


def test_create_page_renders_editor_with_findings_size_and_summary(client, account):
    sign_in_root(client)
    page = client.get("/policies/create").content.decode()
    assert 'hx-post="/policies/validate"' in page
    assert 'hx-trigger="keyup changed delay:300ms' in page
    assert 'id="editor-gutter"' in page and 'id="L1"' in page
    assert "<meter" in page and "of 6,144 characters" in page
    assert "Amazon MQ" in page  # the summary of the starter document
    assert "<script" not in page.split("</head>", 1)[1].replace(
        '<script src="/static/policies/editor.js" defer></script>', ""
    )


def test_create_policy_with_request_tags(client, alice):
    grant(alice, allow(["iam:CreatePolicy", "iam:TagPolicy"], f"arn:aws:iam::{ACCOUNT}:policy/*"))
    grant(alice, allow("access-analyzer:ValidatePolicy"), name="validate")
    sign_in(client)
    text = json.dumps(doc(allow("mq:ListBrokers")), indent=2)
    response = client.post(
        "/policies/create",
        {"name": "Ops", "path": "/team/", "document": text, "tags": "team=ops", "description": ""},
    )
    assert response.status_code == 302, response.content.decode()
    policy = ManagedPolicy.objects.get(name="Ops")
    assert response["Location"] == f"/policies/{policy.unique_id}"
    assert policy.default_version.document == text and policy.tags == {"team": "ops"}
    assert AuditEvent.objects.filter(action="iam:CreatePolicy", resource_arn=policy.arn).exists()


def test_create_denied_without_permission(client, alice):
    sign_in(client)
    response = client.post(
        "/policies/create",
        {"name": "Ops", "path": "/", "document": json.dumps(doc(allow("mq:ListBrokers")))},
    )
    assert response.status_code == 403
    assert denial("iam:CreatePolicy", f"arn:aws:iam::{ACCOUNT}:policy/Ops").encode() in (
        response.content
    )
    assert not ManagedPolicy.objects.filter(name="Ops").exists()


def test_create_limited_by_path_and_request_tag_condition(client, alice):
    grant(
        alice,
        allow(
            "iam:CreatePolicy",
            f"arn:aws:iam::{ACCOUNT}:policy/team/*",
        ),
    )
    sign_in(client)
    document = json.dumps(doc(allow("mq:ListBrokers")))
    ok = client.post("/policies/create", {"name": "A", "path": "/team/", "document": document})
    assert ok.status_code == 302
    denied = client.post("/policies/create", {"name": "B", "path": "/", "document": document})
    assert denied.status_code == 403
    tagged = client.post(
        "/policies/create",
        {"name": "C", "path": "/team/", "document": document, "tags": "team=ops"},
    )
    assert tagged.status_code == 403 and b"iam:TagPolicy" in tagged.content


def test_create_shows_iam_refusal_on_the_document_with_path_and_line(client, account):
    sign_in_root(client)
    text = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", '
        '"Principal": "*", "Action": "mq:*", "Resource": "*"}\n  ]\n}'
    )
    response = client.post("/policies/create", {"name": "Bad", "path": "/", "document": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Statement[0].Principal" in page and "line 4" in page
    assert 'aria-invalid="true"' in page
    assert not ManagedPolicy.objects.filter(name="Bad").exists()


def test_create_duplicate_name_is_a_name_error(client, account, other_policy):
    sign_in_root(client)
    response = client.post(
        "/policies/create",
        {"name": "otherpolicy", "path": "/", "document": json.dumps(doc(allow("mq:List*")))},
    )
    assert response.status_code == 400
    assert b"A policy called otherpolicy already exists" in response.content


def test_create_copy_of_an_aws_managed_policy_starts_from_its_document(client, account):
    aws = ManagedPolicy.objects.get(name="AmazonMQReadOnlyAccess")
    sign_in_root(client)
    page = client.get(f"/policies/create?from={aws.unique_id}").content.decode()
    assert "mq:Describe*" in page


# -- live validation ------------------------------------------------------------------------


def test_validate_anonymous_is_sent_to_sign_in(client):
    assert client.post("/policies/validate", {"document": "{}"}).status_code == 302


def test_validate_without_permission_is_403_with_aws_message(client, alice):
    sign_in(client)
    response = client.post("/policies/validate", {"document": "{}"})
    assert response.status_code == 403
    assert denial("access-analyzer:ValidatePolicy", "*").encode() in response.content


def test_validate_returns_findings_with_lines_gutter_and_summary(client, alice):
    grant(alice, allow("access-analyzer:ValidatePolicy"))
    sign_in(client)
    text = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
        '      "Action": "mq:RebootBrokers",\n      "Resource": "*"\n    }\n  ]\n}'
    )
    response = client.post("/policies/validate", {"document": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert "UNKNOWN_ACTION" in page and "Did you mean mq:RebootBroker?" in page
    assert 'href="#L6" data-line="6"' in page and "Line 6, column 7" in page
    assert 'id="editor-gutter" aria-hidden="true" hx-swap-oob="true"' in page
    assert '<span id="L6" class="mark-error">6</span>' in page
    assert 'id="editor-summary" hx-swap-oob="true"' in page


def test_validate_json_syntax_error_points_at_its_line(client, account):
    sign_in_root(client)
    text = '{\n  "Version": "2012-10-17"\n  "Statement": []\n}'
    page = client.post("/policies/validate", {"document": text}).content.decode()
    assert "JSON_SYNTAX_ERROR" in page and 'data-line="3"' in page
    assert "The summary appears once the document is valid JSON" in page


def test_validate_inline_size_counts_the_other_inline_policies(client, account):
    sign_in_root(client)
    text = json.dumps(doc(allow("mq:ListBrokers")))
    page = client.post(
        "/policies/validate",
        {"document": text, "editor_entity": "user", "editor_other_size": "2000"},
    ).content.decode()
    assert "POLICY_SIZE_EXCEEDED" in page and "IAM allows 2048 in all" in page
    assert "of 2,048 characters" in page


# -- detail -----------------------------------------------------------------------------------


def test_detail_anonymous_is_sent_to_sign_in(client, team_policy):
    assert client.get(_detail(team_policy)).status_code == 302


def test_detail_without_permission_is_403(client, alice, team_policy):
    sign_in(client)
    response = client.get(_detail(team_policy))
    assert response.status_code == 403
    assert denial("iam:GetPolicy", TEAM_ARN).encode() in response.content


def test_detail_limited_to_team_path(client, alice, team_policy, other_policy):
    grant(alice, allow("iam:GetPolicy", f"arn:aws:iam::{ACCOUNT}:policy/team/*"))
    sign_in(client)
    response = client.get(_detail(team_policy))
    assert response.status_code == 200
    # GetPolicy alone: the permissions tab explains what is missing, in AWS's words.
    assert denial("iam:GetPolicyVersion", TEAM_ARN).encode() in response.content
    assert client.get(_detail(other_policy)).status_code == 403


def test_detail_limited_by_resource_tag(client, alice, team_policy, other_policy):
    grant(
        alice,
        allow(
            ["iam:GetPolicy", "iam:GetPolicyVersion"],
            condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
        ),
    )
    sign_in(client)
    page = client.get(_detail(team_policy)).content.decode()
    assert "Summary of the default version (v1)" in page and "Amazon MQ" in page
    assert client.get(_detail(other_policy)).status_code == 403


def test_detail_tabs(client, account, team_policy, readers, deployer):
    attachments.policy_attach(actor=ACTOR, policy=team_policy, identity=readers)
    attachments.permissions_boundary_put(actor=ACTOR, identity=deployer, policy=team_policy)
    managed.policy_version_create(
        actor=ACTOR, policy=team_policy, document=doc(allow("mq:List*")), set_as_default=True
    )
    sign_in_root(client)
    permissions = client.get(_detail(team_policy)).content.decode()
    assert "Summary of the default version (v2)" in permissions
    assert 'id="L1"' in permissions and "mq:List*" in permissions
    versions = client.get(_detail(team_policy, "versions")).content.decode()
    assert "Versions (2)" in versions and "Set as default" in versions
    assert "/versions/compare" in versions
    entities = client.get(_detail(team_policy, "entities")).content.decode()
    assert "Readers" in entities and "Permissions boundary" in entities and "Deployer" in entities
    tags = client.get(_detail(team_policy, "tags")).content.decode()
    assert "team=ops" in tags


def test_aws_managed_detail_is_labelled_read_only(client, account):
    aws = ManagedPolicy.objects.get(name="AmazonMQFullAccess")
    sign_in_root(client)
    page = client.get(_detail(aws)).content.decode()
    assert "AWS managed · read-only" in page and "Copy to a new policy" in page
    assert "/versions/create" not in page and f"/policies/{aws.unique_id}/delete" not in page
    assert "?tab=tags" not in page
    versions = client.get(_detail(aws, "versions")).content.decode()
    assert "v6" in versions and "Set as default" not in versions


def test_detail_unknown_policy_is_404(client, account):
    sign_in_root(client)
    assert client.get("/policies/ANPANOSUCHPOLICY000").status_code == 404


def test_detail_of_another_accounts_policy_is_404(client, account):
    from accounts.services.accounts import account_create

    other = account_create(
        actor=ACTOR,
        account_id="444455556666",
        alias=None,
        root_email="root@other.example",
        root_password="Root-Passw0rd!",
    )
    theirs = managed.policy_create(
        actor=ACTOR, account=other, name="Theirs", document=doc(allow("mq:List*"))
    )
    sign_in_root(client)
    assert client.get(_detail(theirs)).status_code == 404
    assert ">Theirs</a>" not in client.get("/policies").content.decode()


def test_detail_query_count(client, account, team_policy, readers, django_assert_max_num_queries):
    attachments.policy_attach(actor=ACTOR, policy=team_policy, identity=readers)
    sign_in_root(client)
    for tab in ("permissions", "versions", "entities", "tags"):
        client.get(_detail(team_policy, tab))
        with django_assert_max_num_queries(8):
            assert client.get(_detail(team_policy, tab)).status_code == 200


# -- tags -------------------------------------------------------------------------------------


def test_tags_are_replaced_with_tag_and_untag(client, account, team_policy):
    sign_in_root(client)
    response = client.post(
        f"/policies/{team_policy.unique_id}/tags", {"tags": "cost=42\nteam=payments"}
    )
    assert response.status_code == 302
    team_policy.refresh_from_db()
    assert team_policy.tags == {"cost": "42", "team": "payments"}
    client.post(f"/policies/{team_policy.unique_id}/tags", {"tags": "cost=42"})
    team_policy.refresh_from_db()
    assert team_policy.tags == {"cost": "42"}
    assert AuditEvent.objects.filter(action="iam:UntagPolicy").count() == 1


def test_tags_denied_and_limited_by_tag_keys(client, alice, team_policy):
    grant(
        alice,
        allow(
            ["iam:TagPolicy", "iam:UntagPolicy"],
            condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["cost"]}},
        ),
    )
    sign_in(client)
    assert (
        client.post(
            f"/policies/{team_policy.unique_id}/tags", {"tags": "team=ops\ncost=1"}
        ).status_code
        == 302
    )
    response = client.post(f"/policies/{team_policy.unique_id}/tags", {"tags": "cost=1"})
    assert response.status_code == 403  # removing "team" is outside aws:TagKeys
    assert b"iam:UntagPolicy" in response.content
    team_policy.refresh_from_db()
    assert team_policy.tags == {"team": "ops", "cost": "1"}


# -- delete -----------------------------------------------------------------------------------


def test_delete_explains_preconditions(client, account, team_policy, readers, deployer):
    attachments.policy_attach(actor=ACTOR, policy=team_policy, identity=readers)
    attachments.permissions_boundary_put(actor=ACTOR, identity=deployer, policy=team_policy)
    managed.policy_version_create(actor=ACTOR, policy=team_policy, document=doc(allow("mq:*")))
    sign_in_root(client)
    page = client.get(f"/policies/{team_policy.unique_id}/delete").content.decode()
    assert "Cannot delete a policy attached to entities." in page
    assert "Cannot delete a policy used as a permissions boundary." in page
    assert "group Readers (attached)" in page and "role Deployer (permissions boundary)" in page
    assert "Non-default versions:</span> v2" in page


def test_delete_without_clearing_is_a_conflict(client, account, team_policy, readers):
    attachments.policy_attach(actor=ACTOR, policy=team_policy, identity=readers)
    sign_in_root(client)
    response = client.post(f"/policies/{team_policy.unique_id}/delete", {"confirm": "TeamBrokers"})
    assert response.status_code == 409
    assert b"Cannot delete a policy attached to entities." in response.content
    assert ManagedPolicy.objects.filter(pk=team_policy.pk).exists()


def test_delete_clears_everything_first_each_step_audited(
    client, account, team_policy, readers, deployer
):
    attachments.policy_attach(actor=ACTOR, policy=team_policy, identity=readers)
    attachments.permissions_boundary_put(actor=ACTOR, identity=deployer, policy=team_policy)
    managed.policy_version_create(actor=ACTOR, policy=team_policy, document=doc(allow("mq:*")))
    sign_in_root(client)
    response = client.post(
        f"/policies/{team_policy.unique_id}/delete",
        {"confirm": "TeamBrokers", "remove_blockers": "1"},
    )
    assert response.status_code == 302 and response["Location"] == "/policies"
    assert not ManagedPolicy.objects.filter(pk=team_policy.pk).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "iam:DetachGroupPolicy",
        "iam:DeleteRolePermissionsBoundary",
        "iam:DeletePolicyVersion",
        "iam:DeletePolicy",
    } <= actions


def test_delete_denied_midway_changes_nothing(client, alice, team_policy, readers):
    attachments.policy_attach(actor=ACTOR, policy=team_policy, identity=readers)
    grant(alice, allow(["iam:GetPolicy", "iam:DetachGroupPolicy"]))
    sign_in(client)
    response = client.post(
        f"/policies/{team_policy.unique_id}/delete",
        {"confirm": "TeamBrokers", "remove_blockers": "1"},
    )
    assert response.status_code == 403
    assert denial("iam:DeletePolicy", TEAM_ARN).encode() in response.content
    assert PolicyAttachment.objects.filter(policy=team_policy).exists()


def test_delete_needs_the_typed_name(client, account, other_policy):
    sign_in_root(client)
    response = client.post(f"/policies/{other_policy.unique_id}/delete", {"confirm": "nope"})
    assert response.status_code == 400
    assert ManagedPolicy.objects.filter(pk=other_policy.pk).exists()


def test_aws_managed_policy_cannot_be_deleted(client, account):
    aws = ManagedPolicy.objects.get(name="AmazonMQFullAccess")
    sign_in_root(client)
    response = client.get(f"/policies/{aws.unique_id}/delete", follow=True)
    assert b"AWS managed policies are read-only" in response.content
    response = client.post(f"/policies/{aws.unique_id}/delete", {"confirm": aws.name})
    assert response.status_code == 409
    assert b"is an AWS managed policy and cannot be modified" in response.content


def test_nav_has_policies_link(client, account):
    sign_in_root(client)
    page = client.get("/policies").content.decode()
    assert re.search(
        r'class="dropdown-item active" href="/policies" aria-current="page">Policies', page
    )
