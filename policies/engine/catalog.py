"""The action catalog: AWS services, their actions, resource types and condition keys.

A pure, read-only model. ``policies.catalog`` builds it from reference data (the engine does
no I/O); the validator receives it as an argument. Lookups of services, actions and condition
keys are case-insensitive, as AWS matches them. Pattern queries (``action_matches`` and the
condition-key templates) are memoised inside the instance because the policy editor asks the
same questions on every keystroke.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from policies.engine.matching import (
    ANY,
    MAX_BACKTRACKING_STARS,
    STAR,
    WildcardProgram,
    backtracking_stars,
)

T = TypeVar("T")

# Condition key types as the Service Authorization Reference names them.
SCALAR_KEY_TYPES = frozenset({"String", "Numeric", "Date", "Bool", "IPAddress", "ARN", "Binary"})

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_MEMO_LIMIT = 200_000
_MISSING = object()
# Placeholders in documented key names: ${TagKey}, and <key> in some S3 keys.
_TEMPLATE = re.compile(r"\$\{[^}]*\}|<[^>]*>")


@functools.lru_cache(maxsize=4096)
def glob_to_regex(pattern: str) -> re.Pattern[str] | WildcardProgram:
    """Compile an IAM glob (``*`` any run, ``?`` one character) into a case-insensitive regex.

    Past two backtracking stars the result is a linear-time ``WildcardProgram`` (same
    ``fullmatch``): ``*?*?*?…`` would take exponential time in ``re``.
    """
    tokens = tuple(ANY if ch == "?" else STAR if ch == "*" else ch for ch in pattern)
    if backtracking_stars(tokens) > MAX_BACKTRACKING_STARS:
        return WildcardProgram(tokens, fold=True)
    parts = ("." if ch == "?" else ".*" if ch == "*" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def key_template_regex(template: str) -> re.Pattern[str] | None:
    """Regex for a templated key name (``aws:RequestTag/${TagKey}``), None for a plain name."""
    if "${" not in template and "<" not in template:
        return None
    pieces = _TEMPLATE.split(template)
    return re.compile(".+".join(re.escape(p) for p in pieces), re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class ConditionKey:
    """A condition key: its documented name and type (``""`` when the source gives none)."""

    name: str
    type: str = ""
    # Further scalar types the key accepts: aws:EpochTime is a Date that Numeric operators read.
    also: tuple[str, ...] = ()

    @property
    def multivalued(self) -> bool:
        """True for ``ArrayOf...`` keys, which need ForAnyValue:/ForAllValues:."""
        return self.type.startswith("ArrayOf")

    @property
    def base_types(self) -> frozenset[str]:
        """The scalar types an operator may compare this key as (empty when unknown)."""
        base = self.type.removeprefix("ArrayOf")
        return frozenset((base, *self.also)) if base else frozenset(self.also)


@dataclass(frozen=True, slots=True)
class ResourceType:
    """A resource type of a service and the ARN format (and regex, where known) of its ARNs."""

    service: str
    name: str
    arn_format: str
    arn_regex: str = ""
    condition_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ActionResource:
    """A resource type an action can be scoped to; ``required`` = always in the request."""

    name: str
    required: bool


@dataclass(frozen=True, slots=True)
class Action:
    """One IAM action: ``service:name``, access level, resource types and condition keys."""

    service: str
    name: str
    access_level: str
    resource_types: tuple[ActionResource, ...] = ()
    # Union of the keys listed on the action and on its resource types.
    condition_keys: tuple[str, ...] = ()
    dependent_actions: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        """``service:Name`` as AWS documents it."""
        return f"{self.service}:{self.name}"


@dataclass(frozen=True, slots=True)
class Service:
    """A service prefix with its actions (keyed lower-case), resource types and keys."""

    prefix: str
    name: str
    actions: Mapping[str, Action] = field(default_factory=lambda: _EMPTY)
    resource_types: Mapping[str, ResourceType] = field(default_factory=lambda: _EMPTY)
    condition_keys: Mapping[str, ConditionKey] = field(default_factory=lambda: _EMPTY)


def make_service(
    prefix: str,
    name: str,
    actions: Iterable[Action],
    resource_types: Iterable[ResourceType],
    condition_keys: Iterable[ConditionKey],
) -> Service:
    """Build a read-only Service from its parts, indexing actions and keys case-insensitively."""
    return Service(
        prefix=prefix,
        name=name,
        actions=MappingProxyType({a.name.lower(): a for a in actions}),
        resource_types=MappingProxyType({r.name: r for r in resource_types}),
        condition_keys=MappingProxyType({k.name.lower(): k for k in condition_keys}),
    )


@dataclass(frozen=True)
class Catalog:
    """Every known service, the global condition keys and the keys that must not be wildcarded."""

    services: Mapping[str, Service]
    global_keys: Mapping[str, ConditionKey] = field(default_factory=lambda: _EMPTY)
    sensitive_keys: frozenset[str] = frozenset()
    # Memo of pattern queries and a lazily built key index; not part of the value.
    _memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    _index: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls,
        services: Iterable[Service],
        global_keys: Iterable[ConditionKey] = (),
        sensitive_keys: Iterable[str] = (),
    ) -> Catalog:
        """Assemble a catalog; service prefixes and key names are indexed lower-case."""
        return cls(
            services=MappingProxyType({s.prefix.lower(): s for s in services}),
            global_keys=MappingProxyType({k.name.lower(): k for k in global_keys}),
            sensitive_keys=frozenset(k.lower() for k in sensitive_keys),
        )

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Memoise an answer derived from this catalog (``key`` must name it uniquely)."""
        value = self._memo.get(("derived", key), _MISSING)
        if value is _MISSING:
            value = compute()
            self._remember(("derived", key), value)
        return value  # type: ignore[no-any-return]

    def _remember(self, key: Hashable, value: Any) -> None:
        # The editor asks about every prefix the user types; a long-lived process must not
        # grow without bound, so the memo starts over past a size (rebuilt lazily).
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[key] = value

    # -- services and actions ---------------------------------------------------------------

    def service(self, prefix: str) -> Service | None:
        """The service with this prefix (any case), or None."""
        return self.services.get(prefix.lower())

    def action(self, name: str) -> Action | None:
        """The action ``service:Name`` (any case), or None when either part is unknown."""
        prefix, sep, action = name.partition(":")
        service = self.services.get(prefix.lower()) if sep else None
        return service.actions.get(action.lower()) if service else None

    def action_matches(self, pattern: str) -> tuple[Action, ...]:
        """Every catalogued action an Action-element pattern (with ``*``/``?``) matches."""
        key = ("actions", pattern.lower())
        found = self._memo.get(key)
        if found is None:
            found = tuple(self._expand(pattern))
            self._remember(key, found)
        return found

    def _expand(self, pattern: str) -> Iterable[Action]:
        if pattern == "*":
            for service in self.services.values():
                yield from service.actions.values()
            return
        prefix, sep, name = pattern.partition(":")
        if not sep:
            return
        if "*" in prefix or "?" in prefix:
            prefix_re = glob_to_regex(prefix)
            services = [s for p, s in self.services.items() if prefix_re.fullmatch(p)]
        else:
            one = self.services.get(prefix.lower())
            services = [one] if one else []
        if "*" not in name and "?" not in name:
            for service in services:
                action = service.actions.get(name.lower())
                if action:
                    yield action
            return
        name_re = glob_to_regex(name)
        for service in services:
            for lowered, action in service.actions.items():
                if name_re.fullmatch(lowered):
                    yield action

    def resource_types_for(self, action: Action | str) -> tuple[tuple[ResourceType, bool], ...]:
        """The (resource type, required) pairs of an action; empty = only Resource "*"."""
        found = self.action(action) if isinstance(action, str) else action
        if found is None:
            return ()
        service = self.services.get(found.service.lower())
        if service is None:
            return ()
        pairs = []
        for ref in found.resource_types:
            resource_type = service.resource_types.get(ref.name)
            if resource_type is not None:
                pairs.append((resource_type, ref.required))
        return tuple(pairs)

    # -- condition keys -----------------------------------------------------------------------

    def condition_key(self, name: str) -> ConditionKey | None:
        """The definition of a key used in a Condition block (global first), or None."""
        lowered = name.lower()
        memo_key = ("key", lowered)
        # .get with a sentinel: another thread may clear the memo between a test and a read.
        cached = self._memo.get(memo_key, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[no-any-return]
        found = self.global_keys.get(lowered) or self._key_index()[0].get(lowered)
        if found is None:
            for regex, definition in self._key_index()[1]:
                if regex.fullmatch(name):
                    found = definition
                    break
        self._remember(memo_key, found)
        return found

    def is_global_key(self, name: str) -> bool:
        """True when the key is one of the global (``aws:``) keys the catalog knows."""
        found = self.condition_key(name)
        return found is not None and found.name.lower() in self.global_keys

    def action_supports_key(self, action: Action, name: str) -> bool:
        """True when the action (or one of its resource types) lists this key."""
        lowered = name.lower()
        for template in action.condition_keys:
            if template.lower() == lowered:
                return True
            regex = self._template(template)
            if regex is not None and regex.fullmatch(name):
                return True
        return False

    def _template(self, template: str) -> re.Pattern[str] | None:
        memo_key = ("template", template)
        cached = self._memo.get(memo_key, _MISSING)
        if cached is _MISSING:
            cached = key_template_regex(template)
            self._remember(memo_key, cached)
        return cached  # type: ignore[no-any-return]

    def _key_index(
        self,
    ) -> tuple[dict[str, ConditionKey], list[tuple[re.Pattern[str], ConditionKey]]]:
        # Keys are indexed across all services because a key's prefix need not be the
        # service's (sts defines saml:aud and accounts.google.com:sub).
        index = self._index.get("keys")
        if index is None:
            plain: dict[str, ConditionKey] = {}
            templated: list[tuple[re.Pattern[str], ConditionKey]] = []
            for definition in self.global_keys.values():
                regex = key_template_regex(definition.name)
                if regex is not None:
                    templated.append((regex, definition))
            for service in self.services.values():
                for lowered, definition in service.condition_keys.items():
                    plain.setdefault(lowered, definition)
                    regex = key_template_regex(definition.name)
                    if regex is not None:
                        templated.append((regex, definition))
            index = (plain, templated)
            self._index["keys"] = index
        return index
