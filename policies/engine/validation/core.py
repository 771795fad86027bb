"""``validate``: every check over one policy document, in the spirit of IAM Access Analyzer."""

from __future__ import annotations

import json
from typing import Any

from policies.engine.catalog import Catalog
from policies.engine.validation import actions, conditions, structure
from policies.engine.validation.document import statements
from policies.engine.validation.findings import SEVERITY_ORDER, Finding, Severity, check_kind
from policies.engine.validation.grammar import grammar_error
from policies.engine.validation.report import Report
from policies.engine.validation.size import (
    MAX_DOCUMENT_LENGTH,
    policy_size,
    size_limit,
    size_lower_bound,
)


def validate(
    document: Any,
    kind: str,
    *,
    catalog: Catalog | None = None,
    entity: str | None = None,
) -> list[Finding]:
    """Findings for a policy document of ``kind``, errors first; never raises for any input.

    ``catalog`` enables the checks that need AWS's action catalog (None skips them);
    ``entity`` (user, group, role) marks an inline identity policy for its size limit.
    Raises ValueError only for an unknown ``kind`` or a misplaced ``entity``. A document over
    its kind's size limit gets that one error and no other check: IAM refuses it whatever
    else it holds, and the checks' cost grows with the document.
    """
    check_kind(kind, entity)
    report = Report()
    _check_size(document, kind, entity, report)
    if report:
        return list(report)
    try:
        _run(document, kind, catalog, entity, report)
    except RecursionError:
        report.error("DOCUMENT_TOO_DEEP", "The document is nested too deeply to read.", "")
    return sorted(report, key=lambda f: SEVERITY_ORDER[f.severity])


def validate_text(
    text: str,
    kind: str,
    *,
    catalog: Catalog | None = None,
    entity: str | None = None,
) -> list[Finding]:
    """Like ``validate`` for JSON text; a JSON syntax error is one finding with its position.

    A text that is over its size limit whatever it holds is refused before it is parsed.
    """
    check_kind(kind, entity)
    limit = size_limit(kind, entity)
    if limit is not None and len(text) > limit and size_lower_bound(text) > limit:
        return [
            Finding(
                Severity.ERROR,
                "POLICY_SIZE_EXCEEDED",
                f"The policy has more than {limit:,} characters without white space; "
                f"a {_size_name(kind, entity)} may have at most {limit:,}.",
                "",
            )
        ]
    if len(text) > MAX_DOCUMENT_LENGTH:
        return [
            Finding(
                Severity.ERROR,
                "POLICY_DOCUMENT_TOO_LONG",
                f"The policy has {len(text):,} characters; IAM accepts at most "
                f"{MAX_DOCUMENT_LENGTH:,} (white space included).",
                "",
            )
        ]
    try:
        document = json.loads(text)
    except (ValueError, TypeError, RecursionError) as error:
        where = ""
        if isinstance(error, json.JSONDecodeError):
            where = f" at line {error.lineno}, column {error.colno}"
        return [
            Finding(
                Severity.ERROR,
                "JSON_SYNTAX_ERROR",
                f"The policy is not valid JSON{where}: {getattr(error, 'msg', error)}.",
                "",
            )
        ]
    return validate(document, kind, catalog=catalog, entity=entity)


def _run(
    document: Any, kind: str, catalog: Catalog | None, entity: str | None, report: Report
) -> None:
    checks = Report()
    stmts = statements(document)
    if isinstance(document, dict):
        structure.check_version(document, stmts, checks)
    structure.check_sids(stmts, kind, checks)
    for stmt in stmts:
        structure.check_elements(stmt, kind, checks)
        actions.check_arn_shapes(stmt, kind, checks)
        known = None
        if catalog is not None:
            resolved = actions.resolve_actions(stmt, catalog, checks)
            actions.check_resource_match(stmt, resolved, catalog, checks)
            known = actions.known_actions(stmt, resolved, catalog)
        conditions.check_conditions(stmt, catalog, known, checks)
        structure.check_security(stmt, kind, checks)
        structure.check_entries(stmt, checks)
    structure.check_redundant_statements(stmts, checks)

    error = grammar_error(document, kind)
    if error is not None and not _already_reported(error.path, checks):
        report.error("GRAMMAR_ERROR", _sentence(error.reason), error.path)
    report.extend(checks)


def _already_reported(path: str, findings: Report) -> bool:
    # parse stops at the first fault; when a specific check has named the same place, its
    # finding says more than the generic grammar error.
    for finding in findings:
        if finding.severity is not Severity.ERROR:
            continue
        if finding.path == path or (path and finding.path.startswith((path + ".", path + "["))):
            return True
    return False


def _check_size(document: Any, kind: str, entity: str | None, report: Report) -> None:
    limit = size_limit(kind, entity)
    if limit is None:
        return
    size = policy_size(document)
    if size > limit:
        report.error(
            "POLICY_SIZE_EXCEEDED",
            f"The policy is {size:,} characters without white space; a "
            f"{_size_name(kind, entity)} may have at most {limit:,}.",
            "",
        )


def _size_name(kind: str, entity: str | None) -> str:
    return f"inline {entity} policy" if entity else _SIZE_NAMES[kind]


_SIZE_NAMES = {
    "identity": "managed policy",
    "boundary": "managed policy (permissions boundary)",
    "trust": "role trust policy",
    "session": "session policy",
    "scp": "service control policy",
    "rcp": "resource control policy",
}


def _sentence(reason: str) -> str:
    reason = reason.strip() or "the policy does not follow the IAM policy grammar"
    reason = reason[0].upper() + reason[1:]
    return reason if reason.endswith(".") else reason + "."
