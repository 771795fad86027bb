"""``policy_summary``: what a document allows and denies, service by service."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from policies.engine import PolicyError, parse
from policies.engine.catalog import Action, Catalog, glob_to_regex
from policies.engine.model import Statement
from policies.summary.model import (
    ALL_RESOURCES,
    LEVELS,
    ActionSummary,
    EffectSummary,
    Grant,
    LevelSummary,
    OtherServices,
    PolicySummary,
    ServiceSummary,
    Unrecognized,
)

_WILDCARD = re.compile(r"[*?]")


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
