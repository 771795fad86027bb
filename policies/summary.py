"""A policy summary like the AWS console's: per service, access level, resources, conditions.

``policy_summary(document, catalog)`` is a pure function over a policy document and the action
catalog (``policies.catalog.get_catalog()``): no Django, no I/O. It answers what the document
allows and what it explicitly denies, service by service:

- a service's **access level** is "Full access" when every catalogued action of the service is
  covered, else per level (List, Read, Write, Permissions management, Tagging) "Full" or
  "Limited", as AWS writes it (``Full: List, Read; Limited: Write``);
- **resources** and **request conditions** are those of the statements that cover the service,
  where a resource counts for an action only if it can name that service's resources (a
  ``logs`` ARN is no resource of ``mq:RebootBroker``; actions without resource types need
  ``"*"``);
- services reached only through a wildcard service (``"*"``, ``"*:*"``, ``NotAction``) are
  folded into one "all other services" row instead of ~450 identical rows;
- action patterns that match nothing in the catalog are listed as unrecognized.

``editor_report(text, kind, catalog)`` is what the policy editor and ``POST
/api/v1/policies/validate/`` show for the text being typed: the validator's findings with the
line and column each points at, the size against the kind's quota (for an inline policy, the
sum over the identity's inline policies), and the summary.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from policies.engine import PolicyError, parse
from policies.engine.catalog import Action, Catalog, glob_to_regex
from policies.engine.model import Statement
from policies.engine.validate import Severity, locate, policy_size, size_limit, validate_text

LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")
ALL_RESOURCES = "*"
_WILDCARD = re.compile(r"[*?]")


@dataclass(frozen=True)
class Grant:
    """One statement's contribution to an action: resources and conditions as written."""

    statement: int
    sid: str | None
    resources: tuple[str, ...]  # ("*",) = all resources
    not_resource: bool
    conditions: tuple[str, ...]

    @property
    def applies(self) -> bool:
        """False when no resource of the statement can name a resource of the action."""
        return bool(self.resources) or self.not_resource

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of the API."""
        return {
            "Statement": self.statement,
            "Sid": self.sid,
            "Resources": list(self.resources),
            "NotResource": self.not_resource,
            "Conditions": list(self.conditions),
        }


@dataclass(frozen=True)
class ActionSummary:
    """One catalogued action and the grants (statements) that cover it."""

    name: str
    access_level: str
    grants: tuple[Grant, ...]

    @property
    def short_name(self) -> str:
        """The action without its service prefix."""
        return self.name.partition(":")[2]

    @property
    def effective(self) -> bool:
        """True when at least one covering statement has a resource that fits the action."""
        return any(g.applies for g in self.grants)

    @property
    def effective_grants(self) -> tuple[Grant, ...]:
        """The grants whose resources fit the action."""
        return tuple(g for g in self.grants if g.applies)

    @property
    def conditional(self) -> bool:
        """True when every effective grant carries a condition."""
        return all(g.conditions for g in self.grants if g.applies)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of the API."""
        return {
            "Action": self.name,
            "AccessLevel": self.access_level,
            "Effective": self.effective,
            "Grants": [g.to_dict() for g in self.grants],
        }


@dataclass(frozen=True)
class LevelSummary:
    """How many of a service's actions at one access level are covered, and which."""

    level: str
    granted: int
    total: int
    actions: tuple[ActionSummary, ...]

    @property
    def full(self) -> bool:
        """Every action of the level is covered."""
        return self.granted == self.total

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of the API."""
        return {
            "AccessLevel": self.level,
            "Granted": self.granted,
            "Total": self.total,
            "Actions": [a.to_dict() for a in self.actions],
        }


@dataclass(frozen=True)
class ServiceSummary:
    """One service's row: access level, resources and conditions, with its actions."""

    prefix: str
    name: str
    levels: tuple[LevelSummary, ...]
    granted: int
    total: int
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    conditions: tuple[str, ...]
    ineffective: tuple[str, ...] = ()  # covered actions no statement resource fits

    @property
    def access(self) -> str:
        """``Full access`` or ``Full: List, Read; Limited: Write`` as AWS's summary writes it."""
        if self.granted and self.granted == self.total:
            return "Full access"
        full = [lv.level for lv in self.levels if lv.granted and lv.full]
        limited = [lv.level for lv in self.levels if lv.granted and not lv.full]
        parts = []
        if full:
            parts.append(f"Full: {', '.join(full)}")
        if limited:
            parts.append(f"Limited: {', '.join(limited)}")
        return "; ".join(parts) or "None"

    @property
    def all_resources(self) -> bool:
        """True when some covering statement names every resource."""
        return ALL_RESOURCES in self.resources

    @property
    def uniform_grant(self) -> Grant | None:
        """The one resources-and-conditions pair every action shares, else None ("Multiple")."""
        signatures = set()
        sample = None
        for level in self.levels:
            for action in level.actions:
                grants = action.effective_grants
                signatures.add(tuple((g.resources, g.not_resource, g.conditions) for g in grants))
                sample = grants[0] if len(grants) == 1 else None
                if len(signatures) > 1 or sample is None:
                    return None
        return sample

    @property
    def action_count(self) -> int:
        """Covered actions that some statement's resources fit."""
        return sum(level.granted for level in self.levels)

    @property
    def specific_resources(self) -> tuple[str, ...]:
        """The named resources (ARN patterns), without ``*``."""
        return tuple(r for r in self.resources if r != ALL_RESOURCES)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of the API."""
        return {
            "Service": self.prefix,
            "ServiceName": self.name,
            "Access": self.access,
            "Granted": self.granted,
            "Total": self.total,
            "Resources": list(self.resources),
            "NotResources": list(self.not_resources),
            "Conditions": list(self.conditions),
            "IneffectiveActions": list(self.ineffective),
            "Levels": [lv.to_dict() for lv in self.levels],
        }


@dataclass(frozen=True)
class OtherServices:
    """Services covered in full by one wildcard statement and not listed on their own."""

    statement: int
    sid: str | None
    count: int
    resources: tuple[str, ...]
    not_resource: bool
    conditions: tuple[str, ...]
    excluded: tuple[str, ...]  # services a NotAction statement leaves out entirely

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of the API."""
        return {
            "Statement": self.statement,
            "Sid": self.sid,
            "ServiceCount": self.count,
            "Resources": list(self.resources),
            "NotResource": self.not_resource,
            "Conditions": list(self.conditions),
            "ExcludedServices": list(self.excluded),
        }


@dataclass(frozen=True)
class EffectSummary:
    """Everything one effect (Allow or explicit Deny) covers."""

    effect: str
    services: tuple[ServiceSummary, ...]
    other_services: tuple[OtherServices, ...]
    service_count: int  # services with at least one covered action
    catalog_service_count: int

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of the API."""
        return {
            "Effect": self.effect,
            "ServiceCount": self.service_count,
            "CatalogServiceCount": self.catalog_service_count,
            "Services": [s.to_dict() for s in self.services],
            "OtherServices": [o.to_dict() for o in self.other_services],
        }


@dataclass(frozen=True)
class Unrecognized:
    """An Action/NotAction entry that names no catalogued action."""

    statement: int
    pattern: str
    reason: str  # "unknown service" | "unknown action"

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of the API."""
        return {"Statement": self.statement, "Action": self.pattern, "Reason": self.reason}


@dataclass(frozen=True)
class PolicySummary:
    """The summary of a whole document; ``error`` is set (and the rest empty) if unreadable."""

    allow: EffectSummary
    deny: EffectSummary
    unrecognized: tuple[Unrecognized, ...] = ()
    error: str | None = None

    @property
    def empty(self) -> bool:
        """True when the document covers nothing at all."""
        return not (
            self.allow.services
            or self.allow.other_services
            or self.deny.services
            or self.deny.other_services
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of the API."""
        return {
            "Error": self.error,
            "Allow": self.allow.to_dict(),
            "Deny": self.deny.to_dict(),
            "Unrecognized": [u.to_dict() for u in self.unrecognized],
        }


@dataclass
class _Coverage:
    """Per effect while walking statements: explicit per-action grants and wildcard rows."""

    explicit: dict[str, dict[str, list[Grant]]] = field(default_factory=dict)
    wildcard: list[tuple[Statement, frozenset[str], tuple[str, ...]]] = field(default_factory=list)


def policy_summary(document: Any, catalog: Catalog) -> PolicySummary:
    """Summarize ``document`` (dict or JSON text) against ``catalog``; never raises."""
    total_services = len(catalog.services)
    try:
        policy = parse(document)
    except PolicyError as exc:
        empty_allow = EffectSummary("Allow", (), (), 0, total_services)
        empty_deny = EffectSummary("Deny", (), (), 0, total_services)
        return PolicySummary(empty_allow, empty_deny, (), str(exc))
    coverage = {"Allow": _Coverage(), "Deny": _Coverage()}
    unrecognized: list[Unrecognized] = []
    for statement in policy.statements:
        _cover(statement, coverage[statement.effect], catalog, unrecognized)
    return PolicySummary(
        allow=_effect_summary("Allow", coverage["Allow"], catalog),
        deny=_effect_summary("Deny", coverage["Deny"], catalog),
        unrecognized=tuple(unrecognized),
    )


def _cover(
    statement: Statement, coverage: _Coverage, catalog: Catalog, unrecognized: list[Unrecognized]
) -> None:
    if statement.not_action:
        _cover_not_action(statement, coverage, catalog, unrecognized)
        return
    for pattern in statement.actions:
        prefix, _, action_part = pattern.partition(":")
        if pattern == "*" or (_WILDCARD.search(prefix) and action_part == "*"):
            services = _services_matching("*" if pattern == "*" else prefix, catalog)
            if services:
                coverage.wildcard.append((statement, services, ()))
            else:
                unrecognized.append(Unrecognized(statement.index, pattern, "unknown service"))
            continue
        matched = catalog.action_matches(pattern)
        if not matched:
            known = bool(_services_matching(prefix, catalog)) if prefix else False
            reason = "unknown action" if known else "unknown service"
            unrecognized.append(Unrecognized(statement.index, pattern, reason))
            continue
        for action in matched:
            _add(coverage, statement, action, catalog)


def _cover_not_action(
    statement: Statement, coverage: _Coverage, catalog: Catalog, unrecognized: list[Unrecognized]
) -> None:
    excluded: dict[str, set[str]] = {}
    for pattern in statement.actions:
        matched = catalog.action_matches(pattern)
        if not matched and pattern != "*":
            prefix = pattern.partition(":")[0]
            known = bool(_services_matching(prefix, catalog))
            reason = "unknown action" if known else "unknown service"
            unrecognized.append(Unrecognized(statement.index, pattern, reason))
        for action in matched:
            excluded.setdefault(action.service.lower(), set()).add(action.name.lower())
    fully_excluded = []
    for prefix, names in excluded.items():
        service = catalog.service(prefix)
        if service is None:
            continue
        remaining = [a for key, a in service.actions.items() if key not in names]
        if not remaining:
            fully_excluded.append(service.prefix)
        for action in remaining:
            _add(coverage, statement, action, catalog)
    others = frozenset(p for p in catalog.services if p not in excluded)
    if others:
        coverage.wildcard.append((statement, others, tuple(sorted(fully_excluded))))


def _services_matching(prefix_pattern: str, catalog: Catalog) -> frozenset[str]:
    if not _WILDCARD.search(prefix_pattern):
        return (
            frozenset({prefix_pattern.lower()}) if catalog.service(prefix_pattern) else frozenset()
        )
    regex = glob_to_regex(prefix_pattern)
    return frozenset(p for p in catalog.services if regex.fullmatch(p))


def _add(coverage: _Coverage, statement: Statement, action: Action, catalog: Catalog) -> None:
    per_action = coverage.explicit.setdefault(action.service.lower(), {})
    per_action.setdefault(action.name.lower(), []).append(_grant(statement, action, catalog))


def _grant(statement: Statement, action: Action, catalog: Catalog) -> Grant:
    resources = statement.resources or ()
    if statement.not_resource:
        applicable = tuple(r for r in resources if _resource_fits(r, action, catalog))
        return Grant(statement.index, statement.sid, applicable, True, _conditions(statement))
    applicable = tuple(r for r in resources if _resource_fits(r, action, catalog))
    return Grant(statement.index, statement.sid, applicable, False, _conditions(statement))


def _resource_fits(resource: str, action: Action, catalog: Catalog) -> bool:
    """Whether ``resource`` can name something ``action`` is requested on."""
    if resource == ALL_RESOURCES:
        return True
    if not catalog.resource_types_for(action):
        # Actions without resource types are requested on "*", which only a pattern that
        # matches the literal "*" covers (iam-reference.md §2).
        return bool(glob_to_regex(resource).fullmatch("*"))
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return False
    service_field = parts[2]
    if _WILDCARD.search(service_field):
        return bool(glob_to_regex(service_field).fullmatch(action.service))
    return service_field.lower() == action.service.lower()


def _conditions(statement: Statement) -> tuple[str, ...]:
    return tuple(
        f"{entry.operator} {entry.key}: {', '.join(entry.values)}" for entry in statement.conditions
    )


def _level_totals(prefix: str, catalog: Catalog) -> dict[str, int]:
    def compute() -> dict[str, int]:
        service = catalog.service(prefix)
        totals: dict[str, int] = {}
        for action in service.actions.values() if service else ():
            totals[action.access_level] = totals.get(action.access_level, 0) + 1
        return totals

    return catalog.cached(("summary-level-totals", prefix), compute)


def _effect_summary(effect: str, coverage: _Coverage, catalog: Catalog) -> EffectSummary:
    # A service named explicitly also takes what wildcard statements grant it, so its row
    # is complete; the wildcard rows then count only the services not listed on their own.
    for statement, services, _ in coverage.wildcard:
        for prefix in services & coverage.explicit.keys():
            service = catalog.service(prefix)
            for action in service.actions.values() if service else ():
                _add(coverage, statement, action, catalog)
    rows = [_service_summary(p, actions, catalog) for p, actions in coverage.explicit.items()]
    rows.sort(key=lambda row: (row.name.lower(), row.prefix))
    listed = {row.prefix.lower() for row in rows}
    others = []
    covered = set(listed)
    for statement, services, excluded in coverage.wildcard:
        rest = services - listed
        covered |= rest
        if not rest:
            continue
        resources = tuple(statement.resources or ())
        others.append(
            OtherServices(
                statement=statement.index,
                sid=statement.sid,
                count=len(rest),
                resources=resources,
                not_resource=statement.not_resource,
                conditions=_conditions(statement),
                excluded=excluded,
            )
        )
    return EffectSummary(effect, tuple(rows), tuple(others), len(covered), len(catalog.services))


def _service_summary(
    prefix: str, actions: dict[str, list[Grant]], catalog: Catalog
) -> ServiceSummary:
    service = catalog.service(prefix)
    assert service is not None  # only catalogued actions reach here
    totals = _level_totals(prefix, catalog)
    by_level: dict[str, list[ActionSummary]] = {}
    resources: dict[str, None] = {}
    not_resources: dict[str, None] = {}
    conditions: dict[str, None] = {}
    ineffective = []
    for key in sorted(actions):
        action = service.actions[key]
        grants = tuple(_dedupe(actions[key]))
        summary = ActionSummary(action.full_name, action.access_level, grants)
        if not summary.effective:
            ineffective.append(action.full_name)
            continue
        by_level.setdefault(action.access_level, []).append(summary)
        for grant in grants:
            if not grant.applies:
                continue
            target = not_resources if grant.not_resource else resources
            target.update(dict.fromkeys(grant.resources))
            conditions.update(dict.fromkeys(grant.conditions))
    order = {level: i for i, level in enumerate(LEVELS)}
    levels = tuple(
        LevelSummary(level, len(items), totals.get(level, len(items)), tuple(items))
        for level, items in sorted(by_level.items(), key=lambda kv: order.get(kv[0], 99))
    )
    granted = sum(lv.granted for lv in levels)
    return ServiceSummary(
        prefix=service.prefix,
        name=service.name,
        levels=levels,
        granted=granted,
        total=sum(totals.values()),
        resources=_wildcard_first(resources),
        not_resources=tuple(not_resources),
        conditions=tuple(conditions),
        ineffective=tuple(ineffective),
    )


def _dedupe(grants: Iterable[Grant]) -> Iterable[Grant]:
    seen = set()
    for grant in grants:
        if grant not in seen:
            seen.add(grant)
            yield grant


def _wildcard_first(resources: dict[str, None]) -> tuple[str, ...]:
    if ALL_RESOURCES in resources:
        return (ALL_RESOURCES, *(r for r in resources if r != ALL_RESOURCES))
    return tuple(resources)


# -- The editor's report -----------------------------------------------------------------------

SEVERITY_LABELS = {
    Severity.ERROR: "Error",
    Severity.SECURITY_WARNING: "Security warning",
    Severity.WARNING: "Warning",
    Severity.SUGGESTION: "Suggestion",
}
_JSON_POSITION = re.compile(r"at line (\d+), column (\d+)")
_SPACE = re.compile(r"\s+")


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
    for finding in findings:
        if finding.code == "JSON_SYNTAX_ERROR":
            match = _JSON_POSITION.search(finding.message)
            where = (int(match.group(1)), int(match.group(2))) if match else None
        elif finding.path:
            where = locate(text, finding.path)
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
    summary = policy_summary(data, catalog) if isinstance(data, dict) else None
    return EditorReport(
        findings=tuple(located),
        size=size,
        other_size=other_size,
        limit=limit,
        summary=summary,
        line_count=text.count("\n") + 1,
    )
