"""Findings: what the validator reports, in Access Analyzer's four severities."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

KINDS = frozenset({"identity", "resource", "trust", "boundary", "scp", "rcp", "session"})
ENTITIES = frozenset({"user", "group", "role"})


class Severity(StrEnum):
    """How serious a finding is; the values are the API's and the UI's identifiers."""

    ERROR = "error"
    SECURITY_WARNING = "security_warning"
    WARNING = "warning"
    SUGGESTION = "suggestion"


SEVERITY_ORDER = {s: i for i, s in enumerate(Severity)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a policy: severity, stable code, plain-English message and JSON path."""

    severity: Severity
    code: str
    message: str
    path: str

    def to_dict(self) -> dict[str, str]:
        """The finding as JSON-ready strings (severity by its value)."""
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "path": self.path,
        }


def check_kind(kind: object, entity: object = None) -> None:
    """Raise ValueError unless ``kind`` is a policy kind and ``entity`` fits it."""
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(sorted(KINDS))}, not {kind!r}")
    if entity is not None and (kind != "identity" or entity not in ENTITIES):
        raise ValueError(
            f"entity must be one of {', '.join(sorted(ENTITIES))} and only with kind 'identity'"
        )


def shown(value: Any, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters for a message; never raises."""
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # an integer past str()'s digit limit; deep nesting
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"
