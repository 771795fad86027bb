"""Grammar errors: the engine's ``parse`` is the authority; a minimal walk stands in for it
should ``parse`` fail with anything but ``PolicyError`` (the editor must still get findings).
"""

from __future__ import annotations

import copy
from typing import Any

from policies.engine.errors import PolicyError
from policies.engine.parse import parse
from policies.engine.validation.findings import shown

_STATEMENT_ELEMENTS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)


def grammar_error(document: Any, kind: str) -> PolicyError | None:
    """The first grammar fault of the document, as ``parse`` reports it, or None."""
    if kind == "trust":
        # Trust policies have no Resource (IAM rejects one); give parse the "*" it implies.
        document = _with_implied_resource(document)
    try:
        parse(document)
    except PolicyError as error:
        return error
    except RecursionError:
        return PolicyError("", "the document is nested too deeply")
    except Exception:  # noqa: BLE001
        # parse promises PolicyError only; should it fail otherwise, the editor must still
        # get findings, so fall back to the minimal walk.
        return minimal_grammar_error(document)
    return None


def _with_implied_resource(document: Any) -> Any:
    if not isinstance(document, dict):
        return document
    statement = document.get("Statement")
    items = [statement] if isinstance(statement, dict) else statement
    if not isinstance(items, list):
        return document
    patched = []
    for item in items:
        if isinstance(item, dict) and "Resource" not in item and "NotResource" not in item:
            item = {**item, "Resource": "*"}
        patched.append(item)
    result = copy.copy(document)
    result["Statement"] = patched[0] if isinstance(statement, dict) else patched
    return result


def minimal_grammar_error(document: Any) -> PolicyError | None:
    """The first fault found by a walk of the top-level and statement grammar."""
    if not isinstance(document, dict):
        return PolicyError("", "a policy must be a JSON object")
    for key in document:
        if key not in ("Version", "Id", "Statement"):
            name = key if isinstance(key, str) else shown(key)
            return PolicyError(name, f"unknown policy element {shown(key)}")
    version = document.get("Version")
    if "Version" in document and version not in ("2012-10-17", "2008-10-17"):
        return PolicyError("Version", 'must be "2012-10-17" or "2008-10-17"')
    if "Id" in document and not isinstance(document["Id"], str):
        return PolicyError("Id", "must be a string")
    if "Statement" not in document:
        return PolicyError("", "missing Statement")
    raw = document["Statement"]
    if isinstance(raw, dict):
        items = [("Statement", raw)]
    elif isinstance(raw, list) and raw:
        items = [(f"Statement[{i}]", s) for i, s in enumerate(raw)]
    else:
        return PolicyError("Statement", "must be an object or a non-empty list of objects")
    for path, statement in items:
        error = _statement_error(path, statement)
        if error is not None:
            return error
    return None


def _statement_error(path: str, statement: Any) -> PolicyError | None:
    if not isinstance(statement, dict):
        return PolicyError(path, "a statement must be an object")
    for key in statement:
        if key not in _STATEMENT_ELEMENTS:
            name = key if isinstance(key, str) else shown(key)
            return PolicyError(f"{path}.{name}", f"unknown statement element {shown(key)}")
    if statement.get("Effect") not in ("Allow", "Deny"):
        return PolicyError(f"{path}.Effect", 'must be "Allow" or "Deny"')
    for pair in (("Action", "NotAction"), ("Resource", "NotResource")):
        present = [k for k in pair if k in statement]
        if len(present) != 1:
            return PolicyError(path, f"needs exactly one of {pair[0]} or {pair[1]}")
        error = _string_list_error(f"{path}.{present[0]}", statement[present[0]])
        if error is not None:
            return error
    if "Principal" in statement and "NotPrincipal" in statement:
        return PolicyError(path, "cannot have both Principal and NotPrincipal")
    condition = statement.get("Condition")
    if "Condition" in statement:
        if not isinstance(condition, dict):
            return PolicyError(f"{path}.Condition", "must be an object")
        for operator, keys in condition.items():
            if not isinstance(keys, dict):
                return PolicyError(f"{path}.Condition.{operator}", "must be an object of keys")
    return None


def _string_list_error(path: str, value: Any) -> PolicyError | None:
    if isinstance(value, str):
        return None
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return None
    return PolicyError(path, "must be a string or a non-empty list of strings")
