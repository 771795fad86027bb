"""The list that checks append findings to."""

from __future__ import annotations

from policies.engine.validation.findings import Finding, Severity
from policies.engine.validation.globs import Budget

# "Did you mean" hints per document: each costs a fuzzy search of a service's actions, so a
# document of thousands of misspellings would otherwise cost seconds.
HINTS_PER_DOCUMENT = 50


class Report(list[Finding]):
    """Findings in the order the checks produce them (document order within a check)."""

    hints_given = 0
    _budget: Budget | None = None

    @property
    def budget(self) -> Budget:
        """The document's wildcard-containment budget (suggestions stop when it is spent)."""
        if self._budget is None:
            self._budget = Budget()
        return self._budget

    def take_hint(self) -> bool:
        """True while this report may still spend a "Did you mean" hint."""
        self.hints_given += 1
        return self.hints_given <= HINTS_PER_DOCUMENT

    def add(self, severity: Severity, code: str, message: str, path: str) -> None:
        """Record one finding."""
        self.append(Finding(severity, code, message, path))

    def error(self, code: str, message: str, path: str) -> None:
        """Record an ERROR."""
        self.append(Finding(Severity.ERROR, code, message, path))

    def security(self, code: str, message: str, path: str) -> None:
        """Record a SECURITY_WARNING."""
        self.append(Finding(Severity.SECURITY_WARNING, code, message, path))

    def warning(self, code: str, message: str, path: str) -> None:
        """Record a WARNING."""
        self.append(Finding(Severity.WARNING, code, message, path))

    def suggestion(self, code: str, message: str, path: str) -> None:
        """Record a SUGGESTION."""
        self.append(Finding(Severity.SUGGESTION, code, message, path))
