"""Why a denial happened in words a person can act on: the condition that failed, if any.

A statement whose action, resource and principal all matched but whose condition did not hold
would have decided the request but for that condition; the engine's explanation knows which
test failed and what the request carried, so the 403 page can say what would satisfy it.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.engine.explain import LAYER_PHRASES, RESOURCE, ConditionResult, Explanation

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


def failed_conditions(explanation: Explanation | None, action: str = "") -> list[FailedCondition]:
    """Conditions that failed in Allow statements which otherwise matched the request.

    Only the ones that matter: a statement whose action, resource or principal did not match
    is not reported, and neither is a denial that a Deny statement decided.
    """
    if explanation is None or explanation.decision == "explicitDeny":
        return []
    failures: list[FailedCondition] = []
    for layer in explanation.layers:
        for statement in layer.statements:
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
