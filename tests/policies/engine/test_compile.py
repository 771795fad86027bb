"""Compile once, evaluate many: content-hash caches and lazy compilation."""

from __future__ import annotations

import copy

import pytest

from policies.engine import (
    CompiledPolicySet,
    PolicyError,
    PolicySet,
    Request,
    clear_caches,
    compile_policy,
    compile_policy_set,
    evaluate,
    parse,
)
from policies.engine import compile as compile_module

USER = "arn:aws:iam::111122223333:user/alice"
BROKER = "arn:aws:mq:us-east-1:111122223333:broker:orders:b-1"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "mq:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "true"}},
        },
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
    ],
}
REQUEST = Request(USER, "mq:RebootBroker", BROKER, {"aws:SecureTransport": "true"})


@pytest.fixture(autouse=True)
def fresh_caches():
    clear_caches()
    yield
    clear_caches()


def test_equal_content_compiles_once(monkeypatch):
    calls = []
    real = compile_module.parse_document
    monkeypatch.setattr(
        compile_module, "parse_document", lambda d, h: calls.append(1) or real(d, h)
    )
    first = compile_policy(POLICY)
    second = compile_policy(copy.deepcopy(POLICY))
    assert first is second and len(calls) == 1
    assert compile_policy(parse(POLICY)) is first


def test_a_cached_policy_set_is_not_reparsed(monkeypatch):
    evaluate(REQUEST, PolicySet(identity=(POLICY,)))

    def forbidden(*_args):
        raise AssertionError("parsed again")

    monkeypatch.setattr(compile_module, "parse_document", forbidden)
    again = PolicySet(identity=(copy.deepcopy(POLICY),))
    assert evaluate(REQUEST, again).value == "allowed"
    assert compile_policy_set(again) is compile_policy_set(PolicySet(identity=(POLICY,)))


def test_compiled_sets_evaluate_directly():
    compiled = compile_policy_set(PolicySet(identity=(POLICY,)))
    assert isinstance(compiled, CompiledPolicySet)
    assert evaluate(REQUEST, compiled).value == "allowed"
    denied = Request(USER, "iam:GetUser", "*", {})
    assert evaluate(denied, compiled).value == "explicitDeny"


def test_action_index_and_lazy_statements():
    compiled = compile_policy(POLICY)
    assert compiled._compiled == [None, None]  # nothing compiled before first use
    matched = compiled.for_action("mq:rebootbroker")
    assert [s.statement.index for s in matched] == [0]
    assert compiled._compiled[1] is None  # the iam:* statement was never needed
    assert compiled.for_action("mq:rebootbroker") is matched
    assert matched[0]._conditions is None  # conditions compile on first evaluation
    evaluate(REQUEST, compile_policy_set(PolicySet(identity=(POLICY,))))
    assert matched[0]._conditions is not None


def test_errors_name_the_layer():
    bad = {"Statement": [{"Effect": "Allow", "Action": "*"}, {"Effect": "Perhaps"}]}
    cases = {
        "identity_policies[1].Statement[1].Effect": PolicySet(identity=(POLICY, bad)),
        "permissions_boundary.Statement[1].Effect": PolicySet(boundary=bad),
        "session_policy.Statement[1].Effect": PolicySet(session=bad),
        "scps[1][0].Statement[1].Effect": PolicySet(scps=((POLICY,), (bad,))),
        "rcps[0][0].Statement[1].Effect": PolicySet(rcps=((bad,),)),
        "resource_policy.Statement[1].Effect": PolicySet(resource=bad),
    }
    for path, policies in cases.items():
        with pytest.raises(PolicyError) as info:
            evaluate(REQUEST, policies)
        assert info.value.path == path
    with pytest.raises(PolicyError) as info:
        evaluate(REQUEST, PolicySet(identity=("{not json",)))
    assert info.value.path == "identity_policies[0]"


def test_memo_does_not_leak_between_resources():
    policy = {"Statement": {"Effect": "Allow", "Action": "*", "NotResource": BROKER}}
    compiled = compile_policy_set(PolicySet(identity=(policy,)))
    other = BROKER.replace("orders", "events")
    for _ in range(2):
        assert evaluate(REQUEST, compiled).value == "implicitDeny"
        assert evaluate(Request(USER, "mq:RebootBroker", other, {}), compiled).value == "allowed"
