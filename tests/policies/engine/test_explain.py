"""The explanation: per layer, per statement, per condition, and the deciding statements."""

from __future__ import annotations

import json

from policies.engine import PolicySet, Request, evaluate

A = "111122223333"
USER = f"arn:aws:iam::{A}:user/alice"
BROKER = f"arn:aws:mq:us-east-1:{A}:broker:orders:b-1"
ALLOW_MQ = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Mq", "Effect": "Allow", "Action": "mq:*", "Resource": "*"}],
}


def explain(policies: PolicySet, context: dict | None = None, principal: str = USER):
    request = Request(principal, "mq:RebootBroker", BROKER, context or {"aws:username": "alice"})
    decision = evaluate(request, policies)
    return decision, decision.explanation


def test_statement_details():
    identity = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "List", "Effect": "Allow", "Action": "mq:List*", "Resource": "*"},
            {
                "Sid": "Reboot",
                "Effect": "Allow",
                "Action": "mq:RebootBroker",
                "Resource": f"arn:aws:mq:*:{A}:broker:*",
                "Condition": {
                    "StringEquals": {"aws:username": ["alice", "bob"]},
                    "Bool": {"aws:SecureTransport": "true"},
                },
            },
        ],
    }
    decision, why = explain(PolicySet(identity=(identity,)), {"aws:username": "alice"})
    assert decision.value == "implicitDeny"
    assert why.reason == "because no identity-based policy allows the action"
    assert why.message == (
        f"User: {USER} is not authorized to perform: mq:RebootBroker on resource: {BROKER} "
        "because no identity-based policy allows the mq:RebootBroker action"
    )
    (layer,) = why.layers
    assert (layer.layer, layer.level, layer.result) == ("identity", None, "no allow")
    listed, reboot = layer.statements
    assert (listed.ref.sid, listed.action, listed.applies) == ("List", False, False)
    assert (reboot.ref.policy, reboot.ref.statement, reboot.ref.sid) == (0, 1, "Reboot")
    assert reboot.action is True and reboot.resource is True and reboot.principal is None
    results = {(c.operator, c.key): c for c in reboot.conditions}
    username = results[("StringEquals", "aws:username")]
    assert username.values == ("alice", "bob") and username.request_value == "alice"
    assert username.outcome is True
    secure = results[("Bool", "aws:SecureTransport")]
    assert secure.request_value is None and secure.outcome is False
    assert reboot.applies is False


def test_every_layer_is_reported_and_deciding_statements_named():
    deny_scp = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "NoReboot", "Effect": "Deny", "Action": "mq:Reboot*", "Resource": "*"},
        ],
    }
    rcp = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "iam:*", "Resource": "*"}],
    }
    resource = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": A}, "Action": "mq:*", "Resource": "*"}
        ],
    }
    policies = PolicySet(
        identity=(ALLOW_MQ,),
        boundary=ALLOW_MQ,
        scps=((ALLOW_MQ,), (deny_scp,)),
        rcps=((rcp,),),
        resource=resource,
    )
    decision, why = explain(policies)
    assert decision.value == "explicitDeny"
    assert [(x.layer, x.level, x.result) for x in why.layers] == [
        ("identity", None, "allow"),
        ("boundary", None, "allow"),
        ("scp", 0, "allow"),
        ("scp", 1, "deny"),
        ("rcp", 0, "implicit allow"),
        ("resource", None, "allow"),
    ]
    assert [ref.label() for ref in why.deciding] == ["scp[1][0].Statement[1] (NoReboot)"]
    assert why.reason == "with an explicit deny in a service control policy"
    assert why.layers[-1].statements[0].principal == "account"


def test_allowed_names_the_granting_statements():
    decision, why = explain(PolicySet(identity=(ALLOW_MQ,)))
    assert decision.value == "allowed"
    assert [ref.sid for ref in why.deciding] == ["Mq"]
    grant = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Me",
                "Effect": "Allow",
                "Principal": {"AWS": USER},
                "Action": "mq:*",
                "Resource": "*",
            }
        ],
    }
    decision, why = explain(PolicySet(resource=grant))
    assert decision.value == "allowed"
    assert [(r.layer, r.sid) for r in why.deciding] == [("resource", "Me")]
    assert why.reason == "a resource-based policy allows the principal itself"


def test_root_user_layers_not_applicable():
    decision, why = explain(PolicySet(identity=(ALLOW_MQ,)), principal=f"arn:aws:iam::{A}:root")
    assert decision.value == "allowed"
    assert why.principal_kind == "root"
    assert why.layers[0].result == "not applicable"


def test_to_dict_is_json():
    decision, _ = explain(PolicySet(identity=(ALLOW_MQ,), scps=((ALLOW_MQ,),)))
    data = decision.to_dict(explain=True)
    assert data["decision"] == "allowed"
    layers = data["explanation"]["layers"]
    assert layers[0]["statements"][0]["ref"] == {
        "layer": "identity",
        "level": None,
        "policy": 0,
        "statement": 0,
        "sid": "Mq",
    }
    assert json.loads(json.dumps(data)) == data
    assert decision.to_dict() == {"decision": "allowed"}


def test_implicit_deny_reasons():
    cross = "arn:aws:sts::444455556666:assumed-role/Auditor/bob"
    _, why = explain(PolicySet(identity=(ALLOW_MQ,)), principal=cross)
    assert why.reason == "because no resource-based policy allows the action"
    assert not why.same_account
    _, why = explain(PolicySet(identity=(ALLOW_MQ,), boundary={"Statement": []}))
    assert why.reason == "because no permissions boundary allows the action"
