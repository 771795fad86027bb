"""The matrix's resources and actions, indexed once and shared by every principal's call.

A ``MatrixWorld`` holds what depends only on resources and actions: bit masks per action,
which ARNs a resource pattern matches, how resources group by the values of a context key,
each resource's account, and the bounded caches of statement and policy bit sets that
principals sharing documents reuse. Worlds are cached by content (the last few).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from operator import attrgetter
from typing import Any, Generic, TypeVar

from policies.engine.decide import TRUST_ACTIONS
from policies.engine.matching import RESOURCE, compile_any, compile_pattern, glob_regex
from policies.engine.matching import regex_matcher as _regex_matcher
from policies.engine.matrix.model import MatrixAction, MatrixResource
from policies.engine.model import ContextValue, normalize_context
from policies.engine.variables import Part

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_WORLD_LIMIT = 4  # a worker alternates a few worlds (e.g. "*" actions and resource actions)
_STATEMENT_LIMIT = 50_000  # statement bit sets per world (about 200 bytes each)
_POLICY_LIMIT = 8192  # (document, principal values) entries per world, ~8 KB each
_ACTION_BITS_LIMIT = 100_000  # distinct (document, action hits), shared by entries
_PARTS_LIMIT = 50_000  # masks of resolved resource patterns (e.g. one per user name)
# Keys that classify the caller: if a resource supplied them, cells could differ in caller.
_CALLER_KEYS = frozenset({"aws:principalarn", "aws:userid"})
_RESOURCE_ACCOUNT = "aws:resourceaccount"
_arn = attrgetter("arn")
_position = attrgetter("position")
_context = attrgetter("context")
_name = attrgetter("name")
_positions = attrgetter("positions")


class _Absent:
    """Marker in a group signature: the resource does not supply the key."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()
Signature = tuple[Any, ...]


class Lru(Generic[K, V]):
    """A small least-recently-used map (bounded memory for the caches)."""

    __slots__ = ("data", "limit")

    def __init__(self, limit: int) -> None:
        self.data: OrderedDict[K, V] = OrderedDict()
        self.limit = limit

    def get(self, key: K) -> V | None:
        """The value for ``key`` (now most recent), or None."""
        value = self.data.get(key)
        if value is not None:
            self.data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        """Store ``value``, evicting the least recently used entry beyond the limit."""
        self.data[key] = value
        if len(self.data) > self.limit:
            self.data.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self.data)


def _plain_value(value: Any) -> bool:
    """A context value as the contract types it: a string or a list/tuple of strings."""
    if type(value) is str:
        return True
    return type(value) in (list, tuple) and all(type(v) is str for v in value)


def _copy(context: Mapping[str, Any]) -> dict[str, Any]:
    """A copy that later mutation of the caller's lists cannot change."""
    return {k: list(v) if type(v) is list else v for k, v in context.items()}


def case_distinct(context: Mapping[Any, Any]) -> bool:
    """Whether no two keys differ only in case (merging contexts is then order-free)."""
    return len({str(k).lower() for k in context}) == len(context)


def parts_matcher(parts: tuple[Part, ...]) -> Callable[[str], Any]:
    """The matcher ``matching.match_parts`` uses for resolved parts, built once."""
    if len(parts) == 1 and isinstance(parts[0], str):
        return compile_pattern(parts[0], RESOURCE)
    return _regex_matcher(glob_regex(parts, RESOURCE))


class MatrixWorld:
    """Resources and actions of a matrix, indexed for bit-set evaluation (immutable inputs)."""

    def __init__(self, actions: Sequence[MatrixAction], resources: Sequence[MatrixResource]):
        self.resources = tuple(resources)
        self.actions = tuple(actions)
        self.positions: tuple[int, ...] = tuple(map(_position, self.resources))
        self.arns: tuple[str, ...] = tuple(map(_arn, self.resources))
        self.raw = tuple(_copy(r.context) for r in self.resources)
        self.contexts: tuple[dict[str, ContextValue], ...] = tuple(
            normalize_context(c) for c in self.raw
        )
        self.by_position = {p: i for i, p in enumerate(self.positions)}
        if len(self.by_position) != len(self.positions) or any(p < 0 for p in self.positions):
            raise ValueError("resource positions must be unique and non-negative")
        self.all_mask = 0
        for p in self.positions:
            self.all_mask |= 1 << p
        masks = []
        for action in self.actions:
            mask = 0
            for p in action.positions:
                if p not in self.by_position:
                    raise ValueError(f"{action.name}: no resource at position {p}")
                mask |= 1 << p
            masks.append(mask)
        self.action_masks: tuple[int, ...] = tuple(masks)
        distinct = {m: i for i, m in enumerate(dict.fromkeys(masks))}
        self.mask_index: tuple[int, ...] = tuple(distinct[m] for m in masks)
        self.action_lower: tuple[str, ...] = tuple(a.name.lower() for a in self.actions)
        self.trust: tuple[bool, ...] = tuple(a in TRUST_ACTIONS for a in self.action_lower)
        self.varying = frozenset(k for c in self.contexts for k in c)
        # Regular: a cell's normalised context is exactly {**principal's, **resource's}.
        self.regular = not (self.varying & _CALLER_KEYS) and all(
            case_distinct(c) and None not in c.values() for c in self.raw
        )
        # Cacheable by content: equal contexts then normalise equally (1 == True, but "1"
        # and True would not); irregular worlds are rebuilt so their key order is current.
        self.cacheable = self.regular and all(
            all(type(k) is str and _plain_value(v) for k, v in c.items()) for c in self.raw
        )
        self._key = (
            list(self.arns),
            list(self.positions),
            list(self.raw),
            list(map(_name, self.actions)),
            list(map(_positions, self.actions)),
        )
        self._static: dict[tuple[str, ...], int] = {}
        self._parts: Lru[tuple[Part, ...], int] = Lru(_PARTS_LIMIT)
        self._groups: dict[tuple[str, ...], tuple[tuple[Signature, int], ...]] = {}
        self._same: dict[tuple[str | None, Any], int] = {}
        self.statements: Lru[Hashable, tuple[int, int]] = Lru(_STATEMENT_LIMIT)
        self.policies: Lru[Hashable, Any] = Lru(_POLICY_LIMIT)
        self.action_bits: Lru[Hashable, Any] = Lru(_ACTION_BITS_LIMIT)

    def same_inputs(
        self, actions: Sequence[MatrixAction], resources: Sequence[MatrixResource]
    ) -> bool:
        """Whether ``actions`` and ``resources`` have this world's content (C-speed compares)."""
        arns, positions, raw, names, action_positions = self._key
        return (
            len(resources) == len(arns)
            and len(actions) == len(names)
            and list(map(_arn, resources)) == arns
            and list(map(_position, resources)) == positions
            and list(map(_context, resources)) == raw
            and list(map(_name, actions)) == names
            and list(map(_positions, actions)) == action_positions
        )

    def static_mask(self, patterns: tuple[str, ...]) -> int:
        """Positions whose ARN a list of variable-free resource patterns matches."""
        mask = self._static.get(patterns)
        if mask is None:
            match = compile_any(patterns, RESOURCE)
            mask = 0
            for p, arn in zip(self.positions, self.arns, strict=True):
                if match(arn):
                    mask |= 1 << p
            self._static[patterns] = mask
        return mask

    def parts_mask(self, parts: tuple[Part, ...]) -> int:
        """Positions whose ARN a resolved pattern (substituted values literal) matches."""
        mask = self._parts.get(parts)
        if mask is None:
            match = parts_matcher(parts)
            mask = 0
            for p, arn in zip(self.positions, self.arns, strict=True):
                if match(arn):
                    mask |= 1 << p
            self._parts.put(parts, mask)
        return mask

    def groups(self, keys: tuple[str, ...]) -> tuple[tuple[Signature, int], ...]:
        """Resources grouped by their values of ``keys`` (``ABSENT`` where not supplied)."""
        found = self._groups.get(keys)
        if found is None:
            masks: dict[Signature, int] = {}
            for p, context in zip(self.positions, self.contexts, strict=True):
                signature = tuple(context.get(k, ABSENT) for k in keys)
                masks[signature] = masks.get(signature, 0) | (1 << p)
            found = self._groups[keys] = tuple(masks.items())
        return found

    def same_account_mask(self, caller_account: str | None, fallback: Any) -> int:
        """Positions in the caller's account, as ``evaluate.same_account`` decides it.

        ``fallback`` is the principal context's ``aws:resourceaccount`` (used for resources
        whose ARN names no account and whose own context does not set it).
        """
        key = (caller_account, fallback)
        mask = self._same.get(key)
        if mask is None:
            mask = 0
            for p, arn, context in zip(self.positions, self.arns, self.contexts, strict=True):
                parts = arn.split(":", 5)
                if len(parts) == 6 and parts[0] == "arn" and parts[4] not in ("", "*", "aws"):
                    account: Any = parts[4]
                else:
                    account = context.get(_RESOURCE_ACCOUNT, fallback)
                    if not (isinstance(account, str) and account):
                        account = None
                if account is None or caller_account is None or account == caller_account:
                    mask |= 1 << p
            self._same[key] = mask
        return mask


_worlds: list[MatrixWorld] = []


def matrix_world(
    actions: Sequence[MatrixAction], resources: Sequence[MatrixResource]
) -> MatrixWorld:
    """The world for ``actions`` x ``resources``, reusing a cached one with equal content."""
    for i, world in enumerate(_worlds):
        if world.same_inputs(actions, resources):
            if i:
                _worlds.insert(0, _worlds.pop(i))
            return world
    world = MatrixWorld(actions, resources)
    if world.cacheable:
        _worlds.insert(0, world)
        del _worlds[_WORLD_LIMIT:]
    return world


def clear_worlds() -> None:
    """Forget every cached world and, with them, their statement and policy bit sets."""
    _worlds.clear()
