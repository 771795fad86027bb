"""STS over the query protocol: GetCallerIdentity, AssumeRole, GetSessionToken, and the keys."""

from __future__ import annotations

import json
import time

import pyotp
import pytest
from botocore.exceptions import ClientError

from accounts.actors import system_actor
from accounts.models import AuditEvent, RoleSession
from accounts.services import mfa
from tests.query_api.conftest import ACCOUNT, error_of, make_client

pytestmark = pytest.mark.django_db(transaction=True)
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/deployer"


def trust(condition: dict | None = None) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def role_policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def deployer(iam):
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=trust())
    iam.put_role_policy(
        RoleName="deployer",
        PolicyName="iam-read",
        PolicyDocument=role_policy(
            {"Effect": "Allow", "Action": ["iam:List*", "iam:Get*"], "Resource": "*"}
        ),
    )
    return ROLE_ARN


def session_clients(live_server, credentials: dict):
    args = (credentials["AccessKeyId"], credentials["SecretAccessKey"])
    token = credentials["SessionToken"]
    return (
        make_client(live_server, "iam", *args, token=token),
        make_client(live_server, "sts", *args, token=token),
    )


def test_get_caller_identity(sts, admin, root_key, live_server):
    identity = sts.get_caller_identity()
    assert identity == {
        "UserId": admin.unique_id,
        "Account": ACCOUNT,
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/admin",
        "ResponseMetadata": identity["ResponseMetadata"],
    }
    assert identity["ResponseMetadata"]["RequestId"]
    root = make_client(
        live_server, "sts", root_key.key.access_key_id, root_key.secret_access_key
    ).get_caller_identity()
    assert root["Arn"] == f"arn:aws:iam::{ACCOUNT}:root" and root["UserId"] == ACCOUNT


def test_assume_role_credentials_work_at_once(live_server, sts, deployer):
    out = sts.assume_role(RoleArn=deployer, RoleSessionName="ci-42", DurationSeconds=900)
    credentials = out["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ci-42"
    assert out["AssumedRoleUser"]["AssumedRoleId"].endswith(":ci-42")
    assert credentials["Expiration"].tzinfo is not None
    role_iam, role_sts = session_clients(live_server, credentials)
    assert role_sts.get_caller_identity()["Arn"] == out["AssumedRoleUser"]["Arn"]
    assert [u["UserName"] for u in role_iam.list_users()["Users"]] == ["admin"]
    with pytest.raises(ClientError) as excinfo:
        role_iam.create_user(UserName="x")
    assert error_of(excinfo) == (
        "AccessDenied",
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ci-42 is not authorized to "
        f"perform: iam:CreateUser on resource: arn:aws:iam::{ACCOUNT}:user/x because no "
        "identity-based policy allows the iam:CreateUser action",
        403,
    )
    RoleSession.objects.update(revoked_at=RoleSession.objects.get().issued_at)
    with pytest.raises(ClientError) as excinfo:
        role_sts.get_caller_identity()
    assert error_of(excinfo)[0] == "InvalidClientTokenId"


def test_assume_role_session_policy_tags_and_source_identity(live_server, iam, sts, deployer):
    iam.create_policy(
        PolicyName="only-list-users",
        PolicyDocument=role_policy(
            {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"},
            {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"},
        ),
    )
    out = sts.assume_role(
        RoleArn=deployer,
        RoleSessionName="narrow",
        Policy=role_policy({"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}),
        PolicyArns=[{"arn": f"arn:aws:iam::{ACCOUNT}:policy/only-list-users"}],
        Tags=[{"Key": "team", "Value": "blue"}],
        SourceIdentity="alice",
    )
    assert out["SourceIdentity"] == "alice" and out["PackedPolicySize"] > 0
    role_iam, _ = session_clients(live_server, out["Credentials"])
    role_iam.list_users()
    role_iam.get_user(UserName="admin")  # allowed by the role and by the PolicyArns policy
    with pytest.raises(ClientError) as excinfo:
        role_iam.get_role(RoleName="deployer")
    code, message, _ = error_of(excinfo)
    assert code == "AccessDenied" and message.endswith(
        "because no session policy allows the iam:GetRole action"
    )
    session = RoleSession.objects.get(session_name="narrow")
    assert session.session_tags == {"team": "blue"} and session.source_identity == "alice"


def test_assume_role_external_id(sts, iam):
    iam.create_role(
        RoleName="partner",
        AssumeRolePolicyDocument=trust({"StringEquals": {"sts:ExternalId": "s3cr3t-id"}}),
    )
    arn = f"arn:aws:iam::{ACCOUNT}:role/partner"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="pp")
    assert error_of(excinfo)[0::2] == ("AccessDenied", 403)
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="pp", ExternalId="wrong-id")
    assert error_of(excinfo)[0] == "AccessDenied"
    assert sts.assume_role(RoleArn=arn, RoleSessionName="pp", ExternalId="s3cr3t-id")["Credentials"]


def admin_mfa(admin) -> tuple[str, pyotp.TOTP]:
    enrolment = mfa.virtual_mfa_device_create(
        actor=system_actor(), account=admin.account, name="admin-phone"
    )
    totp = pyotp.TOTP(enrolment.seed)
    now = time.time()
    mfa.virtual_mfa_device_assign(
        actor=system_actor(),
        device=enrolment.device,
        owner=admin,
        code1=totp.at(now - 30),
        code2=totp.at(now),
    )
    return enrolment.device.serial_number, totp


def test_assume_role_with_mfa(sts, iam, admin):
    iam.create_role(
        RoleName="guarded",
        AssumeRolePolicyDocument=trust({"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
    )
    arn = f"arn:aws:iam::{ACCOUNT}:role/guarded"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="mm")
    assert error_of(excinfo)[0] == "AccessDenied"
    serial, totp = admin_mfa(admin)
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="mm", SerialNumber=serial, TokenCode="123456")
    assert error_of(excinfo)[0::2] == ("AccessDenied", 403)
    code = totp.at(time.time() + 30)  # the enrolment used the current step; take the next
    out = sts.assume_role(RoleArn=arn, RoleSessionName="mm", SerialNumber=serial, TokenCode=code)
    assert RoleSession.objects.get(
        access_key_id=out["Credentials"]["AccessKeyId"]
    ).mfa_authenticated_at


def test_assume_role_errors(sts, deployer, live_server, nobody_key):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=deployer, RoleSessionName="ss", DurationSeconds=7200)
    assert error_of(excinfo)[0::2] == ("ValidationError", 400)
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=deployer, RoleSessionName="bad name!")
    assert error_of(excinfo)[0] == "ValidationError"
    missing = f"arn:aws:iam::{ACCOUNT}:role/missing"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=missing, RoleSessionName="ss")
    assert error_of(excinfo)[0] == "AccessDenied"
    nobody = make_client(
        live_server, "sts", nobody_key.key.access_key_id, nobody_key.secret_access_key
    )
    with pytest.raises(ClientError) as excinfo:
        nobody.assume_role(RoleArn=deployer, RoleSessionName="ss")
    assert error_of(excinfo) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: "
        f"sts:AssumeRole on resource: {deployer} because no identity-based policy allows the "
        "sts:AssumeRole action",
        403,
    )
    assert AuditEvent.objects.filter(action="sts:AssumeRole", decision="implicitDeny").exists()


def test_get_session_token_without_and_with_mfa(live_server, sts, admin):
    plain = sts.get_session_token(DurationSeconds=900)["Credentials"]
    assert plain["AccessKeyId"].startswith("ASIA") and plain["SessionToken"]
    plain_iam, plain_sts = session_clients(live_server, plain)
    assert plain_sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/admin"
    with pytest.raises(ClientError) as excinfo:
        plain_iam.list_users()  # IAM needs MFA-backed session credentials
    assert error_of(excinfo)[0::2] == ("AccessDenied", 403)
    with pytest.raises(ClientError) as excinfo:
        plain_sts.get_session_token()
    assert error_of(excinfo)[0] == "AccessDenied"
    serial, totp = admin_mfa(admin)
    code = totp.at(time.time() + 30)
    strong = sts.get_session_token(SerialNumber=serial, TokenCode=code)["Credentials"]
    strong_iam, _ = session_clients(live_server, strong)
    assert [u["UserName"] for u in strong_iam.list_users()["Users"]] == ["admin"]
    assert AuditEvent.objects.filter(action="sts:GetSessionToken", decision="allowed").count() == 2


def test_session_token_conditions_see_mfa(live_server, sts, iam, admin):
    iam.create_role(
        RoleName="guarded",
        AssumeRolePolicyDocument=trust({"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
    )
    serial, totp = admin_mfa(admin)
    strong = sts.get_session_token(SerialNumber=serial, TokenCode=totp.at(time.time() + 30))
    _, strong_sts = session_clients(live_server, strong["Credentials"])
    out = strong_sts.assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/guarded", RoleSessionName="via-session"
    )
    assert out["AssumedRoleUser"]["Arn"].endswith(":assumed-role/guarded/via-session")


def test_get_session_token_errors(live_server, sts, deployer, admin_key):
    with pytest.raises(ClientError) as excinfo:
        sts.get_session_token(DurationSeconds=200000)
    assert error_of(excinfo)[0::2] == ("ValidationError", 400)
    role = sts.assume_role(RoleArn=deployer, RoleSessionName="rr")["Credentials"]
    _, role_sts = session_clients(live_server, role)
    with pytest.raises(ClientError) as excinfo:
        role_sts.get_session_token()
    assert error_of(excinfo) == (
        "AccessDenied",
        "Cannot call GetSessionToken with session credentials",
        403,
    )
    plain = sts.get_session_token(DurationSeconds=900)["Credentials"]
    forged = {**plain, "SessionToken": plain["SessionToken"][:-4] + "AAAA"}
    _, forged_sts = session_clients(live_server, forged)
    with pytest.raises(ClientError) as excinfo:
        forged_sts.get_caller_identity()
    assert error_of(excinfo)[0] == "InvalidClientTokenId"
    admin_key.key.delete()  # the parent key gone: its sessions end too
    _, plain_sts = session_clients(live_server, plain)
    with pytest.raises(ClientError) as excinfo:
        plain_sts.get_caller_identity()
    assert error_of(excinfo)[0] == "InvalidClientTokenId"
