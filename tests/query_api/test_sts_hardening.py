"""Hardening, round two, through the IAM/STS query API with boto3 (docs/security.md).

Session tags and source identity need their own trust, PolicyArns stay in the role's account,
trust binds principals by unique id, STS MFA codes are throttled and audited, and the
credential scope is checked as AWS checks it.
"""

from __future__ import annotations

import json
import time

import boto3
import pytest
from botocore.exceptions import ClientError

from accounts.actors import system_actor
from accounts.models import AuditEvent, RoleSession
from accounts.services import access_keys
from policies.services import managed
from tests.factories import AccountFactory
from tests.query_api.conftest import ACCOUNT, NO_RETRIES, error_of, make_client
from tests.query_api.test_sts import admin_mfa, role_policy, session_clients

pytestmark = pytest.mark.django_db(transaction=True)
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/operators"
OTHER = "444455556666"


def trust(*actions: str, condition: dict | None = None, principal: str | None = None) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": principal or f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": list(actions),
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def operators(iam, trust_document: str) -> str:
    """A role whose permissions depend on the session's team tag and source identity."""
    iam.create_role(RoleName="operators", AssumeRolePolicyDocument=trust_document)
    iam.put_role_policy(
        RoleName="operators",
        PolicyName="team-scoped",
        PolicyDocument=role_policy(
            {
                "Effect": "Allow",
                "Action": "iam:ListUsers",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
            },
            {
                "Effect": "Allow",
                "Action": "iam:ListRoles",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceIdentity": "alice"}},
            },
        ),
    )
    return ROLE_ARN


# Item 3 of the authorization-seam issue: session tags and source identity need permission.


def test_session_tags_need_sts_tag_session_in_the_trust_policy(live_server, sts, iam):
    arn = operators(iam, trust("sts:AssumeRole"))
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="s1", Tags=[{"Key": "team", "Value": "blue"}])
    code, message, status = error_of(excinfo)
    assert (code, status) == ("AccessDenied", 403)
    assert "sts:TagSession" in message and arn in message
    assert not RoleSession.objects.exists()
    assert AuditEvent.objects.filter(action="sts:TagSession", decision="implicitDeny").exists()
    # Without tags the same caller may assume the role; the tag-scoped grant then does not apply.
    out = sts.assume_role(RoleArn=arn, RoleSessionName="s2")
    role_iam, _ = session_clients(live_server, out["Credentials"])
    with pytest.raises(ClientError):
        role_iam.list_users()


def test_tag_session_conditions_see_the_request_tags(live_server, sts, iam):
    arn = operators(
        iam,
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    json.loads(trust("sts:AssumeRole"))["Statement"][0],
                    json.loads(
                        trust(
                            "sts:TagSession",
                            condition={
                                "StringEquals": {"aws:RequestTag/team": "blue"},
                                "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]},
                            },
                        )
                    )["Statement"][0],
                ],
            }
        ),
    )
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="s1", Tags=[{"Key": "team", "Value": "red"}])
    assert error_of(excinfo)[0] == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(
            RoleArn=arn,
            RoleSessionName="s1",
            Tags=[{"Key": "team", "Value": "blue"}, {"Key": "cost", "Value": "x"}],
        )
    assert error_of(excinfo)[0] == "AccessDenied"
    out = sts.assume_role(
        RoleArn=arn, RoleSessionName="s1", Tags=[{"Key": "team", "Value": "blue"}]
    )
    role_iam, _ = session_clients(live_server, out["Credentials"])
    assert role_iam.list_users()["Users"]  # the tag-scoped grant applies to the tagged session


def test_source_identity_needs_sts_set_source_identity_and_reaches_the_context(
    live_server, sts, iam
):
    arn = operators(iam, trust("sts:AssumeRole"))
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="s1", SourceIdentity="alice")
    code, message, _ = error_of(excinfo)
    assert code == "AccessDenied" and "sts:SetSourceIdentity" in message
    iam.update_assume_role_policy(
        RoleName="operators",
        PolicyDocument=trust(
            "sts:AssumeRole",
            "sts:SetSourceIdentity",
            condition={"StringLike": {"sts:SourceIdentity": ["alice", "bob"]}},
        ),
    )
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="s1", SourceIdentity="mallory")
    assert error_of(excinfo)[0] == "AccessDenied"
    out = sts.assume_role(RoleArn=arn, RoleSessionName="s1", SourceIdentity="alice")
    assert out["SourceIdentity"] == "alice"
    role_iam, _ = session_clients(live_server, out["Credentials"])
    assert role_iam.list_roles()["Roles"]  # aws:SourceIdentity is in the session's context
    other = sts.assume_role(RoleArn=arn, RoleSessionName="s2", SourceIdentity="bob")
    bob_iam, _ = session_clients(live_server, other["Credentials"])
    with pytest.raises(ClientError):
        bob_iam.list_roles()


def test_role_chaining_passes_on_only_transitive_session_tags(live_server, sts, iam):
    """A chained session gets the caller's transitive session tags, not its role's tags."""
    arn = operators(iam, trust("sts:AssumeRole", "sts:TagSession"))
    iam.tag_role(RoleName="operators", Tags=[{"Key": "team", "Value": "blue"}])
    iam.create_role(
        RoleName="first",
        AssumeRolePolicyDocument=trust("sts:AssumeRole", "sts:TagSession"),
        Tags=[{"Key": "team", "Value": "red"}],
    )
    iam.put_role_policy(
        RoleName="first",
        PolicyName="chain",
        PolicyDocument=role_policy(
            {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": "*"}
        ),
    )
    first_arn = f"arn:aws:iam::{ACCOUNT}:role/first"

    def chained(**first_kwargs):
        first = sts.assume_role(RoleArn=first_arn, RoleSessionName="c1", **first_kwargs)
        _, first_sts = session_clients(live_server, first["Credentials"])
        second = first_sts.assume_role(RoleArn=arn, RoleSessionName="c2")
        second_iam, _ = session_clients(live_server, second["Credentials"])
        return second_iam

    red = [{"Key": "team", "Value": "red"}]
    assert chained().list_users()["Users"]  # the first role's own tag is not passed on
    assert chained(Tags=red).list_users()["Users"]  # a non-transitive session tag: not passed
    with pytest.raises(ClientError) as excinfo:
        chained(Tags=red, TransitiveTagKeys=["team"]).list_users()  # transitive: passed on
    assert error_of(excinfo)[0] == "AccessDenied"
    second = RoleSession.objects.filter(session_name="c2").order_by("-issued_at").first()
    assert second.session_tags == {"team": "red"} and second.transitive_tag_keys == ["team"]


# Hardening item 7: session policies only from the role's account (or AWS managed).


def test_policy_arns_of_another_account_are_refused_like_missing_ones(sts, iam, admin):
    iam.create_role(RoleName="operators", AssumeRolePolicyDocument=trust("sts:AssumeRole"))
    other = AccountFactory(account_id=OTHER)
    secret_policy = managed.policy_create(
        actor=system_actor(),
        account=other,
        name="their-secret-policy",
        document=role_policy({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}),
    )
    answers = []
    for arn in (secret_policy.arn, f"arn:aws:iam::{OTHER}:policy/no-such-policy"):
        with pytest.raises(ClientError) as excinfo:
            sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1", PolicyArns=[{"arn": arn}])
        code, message, status = error_of(excinfo)
        answers.append((code, status, message.replace(arn, "ARN")))
    assert answers[0] == answers[1]
    assert answers[0][:2] == ("MalformedPolicyDocument", 400)
    assert not RoleSession.objects.exists()
    aws_managed = "arn:aws:iam::aws:policy/AmazonMQReadOnlyAccess"
    out = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1", PolicyArns=[{"arn": aws_managed}])
    assert (
        RoleSession.objects.get(
            access_key_id=out["Credentials"]["AccessKeyId"]
        ).session_policy_arns[0]["arn"]
        == aws_managed
    )


# Hardening item 8: trust binds a named user to its unique id.


def test_a_recreated_user_does_not_inherit_the_trust_of_the_deleted_one(sts, iam, live_server):
    first = iam.create_user(UserName="bob")["User"]
    bob_arn = first["Arn"]
    iam.create_role(
        RoleName="operators", AssumeRolePolicyDocument=trust("sts:AssumeRole", principal=bob_arn)
    )
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    bob_sts = make_client(live_server, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    assert bob_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="b1")["Credentials"]
    shown = iam.get_role(RoleName="operators")["Role"]["AssumeRolePolicyDocument"]
    assert shown["Statement"][0]["Principal"]["AWS"] == bob_arn  # alive: shown by ARN

    iam.delete_access_key(UserName="bob", AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName="bob")
    second = iam.create_user(UserName="bob")["User"]
    assert second["Arn"] == bob_arn and second["UserId"] != first["UserId"]
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    new_bob_sts = make_client(live_server, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    with pytest.raises(ClientError) as excinfo:
        new_bob_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="b2")
    assert error_of(excinfo)[0::2] == ("AccessDenied", 403)
    shown = iam.get_role(RoleName="operators")["Role"]["AssumeRolePolicyDocument"]
    assert shown["Statement"][0]["Principal"]["AWS"] == first["UserId"]  # the old AIDA… id
    assert first["UserId"].startswith("AIDA")


# Hardening item 5: MFA codes at STS are throttled and every failure is audited.


def test_wrong_mfa_codes_at_get_session_token_are_audited_then_throttled(sts, admin, settings):
    serial, totp = admin_mfa(admin)
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit):
        with pytest.raises(ClientError) as excinfo:
            sts.get_session_token(SerialNumber=serial, TokenCode="000000")
        assert error_of(excinfo)[0::2] == ("AccessDenied", 403)
    failures = AuditEvent.objects.filter(
        principal_arn=admin.arn,
        action="sts:GetSessionToken",
        error_code="InvalidAuthenticationCode",
    )
    assert failures.count() == limit
    assert all(e.source_ip and e.resource_arn == serial for e in failures)
    # The budget is spent: even the right code is refused, unchecked, and that is audited too.
    with pytest.raises(ClientError) as excinfo:
        sts.get_session_token(SerialNumber=serial, TokenCode=totp.at(time.time() + 30))
    assert error_of(excinfo)[0::2] == ("Throttling", 429)
    assert AuditEvent.objects.filter(
        principal_arn=admin.arn, action="sts:GetSessionToken", error_code="Throttling"
    ).exists()
    assert failures.count() == limit  # a refusal does not extend the window


def test_concurrent_wrong_mfa_codes_cannot_exceed_the_budget(
    live_server, admin, admin_key, settings
):
    from concurrent.futures import ThreadPoolExecutor

    serial, _totp = admin_mfa(admin)
    key_id, secret = admin_key.key.access_key_id, admin_key.secret_access_key

    def guess(code: str) -> str:
        client = make_client(live_server, "sts", key_id, secret)
        try:
            client.get_session_token(SerialNumber=serial, TokenCode=code)
        except ClientError as error:
            return error.response["Error"]["Code"]
        return "accepted"

    limit = settings.AXES_FAILURE_LIMIT
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(guess, [f"{n:06d}" for n in range(3 * limit)]))
    assert codes.count("AccessDenied") == limit and codes.count("Throttling") == 2 * limit
    assert (
        AuditEvent.objects.filter(
            principal_arn=admin.arn, error_code="InvalidAuthenticationCode"
        ).count()
        == limit
    )


def test_wrong_mfa_codes_at_assume_role_count_too(sts, iam, admin, settings):
    iam.create_role(
        RoleName="operators",
        AssumeRolePolicyDocument=trust(
            "sts:AssumeRole", condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        ),
    )
    serial, totp = admin_mfa(admin)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        with pytest.raises(ClientError):
            sts.assume_role(
                RoleArn=ROLE_ARN, RoleSessionName="m1", SerialNumber=serial, TokenCode="111111"
            )
    assert (
        AuditEvent.objects.filter(
            action="sts:AssumeRole", error_code="InvalidAuthenticationCode"
        ).count()
        == settings.AXES_FAILURE_LIMIT
    )
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(
            RoleArn=ROLE_ARN,
            RoleSessionName="m1",
            SerialNumber=serial,
            TokenCode=totp.at(time.time() + 30),
        )
    assert error_of(excinfo)[0] == "Throttling"


# Hardening item 10: the credential scope of the query API, and failures audited.


def test_iam_must_be_signed_for_us_east_1_and_sts_for_a_valid_region(live_server, admin_key):
    key_id, secret = admin_key.key.access_key_id, admin_key.secret_access_key

    def client(service, region):
        return boto3.client(
            service,
            endpoint_url=live_server.url,
            region_name=region,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            config=NO_RETRIES,
        )

    with pytest.raises(ClientError) as excinfo:
        client("iam", "eu-west-1").list_users()
    code, message, status = error_of(excinfo)
    assert (code, status) == ("SignatureDoesNotMatch", 403) and "eu-west-1" in message
    assert client("sts", "eu-west-1").get_caller_identity()["Account"] == ACCOUNT
    with pytest.raises(ClientError) as excinfo:
        client("sts", "moon-east-1").get_caller_identity()
    assert error_of(excinfo)[0] == "SignatureDoesNotMatch"
    audited = AuditEvent.objects.filter(action="sigv4:Authenticate", account_id=ACCOUNT)
    assert {e.error_code for e in audited} == {"SignatureDoesNotMatch"} and audited.count() == 2


def test_signature_failures_are_audited_in_the_key_owners_account(live_server, admin, admin_key):
    key_id = admin_key.key.access_key_id
    wrong = make_client(live_server, "sts", key_id, "x" * 40)
    with pytest.raises(ClientError) as excinfo:
        wrong.get_caller_identity()
    assert error_of(excinfo)[0] == "SignatureDoesNotMatch"
    access_keys.access_key_set_status(
        actor=system_actor(), owner=admin, access_key_id=key_id, status="Inactive"
    )
    inactive = make_client(live_server, "sts", key_id, admin_key.secret_access_key)
    with pytest.raises(ClientError) as excinfo:
        inactive.get_caller_identity()
    assert error_of(excinfo)[0] == "InvalidClientTokenId"
    rows = AuditEvent.objects.filter(action="sigv4:Authenticate").order_by("id")
    assert [(r.account_id, r.principal_arn, r.error_code) for r in rows] == [
        (ACCOUNT, admin.arn, "SignatureDoesNotMatch"),
        (ACCOUNT, admin.arn, "InvalidClientTokenId"),
    ]
    assert all(r.request_parameters["AccessKeyId"] == key_id for r in rows)
    assert all("x" * 40 not in json.dumps(r.request_parameters) for r in rows)


def test_expired_session_credentials_are_audited(live_server, sts, iam):
    iam.create_role(RoleName="operators", AssumeRolePolicyDocument=trust("sts:AssumeRole"))
    out = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="e1", DurationSeconds=900)
    session = RoleSession.objects.get()
    RoleSession.objects.filter(pk=session.pk).update(expires_at=session.issued_at)
    _, role_sts = session_clients(live_server, out["Credentials"])
    with pytest.raises(ClientError) as excinfo:
        role_sts.get_caller_identity()
    assert error_of(excinfo)[0] == "ExpiredToken"
    row = AuditEvent.objects.get(action="sigv4:Authenticate")
    assert (row.error_code, row.account_id, row.principal_arn) == (
        "ExpiredToken",
        ACCOUNT,
        session.arn,
    )
