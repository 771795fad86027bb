"""The parity test's own logic on hand-made decisions: what counts as a mismatch, the oracle."""

from __future__ import annotations

from tests.security.parity_checks import (
    Decision,
    Observation,
    interface_mismatches,
    oracle_context,
    response_mismatches,
)
from tests.security.parity_registry import Operation

USER = "arn:aws:iam::111122223333:user/target"
FENCE = "arn:aws:iam::111122223333:policy/fence"
FACTS = {USER: {"tags": {"protected": "true"}, "iam": True, "boundary": FENCE}}


def decision(interface: str, action: str, verdict: str, **context) -> Decision:
    return Decision(
        "tag", interface, f"{interface} op", action, USER, verdict, tuple(sorted(context.items()))
    )


def test_one_triple_decided_two_ways_is_one_mismatch():
    allowed = decision("rest", "iam:GetUser", "allowed")
    denied = decision("query", "iam:GetUser", "explicitDeny")
    other = decision("query", "iam:ListUserTags", "explicitDeny")
    observations = [
        Observation("tag", Operation("rest", "r", "GET", "/"), 200, False, decisions=[allowed]),
        Observation(
            "tag", Operation("query", "q", "POST", "/"), 403, True, decisions=[denied, other]
        ),
    ]
    assert interface_mismatches(observations) == [[allowed, denied]]


def test_the_oracle_gives_the_resource_keys_the_catalog_lists_for_the_action():
    get_user = oracle_context(decision("rest", "iam:GetUser", "allowed"), FACTS)
    assert get_user["aws:ResourceTag/protected"] == "true"
    assert get_user["iam:ResourceTag/protected"] == "true"
    assert "iam:PermissionsBoundary" not in get_user  # GetUser is not filtered by it
    put_policy = oracle_context(decision("rest", "iam:PutUserPolicy", "allowed"), FACTS)
    assert put_policy["iam:PermissionsBoundary"] == FENCE


def test_the_oracle_replaces_what_the_interface_sent_about_the_resource_only():
    sent = decision(
        "console",
        "iam:GetUser",
        "allowed",
        **{"aws:MultiFactorAuthPresent": "false", "iam:PermissionsBoundary": FENCE},
    )
    context = oracle_context(sent, FACTS)
    assert context["aws:MultiFactorAuthPresent"] == "false"  # the call's own key is kept
    assert "iam:PermissionsBoundary" not in context  # a key AWS would not send is dropped


def test_a_requested_boundary_is_the_request_s_own():
    other = "arn:aws:iam::111122223333:policy/other"
    sent = decision("query", "iam:PutUserPermissionsBoundary", "allowed")
    sent = Decision(*[*vars(sent).values()][:6], (("iam:PermissionsBoundary", other),))
    assert oracle_context(sent, FACTS)["iam:PermissionsBoundary"] == other


def test_a_denied_primary_action_must_answer_a_denial():
    operation = Operation("query", "query iam:GetUser", "POST", "/", primary="iam:GetUser")
    denied = decision("query", "iam:GetUser", "explicitDeny")
    answered_ok = Observation("tag", operation, 200, False, decisions=[denied])
    answered_403 = Observation("tag", operation, 403, True, decisions=[denied])
    unshaped_403 = Observation("tag", operation, 403, False, decisions=[denied])
    assert [r[-1] for r in response_mismatches([answered_ok], {})] == [
        "explicitDeny: primary action denied, answered 200"
    ]
    assert response_mismatches([answered_403], {}) == []
    assert "shape" in response_mismatches([unshaped_403], {})[0][-1]


def test_a_403_without_any_denial_is_a_mismatch_unless_a_documented_rule():
    operation = Operation("rest", "rest POST /x", "POST", "/x")
    refused = Observation("control", operation, 403, True, decisions=[])
    assert response_mismatches([refused], {})[0][-1] == "none: 403 without a denial by the seam"
    assert response_mismatches([refused], {"rest POST /x": "owner only"}) == []


def _fake_world():
    from types import SimpleNamespace as Fake

    arn = "arn:aws:iam::111122223333:"
    return Fake(
        target=Fake(name="target", arn=arn + "user/target"),
        group=Fake(name="target-group"),
        role=Fake(name="target-role", arn=arn + "role/target-role", trust_policy="{}"),
        policy=Fake(
            arn=arn + "policy/target-policy",
            unique_id="ANPAAAAAAAAAAAAAAAAAA",
            name="target-policy",
        ),
        fence=Fake(arn=FENCE),
        broker=Fake(arn="arn:aws:mq:us-east-1:111122223333:broker:b:b-1", broker_id="b-1"),
        configuration=Fake(configuration_id="c-1"),
        target_key_id="AKIAAAAAAAAAAAAAAAAA",
        session_key_id="ASIAAAAAAAAAAAAAAAAA",
        request_id="ar-1",
    )


def test_a_new_query_operation_without_world_values_is_reported_unbuilt(monkeypatch):
    from accounts.query_api import registry
    from tests.security.parity_registry import query_api

    monkeypatch.setitem(registry.OPERATIONS, ("iam", "UploadSSHPublicKey"), lambda call: {})
    _operations, unbuilt = query_api(_fake_world())
    assert "SSHPublicKeyBody" in unbuilt["query iam:UploadSSHPublicKey"]


def test_a_route_with_an_unknown_parameter_is_unbuildable():
    import pytest

    from tests.security.parity_registry import Unbuildable, fill

    world = _fake_world()
    assert fill("users/<str:name>/edit", world) == "/users/target/edit"
    assert fill("roles/<str:name>", world) == "/roles/target-role"
    with pytest.raises(Unbuildable, match="widget_id"):
        fill("widgets/<str:widget_id>", world)
