"""The policies API: policies, versions, entities, attachments, inline policies, boundaries,
tags and validation, each with the anonymous / no permission / limited permission triple."""

from __future__ import annotations

import json

import pytest

from accounts.models import AuditEvent
from policies.engine.validate import policy_size
from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment
from policies.services import attachments, managed
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
API = "/api/v1"
TEAM_ARN = f"arn:aws:iam::{ACCOUNT}:policy/team/TeamBrokers"
GROUP_ARN = f"arn:aws:iam::{ACCOUNT}:group/Readers"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Deployer"
READ = doc(allow(["mq:Describe*", "mq:List*"]))


def _error(response) -> tuple[str, str]:
    body = response.json()["error"]
    return body["code"], body["message"]


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def _put(client, url, data):
    return client.put(url, data=json.dumps(data), content_type="application/json")


def _delete(client, url, data=None):
    if data is None:
        return client.delete(url)
    return client.delete(url, data=json.dumps(data), content_type="application/json")


# -- ListPolicies / CreatePolicy ------------------------------------------------------------


def test_list_anonymous_is_refused(client):
    response = client.get(f"{API}/policies/")
    assert response.status_code == 403
    assert _error(response)[0] == "NotAuthenticated"


def test_list_without_permission_is_access_denied(client, alice):
    sign_in(client)
    response = client.get(f"{API}/policies/")
    assert response.status_code == 403
    assert _error(response) == ("AccessDenied", denial("iam:ListPolicies", "*"))


def test_list_has_aws_fields_and_the_pages_filters(
    client, alice, team_policy, other_policy, readers
):
    attachments.policy_attach(actor=ACTOR, policy=team_policy, identity=readers)
    grant(alice, allow("iam:ListPolicies"))
    sign_in(client)
    body = client.get(f"{API}/policies/?type=customer&used=true").json()
    assert body["count"] == 1
    (policy,) = body["results"]
    assert policy == {
        "PolicyName": "TeamBrokers",
        "PolicyId": team_policy.unique_id,
        "Arn": TEAM_ARN,
        "Path": "/team/",
        "DefaultVersionId": "v1",
        "AttachmentCount": 1,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "IsAwsManaged": False,
        "Description": "Brokers of the team",
        "CreateDate": policy["CreateDate"],
        "UpdateDate": policy["UpdateDate"],
        "Tags": [{"Key": "team", "Value": "ops"}],
    }
    aws = client.get(f"{API}/policies/?type=aws&search=ServiceRole").json()["results"]
    assert [(p["PolicyName"], p["IsAttachable"]) for p in aws] == [
        ("AmazonMQServiceRolePolicy", False)
    ]
    assert aws_arn(aws[0]) == "arn:aws:iam::aws:policy/aws-service-role/AmazonMQServiceRolePolicy"


def aws_arn(policy: dict) -> str:
    return policy["Arn"]


def test_list_paginates_with_flat_queries(client, account, django_assert_max_num_queries):
    for n in range(12):
        managed.policy_create(
            actor=ACTOR, account=account, name=f"P{n:02d}", document=doc(allow("mq:List*"))
        )
    sign_in_root(client)
    client.get(f"{API}/policies/")
    with django_assert_max_num_queries(5):
        body = client.get(f"{API}/policies/?page_size=5&page=2&type=customer").json()
    assert body["count"] == 12 and len(body["results"]) == 5
    assert [p["PolicyName"] for p in body["results"]] == ["P05", "P06", "P07", "P08", "P09"]


def test_create_policy(client, alice):
    grant(alice, allow(["iam:CreatePolicy", "iam:TagPolicy"]))
    sign_in(client)
    text = json.dumps(READ, indent=2)
    response = _post(
        client,
        f"{API}/policies/",
        {
            "PolicyName": "Readers",
            "Path": "/team/",
            "PolicyDocument": text,
            "Tags": [{"Key": "team", "Value": "ops"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["Arn"] == f"arn:aws:iam::{ACCOUNT}:policy/team/Readers"
    assert body["DefaultVersionId"] == "v1" and body["AttachmentCount"] == 0
    assert ManagedPolicy.objects.get(name="Readers").default_version.document == text


def test_create_policy_from_an_object_and_limited_by_path(client, alice):
    grant(alice, allow("iam:CreatePolicy", f"arn:aws:iam::{ACCOUNT}:policy/team/*"))
    sign_in(client)
    ok = _post(
        client, f"{API}/policies/", {"PolicyName": "A", "Path": "/team/", "PolicyDocument": READ}
    )
    assert ok.status_code == 201
    denied = _post(client, f"{API}/policies/", {"PolicyName": "B", "PolicyDocument": READ})
    assert denied.status_code == 403
    assert _error(denied)[1] == denial("iam:CreatePolicy", f"arn:aws:iam::{ACCOUNT}:policy/B")
    tagged = _post(
        client,
        f"{API}/policies/",
        {"PolicyName": "C", "Path": "/team/", "PolicyDocument": READ, "Tags": [{"Key": "k"}]},
    )
    assert tagged.status_code == 403 and "iam:TagPolicy" in _error(tagged)[1]


def test_create_malformed_and_duplicate(client, account, other_policy):
    sign_in_root(client)
    bad = _post(
        client,
        f"{API}/policies/",
        {"PolicyName": "Bad", "PolicyDocument": doc({"Effect": "Allow", "Action": "mq:*"})},
    )
    assert bad.status_code == 400
    assert _error(bad)[0] == "MalformedPolicyDocument"
    assert bad.json()["error"]["fields"]["path"] == "Statement[0]"
    duplicate = _post(
        client, f"{API}/policies/", {"PolicyName": "otherpolicy", "PolicyDocument": READ}
    )
    assert duplicate.status_code == 409 and _error(duplicate)[0] == "EntityAlreadyExists"
    too_big = _post(
        client,
        f"{API}/policies/",
        {
            "PolicyName": "Big",
            "PolicyDocument": doc(allow("mq:List*", "arn:aws:mq:*:*:broker:" + "x" * 6200)),
        },
    )
    assert too_big.status_code == 409
    assert _error(too_big) == ("LimitExceeded", "Cannot exceed quota for PolicySize: 6144")


# -- GetPolicy / DeletePolicy ---------------------------------------------------------------


def test_get_policy_triple(client, alice, team_policy, other_policy):
    assert client.get(f"{API}/policies/{team_policy.unique_id}/").status_code == 403
    sign_in(client)
    denied = client.get(f"{API}/policies/{team_policy.unique_id}/")
    assert _error(denied) == ("AccessDenied", denial("iam:GetPolicy", TEAM_ARN))
    grant(alice, allow("iam:GetPolicy", f"arn:aws:iam::{ACCOUNT}:policy/team/*"))
    assert client.get(f"{API}/policies/{team_policy.unique_id}/").json()["Arn"] == TEAM_ARN
    assert client.get(f"{API}/policies/{other_policy.unique_id}/").status_code == 403
    missing = client.get(f"{API}/policies/ANPANOSUCH/")
    assert missing.status_code == 404 and _error(missing)[0] == "NoSuchEntity"


def test_delete_policy_conflicts_then_succeeds(client, account, team_policy, readers):
    attachments.policy_attach(actor=ACTOR, policy=team_policy, identity=readers)
    sign_in_root(client)
    conflict = client.delete(f"{API}/policies/{team_policy.unique_id}/")
    assert conflict.status_code == 409
    assert _error(conflict) == ("DeleteConflict", "Cannot delete a policy attached to entities.")
    attachments.policy_detach(actor=ACTOR, policy=team_policy, identity=readers)
    assert client.delete(f"{API}/policies/{team_policy.unique_id}/").status_code == 204
    assert not ManagedPolicy.objects.filter(pk=team_policy.pk).exists()


def test_delete_policy_denied_and_aws_managed_unmodifiable(client, alice, team_policy):
    sign_in(client)
    denied = client.delete(f"{API}/policies/{team_policy.unique_id}/")
    assert _error(denied) == ("AccessDenied", denial("iam:DeletePolicy", TEAM_ARN))
    client.logout()
    sign_in_root(client)
    aws = ManagedPolicy.objects.get(name="AmazonMQFullAccess")
    refused = client.delete(f"{API}/policies/{aws.unique_id}/")
    assert refused.status_code == 400 and _error(refused)[0] == "UnmodifiableEntity"


# -- versions ---------------------------------------------------------------------------------


def test_versions_list_create_get_set_default_delete(client, account, team_policy):
    sign_in_root(client)
    base = f"{API}/policies/{team_policy.unique_id}/versions/"
    created = _post(client, base, {"PolicyDocument": doc(allow("mq:*")), "SetAsDefault": True})
    assert created.status_code == 201
    assert created.json()["VersionId"] == "v2" and created.json()["IsDefaultVersion"] is True
    listed = client.get(base).json()
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in listed] == [
        ("v2", True),
        ("v1", False),
    ]
    v1 = client.get(f"{base}v1/").json()
    assert json.loads(v1["Document"]) == READ
    assert client.post(f"{base}v1/set-default/").json()["IsDefaultVersion"] is True
    refused = client.delete(f"{base}v1/")
    assert refused.status_code == 409
    assert _error(refused) == ("DeleteConflict", "Cannot delete the default version of a policy.")
    assert client.delete(f"{base}v2/").status_code == 204
    missing = client.get(f"{base}v2/")
    assert missing.status_code == 404 and _error(missing)[0] == "NoSuchEntity"


def test_sixth_version_is_limit_exceeded_unless_one_is_deleted(client, account, team_policy):
    for n in range(4):
        managed.policy_version_create(
            actor=ACTOR, policy=team_policy, document=doc(allow(f"mq:D{n}*"))
        )
    sign_in_root(client)
    base = f"{API}/policies/{team_policy.unique_id}/versions/"
    refused = _post(client, base, {"PolicyDocument": READ})
    assert refused.status_code == 409
    assert _error(refused)[0] == "LimitExceeded"
    assert "you must delete an existing version" in _error(refused)[1]
    default = _post(client, base, {"PolicyDocument": READ, "DeleteVersionId": "v1"})
    assert default.status_code == 409 and _error(default)[0] == "DeleteConflict"
    made = _post(
        client, base, {"PolicyDocument": READ, "DeleteVersionId": "v3", "SetAsDefault": True}
    )
    assert made.status_code == 201 and made.json()["VersionId"] == "v6"
    assert sorted(team_policy.versions.values_list("version_id", flat=True)) == [
        "v1",
        "v2",
        "v4",
        "v5",
        "v6",
    ]


def test_versions_triple(client, alice, team_policy, other_policy):
    sign_in(client)
    url = f"{API}/policies/{team_policy.unique_id}/versions/"
    assert _error(client.get(url)) == ("AccessDenied", denial("iam:ListPolicyVersions", TEAM_ARN))
    assert _error(_post(client, url, {"PolicyDocument": READ}))[1] == denial(
        "iam:CreatePolicyVersion", TEAM_ARN
    )
    grant(
        alice,
        allow(
            ["iam:ListPolicyVersions", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"],
            condition={"StringEquals": {"aws:ResourceTag/team": "ops"}},
        ),
    )
    assert client.get(url).status_code == 200
    assert _post(client, url, {"PolicyDocument": READ}).status_code == 201
    other = f"{API}/policies/{other_policy.unique_id}/versions/"
    assert client.get(other).status_code == 403
    assert client.post(f"{url}v2/set-default/").status_code == 200
    assert client.post(f"{other}v1/set-default/").status_code == 403


def test_aws_managed_versions_are_read_only(client, account):
    aws = ManagedPolicy.objects.get(name="AmazonMQFullAccess")
    sign_in_root(client)
    base = f"{API}/policies/{aws.unique_id}/versions/"
    assert [v["VersionId"] for v in client.get(base).json()][:2] == ["v6", "v5"]
    refused = _post(client, base, {"PolicyDocument": READ})
    assert refused.status_code == 400 and _error(refused)[0] == "UnmodifiableEntity"


# -- entities, attach and detach ------------------------------------------------------------


def test_entities_for_policy(client, account, alice, team_policy, readers, deployer):
    attachments.policy_attach(actor=ACTOR, policy=team_policy, identity=readers)
    attachments.policy_attach(actor=ACTOR, policy=team_policy, identity=alice)
    attachments.permissions_boundary_put(actor=ACTOR, identity=deployer, policy=team_policy)
    sign_in_root(client)
    url = f"{API}/policies/{team_policy.unique_id}/entities/"
    body = client.get(url).json()
    assert body == {
        "PolicyUsers": [{"UserName": "alice", "UserId": alice.unique_id}],
        "PolicyGroups": [{"GroupName": "Readers", "GroupId": readers.unique_id}],
        "PolicyRoles": [{"RoleName": "Deployer", "RoleId": deployer.unique_id}],
    }
    only_policy = client.get(f"{url}?PolicyUsageFilter=PermissionsPolicy").json()
    assert only_policy["PolicyRoles"] == []
    roles = client.get(f"{url}?EntityFilter=Role&PolicyUsageFilter=PermissionsBoundary").json()
    assert roles == {"PolicyRoles": [{"RoleName": "Deployer", "RoleId": deployer.unique_id}]}


def test_entities_denied(client, alice, team_policy):
    sign_in(client)
    response = client.get(f"{API}/policies/{team_policy.unique_id}/entities/")
    assert _error(response) == ("AccessDenied", denial("iam:ListEntitiesForPolicy", TEAM_ARN))


@pytest.mark.parametrize(
    ("kind", "name", "fixture"),
    [("user", "alice", "alice"), ("group", "Readers", "readers"), ("role", "Deployer", "deployer")],
)
def test_attach_list_detach(client, request, kind, name, fixture, team_policy):
    identity = request.getfixturevalue(fixture)
    sign_in_root(client)
    url = f"{API}/{kind}s/{name}/attached-policies/"
    assert _post(client, url, {"PolicyArn": TEAM_ARN}).status_code == 204
    assert client.get(url).json() == {
        "AttachedPolicies": [
            {"PolicyName": "TeamBrokers", "PolicyArn": TEAM_ARN, "PolicyId": team_policy.unique_id}
        ]
    }
    assert PolicyAttachment.objects.filter(policy=team_policy, **{kind: identity}).exists()
    assert client.delete(f"{url}{team_policy.unique_id}/").status_code == 204
    assert not PolicyAttachment.objects.filter(policy=team_policy).exists()
    label = kind.capitalize()
    assert AuditEvent.objects.filter(action=f"iam:Attach{label}Policy").exists()
    assert AuditEvent.objects.filter(action=f"iam:Detach{label}Policy").exists()
    again = client.delete(f"{url}{team_policy.unique_id}/")
    assert again.status_code == 404 and _error(again)[0] == "NoSuchEntity"


def test_attach_limited_by_policy_arn_condition(client, alice, readers, team_policy, other_policy):
    grant(
        alice,
        allow(
            ["iam:AttachGroupPolicy", "iam:DetachGroupPolicy"],
            GROUP_ARN,
            condition={"ArnLike": {"iam:PolicyARN": f"arn:aws:iam::{ACCOUNT}:policy/team/*"}},
        ),
    )
    sign_in(client)
    url = f"{API}/groups/Readers/attached-policies/"
    assert _post(client, url, {"PolicyArn": TEAM_ARN}).status_code == 204
    denied = _post(client, url, {"PolicyArn": other_policy.arn})
    assert _error(denied) == ("AccessDenied", denial("iam:AttachGroupPolicy", GROUP_ARN))
    assert _error(client.get(url))[1] == denial("iam:ListAttachedGroupPolicies", GROUP_ARN)
    assert client.delete(f"{url}{team_policy.unique_id}/").status_code == 204


def test_attach_and_boundary_of_an_unknown_policy_are_denied_without_the_right(
    client, alice, readers, deployer
):
    # Authorized before the policy is looked up, as AWS does: no existence oracle.
    sign_in(client)
    nope = f"arn:aws:iam::{ACCOUNT}:policy/Nope"
    attach = _post(client, f"{API}/groups/Readers/attached-policies/", {"PolicyArn": nope})
    assert _error(attach) == ("AccessDenied", denial("iam:AttachGroupPolicy", GROUP_ARN))
    boundary = _put(
        client, f"{API}/roles/Deployer/permissions-boundary/", {"PermissionsBoundary": nope}
    )
    assert _error(boundary) == (
        "AccessDenied",
        denial("iam:PutRolePermissionsBoundary", ROLE_ARN),
    )


def test_attach_errors(client, account, readers):
    sign_in_root(client)
    url = f"{API}/groups/Readers/attached-policies/"
    unknown = _post(client, url, {"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/Nope"})
    assert unknown.status_code == 404
    slr = _post(
        client,
        url,
        {"PolicyArn": "arn:aws:iam::aws:policy/aws-service-role/AmazonMQServiceRolePolicy"},
    )
    assert slr.status_code == 404 and "is not attachable" in _error(slr)[1]
    missing_group = _post(client, f"{API}/groups/Nobody/attached-policies/", {"PolicyArn": "x"})
    assert _error(missing_group) == ("NoSuchEntity", "The group with name Nobody cannot be found.")
    for n in range(10):
        policy = managed.policy_create(actor=ACTOR, account=account, name=f"Q{n}", document=READ)
        attachments.policy_attach(actor=ACTOR, policy=policy, identity=readers)
    quota = _post(client, url, {"PolicyArn": "arn:aws:iam::aws:policy/AmazonMQFullAccess"})
    assert quota.status_code == 409
    assert _error(quota) == ("LimitExceeded", "Cannot exceed quota for PoliciesPerGroup: 10")


# -- inline policies ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "fixture", "limit"),
    [
        ("user", "alice", "alice", 2048),
        ("group", "Readers", "readers", 5120),
        ("role", "Deployer", "deployer", 10240),
    ],
)
def test_inline_put_get_list_delete(client, request, kind, name, fixture, limit):
    identity = request.getfixturevalue(fixture)
    sign_in_root(client)
    url = f"{API}/{kind}s/{name}/inline-policies/"
    label = kind.capitalize()
    put = _put(client, f"{url}read/", {"PolicyDocument": READ})
    assert put.status_code == 200
    assert put.json()[f"{label}Name"] == identity.name and put.json()["PolicyName"] == "read"
    names = client.get(url).json()["PolicyNames"]
    assert "read" in names
    got = client.get(f"{url}read/").json()
    assert json.loads(got["PolicyDocument"]) == READ
    # The quota is a sum over the identity's inline policies.
    overhead = policy_size(doc(allow("mq:List*", "arn:aws:mq:*:*:broker::*")))
    big = doc(allow("mq:List*", f"arn:aws:mq:*:*:broker:{'x' * (limit - 10 - overhead)}:*"))
    assert policy_size(big) == limit - 10  # fits alone, not with "read"
    refused = _put(client, f"{url}big/", {"PolicyDocument": big})
    assert refused.status_code == 409 and _error(refused)[0] == "LimitExceeded"
    assert f"Maximum policy size of {limit} bytes exceeded for {kind}" in _error(refused)[1]
    assert client.delete(f"{url}read/").status_code == 204
    assert _put(client, f"{url}big/", {"PolicyDocument": big}).status_code == 200
    missing = client.get(f"{url}read/")
    assert missing.status_code == 404
    assert _error(missing) == ("NoSuchEntity", f"The {kind} policy with name read cannot be found.")


def test_inline_triple(client, alice, deployer, readers):
    url = f"{API}/roles/Deployer/inline-policies/read/"
    assert _put(client, url, {"PolicyDocument": READ}).status_code == 403
    sign_in(client)
    denied = _put(client, url, {"PolicyDocument": READ})
    assert _error(denied) == ("AccessDenied", denial("iam:PutRolePolicy", ROLE_ARN))
    grant(
        alice,
        allow(
            ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:PutGroupPolicy"],
            condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
        ),
    )
    assert _put(client, url, {"PolicyDocument": READ}).status_code == 200
    assert client.get(url).status_code == 200
    group = _put(client, f"{API}/groups/Readers/inline-policies/r/", {"PolicyDocument": READ})
    assert group.status_code == 403  # groups carry no tags
    assert not InlinePolicy.objects.filter(group=readers).exists()
    assert _error(client.delete(url))[1] == denial("iam:DeleteRolePolicy", ROLE_ARN)


# -- permissions boundaries -----------------------------------------------------------------


def test_boundary_put_and_delete(client, account, alice, deployer, team_policy):
    sign_in_root(client)
    for kind, name, identity in (("user", "alice", alice), ("role", "Deployer", deployer)):
        url = f"{API}/{kind}s/{name}/permissions-boundary/"
        assert _put(client, url, {"PermissionsBoundary": TEAM_ARN}).status_code == 204
        identity.refresh_from_db()
        assert identity.permissions_boundary_id == team_policy.pk
        assert client.delete(url).status_code == 204
        identity.refresh_from_db()
        assert identity.permissions_boundary_id is None
        again = client.delete(url)
        assert again.status_code == 404 and _error(again)[0] == "NoSuchEntity"
    assert client.put(f"{API}/groups/Readers/permissions-boundary/").status_code == 404


def test_boundary_limited_by_condition(client, alice, deployer, team_policy, other_policy):
    grant(
        alice,
        allow(
            "iam:PutRolePermissionsBoundary",
            ROLE_ARN,
            condition={"StringEquals": {"iam:PermissionsBoundary": TEAM_ARN}},
        ),
    )
    sign_in(client)
    url = f"{API}/roles/Deployer/permissions-boundary/"
    denied = _put(client, url, {"PermissionsBoundary": other_policy.arn})
    assert _error(denied) == ("AccessDenied", denial("iam:PutRolePermissionsBoundary", ROLE_ARN))
    assert _put(client, url, {"PermissionsBoundary": TEAM_ARN}).status_code == 204
    assert _error(client.delete(url))[1] == denial("iam:DeleteRolePermissionsBoundary", ROLE_ARN)


# -- policy tags ----------------------------------------------------------------------------


def test_policy_tags(client, account, team_policy):
    sign_in_root(client)
    url = f"{API}/policies/{team_policy.unique_id}/tags/"
    assert client.get(url).json() == {"Tags": [{"Key": "team", "Value": "ops"}]}
    tagged = _post(client, url, {"Tags": [{"Key": "cost", "Value": "42"}]})
    assert tagged.json() == {
        "Tags": [{"Key": "team", "Value": "ops"}, {"Key": "cost", "Value": "42"}]
    }
    assert _delete(client, url, {"TagKeys": ["team"]}).status_code == 204
    team_policy.refresh_from_db()
    assert team_policy.tags == {"cost": "42"}
    too_many = _post(client, url, {"Tags": [{"Key": f"k{n}", "Value": ""} for n in range(50)]})
    assert too_many.status_code in (400, 409)


def test_policy_tags_triple(client, alice, team_policy):
    url = f"{API}/policies/{team_policy.unique_id}/tags/"
    assert client.get(url).status_code == 403
    sign_in(client)
    assert _error(client.get(url)) == ("AccessDenied", denial("iam:ListPolicyTags", TEAM_ARN))
    grant(
        alice,
        allow(
            ["iam:TagPolicy", "iam:UntagPolicy"],
            condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["cost"]}},
        ),
    )
    assert _post(client, url, {"Tags": [{"Key": "cost", "Value": "1"}]}).status_code == 200
    denied = _post(client, url, {"Tags": [{"Key": "team", "Value": "x"}]})
    assert _error(denied) == ("AccessDenied", denial("iam:TagPolicy", TEAM_ARN))
    assert _delete(client, url, {"TagKeys": ["cost"]}).status_code == 204
    assert _delete(client, url, {"TagKeys": ["team"]}).status_code == 403


# -- validation -----------------------------------------------------------------------------


def test_validate_returns_findings_with_lines_size_and_summary(client, alice):
    grant(alice, allow("access-analyzer:ValidatePolicy"))
    sign_in(client)
    text = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
        '      "Action": ["mq:RebootBrokers", "mq:List*"],\n      "Resource": "*"\n    }\n  ]\n}'
    )
    response = _post(client, f"{API}/policies/validate/", {"PolicyDocument": text})
    assert response.status_code == 200
    body = response.json()
    (finding,) = [f for f in body["Findings"] if f["Code"] == "UNKNOWN_ACTION"]
    assert finding == {
        "Severity": "error",
        "Code": "UNKNOWN_ACTION",
        "Message": '"mq:RebootBrokers" is not an action of Amazon MQ (mq). '
        "Did you mean mq:RebootBroker?",
        "Path": "Statement[0].Action[0]",
        "Line": 6,
        "Column": 18,
    }
    assert body["Size"]["Limit"] == 6144 and body["Size"]["Used"] == body["Size"]["Document"]
    mq = body["Summary"]["Allow"]["Services"][0]
    assert mq["Service"] == "mq" and mq["Access"] == "Full: List"
    assert body["Summary"]["Unrecognized"] == [
        {"Statement": 0, "Action": "mq:RebootBrokers", "Reason": "unknown action"}
    ]


def test_validate_json_error_inline_quota_and_kinds(client, account):
    sign_in_root(client)
    url = f"{API}/policies/validate/"
    broken = _post(client, url, {"PolicyDocument": '{\n  "Version": "2012-10-17"\n  "x": 1\n}'})
    (finding,) = broken.json()["Findings"]
    assert finding["Code"] == "JSON_SYNTAX_ERROR" and finding["Line"] == 3
    assert broken.json()["Summary"] is None
    inline = _post(
        client,
        url,
        {
            "PolicyDocument": json.dumps(READ),
            "Entity": "user",
            "OtherInlinePoliciesSize": 2000,
        },
    ).json()
    assert (
        inline["Size"]["Limit"] == 2048 and inline["Findings"][0]["Code"] == "POLICY_SIZE_EXCEEDED"
    )
    trust = _post(client, url, {"PolicyDocument": json.dumps(READ), "PolicyType": "trust"}).json()
    assert {"RESOURCE_NOT_ALLOWED", "MISSING_PRINCIPAL"} <= {f["Code"] for f in trust["Findings"]}
    scp = _post(
        client, url, {"PolicyDocument": json.dumps(READ), "PolicyType": "SERVICE_CONTROL_POLICY"}
    )
    assert scp.json()["Size"]["Limit"] == 5120
    wrong = _post(client, url, {"PolicyDocument": "{}", "PolicyType": "scp", "Entity": "user"})
    assert wrong.status_code == 400


def test_validate_triple(client, alice):
    url = f"{API}/policies/validate/"
    assert _post(client, url, {"PolicyDocument": "{}"}).status_code == 403
    sign_in(client)
    denied = _post(client, url, {"PolicyDocument": "{}"})
    assert _error(denied) == ("AccessDenied", denial("access-analyzer:ValidatePolicy", "*"))
    grant(
        alice,
        allow(
            "access-analyzer:ValidatePolicy",
            condition={"Bool": {"aws:SecureTransport": "true"}},
        ),
    )
    assert _post(client, url, {"PolicyDocument": "{}"}).status_code == 403  # plain HTTP
    assert (
        client.post(
            url,
            data=json.dumps({"PolicyDocument": "{}"}),
            content_type="application/json",
            secure=True,
        ).status_code
        == 200
    )


# -- the schema -----------------------------------------------------------------------------


def test_schema_documents_every_policy_endpoint(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/policies/", "get"),
        ("/api/v1/policies/", "post"),
        ("/api/v1/policies/validate/", "post"),
        ("/api/v1/policies/{policy_id}/versions/", "post"),
        ("/api/v1/policies/{policy_id}/versions/{version_id}/set-default/", "post"),
        ("/api/v1/policies/{policy_id}/entities/", "get"),
        ("/api/v1/policies/{policy_id}/tags/", "delete"),
        ("/api/v1/users/{name}/attached-policies/", "post"),
        ("/api/v1/groups/{name}/inline-policies/{policy_name}/", "put"),
        ("/api/v1/roles/{name}/permissions-boundary/", "put"),
    ]:
        operation = paths[path][method]
        assert operation.get("summary"), (path, method)
    create = paths["/api/v1/policies/"]["post"]["requestBody"]["content"]["application/json"]
    assert "examples" in create


def test_denials_are_audited(client, alice, team_policy):
    sign_in(client)
    client.get(f"{API}/policies/{team_policy.unique_id}/")
    event = AuditEvent.objects.get(action="iam:GetPolicy")
    assert event.decision == "implicitDeny" and event.principal_arn == ALICE
