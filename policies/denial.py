"""Why a denial happened in words a person can act on: the condition that failed, if any.

A statement whose action, resource and principal all matched but whose condition did not hold
would have decided the request but for that condition; the engine's explanation knows which
test failed and what the request carried, so the 403 page can say what would satisfy it.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.engine.explain import (
    IDENTITY,
    LAYER_PHRASES,
    RESOURCE,
    ConditionResult,
    Explanation,
)

# What a person does to satisfy a condition on a well-known key.
KEY_ADVICE = {
    "aws:multifactorauthpresent": (
        "Sign in with an MFA device: assign one on My security credentials, sign out and sign "
        "in again with a code."
    ),
    "aws:multifactorauthage": "Sign in again with an MFA code: the MFA sign-in is too old.",
    "aws:sourceip": "Send the request from an allowed network address.",
    "aws:securetransport": "Use HTTPS.",
    "aws:requestedregion": "Make the request in an allowed region.",
    "aws:currenttime": "Make the request within the allowed time window.",
    "aws:epochtime": "Make the request within the allowed time window.",
}


@dataclass(frozen=True)
class FailedCondition:
    """One condition test that kept a matching statement from applying."""

    layer: str  # "identity-based policy", "resource-based policy" (a role's trust policy), …
    statement: str  # the Sid, or Statement[n]
    effect: str
    operator: str
    key: str
    values: tuple[str, ...]
    request_value: str | None  # what the request carried, None when the key was absent
    advice: str

    @property
    def expected(self) -> str:
        """``aws:MultiFactorAuthPresent Bool true`` as the policy says it."""
        return f"{self.key} {self.operator} {', '.join(self.values)}"


def _layer_phrase(layer: str, action: str) -> str:
    if layer == RESOURCE and action.lower().startswith("sts:assumerole"):
        return "role's trust policy"
    return LAYER_PHRASES.get(layer, layer)


def _request_value(condition: ConditionResult) -> str | None:
    value = condition.request_value
    if value is None:
        return None
    if isinstance(value, tuple):
        return ", ".join(value) if value else None
    return str(value)


def _layer_failures(layer, action: str, strength: str = "") -> list[FailedCondition]:
    """Failed conditions of the layer's Allow statements that otherwise matched (``strength``:
    only statements whose Principal names the caller that way, e.g. ``principal`` = itself)."""
    failures: list[FailedCondition] = []
    for statement in layer.statements:
        if strength and statement.principal != strength:
            continue
        matched = (
            statement.effect == "Allow"
            and statement.action
            and statement.resource is not False
            and statement.principal != "none"
            and statement.applies is False
        )
        if not matched:
            continue
        for condition in statement.conditions:
            if condition.outcome is not False:
                continue
            failures.append(
                FailedCondition(
                    layer=_layer_phrase(layer.layer, action),
                    statement=statement.ref.sid or f"Statement[{statement.ref.statement}]",
                    effect=statement.effect,
                    operator=condition.operator,
                    key=condition.key,
                    values=tuple(condition.values),
                    request_value=_request_value(condition),
                    advice=KEY_ADVICE.get(
                        condition.key.lower(),
                        f"Make the request with {condition.key} matching the condition.",
                    ),
                )
            )
    return failures


def failed_conditions(explanation: Explanation | None, action: str = "") -> list[FailedCondition]:
    """Conditions that, once met, would let the request through: the failed conditions of
    Allow statements which otherwise matched, in every layer that did not allow.

    Nothing is reported for an explicit deny, nor when some layer that did not allow has no
    such statement (a condition there would not change the answer: the boundary's condition
    is no help when no identity policy allows the action at all).
    """
    if explanation is None or explanation.decision == "explicitDeny":
        return []
    grants = [layer for layer in explanation.layers if layer.layer in (IDENTITY, RESOURCE)]
    blocking: list[list[FailedCondition]] = []
    if not any(layer.result == "allow" for layer in grants):
        blocking.append([f for layer in grants for f in _layer_failures(layer, action)])
    # In one account, a resource-based policy (a role's trust policy) that names the caller
    # itself grants on its own, whatever the caller's identity policies, boundary or session
    # policy say (AWS's evaluation logic): its failed conditions are what would let it through.
    if explanation.same_account:
        direct = [
            failure
            for layer in grants
            if layer.layer == RESOURCE
            for failure in _layer_failures(layer, action, strength="principal")
        ]
        if direct:
            return direct
    for layer in explanation.layers:
        if layer.layer not in (IDENTITY, RESOURCE) and layer.result == "no allow":
            blocking.append(_layer_failures(layer, action))
    if not blocking:  # e.g. cross-account, where both sides must allow
        blocking = [
            _layer_failures(layer, action)
            for layer in explanation.layers
            if layer.result not in ("allow", "implicit allow", "not applicable")
        ]
    if not all(blocking):
        return []
    return [f for failures in blocking for f in failures]
