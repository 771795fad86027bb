"""The console obeys IAM: views are authorized by the engine, denials read like AWS's."""

import json
import time

import pyotp
import pytest

from accounts.actors import system_actor
from accounts.models import AuditEvent
from accounts.principals import principal_for_role_session, principal_for_user
from accounts.services import mfa, roles, sts, users
from policies.authorization import authorize
from policies.context import request_context
from policies.services import attachments, managed
from tests.factories import AccountFactory, BrokerFactory, IAMUserFactory, RootUserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Corr3ct-Horse!"
ACCOUNT = "111122223333"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"


def _doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(action, resource="*", condition=None):
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


@pytest.fixture
def account():
    return AccountFactory(account_id=ACCOUNT, alias="acme")


@pytest.fixture
def alice(account):
    user = IAMUserFactory(account=account, name="alice", tags={"team": "payments"})
    users.user_password_set(actor=system_actor(), user=user, password=PASSWORD)
    return user


def _grant(user, *statements, name="grant"):
    attachments.inline_policy_put(
        actor=system_actor(), identity=user, name=name, document=_doc(*statements)
    )


def _sign_in(client):
    response = client.post(
        "/signin", {"as": "user", "account": ACCOUNT, "username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 302, response.content


def test_no_permission_is_403_with_aws_message_and_audited(client, alice):
    _sign_in(client)
    response = client.get("/audit")
    assert response.status_code == 403
    expected = (
        f"User: {ALICE} is not authorized to perform: cloudtrail:LookupEvents on "
        "resource: * because no identity-based policy allows the "
        "cloudtrail:LookupEvents action"
    )
    assert expected.encode() in response.content
    denial = AuditEvent.objects.get(action="cloudtrail:LookupEvents")
    assert denial.decision == "implicitDeny" and denial.message == expected
    assert denial.principal_arn == ALICE and denial.error_code == "AccessDenied"


def test_allowed_with_a_policy(client, alice):
    _grant(alice, _allow("cloudtrail:LookupEvents"))
    _sign_in(client)
    assert client.get("/audit").status_code == 200


def test_explicit_deny_wins_and_says_so(client, alice):
    _grant(alice, _allow("*"), {"Effect": "Deny", "Action": "cloudtrail:*", "Resource": "*"})
    _sign_in(client)
    response = client.get("/audit")
    assert response.status_code == 403
    assert b"with an explicit deny in an identity-based policy" in response.content


def test_mfa_condition_passes_only_with_mfa(client, alice):
    _grant(
        alice,
        _allow(
            "cloudtrail:LookupEvents", condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        ),
    )
    _sign_in(client)
    assert client.get("/audit").status_code == 403
    client.post("/signout")
    enrolment = mfa.mfa_device_create(actor=system_actor(), owner=alice, name="alice")
    totp = pyotp.TOTP(enrolment.seed)
    now = time.time() - 90
    mfa.mfa_device_enable(
        actor=system_actor(), device=enrolment.device, code1=totp.at(now), code2=totp.at(now + 30)
    )
    _sign_in(client)
    client.post("/signin/mfa", {"code": totp.now()})
    assert client.get("/audit").status_code == 200


def test_permissions_boundary_limits_and_is_named(alice):
    _grant(alice, _allow("*"))
    boundary = managed.policy_create(
        actor=system_actor(), account=alice.account, name="OnlyMq", document=_doc(_allow("mq:*"))
    )
    attachments.permissions_boundary_put(actor=system_actor(), identity=alice, policy=boundary)
    principal = principal_for_user(alice)
    context = request_context(principal)
    assert authorize(principal, "mq:ListBrokers", "*", context).allowed
    denied = authorize(principal, "iam:ListUsers", "*", context)
    assert denied.decision == "implicitDeny"
    assert denied.message.endswith(
        "because no permissions boundary allows the iam:ListUsers action"
    )


def test_group_policies_apply_to_members(alice):
    from accounts.services.groups import group_create, group_member_add

    group = group_create(actor=system_actor(), account=alice.account, name="Readers")
    attachments.inline_policy_put(
        actor=system_actor(), identity=group, name="read", document=_doc(_allow("mq:Describe*"))
    )
    principal = principal_for_user(alice)
    broker = f"arn:aws:mq:us-east-1:{ACCOUNT}:broker:orders:b-1"
    assert not authorize(principal, "mq:DescribeBroker", broker, request_context(principal)).allowed
    group_member_add(actor=system_actor(), group=group, user=alice)
    assert authorize(principal, "mq:DescribeBroker", broker, request_context(principal)).allowed


def test_tag_conditions_use_principal_and_resource_tags(alice, account):
    _grant(
        alice,
        _allow(
            "mq:RebootBroker",
            "arn:aws:mq:*:*:broker:*:*",
            condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
        ),
    )
    principal = principal_for_user(alice)
    ours = BrokerFactory(account=account, tags={"team": "payments"}).arn
    theirs = BrokerFactory(account=account, tags={"team": "iot"}).arn
    context = request_context(principal)
    assert authorize(principal, "mq:RebootBroker", ours, context).allowed
    assert not authorize(principal, "mq:RebootBroker", theirs, context).allowed


def test_a_caller_cannot_claim_a_resource_tag(alice, account):
    """The resource side comes from the resource itself, whatever the caller's context says."""
    _grant(
        alice,
        _allow(
            "mq:RebootBroker",
            "*",
            condition={"StringEquals": {"aws:ResourceTag/team": "payments"}},
        ),
    )
    principal = principal_for_user(alice)
    theirs = BrokerFactory(account=account, tags={"team": "iot"}).arn
    claimed = {**request_context(principal), "aws:ResourceTag/team": "payments"}
    assert not authorize(principal, "mq:RebootBroker", theirs, claimed).allowed


def test_root_may_do_everything_in_its_own_account_only(client, account):
    RootUserFactory(account=account, email="root@acme.example")
    client.post(
        "/signin", {"as": "root", "email": "root@acme.example", "password": "Root-Passw0rd"}
    )
    assert client.get("/audit").status_code == 200
    from accounts.principals import principal_for_root

    root = principal_for_root(account.root_user)
    other = "arn:aws:mq:us-east-1:999988887777:broker:x:b-1"
    assert not authorize(root, "mq:DescribeBroker", other, request_context(root)).allowed


def _role(account, trust_principal, name="Auditor"):
    role = roles.role_create(
        actor=system_actor(),
        account=account,
        name=name,
        trust_policy=_doc(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": trust_principal}}
        ),
    )
    attachments.inline_policy_put(
        actor=system_actor(),
        identity=role,
        name="audit",
        document=_doc(_allow("cloudtrail:LookupEvents")),
    )
    return role


def test_switch_role_named_in_trust_policy_then_back(client, alice):
    role = _role(alice.account, ALICE)
    _sign_in(client)
    assert client.get("/audit").status_code == 403
    response = client.post(
        "/switch-role", {"account": "acme", "role_name": "auditor", "color": "green"}
    )
    assert response.status_code == 302, response.content
    page = client.get("/audit")
    assert page.status_code == 200
    assert f"assumed-role/{role.name}/alice".encode() in page.content
    client.post("/switch-role/back")
    assert client.get("/audit").status_code == 403
    event = AuditEvent.objects.get(action="sts:AssumeRole")
    assert event.principal_arn == ALICE and event.resource_arn == role.arn


def test_trust_naming_the_account_also_needs_an_identity_allow(client, alice):
    _role(alice.account, f"arn:aws:iam::{ACCOUNT}:root")
    _sign_in(client)
    response = client.post(
        "/switch-role", {"account": ACCOUNT, "role_name": "Auditor", "color": "blue"}
    )
    assert response.status_code == 403
    assert b"sts:AssumeRole" in response.content
    _grant(alice, _allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/*"))
    response = client.post(
        "/switch-role", {"account": ACCOUNT, "role_name": "Auditor", "color": "blue"}
    )
    assert response.status_code == 302


def test_trust_policy_naming_someone_else_denies(alice):
    role = _role(alice.account, f"arn:aws:iam::{ACCOUNT}:user/bob")
    _grant(alice, _allow("sts:AssumeRole"))
    principal = principal_for_user(alice)
    with pytest.raises(Exception) as exc:
        sts.assume_role(
            actor=system_actor(),
            caller=principal,
            role=role,
            session_name="s1",
            context=request_context(principal),
        )
    assert getattr(exc.value, "code", "") == "AccessDenied"


def test_role_session_with_session_policy_is_limited_by_it(alice):
    role = _role(alice.account, ALICE)
    attachments.inline_policy_put(
        actor=system_actor(), identity=role, name="mq", document=_doc(_allow("mq:*"))
    )
    principal = principal_for_user(alice)
    new = sts.assume_role(
        actor=system_actor(),
        caller=principal,
        role=role,
        session_name="limited",
        context=request_context(principal),
        session_policy=json.dumps(_doc(_allow("mq:List*"))),
    )
    session = principal_for_role_session(new.session)
    assert session.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/Auditor/limited"
    context = request_context(session)
    assert authorize(session, "mq:ListBrokers", "*", context).allowed
    denied = authorize(session, "mq:CreateBroker", "*", context)
    assert not denied.allowed
    assert denied.message.endswith("because no session policy allows the mq:CreateBroker action")


def test_root_cannot_assume_roles(account):
    from accounts.principals import principal_for_root

    RootUserFactory(account=account)
    role = _role(account, f"arn:aws:iam::{ACCOUNT}:root")
    root = principal_for_root(account.root_user)
    with pytest.raises(Exception, match="Roles may not be assumed by root accounts"):
        sts.assume_role(
            actor=system_actor(),
            caller=root,
            role=role,
            session_name="x1",
            context=request_context(root),
        )


def test_session_duration_limits(alice):
    role = _role(alice.account, ALICE)
    principal = principal_for_user(alice)
    for bad in (899, 3601):
        with pytest.raises(Exception, match="DurationSeconds"):
            sts.assume_role(
                actor=system_actor(),
                caller=principal,
                role=role,
                session_name="s1",
                context=request_context(principal),
                duration_s=bad,
            )
