"""Evaluation rules, one documented rule per row (IAM User Guide, policy evaluation logic)."""

from __future__ import annotations

from typing import Any

import pytest

from policies.engine import PolicySet, Request, evaluate

A = "111122223333"  # the caller's account
B = "444455556666"  # another account
USER = f"arn:aws:iam::{A}:user/alice"
USER_ID = "AIDAEXAMPLEALICE0001"
ROOT = f"arn:aws:iam::{A}:root"
ROLE = f"arn:aws:iam::{A}:role/ops/BrokerAdmin"
ROLE_ID = "AROAEXAMPLEROLE00001"
SESSION = f"arn:aws:sts::{A}:assumed-role/BrokerAdmin/alice-cli"
SLR = f"arn:aws:iam::{A}:role/aws-service-role/mq.amazonaws.com/AWSServiceRoleForAmazonMQ"
SLR_SESSION = f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForAmazonMQ/mq"
OTHER_SESSION = f"arn:aws:sts::{B}:assumed-role/Auditor/bob"
OTHER_ROLE = f"arn:aws:iam::{B}:role/Auditor"
OTHER_ROOT = f"arn:aws:iam::{B}:root"
BROKER = f"arn:aws:mq:us-east-1:{A}:broker:orders:b-1234"
REMOTE_BROKER = f"arn:aws:mq:us-east-1:{B}:broker:shared:b-9999"
ACTION = "mq:RebootBroker"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any = ACTION, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any = ACTION, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def grant(principal: Any, effect: str = "Allow", **extra: Any) -> dict[str, Any]:
    """A resource-policy statement naming ``principal`` (a string = an AWS principal)."""
    spec = principal if isinstance(principal, dict) or principal == "*" else {"AWS": principal}
    return {"Effect": effect, "Principal": spec, "Action": ACTION, "Resource": "*", **extra}


def context_for(principal: str) -> dict[str, Any]:
    """The request context AWS would send for ``principal`` (taken literally by the engine)."""
    account = principal.split(":")[4]
    ctx: dict[str, Any] = {"aws:PrincipalAccount": account, "aws:SecureTransport": "true"}
    if principal == USER:
        ctx.update({"aws:username": "alice", "aws:userid": USER_ID, "aws:PrincipalArn": USER})
    elif principal == SESSION:
        ctx.update({"aws:userid": f"{ROLE_ID}:alice-cli", "aws:PrincipalArn": ROLE})
    elif principal == SLR_SESSION:
        ctx.update({"aws:PrincipalArn": SLR})
    elif principal == OTHER_SESSION:
        ctx.update({"aws:PrincipalArn": OTHER_ROLE})
    else:
        ctx.update({"aws:PrincipalArn": principal})
    return ctx


def decide(
    principal: str = USER,
    resource: str = BROKER,
    *,
    action: str = ACTION,
    context: dict[str, Any] | None = None,
    identity: tuple[dict[str, Any], ...] = (),
    boundary: dict[str, Any] | None = None,
    session: dict[str, Any] | None = None,
    scps: tuple[tuple[dict[str, Any], ...], ...] = (),
    rcps: tuple[tuple[dict[str, Any], ...], ...] = (),
    resource_policy: dict[str, Any] | None = None,
) -> str:
    request = Request(principal, action, resource, context or context_for(principal))
    policies = PolicySet(identity, boundary, session, scps, rcps, resource_policy)
    return evaluate(request, policies).value


ALLOW_ALL = doc(allow("*"))
ALLOW_MQ = doc(allow("mq:*"))
ALLOW_LIST = doc(allow("mq:List*"))


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        pytest.param({}, "implicitDeny", id="default-deny"),
        pytest.param({"identity": (ALLOW_MQ,)}, "allowed", id="identity-allow"),
        pytest.param({"identity": (ALLOW_LIST,)}, "implicitDeny", id="identity-other-action"),
        pytest.param(
            {"identity": (doc(allow(), deny()),)}, "explicitDeny", id="deny-beats-allow-same-doc"
        ),
        pytest.param(
            {"identity": (ALLOW_ALL, doc(deny("mq:Reboot*")))},
            "explicitDeny",
            id="deny-in-another-policy",
        ),
        pytest.param(
            {"identity": (doc(deny("mq:Delete*")), ALLOW_MQ)}, "allowed", id="deny-other-action"
        ),
        pytest.param(
            {"identity": (doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),)},
            "allowed",
            id="allow-notaction",
        ),
        pytest.param(
            {"identity": (doc({"Effect": "Allow", "NotAction": "mq:*", "Resource": "*"}),)},
            "implicitDeny",
            id="allow-notaction-excludes",
        ),
        pytest.param(
            {
                "identity": (
                    ALLOW_ALL,
                    doc({"Effect": "Deny", "NotAction": "mq:Describe*", "Resource": "*"}),
                )
            },
            "explicitDeny",
            id="deny-notaction",
        ),
        pytest.param({"identity": (doc(allow()),)}, "allowed", id="resource-star"),
        pytest.param(
            {"identity": (doc(allow(resource=f"arn:aws:mq:*:{A}:configuration:*")),)},
            "implicitDeny",
            id="resource-mismatch",
        ),
        pytest.param(
            {
                "identity": (
                    doc({"Effect": "Allow", "Action": ACTION, "NotResource": REMOTE_BROKER}),
                )
            },
            "allowed",
            id="allow-notresource",
        ),
        pytest.param(
            {
                "identity": (
                    ALLOW_ALL,
                    doc({"Effect": "Deny", "Action": "*", "NotResource": BROKER}),
                )
            },
            "allowed",
            id="deny-notresource-spares-listed",
        ),
    ],
)
def test_identity_policies(layers, expected):
    assert decide(**layers) == expected


@pytest.mark.parametrize(
    ("principal", "layers", "expected"),
    [
        pytest.param(USER, {"identity": (ALLOW_MQ,), "boundary": ALLOW_MQ}, "allowed", id="both"),
        pytest.param(
            USER,
            {"identity": (ALLOW_MQ,), "boundary": ALLOW_LIST},
            "implicitDeny",
            id="boundary-no",
        ),
        pytest.param(USER, {"boundary": ALLOW_ALL}, "implicitDeny", id="boundary-never-grants"),
        pytest.param(
            USER,
            {"identity": (ALLOW_ALL,), "boundary": doc(allow("*"), deny())},
            "explicitDeny",
            id="boundary-deny",
        ),
        pytest.param(
            SESSION,
            {"identity": (ALLOW_MQ,), "boundary": ALLOW_LIST},
            "implicitDeny",
            id="role-boundary-no",
        ),
        pytest.param(
            SESSION, {"identity": (ALLOW_MQ,), "session": ALLOW_MQ}, "allowed", id="session-both"
        ),
        pytest.param(
            SESSION,
            {"identity": (ALLOW_MQ,), "session": ALLOW_LIST},
            "implicitDeny",
            id="session-policy-limits",
        ),
        pytest.param(SESSION, {"session": ALLOW_ALL}, "implicitDeny", id="session-never-grants"),
        pytest.param(
            SESSION,
            {"identity": (ALLOW_ALL,), "session": doc(allow("*"), deny())},
            "explicitDeny",
            id="session-deny",
        ),
        pytest.param(
            SESSION,
            {"identity": (ALLOW_MQ,), "boundary": ALLOW_MQ, "session": ALLOW_MQ},
            "allowed",
            id="identity-boundary-session",
        ),
        pytest.param(
            USER,
            {"identity": (ALLOW_MQ,), "session": ALLOW_LIST},
            "allowed",
            id="session-policy-ignored-for-iam-user",
        ),
    ],
)
def test_boundary_and_session_policies(principal, layers, expected):
    assert decide(principal, **layers) == expected


@pytest.mark.parametrize(
    ("scps", "expected"),
    [
        pytest.param((), "allowed", id="no-organizations"),
        pytest.param(((ALLOW_ALL,),), "allowed", id="one-level-allows"),
        pytest.param(((ALLOW_LIST,),), "implicitDeny", id="one-level-no-allow"),
        pytest.param(((),), "implicitDeny", id="empty-level-denies"),
        pytest.param(((ALLOW_ALL,), (ALLOW_MQ,), (ALLOW_ALL,)), "allowed", id="every-level"),
        pytest.param(((ALLOW_ALL,), (ALLOW_LIST,), (ALLOW_ALL,)), "implicitDeny", id="one-miss"),
        pytest.param(((ALLOW_ALL, ALLOW_LIST),), "allowed", id="any-policy-of-level"),
        pytest.param(((ALLOW_ALL, doc(deny("mq:*"))),), "explicitDeny", id="scp-deny"),
        pytest.param(
            (
                (ALLOW_ALL,),
                (doc(allow("*"), {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}),),
            ),
            "explicitDeny",
            id="scp-deny-notaction",
        ),
    ],
)
def test_service_control_policies(scps, expected):
    assert decide(identity=(ALLOW_ALL,), scps=scps) == expected


def test_scp_allow_never_grants():
    assert decide(scps=((ALLOW_ALL,),)) == "implicitDeny"


@pytest.mark.parametrize(
    ("rcps", "expected"),
    [
        pytest.param((), "allowed", id="none"),
        pytest.param(((ALLOW_LIST,),), "allowed", id="implied-allow-all"),
        pytest.param(((),), "allowed", id="empty-level-implied-allow-all"),
        pytest.param(((doc(dict(deny(), Principal="*")),),), "explicitDeny", id="rcp-deny"),
        pytest.param(
            ((), (doc(dict(deny("mq:Reb*"), Principal="*")),)), "explicitDeny", id="second-level"
        ),
        pytest.param(
            (
                (
                    doc(
                        dict(
                            deny(),
                            Principal="*",
                            Condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"}},
                        )
                    ),
                ),
            ),
            "explicitDeny",
            id="rcp-deny-outside-org",
        ),
    ],
)
def test_resource_control_policies(rcps, expected):
    assert decide(identity=(ALLOW_ALL,), rcps=rcps) == expected


def test_rcp_condition_exempting_org_member():
    rcp = doc(
        dict(deny(), Principal="*", Condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-1"}})
    )
    ctx = context_for(USER) | {"aws:PrincipalOrgID": "o-1"}
    assert decide(context=ctx, identity=(ALLOW_ALL,), rcps=((rcp,),)) == "allowed"


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        pytest.param({}, "allowed", id="root-may-do-everything"),
        pytest.param({"identity": (doc(deny()),)}, "allowed", id="root-has-no-identity-policy"),
        pytest.param({"scps": ((doc(deny("*")),),)}, "explicitDeny", id="root-scp-deny"),
        pytest.param({"scps": ((ALLOW_LIST,),)}, "implicitDeny", id="root-scp-no-allow"),
        pytest.param({"scps": ((ALLOW_ALL,),)}, "allowed", id="root-scp-allows"),
        pytest.param(
            {"rcps": ((doc(dict(deny(), Principal="*")),),)}, "explicitDeny", id="root-rcp-deny"
        ),
        pytest.param(
            {"resource_policy": doc(grant(A, "Deny"))}, "explicitDeny", id="root-resource-deny"
        ),
        pytest.param(
            {"resource_policy": doc(grant(USER, "Deny"))}, "allowed", id="deny-names-other"
        ),
    ],
)
def test_root_user_same_account(layers, expected):
    assert decide(ROOT, **layers) == expected


@pytest.mark.parametrize(
    ("resource_policy", "expected"),
    [
        pytest.param(None, "implicitDeny", id="no-resource-policy"),
        pytest.param(doc(grant(A)), "allowed", id="account-named"),
        pytest.param(doc(grant(ROOT)), "allowed", id="root-arn-named"),
        pytest.param(doc(grant("*")), "allowed", id="everyone"),
        pytest.param(doc(grant(B)), "implicitDeny", id="other-account"),
    ],
)
def test_root_user_cross_account(resource_policy, expected):
    assert decide(ROOT, REMOTE_BROKER, resource_policy=resource_policy) == expected


@pytest.mark.parametrize(
    ("principal", "named", "layers", "expected"),
    [
        # A grant naming the principal itself allows despite implicit denies elsewhere.
        pytest.param(USER, USER, {}, "allowed", id="user-arn"),
        pytest.param(USER, USER, {"boundary": ALLOW_LIST}, "allowed", id="user-arn-boundary"),
        pytest.param(USER, USER_ID, {}, "allowed", id="user-unique-id"),
        pytest.param(USER, "*", {}, "allowed", id="star"),
        pytest.param(USER, {"AWS": "*"}, {}, "allowed", id="aws-star"),
        pytest.param(SESSION, SESSION, {}, "allowed", id="session-arn"),
        pytest.param(
            SESSION, SESSION, {"session": ALLOW_LIST}, "allowed", id="session-arn-session-policy"
        ),
        pytest.param(SESSION, SESSION, {"boundary": ALLOW_LIST}, "allowed", id="session-boundary"),
        # A grant naming the role substitutes for identity policies; boundary/session limit.
        pytest.param(SESSION, ROLE, {}, "allowed", id="role-arn"),
        pytest.param(SESSION, ROLE_ID, {}, "allowed", id="role-unique-id"),
        pytest.param(SESSION, ROLE, {"boundary": ALLOW_LIST}, "implicitDeny", id="role-boundary"),
        pytest.param(SESSION, ROLE, {"session": ALLOW_LIST}, "implicitDeny", id="role-session-no"),
        pytest.param(SESSION, ROLE, {"session": ALLOW_MQ}, "allowed", id="role-session-yes"),
        pytest.param(SESSION, ROLE, {"boundary": ALLOW_MQ}, "allowed", id="role-boundary-yes"),
        # Naming the account delegates to IAM: identity policies must allow.
        pytest.param(USER, A, {}, "implicitDeny", id="account-id"),
        pytest.param(USER, ROOT, {}, "implicitDeny", id="account-root-arn"),
        pytest.param(SESSION, A, {}, "implicitDeny", id="account-for-session"),
        pytest.param(USER, A, {"identity": (ALLOW_MQ,)}, "allowed", id="account-plus-identity"),
        pytest.param(
            USER,
            A,
            {"identity": (ALLOW_MQ,), "boundary": ALLOW_LIST},
            "implicitDeny",
            id="account-identity-boundary-no",
        ),
        # Grants to somebody else do nothing.
        pytest.param(USER, f"arn:aws:iam::{A}:user/bob", {}, "implicitDeny", id="other-user"),
        pytest.param(
            SESSION,
            f"arn:aws:iam::{A}:role/BrokerAdmin",
            {},
            "implicitDeny",
            id="role-arn-without-path",
        ),
        pytest.param(USER, B, {}, "implicitDeny", id="other-account"),
        pytest.param(USER, {"Service": "mq.amazonaws.com"}, {}, "implicitDeny", id="service"),
    ],
)
def test_resource_policy_same_account(principal, named, layers, expected):
    assert decide(principal, resource_policy=doc(grant(named)), **layers) == expected


def test_resource_policy_grant_is_limited_by_scp():
    policy = doc(grant(USER))
    assert decide(USER, resource_policy=policy, scps=((ALLOW_LIST,),)) == "implicitDeny"


def test_resource_policy_grant_loses_to_identity_deny():
    policy = doc(grant(USER))
    assert decide(USER, resource_policy=policy, identity=(doc(deny()),)) == "explicitDeny"


def test_resource_policy_statement_needs_matching_action_and_resource():
    other = doc(dict(grant(USER), Action="mq:List*"))
    assert decide(USER, resource_policy=other) == "implicitDeny"
    elsewhere = doc(dict(grant(USER), Resource=f"arn:aws:mq:*:{A}:configuration:*"))
    assert decide(USER, resource_policy=elsewhere) == "implicitDeny"


def test_resource_policy_without_principal_grants_nothing():
    assert decide(USER, resource_policy=doc(allow())) == "implicitDeny"


@pytest.mark.parametrize(
    ("principal", "named", "expected"),
    [
        pytest.param(USER, USER, "explicitDeny", id="user"),
        pytest.param(USER, A, "explicitDeny", id="account-covers-users"),
        pytest.param(USER, ROOT, "explicitDeny", id="root-arn-covers-users"),
        pytest.param(SESSION, A, "explicitDeny", id="account-covers-sessions"),
        pytest.param(SESSION, ROLE, "explicitDeny", id="role-covers-sessions"),
        pytest.param(SESSION, SESSION, "explicitDeny", id="session"),
        pytest.param(USER, "*", "explicitDeny", id="everyone"),
        pytest.param(USER, f"arn:aws:iam::{A}:user/bob", "allowed", id="other-user"),
        pytest.param(USER, B, "allowed", id="other-account"),
        pytest.param(
            SESSION,
            f"arn:aws:sts::{A}:assumed-role/BrokerAdmin/x",
            "allowed",
            id="other-session-same-role",
        ),
    ],
)
def test_resource_policy_deny_applies_to_named_principals(principal, named, expected):
    policy = doc(grant(named, "Deny"))
    assert decide(principal, identity=(ALLOW_ALL,), resource_policy=policy) == expected


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        pytest.param({"identity": (ALLOW_ALL,)}, "implicitDeny", id="identity-alone"),
        pytest.param(
            {"resource_policy": doc(grant(OTHER_SESSION))}, "implicitDeny", id="resource-alone"
        ),
        pytest.param(
            {"identity": (ALLOW_ALL,), "resource_policy": doc(grant(B))}, "allowed", id="account"
        ),
        pytest.param(
            {"identity": (ALLOW_ALL,), "resource_policy": doc(grant(OTHER_ROOT))},
            "allowed",
            id="account-root-arn",
        ),
        pytest.param(
            {"identity": (ALLOW_ALL,), "resource_policy": doc(grant(OTHER_ROLE))},
            "allowed",
            id="role",
        ),
        pytest.param(
            {"identity": (ALLOW_ALL,), "resource_policy": doc(grant(OTHER_SESSION))},
            "allowed",
            id="session",
        ),
        pytest.param(
            {"identity": (ALLOW_ALL,), "resource_policy": doc(grant("*"))}, "allowed", id="star"
        ),
        pytest.param(
            {"identity": (ALLOW_ALL,), "resource_policy": doc(grant(A))},
            "implicitDeny",
            id="resource-owner-account-only",
        ),
        pytest.param(
            {"identity": (ALLOW_LIST,), "resource_policy": doc(grant(B))},
            "implicitDeny",
            id="identity-other-action",
        ),
        pytest.param(
            {"identity": (ALLOW_ALL,), "boundary": ALLOW_LIST, "resource_policy": doc(grant(B))},
            "implicitDeny",
            id="boundary-limits-caller",
        ),
        pytest.param(
            {"identity": (ALLOW_ALL,), "session": ALLOW_LIST, "resource_policy": doc(grant(B))},
            "implicitDeny",
            id="session-policy-limits-caller",
        ),
        pytest.param(
            {"identity": (ALLOW_ALL,), "scps": ((ALLOW_LIST,),), "resource_policy": doc(grant(B))},
            "implicitDeny",
            id="caller-scp-limits",
        ),
        pytest.param(
            {
                "identity": (ALLOW_ALL,),
                "rcps": ((doc(dict(deny(), Principal="*")),),),
                "resource_policy": doc(grant(B)),
            },
            "explicitDeny",
            id="resource-owner-rcp-denies",
        ),
        pytest.param(
            {"identity": (ALLOW_ALL,), "resource_policy": doc(grant(B), grant(B, "Deny"))},
            "explicitDeny",
            id="resource-policy-deny",
        ),
    ],
)
def test_cross_account(layers, expected):
    assert decide(OTHER_SESSION, BROKER, **layers) == expected


def test_cross_account_is_read_from_the_resource_arn():
    assert decide(USER, REMOTE_BROKER, identity=(ALLOW_ALL,)) == "implicitDeny"
    iam_arn = f"arn:aws:iam::{B}:user/carol"
    assert decide(USER, iam_arn, action="iam:GetUser", identity=(ALLOW_ALL,)) == "implicitDeny"


@pytest.mark.parametrize(
    "resource", ["*", "arn:aws:s3:::bucket/key", "arn:aws:mq:us-east-1:*:broker:x"]
)
def test_resource_without_account_counts_as_same_account(resource):
    assert decide(USER, resource, identity=(ALLOW_ALL,)) == "allowed"


def test_resource_account_falls_back_to_context_key():
    ctx = context_for(USER) | {"aws:ResourceAccount": B}
    assert decide(USER, "arn:aws:s3:::bucket", context=ctx, identity=(ALLOW_ALL,)) == (
        "implicitDeny"
    )


@pytest.mark.parametrize(
    ("principal", "listed", "expected"),
    [
        # AWS checks the account, then the user (or role, then session): name them all.
        pytest.param(USER, [USER, ROOT], "allowed", id="user-and-account-exempt"),
        pytest.param(USER, [USER, A], "allowed", id="user-and-account-id-exempt"),
        pytest.param(USER, [USER_ID, A], "allowed", id="unique-id-and-account"),
        pytest.param(USER, [USER], "explicitDeny", id="user-without-account-denied"),
        pytest.param(USER, [ROOT], "explicitDeny", id="account-only-exempts-root-only"),
        pytest.param(ROOT, [ROOT], "allowed", id="root-exempt-by-account"),
        pytest.param(SESSION, [SESSION, ROLE, ROOT], "allowed", id="session-role-account"),
        pytest.param(SESSION, [ROLE, ROOT], "allowed", id="role-and-account-cover-sessions"),
        pytest.param(SESSION, [SESSION, ROOT], "explicitDeny", id="session-without-role"),
        pytest.param(SESSION, [SESSION, ROLE], "explicitDeny", id="session-without-account"),
        pytest.param(USER, [f"arn:aws:iam::{A}:user/bob", ROOT], "explicitDeny", id="other"),
        pytest.param(USER, ["*"], "allowed", id="everyone-exempt"),
    ],
)
def test_not_principal_deny(principal, listed, expected):
    policy = doc(
        {"Effect": "Deny", "NotPrincipal": {"AWS": listed}, "Action": "*", "Resource": "*"}
    )
    ident = () if principal == ROOT else (ALLOW_ALL,)
    assert decide(principal, identity=ident, resource_policy=policy) == expected


def test_not_principal_deny_always_denies_principals_with_a_boundary():
    policy = doc(
        {"Effect": "Deny", "NotPrincipal": {"AWS": [USER, ROOT]}, "Action": "*", "Resource": "*"}
    )
    assert decide(USER, identity=(ALLOW_ALL,), resource_policy=policy) == "allowed"
    got = decide(USER, identity=(ALLOW_ALL,), boundary=ALLOW_ALL, resource_policy=policy)
    assert got == "explicitDeny"


def test_not_principal_allow_grants_everyone_not_listed():
    policy = doc(
        {
            "Effect": "Allow",
            "NotPrincipal": {"AWS": f"arn:aws:iam::{A}:user/bob"},
            "Action": "*",
            "Resource": "*",
        }
    )
    assert decide(USER, resource_policy=policy) == "allowed"


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        pytest.param({"identity": (ALLOW_ALL,), "scps": ((ALLOW_LIST,),)}, "allowed", id="scp"),
        pytest.param(
            {"identity": (ALLOW_ALL,), "rcps": ((doc(dict(deny(), Principal="*")),),)},
            "allowed",
            id="rcp",
        ),
        pytest.param(
            {"identity": (ALLOW_ALL,), "scps": ((doc(allow("*"), deny("*")),),)},
            "allowed",
            id="scp-deny",
        ),
    ],
)
def test_service_linked_roles_are_not_restricted_by_organization_policies(layers, expected):
    assert decide(SLR_SESSION, **layers) == expected


def test_service_principal_needs_a_resource_policy():
    service = "mq.amazonaws.com"
    ctx = {"aws:PrincipalServiceName": service}
    assert decide(service, context=ctx, identity=(ALLOW_ALL,)) == "implicitDeny"
    policy = doc(grant({"Service": service}))
    assert decide(service, context=ctx, resource_policy=policy) == "allowed"
    assert decide(service, context=ctx, scps=((ALLOW_LIST,),), resource_policy=policy) == (
        "allowed"
    )


@pytest.mark.parametrize(
    ("action", "resource_element", "expected"),
    [
        pytest.param("mq:ListBrokers", "*", "allowed", id="star-matches-star"),
        pytest.param("mq:ListBrokers", "arn:aws:mq:*", "implicitDeny", id="arn-not-star"),
        pytest.param("mq:ListBrokers", f"arn:aws:mq:*:{A}:broker:*", "implicitDeny", id="broker"),
        pytest.param("mq:CreateBroker", ["arn:aws:mq:*", "*"], "allowed", id="list-with-star"),
    ],
)
def test_actions_without_resource_type_use_star(action, resource_element, expected):
    policy = doc(allow(action, resource_element))
    assert decide(USER, "*", action=action, identity=(policy,)) == expected


def test_not_resource_matches_the_star_resource():
    policy = doc({"Effect": "Allow", "Action": "mq:ListBrokers", "NotResource": "arn:aws:iam::*"})
    assert decide(USER, "*", action="mq:ListBrokers", identity=(policy,)) == "allowed"


def test_role_itself_as_principal_uses_identity_policies():
    assert decide(ROLE, identity=(ALLOW_MQ,)) == "allowed"
    assert decide(ROLE, resource_policy=doc(grant(ROLE))) == "allowed"


def test_federated_user_session_policy_limits():
    fed = f"arn:aws:sts::{A}:federated-user/carol"
    assert decide(fed, identity=(ALLOW_MQ,), session=ALLOW_LIST) == "implicitDeny"
    assert decide(fed, identity=(ALLOW_MQ,), session=ALLOW_MQ) == "allowed"
    # Without a session policy a federated user session has no permissions (AWS's flow chart).
    assert decide(fed, identity=(ALLOW_MQ,)) == "implicitDeny"
    assert decide(fed, resource_policy=doc(grant(fed))) == "allowed"


def test_policies_may_be_json_text_or_parsed():
    from policies.engine import parse

    text = (
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "mq:*", '
        '"Resource": "*"}}'
    )
    request = Request(USER, ACTION, BROKER, context_for(USER))
    assert evaluate(request, PolicySet(identity=(text,))).value == "allowed"
    assert evaluate(request, PolicySet(identity=(parse(text),))).value == "allowed"
