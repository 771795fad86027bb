"""The evaluation case format (DESIGN.md, "The case format") mapped to Request and PolicySet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.engine.errors import PolicyError
from policies.engine.model import PolicySet, Request

CASE_FIELDS = ("principal", "action", "resource")
_SCALARS = (str, bool, int, float)


def case_to_request(case: Any) -> tuple[Request, PolicySet]:
    """Map one case object to (Request, PolicySet); raise PolicyError naming the bad field.

    ``context`` is taken literally: no key is derived. Policy documents are kept as given
    and parsed when the set is compiled (so errors then name e.g. ``scps[0][1].Statement``).
    """
    if not isinstance(case, Mapping):
        raise PolicyError("", "case must be a JSON object")
    for name in CASE_FIELDS:
        if not isinstance(case.get(name), str):
            raise PolicyError(name, "must be a string")
    context = case.get("context") or {}
    if not isinstance(context, Mapping):
        raise PolicyError("context", "must be an object")
    for key, value in context.items():
        if type(value) is str:
            continue  # the common case, checked first on this hot path
        if isinstance(value, list):
            if not all(isinstance(v, _SCALARS) for v in value):
                raise PolicyError(f"context.{key}", "list items must be scalars")
        elif not isinstance(value, _SCALARS) and value is not None:
            raise PolicyError(f"context.{key}", "must be a string or a list of strings")
    try:
        request = Request(
            principal=case["principal"],
            action=case["action"],
            resource=case["resource"],
            context=context,
        )
    except ValueError:  # an integer past str()'s digit limit (only from Python callers)
        raise PolicyError("context", "a number is too long") from None
    policies = PolicySet(
        identity=tuple(_documents(case.get("identity_policies"), "identity_policies")),
        boundary=_document(case.get("permissions_boundary"), "permissions_boundary"),
        session=_document(case.get("session_policy"), "session_policy"),
        scps=_levels(case.get("scps"), "scps"),
        rcps=_levels(case.get("rcps"), "rcps"),
        resource=_document(case.get("resource_policy"), "resource_policy"),
    )
    return request, policies


def _document(value: Any, name: str) -> Any:
    """A policy document or None."""
    if value is None:
        return None
    if not isinstance(value, (Mapping, str)):
        raise PolicyError(name, "must be a policy document or null")
    return value


def _documents(value: Any, name: str) -> list[Any]:
    """A list of policy documents (absent = empty)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise PolicyError(name, "must be a list of policy documents")
    return [_document(v, f"{name}[{i}]") for i, v in enumerate(value)]


def _levels(value: Any, name: str) -> tuple[tuple[Any, ...], ...]:
    """One list of documents per level of the organization path."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise PolicyError(name, "must be a list of levels (lists of policy documents)")
    return tuple(tuple(_documents(level, f"{name}[{i}]")) for i, level in enumerate(value))
