"""parse(document) -> Policy: the IAM policy grammar, with errors that name the JSON path."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

from policies.engine.errors import PolicyError
from policies.engine.model import (
    ALLOW,
    DENY,
    VERSION_2008,
    VERSION_2012,
    ConditionEntry,
    Policy,
    PrincipalSpec,
    Statement,
)

try:  # orjson is several times faster; the engine works without it.
    import orjson
except ImportError:  # pragma: no cover - exercised only where orjson is absent
    orjson = None  # type: ignore[assignment]

TOP_LEVEL_KEYS = frozenset({"Version", "Id", "Statement"})
STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    }
)
PRINCIPAL_TYPES = {
    "AWS": "aws",
    "Service": "service",
    "Federated": "federated",
    "CanonicalUser": "canonical_user",
}
SET_OPERATORS = ("ForAnyValue", "ForAllValues")
# Operator families; the Null operator takes neither IfExists nor a set prefix.
BASE_OPERATORS = frozenset(
    {
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
        "Null",
    }
)


def split_operator(operator: str) -> tuple[str, str | None, bool] | None:
    """``ForAnyValue:StringLikeIfExists`` -> (``StringLike``, ``ForAnyValue``, True), or None."""
    set_op = None
    rest = operator
    if ":" in operator:
        prefix, _, rest = operator.partition(":")
        if prefix not in SET_OPERATORS:
            return None
        set_op = prefix
    if_exists = False
    if rest.endswith("IfExists"):
        rest = rest[: -len("IfExists")]
        if_exists = True
    if rest not in BASE_OPERATORS or (rest == "Null" and (if_exists or set_op)):
        return None
    return rest, set_op, if_exists


def canonical_json(document: Any) -> bytes:
    """Canonical JSON bytes (sorted keys, no white space) of a JSON-shaped value."""
    if orjson is not None:
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def digest_of(document: Any) -> str | None:
    """sha256 of the canonical JSON of ``document``, or None when it is not JSON-shaped."""
    try:
        return hashlib.sha256(canonical_json(document)).hexdigest()
    except (TypeError, ValueError, RecursionError, OverflowError):
        pass
    try:  # orjson refuses integers beyond 64 bits; the standard library does not
        text = json.dumps(document, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    except (TypeError, ValueError, RecursionError, OverflowError):
        return None


def load_json(text: str | bytes) -> Any:
    """Decode JSON text; any failure becomes a PolicyError at the document root."""
    try:
        if orjson is not None:
            return orjson.loads(text)
        return json.loads(text)
    except (ValueError, TypeError, RecursionError) as exc:
        raise PolicyError("", f"not valid JSON ({type(exc).__name__})") from None


def parse(document: Any) -> Policy:
    """Parse a policy (dict or JSON text) into a Policy; raise PolicyError naming the path."""
    if isinstance(document, Policy):
        return document
    if isinstance(document, (str, bytes, bytearray)):
        document = load_json(bytes(document) if isinstance(document, bytearray) else document)
    return parse_document(document, None)


def parse_document(document: Any, digest: str | None) -> Policy:
    """Parse an already decoded document; ``digest`` may be precomputed by the caller."""
    if not _is_object(document):
        raise PolicyError("", "policy document must be a JSON object")
    if not TOP_LEVEL_KEYS.issuperset(document):
        unknown = next(k for k in document if k not in TOP_LEVEL_KEYS)
        raise PolicyError(_name(unknown), "unknown element")
    version = document.get("Version")
    if "Version" in document and version not in (VERSION_2012, VERSION_2008):
        raise PolicyError("Version", "must be 2012-10-17 or 2008-10-17")
    pid = document.get("Id")
    if "Id" in document and not isinstance(pid, str):
        raise PolicyError("Id", "must be a string")
    if "Statement" not in document:
        raise PolicyError("", "missing Statement")
    raw = document["Statement"]
    if _is_object(raw):
        statements = (_statement(raw, 0, "Statement"),)
    elif isinstance(raw, list):
        statements = tuple(_statement(s, i, f"Statement[{i}]") for i, s in enumerate(raw))
    else:
        raise PolicyError("Statement", "must be an object or a list of objects")
    if digest is None:
        digest = digest_of(document) or ""
    return Policy(version=version, id=pid, statements=statements, digest=digest)


def _is_object(value: Any) -> bool:
    """A JSON object (dict fast path: ABC checks are slow on the cold path)."""
    return type(value) is dict or isinstance(value, Mapping)


def _name(key: Any) -> str:
    """A key as it appears in a path, whatever its type."""
    if isinstance(key, str):
        return key
    try:
        return repr(key)
    except ValueError:  # an integer past str()'s digit limit (only from Python callers)
        return f"<{type(key).__name__}>"


def _statement(raw: Any, index: int, path: str) -> Statement:
    """One statement object."""
    if not _is_object(raw):
        raise PolicyError(path, "statement must be a JSON object")
    if not STATEMENT_KEYS.issuperset(raw):
        unknown = next(k for k in raw if k not in STATEMENT_KEYS)
        raise PolicyError(f"{path}.{_name(unknown)}", "unknown element")
    sid = raw.get("Sid")
    if "Sid" in raw and not isinstance(sid, str):
        raise PolicyError(f"{path}.Sid", "must be a string")
    if "Effect" not in raw:
        raise PolicyError(path, "missing Effect")
    effect = raw["Effect"]
    if effect not in (ALLOW, DENY):
        raise PolicyError(f"{path}.Effect", "must be Allow or Deny")
    actions, not_action = _pair(raw, path, "Action", "NotAction", required=True)
    resources, not_resource = _pair(raw, path, "Resource", "NotResource", required=False)
    principal = None
    not_principal = False
    if "Principal" in raw and "NotPrincipal" in raw:
        raise PolicyError(path, "Principal and NotPrincipal are mutually exclusive")
    if "Principal" in raw:
        principal = _principal(raw["Principal"], f"{path}.Principal")
    elif "NotPrincipal" in raw:
        principal = _principal(raw["NotPrincipal"], f"{path}.NotPrincipal")
        not_principal = True
    conditions: tuple[ConditionEntry, ...] = ()
    if "Condition" in raw:
        conditions = _conditions(raw["Condition"], f"{path}.Condition")
    return Statement(
        index=index,
        sid=sid,
        effect=effect,
        actions=actions or (),
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        principal=principal,
        not_principal=not_principal,
        conditions=conditions,
    )


def _pair(
    raw: Mapping[str, Any], path: str, name: str, not_name: str, *, required: bool
) -> tuple[tuple[str, ...] | None, bool]:
    """Action/NotAction or Resource/NotResource: exactly one (or, if optional, none)."""
    if name in raw and not_name in raw:
        raise PolicyError(path, f"{name} and {not_name} are mutually exclusive")
    if name in raw:
        return _strings(raw[name], f"{path}.{name}"), False
    if not_name in raw:
        return _strings(raw[not_name], f"{path}.{not_name}"), True
    if required:
        raise PolicyError(path, f"missing {name} or {not_name}")
    return None, False


def _strings(value: Any, path: str) -> tuple[str, ...]:
    """A string or a list of strings."""
    if type(value) is str or isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise PolicyError(f"{path}[{i}]", "must be a string")
        return tuple(value)
    raise PolicyError(path, "must be a string or a list of strings")


def _principal(value: Any, path: str) -> PrincipalSpec:
    """``"*"`` or ``{"AWS"|"Service"|"Federated"|"CanonicalUser": str | [str]}``."""
    if value == "*":
        return PrincipalSpec(wildcard=True)
    if not _is_object(value):
        raise PolicyError(path, 'must be "*" or an object of principal types')
    fields: dict[str, tuple[str, ...]] = {}
    for key, ids in value.items():
        attr = PRINCIPAL_TYPES.get(key) if isinstance(key, str) else None
        if attr is None:
            raise PolicyError(f"{path}.{_name(key)}", "unknown principal type")
        fields[attr] = _strings(ids, f"{path}.{key}")
    return PrincipalSpec(**fields)


def _conditions(value: Any, path: str) -> tuple[ConditionEntry, ...]:
    """A Condition block: operator -> key -> scalar or list of scalars."""
    if not _is_object(value):
        raise PolicyError(path, "must be an object of condition operators")
    out: list[ConditionEntry] = []
    for operator, block in value.items():
        op_path = f"{path}.{_name(operator)}"
        parts = split_operator(operator) if isinstance(operator, str) else None
        if parts is None:
            raise PolicyError(op_path, "unknown condition operator")
        base, set_op, if_exists = parts
        if not _is_object(block):
            raise PolicyError(op_path, "must be an object of condition keys")
        for key, raw_values in block.items():
            if not isinstance(key, str) or not key:
                raise PolicyError(f"{op_path}.{_name(key)}", "condition key must be a string")
            key_path = f"{op_path}.{key}"
            out.append(
                ConditionEntry(
                    operator=operator,
                    base=base,
                    set_op=set_op,
                    if_exists=if_exists,
                    key=key,
                    values=_condition_values(raw_values, key_path),
                    path=key_path,
                )
            )
    return tuple(out)


def _condition_values(value: Any, path: str) -> tuple[str, ...]:
    """Condition values: strings, booleans or numbers (quoted or not), alone or in a list."""
    if isinstance(value, list):
        return tuple(_condition_scalar(v, path) for v in value)
    return (_condition_scalar(value, path),)


def _condition_scalar(value: Any, path: str) -> str:
    """One condition value as the string IAM compares."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # an integer too long for str() (CPython's digit limit)
            raise PolicyError(path, "number too long") from None
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    raise PolicyError(path, "value must be a string or list of strings")
