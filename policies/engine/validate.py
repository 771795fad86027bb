"""``validate(document, kind)``: the validator's public entry point (see ``validation``)."""

from policies.engine.validation import (
    KINDS,
    MAX_DOCUMENT_LENGTH,
    Finding,
    Locator,
    Severity,
    locate,
    policy_size,
    size_limit,
    validate,
    validate_text,
)

__all__ = [
    "KINDS",
    "MAX_DOCUMENT_LENGTH",
    "Finding",
    "Locator",
    "Severity",
    "locate",
    "policy_size",
    "size_limit",
    "validate",
    "validate_text",
]
