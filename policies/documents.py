"""Reading and checking policy documents before they are stored (the IAM API's rules).

IAM rejects a document with ``MalformedPolicyDocument`` when it breaks the grammar or the
rules of its kind (a Principal in an identity policy, none in a trust policy…), and with
``LimitExceeded`` when it is too large. Everything else the validator finds (unknown actions,
redundant statements…) is advice shown in the editor, not a reason to refuse, exactly as
IAM accepts such policies and IAM Access Analyzer reports them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from accounts.errors import LimitExceeded, MalformedPolicyDocument, ValidationError
from config import jsonsafe
from policies.catalog import get_catalog
from policies.engine import PolicyError, parse
from policies.engine.validate import MAX_DOCUMENT_LENGTH, policy_size, size_limit, validate
from policies.engine.validation.size import size_lower_bound

# Validator codes that IAM itself enforces when a policy is stored.
REJECTED_BY_IAM = frozenset(
    {
        "GRAMMAR_ERROR",
        "JSON_SYNTAX_ERROR",
        "DOCUMENT_TOO_DEEP",
        "INVALID_VERSION",
        "ELEMENT_NOT_SUPPORTED",
        "PRINCIPAL_NOT_ALLOWED",
        "MISSING_PRINCIPAL",
        "INVALID_PRINCIPAL",
        "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
        "MISSING_RESOURCE",
        "RESOURCE_NOT_ALLOWED",
        "DUPLICATE_SID",
        "INVALID_SID",
        "INVALID_ACTION_FORMAT",
        "INVALID_ARN_RESOURCE",
        "INVALID_TRUST_ACTION",
        "INVALID_CONDITION_OPERATOR",
    }
)


def policy_size_of_text(text: str) -> int:
    """The size IAM counts for a stored document (white space excluded)."""
    try:
        return policy_size(jsonsafe.loads(text))
    except ValueError:
        return len(text)


@dataclass(frozen=True)
class CheckedDocument:
    """A document that IAM would accept: its text as written and its parsed JSON."""

    text: str
    data: dict


def document_text(document: str | dict) -> str:
    """The text to store: a string is kept exactly as written; a dict is pretty-printed."""
    if isinstance(document, str):
        return document
    return json.dumps(document, indent=4)


def check_policy_document(
    document: str | dict, *, kind: str, entity: str | None = None, used_size: int = 0
) -> CheckedDocument:
    """Return the document if IAM would store it as ``kind``, else raise AWS's error.

    ``entity`` (user, group, role) selects the inline-policy quota; ``used_size`` is what the
    entity's other inline policies already use, since that quota is a sum per entity.
    """
    text = document_text(document)
    if len(text) > MAX_DOCUMENT_LENGTH:
        # The API's parameter constraint comes before any parsing, as at IAM.
        raise ValidationError(
            "1 validation error detected: Value at 'policyDocument' failed to satisfy "
            f"constraint: Member must have length less than or equal to "
            f"{MAX_DOCUMENT_LENGTH}"
        )
    if jsonsafe.depth(text) > jsonsafe.MAX_DEPTH:
        # Before the size: nesting that deep is malformed whatever its size (and would
        # exhaust the recursion limit of the decoder and of every walk of the result).
        raise MalformedPolicyDocument(
            f"Syntax errors in policy: the policy is nested more than {jsonsafe.MAX_DEPTH} "
            "levels deep."
        )
    limit = size_limit(kind, entity)
    if limit is not None and size_lower_bound(text) + used_size > limit:
        # Over the quota whatever it holds: refused before any parsing or validation work.
        _refuse_size(limit, kind, entity, None)
    if any(not (c in "\t\n\r" or "\x20" <= c <= "\xff") for c in text):
        raise MalformedPolicyDocument(
            "The policy contains characters outside TAB, LF, CR and U+0020-U+00FF."
        )
    try:
        data = jsonsafe.loads(text)
    except ValueError as exc:
        raise MalformedPolicyDocument(f"Syntax errors in policy: {exc}") from exc
    size = policy_size(data) + used_size
    if limit is not None and size > limit:
        # The exact size (json.dumps, C code) is also known before the policy is parsed.
        _refuse_size(limit, kind, entity, size)
    try:
        parse(data)
    except PolicyError as exc:
        raise MalformedPolicyDocument(str(exc), fields={"path": exc.path}) from exc
    findings = validate(data, kind, catalog=get_catalog(), entity=entity)
    for finding in findings:
        if finding.severity == "error" and finding.code in REJECTED_BY_IAM:
            raise MalformedPolicyDocument(
                finding.message, fields={"path": finding.path, "code": finding.code}
            )
    return CheckedDocument(text=text, data=data)


def _refuse_size(limit: int, kind: str, entity: str | None, size: int | None) -> None:
    """Raise AWS's LimitExceeded for a document over its quota (``size`` None: not measured)."""
    if entity and kind == "identity":
        measured = f" (size {size})" if size is not None else ""
        raise LimitExceeded(
            f"Maximum policy size of {limit} bytes exceeded for {entity}{measured}."
        )
    raise LimitExceeded(f"Cannot exceed quota for PolicySize: {limit}")
