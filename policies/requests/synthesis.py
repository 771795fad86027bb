"""Least-privilege policy synthesis for access requests: a pure function over the catalog.

``synthesize(catalog, account_id=…, actions=…, targets=…, expires_at=…)`` compiles what a
requester asked for into the identity policy that grants exactly that, and nothing else:

1. The requested actions are the catalog's (canonical case, no wildcards); each action's
   documented *dependent actions* are added once (not transitively) and listed apart.
2. An action without resource types (``mq:ListBrokers``, ``mq:CreateBroker``) can only be
   granted on ``"*"``: it goes in a statement of its own, ``NoResourceLevelPermissions``.
3. An action with resource types is granted on the target ARNs that name one of its types
   (brokers for ``mq:RebootBroker``, configurations for ``mq:UpdateConfiguration``), one
   statement per distinct set of ARNs; on a tag target it is granted on the ARN pattern of its
   types in this account with ``StringEquals aws:ResourceTag/KEY: VALUE``, provided the action
   supports that key. A requested action that no target fits is an error, never ``"*"``.
4. A dependent action on resources the request cannot name (another service's) goes in
   ``DependentActions`` on ``"*"``; ``iam:CreateServiceLinkedRole`` is instead limited to the
   requesting service's role path and ``iam:AWSServiceName``.
5. With an expiry, every statement carries ``DateLessThan aws:CurrentTime`` (the second,
   independent enforcement is the scheduled revocation).

No Django, no database: the same inputs always give the same document (golden-tested).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from policies.engine.catalog import Action, Catalog, ResourceType

VERSION = "2012-10-17"
SERVICE_LINKED_ROLE = "iam:CreateServiceLinkedRole"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Intent:
    """A task-shaped bundle of actions a requester can pick instead of single actions."""

    key: str
    label: str
    description: str
    actions: tuple[str, ...]
    resource_kind: str  # what its targets are: broker | configuration


INTENTS: dict[str, Intent] = {
    intent.key: intent
    for intent in (
        Intent(
            "operate-brokers",
            "Operate brokers",
            "See brokers and reboot them.",
            ("mq:ListBrokers", "mq:DescribeBroker", "mq:RebootBroker"),
            "broker",
        ),
        Intent(
            "manage-broker-users",
            "Manage broker users",
            "See brokers and create, change and delete their users.",
            (
                "mq:ListBrokers",
                "mq:DescribeBroker",
                "mq:ListUsers",
                "mq:DescribeUser",
                "mq:CreateUser",
                "mq:UpdateUser",
                "mq:DeleteUser",
            ),
            "broker",
        ),
        Intent(
            "read-configurations",
            "Read configurations",
            "See configurations and their revisions.",
            (
                "mq:ListConfigurations",
                "mq:DescribeConfiguration",
                "mq:ListConfigurationRevisions",
                "mq:DescribeConfigurationRevision",
            ),
            "configuration",
        ),
        Intent(
            "edit-configurations",
            "Edit configurations",
            "Read configurations and save new revisions of them.",
            (
                "mq:ListConfigurations",
                "mq:DescribeConfiguration",
                "mq:ListConfigurationRevisions",
                "mq:DescribeConfigurationRevision",
                "mq:UpdateConfiguration",
            ),
            "configuration",
        ),
    )
}
CUSTOM = "custom"


class SynthesisError(ValueError):
    """The request cannot be compiled into a least-privilege policy (says why)."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Target:
    """What the actions apply to: one resource ARN, or every resource carrying a tag."""

    kind: str  # arn | tag
    arn: str = ""
    key: str = ""
    value: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> Target:
        """``{"Arn": …}`` or ``{"TagKey": …, "TagValue": …}`` (the stored and API shape)."""
        if data.get("Arn"):
            return cls("arn", arn=str(data["Arn"]))
        if data.get("TagKey"):
            return cls("tag", key=str(data["TagKey"]), value=str(data.get("TagValue", "")))
        raise SynthesisError("A target is an Arn, or a TagKey with a TagValue.", field="targets")

    def to_dict(self) -> dict:
        if self.kind == "arn":
            return {"Arn": self.arn}
        return {"TagKey": self.key, "TagValue": self.value}

    @property
    def label(self) -> str:
        return self.arn if self.kind == "arn" else f"tagged {self.key}={self.value}"


@dataclass(frozen=True)
class Synthesis:
    """The generated policy and what the reviewer should know about how it was built."""

    document: dict
    actions: tuple[str, ...]
    dependent_actions: tuple[str, ...]
    star_actions: tuple[str, ...]  # granted on "*" (no resource-level permissions)
    unused_targets: tuple[Target, ...] = field(default=())

    @property
    def text(self) -> str:
        """The document as stored: four-space JSON, keys in the order built."""
        return json.dumps(self.document, indent=4)


def expiry_condition(expires_at: datetime | None) -> dict:
    """``{"DateLessThan": {"aws:CurrentTime": …}}`` (UTC, second precision), or nothing."""
    if expires_at is None:
        return {}
    return {"DateLessThan": {"aws:CurrentTime": expires_at.strftime(TIME_FORMAT)}}


def canonical_actions(catalog: Catalog, names) -> list[str]:
    """The catalog's spelling of each action, in order, once; unknown or wildcard: an error."""
    out: dict[str, None] = {}
    for name in names:
        name = str(name).strip()
        if "*" in name or "?" in name:
            raise SynthesisError(f"{name}: request single actions, not wildcards.", field="actions")
        action = catalog.action(name)
        if action is None:
            raise SynthesisError(f"{name} is not an action in the catalog.", field="actions")
        out[action.full_name] = None
    return list(out)


def _arn_regex(resource_type: ResourceType) -> re.Pattern[str]:
    if resource_type.arn_regex:
        return re.compile(resource_type.arn_regex)
    pieces = re.split(r"\$\{[^}]*\}", resource_type.arn_format)
    return re.compile("^" + ".+".join(re.escape(p) for p in pieces) + "$")


def _arn_pattern(resource_type: ResourceType, account_id: str) -> str:
    """The type's ARN format over the whole account (``arn:aws:mq:*:ACCT:broker:*:*``)."""
    arn = resource_type.arn_format.replace("${Partition}", "aws")
    arn = arn.replace("${Account}", account_id)
    return re.sub(r"\$\{[^}]*\}", "*", arn)


def _sid_words(types: list[ResourceType]) -> str:
    names = sorted({t.name for t in types})
    words = ["".join(p.capitalize() for p in re.split(r"[^A-Za-z0-9]+", n) if p) for n in names]
    return "And".join(words)


def _unique_sid(sid: str, used: set[str]) -> str:
    candidate, n = sid, 1
    while candidate in used:
        n += 1
        candidate = f"{sid}{n}"
    used.add(candidate)
    return candidate


def _one_or_many(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def _statement(sid: str, actions: list[str], resources: list[str], condition: dict) -> dict:
    statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": _one_or_many(sorted(actions)),
        "Resource": _one_or_many(sorted(resources)),
    }
    if condition:
        statement["Condition"] = condition
    return statement


def _dependents(catalog: Catalog, base: list[str]) -> dict[str, str]:
    """Each dependent action not requested itself, with the service of the action needing it."""
    found: dict[str, str] = {}
    for name in base:
        action = catalog.action(name)
        for dependent in action.dependent_actions if action else ():
            known = catalog.action(dependent)
            spelled = known.full_name if known else dependent
            if spelled not in base:
                found.setdefault(spelled, name.partition(":")[0])
    return found


def _check_targets(targets: list[Target], account_id: str) -> None:
    for target in targets:
        if target.kind == "arn":
            parts = target.arn.split(":", 5)
            if len(parts) != 6 or parts[0] != "arn" or "*" in target.arn:
                raise SynthesisError(f"{target.arn} is not a resource ARN.", field="targets")
            if parts[4] != account_id:
                raise SynthesisError(
                    f"{target.arn} is not a resource of account {account_id}.", field="targets"
                )
        elif not re.fullmatch(r"[\w.:/=+\-@ ]{1,128}", target.key) or len(target.value) > 256:
            raise SynthesisError(
                "A tag key is 1-128 letters, digits, spaces and _.:/=+-@; a value at most 256.",
                field="targets",
            )


def synthesize(
    catalog: Catalog,
    *,
    account_id: str,
    actions,
    targets,
    expires_at: datetime | None = None,
) -> Synthesis:
    """The least-privilege identity policy granting ``actions`` on ``targets`` until expiry."""
    base = canonical_actions(catalog, actions)
    if not base:
        raise SynthesisError("Choose at least one action.", field="actions")
    targets = list(dict.fromkeys(targets))
    _check_targets(targets, account_id)
    arn_targets = [t for t in targets if t.kind == "arn"]
    tag_targets = [t for t in targets if t.kind == "tag"]
    dependents = _dependents(catalog, base)
    when = expiry_condition(expires_at)

    star: list[str] = []
    dependent_star: list[str] = []
    service_linked: list[str] = []
    by_arns: dict[tuple[str, ...], list[str]] = {}
    by_tag: dict[tuple[int, tuple[str, ...]], list[str]] = {}
    types_of_group: dict[object, list[ResourceType]] = {}
    used: set[Target] = set()
    unfit: list[tuple[str, list[ResourceType]]] = []

    for name in base + list(dependents):
        action: Action | None = catalog.action(name)
        types = [rt for rt, _required in catalog.resource_types_for(action)] if action else []
        requested = name in base
        if not types:
            (star if requested else dependent_star).append(name)
            continue
        if name == SERVICE_LINKED_ROLE and not requested:
            service_linked.append(name)
            continue
        fitting = [t for t in arn_targets if any(_arn_regex(rt).match(t.arn) for rt in types)]
        fitted = False
        if fitting:
            key = tuple(sorted(t.arn for t in fitting))
            by_arns.setdefault(key, []).append(name)
            matched = [rt for rt in types if any(_arn_regex(rt).match(a) for a in key)]
            types_of_group.setdefault(key, matched)
            used.update(fitting)
            fitted = True
        for index, tag in enumerate(tag_targets):
            if action and catalog.action_supports_key(action, f"aws:ResourceTag/{tag.key}"):
                patterns = tuple(sorted({_arn_pattern(rt, account_id) for rt in types}))
                by_tag.setdefault((index, patterns), []).append(name)
                types_of_group.setdefault((index, patterns), types)
                used.add(tag)
                fitted = True
        if not fitted:
            if requested:
                unfit.append((name, types))
            else:
                dependent_star.append(name)
    if unfit:
        name, types = unfit[0]
        kinds = " or ".join(sorted({t.name for t in types}))
        raise SynthesisError(
            f"{name} acts on {kinds}: choose at least one of them, or a tag, as a target.",
            field="targets",
        )

    sids: set[str] = set()
    statements = []
    if star:
        sid = _unique_sid("NoResourceLevelPermissions", sids)
        statements.append(_statement(sid, star, ["*"], when))
    for arns, names in by_arns.items():
        sid = _unique_sid("On" + _sid_words(types_of_group[arns]), sids)
        statements.append(_statement(sid, names, list(arns), when))
    for (index, patterns), names in by_tag.items():
        tag = tag_targets[index]
        condition = {"StringEquals": {f"aws:ResourceTag/{tag.key}": tag.value}, **when}
        sid = _unique_sid("Tagged" + _sid_words(types_of_group[(index, patterns)]), sids)
        statements.append(_statement(sid, names, list(patterns), condition))
    if dependent_star:
        sid = _unique_sid("DependentActions", sids)
        statements.append(_statement(sid, dependent_star, ["*"], when))
    for name in service_linked:
        service = dependents[name]
        condition = {"StringEquals": {"iam:AWSServiceName": f"{service}.amazonaws.com"}, **when}
        resource = f"arn:aws:iam::{account_id}:role/aws-service-role/{service}.amazonaws.com/*"
        sid = _unique_sid("ServiceLinkedRole", sids)
        statements.append(_statement(sid, [name], [resource], condition))
    return Synthesis(
        document={"Version": VERSION, "Statement": statements},
        actions=tuple(base),
        dependent_actions=tuple(dependents),
        star_actions=tuple(star + dependent_star),
        unused_targets=tuple(t for t in targets if t not in used),
    )
