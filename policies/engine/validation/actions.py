"""Checks of actions and resources: unknown services and actions, ARNs that cannot be ARNs,
and resources that no action of the statement can ever apply to.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from policies.engine.catalog import Action, Catalog, ResourceType
from policies.engine.validation.document import Entry, Statement
from policies.engine.validation.globs import (
    arn_service,
    could_be_arn,
    could_match_format,
    matches_star,
)
from policies.engine.validation.report import Report
from policies.engine.validation.structure import ACTION_FORMAT

# An action entry resolved against the catalog: its actions, or None when unknown.
Resolved = list[tuple[Entry, tuple[Action, ...] | None]]
# Resource types reachable from an action entry: may it take "*"? and its formats by ARN service.
_Reach = tuple[bool, dict[str | None, tuple[tuple[str, str], ...]]]


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


def check_arn_shapes(stmt: Statement, kind: str, report: Report) -> None:
    """Every Resource/NotResource entry must be ``*`` or able to match an ARN."""
    if kind == "trust":
        return  # the Resource element itself is the error there
    for entry in stmt.resources:
        if entry.value != "*" and not could_be_arn(entry.value):
            report.error(
                "INVALID_ARN_RESOURCE",
                f'"{entry.value}" is not an ARN: resources are "*" or '
                "arn:partition:service:region:account:resource (wildcards allowed).",
                entry.path,
            )


def resolve_actions(stmt: Statement, catalog: Catalog, report: Report) -> Resolved:
    """Resolve each Action/NotAction entry, reporting unknown services and actions."""
    resolved: Resolved = []
    for entry in stmt.actions:
        resolved.append((entry, _resolve(entry, catalog, report)))
    return resolved


def _resolve(entry: Entry, catalog: Catalog, report: Report) -> tuple[Action, ...] | None:
    value = entry.value
    if value == "*":
        return catalog.action_matches("*")
    if not ACTION_FORMAT.fullmatch(value):
        return None  # reported by the structure checks
    prefix, name = value.split(":", 1)
    if _wild(prefix):
        return catalog.action_matches(value) or None
    service = catalog.service(prefix)
    if service is None:
        report.warning(
            "UNKNOWN_SERVICE",
            f'"{prefix}" in "{value}" is not a service prefix the catalog knows; check the '
            "spelling.",
            entry.path,
        )
        return None
    if _wild(name):
        matches = catalog.action_matches(value)
        if not matches:
            report.error(
                "ACTION_WILDCARD_MATCHES_NOTHING",
                f'"{value}" matches no action of {service.name} ({service.prefix}).',
                entry.path,
            )
            return None
        return matches
    action = service.actions.get(name.lower())
    if action is None:
        close = _close_match(service.actions, name) if report.take_hint() else None
        hint = f" Did you mean {service.prefix}:{close}?" if close else ""
        report.error(
            "UNKNOWN_ACTION",
            f'"{value}" is not an action of {service.name} ({service.prefix}).{hint}',
            entry.path,
        )
        return None
    return (action,)


_HINTS: dict[tuple[int, str], tuple[object, str | None]] = {}


def _close_match(actions: dict[str, Action], name: str) -> str | None:
    # difflib costs about a millisecond against a large service; the editor sends the same
    # misspelling on every keystroke, so answers are remembered (the dict is kept alongside
    # its id, so the id cannot be reused while the entry lives).
    key = (id(actions), name)
    found = _HINTS.get(key)
    if found is None or found[0] is not actions:
        close = difflib.get_close_matches(name, [a.name for a in actions.values()], n=1)
        if len(_HINTS) >= 4096:
            _HINTS.clear()
        found = _HINTS[key] = (actions, close[0] if close else None)
    return found[1]


def known_actions(
    stmt: Statement, resolved: Resolved, catalog: Catalog
) -> tuple[Action, ...] | None:
    """Every action of an Action statement when all entries resolved, else None."""
    if stmt.action_key != "Action" or not resolved or any(m is None for _, m in resolved):
        return None

    def compute() -> tuple[Action, ...]:
        found: dict[str, Action] = {}
        for _, matches in resolved:
            for action in matches or ():
                found.setdefault(action.full_name, action)
        return tuple(found.values())

    patterns = tuple(sorted({entry.value.lower() for entry, _ in resolved}))
    return catalog.cached(("known", patterns), compute)


def check_resource_match(
    stmt: Statement, resolved: Resolved, catalog: Catalog, report: Report
) -> None:
    """Report resources no action of the statement applies to, and actions no resource fits."""
    if stmt.resource_key != "Resource" or known_actions(stmt, resolved, catalog) is None:
        return
    resources = [e for e in stmt.resources if e.value == "*" or could_be_arn(e.value)]
    if not resources:
        return
    reach = [(entry, _reach(entry.value, matches or (), catalog)) for entry, matches in resolved]
    fitting = {
        r.path: [
            entry
            for entry, entry_reach in reach
            if catalog.cached(
                ("fits", r.value, entry.value.lower()), lambda r=r, e=entry_reach: _fits(r.value, e)
            )
        ]
        for r in resources
    }
    for resource in resources:
        if not fitting[resource.path]:
            report.error(
                "RESOURCE_ACTION_MISMATCH",
                _mismatch_message(resource.value, resolved, catalog),
                resource.path,
            )
    if not any(fitting.values()):
        return  # every resource is already reported
    fitted = {entry.path for entries in fitting.values() for entry in entries}
    for entry, matches in resolved:
        if entry.path not in fitted:
            report.warning(
                "ACTION_RESOURCE_MISMATCH",
                f'No resource of the statement fits "{entry.value}", so the statement never '
                f"applies to it. {_applies_to(matches or (), catalog)}",
                entry.path,
            )


def _reach(pattern: str, matches: tuple[Action, ...], catalog: Catalog) -> _Reach:
    def compute() -> _Reach:
        star = False
        by_service: dict[str | None, dict[tuple[str, str], None]] = {}
        for action in matches:
            pairs = catalog.resource_types_for(action)
            if not any(required for _, required in pairs):
                star = True  # the request may carry no ARN, only "*"
            for resource_type, _ in pairs:
                key = (resource_type.arn_format, resource_type.arn_regex)
                by_service.setdefault(arn_service(resource_type.arn_format), {})[key] = None
        return star, {s: tuple(formats) for s, formats in by_service.items()}

    return catalog.cached(("reach", pattern.lower()), compute)


def _fits(resource: str, reach: _Reach) -> bool:
    star, by_service = reach
    if star and matches_star(resource):
        return True
    service = arn_service(resource)
    if service is not None:
        candidates: Iterable[tuple[str, str]] = (
            *by_service.get(service, ()),
            *by_service.get(None, ()),
        )
    else:
        candidates = (f for formats in by_service.values() for f in formats)
    return any(could_match_format(resource, fmt, regex) for fmt, regex in candidates)


def _mismatch_message(resource: str, resolved: Resolved, catalog: Catalog) -> str:
    actions = [a for _, matches in resolved for a in matches or ()]
    if len(actions) == 1:
        return f'"{resource}" can never match {actions[0].full_name}. ' + _applies_to(
            actions, catalog
        )
    return f'"{resource}" can never match any action of the statement.'


def _applies_to(actions: Iterable[Action], catalog: Catalog) -> str:
    actions = list(actions)
    if len(actions) != 1:
        return ""
    action = actions[0]
    pairs = catalog.resource_types_for(action)
    if not pairs:
        return f'{action.full_name} has no resource types: only Resource "*" matches it.'
    formats = "; ".join(_describe(rt) for rt, _ in pairs)
    return f"{action.full_name} applies to {formats}."


def _describe(resource_type: ResourceType) -> str:
    return f"{resource_type.name} ({resource_type.arn_format})"
