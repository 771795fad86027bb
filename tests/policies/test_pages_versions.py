"""Version pages: create (and the sixth-version choice), view, compare, set default, delete."""

from __future__ import annotations

import json

import pytest

from accounts.models import AuditEvent
from policies.models import ManagedPolicy
from policies.services import managed
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


def _url(policy, rest=""):
    return f"/policies/{policy.unique_id}/versions/{rest}".rstrip("/")


def _versions(policy) -> list[tuple[str, bool]]:
    return list(
        policy.versions.order_by("created_at", "id").values_list("version_id", "is_default")
    )


def _fill(policy, count: int) -> None:
    """Bring the policy to ``count`` versions (v1 default)."""
    for n in range(count - policy.versions.count()):
        managed.policy_version_create(
            actor=ACTOR, policy=policy, document=doc(allow(f"mq:Describe{n}*"))
        )


# -- create a version -----------------------------------------------------------------------


def test_create_version_anonymous_is_sent_to_sign_in(client, team_policy):
    assert client.get(_url(team_policy, "create")).status_code == 302


def test_create_version_page_without_permission_is_403(client, alice, team_policy):
    sign_in(client)
    response = client.get(_url(team_policy, "create"))
    assert response.status_code == 403
    assert denial("iam:GetPolicyVersion", TEAM_ARN).encode() in response.content


def test_create_version_limited_to_team_policies(client, alice, team_policy, other_policy):
    grant(
        alice,
        allow(
            ["iam:GetPolicyVersion", "iam:CreatePolicyVersion"],
            f"arn:aws:iam::{ACCOUNT}:policy/team/*",
        ),
    )
    sign_in(client)
    text = json.dumps(doc(allow("mq:List*")), indent=2)
    response = client.post(_url(team_policy, "create"), {"document": text, "set_as_default": "on"})
    assert response.status_code == 302
    assert _versions(team_policy) == [("v1", False), ("v2", True)]
    assert team_policy.versions.get(version_id="v2").document == text
    denied = client.post(_url(other_policy, "create"), {"document": text})
    assert denied.status_code == 403
    assert b"iam:CreatePolicyVersion" in denied.content


def test_create_version_page_starts_from_the_default(client, account, team_policy):
    sign_in_root(client)
    page = client.get(_url(team_policy, "create")).content.decode()
    assert "mq:Describe*" in page and "Save as new version" in page
    assert "already has five versions" not in page


def test_create_version_not_default_keeps_the_default(client, account, team_policy):
    sign_in_root(client)
    text = json.dumps(doc(allow("mq:List*")))
    client.post(_url(team_policy, "create"), {"document": text})
    assert _versions(team_policy) == [("v1", True), ("v2", False)]


def test_create_version_refused_document_is_shown_with_its_path(client, account, team_policy):
    sign_in_root(client)
    text = '{\n  "Version": "2012-10-17",\n  "Statement": {"Effect": "Maybe", "Action": "*"}\n}'
    response = client.post(_url(team_policy, "create"), {"document": text})
    assert response.status_code == 400
    assert b"MalformedPolicyDocument" not in response.content  # AWS's message, not its code
    assert b"Statement.Effect" in response.content and b"line 3" in response.content
    assert team_policy.versions.count() == 1


def test_sixth_version_asks_which_version_to_delete(client, account, team_policy):
    _fill(team_policy, 5)
    sign_in_root(client)
    page = client.get(_url(team_policy, "create")).content.decode()
    assert "This policy already has five versions" in page
    for version_id in ("v2", "v3", "v4", "v5"):
        assert f'name="delete_version" value="{version_id}"' in page
    assert 'name="delete_version" value="v1"' not in page  # the default
    text = json.dumps(doc(allow("mq:ListBrokers")))
    missing = client.post(_url(team_policy, "create"), {"document": text})
    assert missing.status_code == 400 and b"This field is required." in missing.content
    response = client.post(
        _url(team_policy, "create"),
        {"document": text, "delete_version": "v3", "set_as_default": "on"},
    )
    assert response.status_code == 302
    assert _versions(team_policy) == [
        ("v1", False),
        ("v2", False),
        ("v4", False),
        ("v5", False),
        ("v6", True),
    ]
    assert AuditEvent.objects.filter(action="iam:DeletePolicyVersion").count() == 1


def test_sixth_version_cannot_delete_the_default(client, account, team_policy):
    _fill(team_policy, 5)
    sign_in_root(client)
    response = client.post(
        _url(team_policy, "create"),
        {"document": json.dumps(doc(allow("mq:ListBrokers"))), "delete_version": "v1"},
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert team_policy.versions.count() == 5


def test_sixth_version_with_a_refused_document_deletes_nothing(client, account, team_policy):
    _fill(team_policy, 5)
    sign_in_root(client)
    response = client.post(
        _url(team_policy, "create"),
        {"document": '{"Version": "2012-10-17"}', "delete_version": "v2"},
    )
    assert response.status_code == 400
    assert [v for v, _ in _versions(team_policy)] == ["v1", "v2", "v3", "v4", "v5"]


def test_sixth_version_needs_delete_permission_too(client, alice, team_policy):
    _fill(team_policy, 5)
    grant(alice, allow(["iam:GetPolicyVersion", "iam:CreatePolicyVersion"]))
    sign_in(client)
    response = client.post(
        _url(team_policy, "create"),
        {"document": json.dumps(doc(allow("mq:ListBrokers"))), "delete_version": "v2"},
    )
    assert response.status_code == 403
    assert denial("iam:DeletePolicyVersion", TEAM_ARN).encode() in response.content
    assert team_policy.versions.count() == 5


def test_aws_managed_policy_has_no_new_versions(client, account):
    aws = ManagedPolicy.objects.get(name="AmazonMQReadOnlyAccess")
    sign_in_root(client)
    response = client.get(_url(aws, "create"), follow=True)
    assert b"AWS managed policies are read-only" in response.content
    response = client.post(_url(aws, "create"), {"document": json.dumps(doc(allow("mq:*")))})
    assert response.status_code == 400
    assert b"is an AWS managed policy and cannot be modified" in response.content


# -- view and compare -----------------------------------------------------------------------


def test_version_detail_shows_document_and_summary(client, account, team_policy):
    _fill(team_policy, 2)
    sign_in_root(client)
    page = client.get(_url(team_policy, "v2")).content.decode()
    assert 'id="L1"' in page and "mq:Describe0*" in page
    assert "Compare with v1" in page and "Set as default" in page
    assert client.get(_url(team_policy, "v9")).status_code == 404


def test_version_detail_denied_and_limited(client, alice, team_policy, other_policy):
    sign_in(client)
    assert client.get(_url(team_policy, "v1")).status_code == 403
    grant(alice, allow("iam:GetPolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy/team/*"))
    assert client.get(_url(team_policy, "v1")).status_code == 200
    assert client.get(_url(other_policy, "v1")).status_code == 403


def test_diff_side_by_side(client, account, team_policy):
    managed.policy_version_create(
        actor=ACTOR,
        policy=team_policy,
        document=doc(allow(["mq:Describe*", "mq:RebootBroker"])),
        set_as_default=True,
    )
    sign_in_root(client)
    page = client.get(_url(team_policy, "compare") + "?from=v1&to=v2").content.decode()
    assert "\u2212" in page and "+" in page
    assert 'class="diff-add"' in page and 'class="diff-del"' in page
    assert "mq:<mark>List*</mark>" in page and "mq:<mark>RebootBroker</mark>" in page
    default = client.get(_url(team_policy, "compare")).content.decode()
    assert '<option value="v1" selected>' in default and '<option value="v2" selected>' in default


def test_diff_of_the_same_version_says_so(client, account, team_policy):
    sign_in_root(client)
    page = client.get(_url(team_policy, "compare") + "?from=v1&to=v1").content.decode()
    assert "The two versions are the same once formatted." in page


def test_diff_denied(client, alice, team_policy):
    sign_in(client)
    response = client.get(_url(team_policy, "compare"))
    assert response.status_code == 403 and b"iam:GetPolicyVersion" in response.content


# -- set default and delete -----------------------------------------------------------------


def test_set_default(client, account, team_policy):
    _fill(team_policy, 2)
    sign_in_root(client)
    response = client.post(_url(team_policy, "v2/set-default"))
    assert response.status_code == 302
    assert _versions(team_policy) == [("v1", False), ("v2", True)]
    event = AuditEvent.objects.get(action="iam:SetDefaultPolicyVersion")
    assert event.after == {"DefaultVersionId": "v2"}


def test_set_default_denied_and_limited(client, alice, team_policy, other_policy):
    _fill(team_policy, 2)
    _fill(other_policy, 2)
    sign_in(client)
    response = client.post(_url(team_policy, "v2/set-default"))
    assert response.status_code == 403
    assert denial("iam:SetDefaultPolicyVersion", TEAM_ARN).encode() in response.content
    grant(
        alice,
        allow("iam:SetDefaultPolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy/team/*"),
    )
    assert client.post(_url(team_policy, "v2/set-default")).status_code == 302
    assert client.post(_url(other_policy, "v2/set-default")).status_code == 403


def test_delete_version_confirms_then_deletes(client, account, team_policy):
    _fill(team_policy, 2)
    sign_in_root(client)
    page = client.get(_url(team_policy, "v2/delete")).content.decode()
    assert "Delete version v2 of TeamBrokers?" in page
    assert client.post(_url(team_policy, "v2/delete")).status_code == 302
    assert _versions(team_policy) == [("v1", True)]


def test_default_version_cannot_be_deleted(client, account, team_policy):
    sign_in_root(client)
    page = client.get(_url(team_policy, "v1/delete")).content.decode()
    assert "This is the default version" in page
    response = client.post(_url(team_policy, "v1/delete"))
    assert response.status_code == 409
    assert b"Cannot delete the default version of a policy." in response.content


def test_delete_version_denied(client, alice, team_policy):
    _fill(team_policy, 2)
    sign_in(client)
    response = client.post(_url(team_policy, "v2/delete"))
    assert response.status_code == 403
    assert denial("iam:DeletePolicyVersion", TEAM_ARN).encode() in response.content
    assert team_policy.versions.count() == 2
