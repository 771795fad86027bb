"""``editor_report``: located findings, size against the quota, and the summary."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from policies.engine.catalog import Catalog
from policies.engine.validate import (
    Locator,
    Severity,
    policy_size,
    size_limit,
    validate_text,
)
from policies.summary.model import PolicySummary
from policies.summary.summarize import policy_summary

SEVERITY_LABELS = {
    Severity.ERROR: "Error",
    Severity.SECURITY_WARNING: "Security warning",
    Severity.WARNING: "Warning",
    Severity.SUGGESTION: "Suggestion",
}
_JSON_POSITION = re.compile(r"at line (\d+), column (\d+)")
_SPACE = re.compile(r"\s+")
_SIZE_REFUSALS = frozenset({"POLICY_SIZE_EXCEEDED", "POLICY_DOCUMENT_TOO_LONG"})


@dataclass(frozen=True)
class LocatedFinding:
    """A validator finding with the 1-based line and column of the text it points at."""

    severity: str
    code: str
    message: str
    path: str
    line: int | None
    column: int | None

    @property
    def severity_label(self) -> str:
        """``Error``, ``Security warning``, ``Warning`` or ``Suggestion``."""
        return SEVERITY_LABELS[Severity(self.severity)]

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of the API."""
        return {
            "Severity": self.severity,
            "Code": self.code,
            "Message": self.message,
            "Path": self.path,
            "Line": self.line,
            "Column": self.column,
        }


@dataclass(frozen=True)
class EditorReport:
    """Findings, size and summary of a document as typed."""

    findings: tuple[LocatedFinding, ...]
    size: int  # this document
    other_size: int  # the identity's other inline policies (0 for managed policies)
    limit: int | None
    summary: PolicySummary | None  # None while the text is not JSON
    line_count: int

    @property
    def total_size(self) -> int:
        """What counts against the quota."""
        return self.size + self.other_size

    @property
    def percent(self) -> int:
        """Share of the quota used, 0-100+ (0 when there is no quota)."""
        return round(100 * self.total_size / self.limit) if self.limit else 0

    @property
    def meter_low(self) -> int:
        """Where the size meter turns amber (80% of the quota)."""
        return (self.limit or 0) * 8 // 10

    @property
    def meter_high(self) -> int:
        """Where the size meter turns red (95% of the quota)."""
        return (self.limit or 0) * 95 // 100

    @property
    def over_limit(self) -> bool:
        """True when IAM would refuse the document for its size."""
        return self.limit is not None and self.total_size > self.limit

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings per severity value."""
        out = {s.value: 0 for s in Severity}
        for finding in self.findings:
            out[finding.severity] += 1
        return out

    @property
    def line_marks(self) -> dict[int, str]:
        """The most severe finding's severity for each line that has findings."""
        marks: dict[int, str] = {}
        for finding in self.findings:  # ordered most severe first
            if finding.line is not None:
                marks.setdefault(finding.line, finding.severity)
        return marks

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of the API."""
        return {
            "Findings": [f.to_dict() for f in self.findings],
            "Size": {
                "Used": self.total_size,
                "Document": self.size,
                "OtherInlinePolicies": self.other_size,
                "Limit": self.limit,
            },
            "Summary": self.summary.to_dict() if self.summary else None,
        }


def editor_report(
    text: str,
    kind: str,
    catalog: Catalog,
    *,
    entity: str | None = None,
    other_size: int = 0,
) -> EditorReport:
    """Findings (located), size and summary of ``text`` as a policy of ``kind``.

    ``entity`` (user, group, role) makes it an inline policy whose quota is shared with the
    identity's other inline policies, which take ``other_size`` characters.
    """
    findings = validate_text(text, kind, catalog=catalog, entity=entity)
    located = []
    data = None
    locator = Locator(text) if any(f.path for f in findings) else None
    for finding in findings:
        if finding.code == "JSON_SYNTAX_ERROR":
            match = _JSON_POSITION.search(finding.message)
            where = (int(match.group(1)), int(match.group(2))) if match else None
        elif finding.path and locator is not None:
            where = locator.locate(finding.path)
        else:
            where = None  # about the whole document, no one line
        if finding.code == "POLICY_SIZE_EXCEEDED" and entity:
            continue  # reported below against the identity's whole quota
        located.append(
            LocatedFinding(
                finding.severity.value,
                finding.code,
                finding.message,
                finding.path,
                where[0] if where else None,
                where[1] if where else None,
            )
        )
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        size = len(_SPACE.sub("", text))
    else:
        size = policy_size(data)
    limit = size_limit(kind, entity)
    if entity and limit is not None and size + other_size > limit:
        located.insert(
            0,
            LocatedFinding(
                Severity.ERROR.value,
                "POLICY_SIZE_EXCEEDED",
                f"The inline policies of this {entity} would take {size + other_size} "
                f"characters; IAM allows {limit} in all (this policy {size}, the others "
                f"{other_size}).",
                "",
                None,
                None,
            ),
        )
    # A document refused for its size is not summarized: its size alone decides.
    refused = len(findings) == 1 and findings[0].code in _SIZE_REFUSALS
    summary = policy_summary(data, catalog) if isinstance(data, dict) and not refused else None
    return EditorReport(
        findings=tuple(located),
        size=size,
        other_size=other_size,
        limit=limit,
        summary=summary,
        line_count=text.count("\n") + 1,
    )
