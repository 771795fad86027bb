"""The summary's frozen dataclasses and their JSON shape (the API's field names)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")
ALL_RESOURCES = "*"


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
