"""Checks that need no catalog: version, Sids, principals and elements per kind, security
warnings on broad grants, and redundancy suggestions.
"""

from __future__ import annotations

import re
from typing import Any

from policies.engine.catalog import glob_to_regex
from policies.engine.validation.document import Statement, canonical, has_variable
from policies.engine.validation.findings import shown
from policies.engine.validation.globs import Budget, GlobSet, could_match_format, covers
from policies.engine.validation.report import Report

SID = re.compile(r"[A-Za-z0-9]*")
ACTION_FORMAT = re.compile(r"[^\s:]+:[^\s:]+")
# The actions a role trust policy may name (IAM rejects others: "AssumeRole policy may only
# specify STS AssumeRole actions"); the session tagging and context actions travel with them.
TRUST_ACTIONS = (
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
)
ROLE_ARN_FORMAT = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
PRINCIPAL_TYPES = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
AWS_PRINCIPAL = re.compile(r"\*|\d{12}|arn:.+|[A-Z]{4}[A-Z0-9]{12,124}")
# Kinds whose Sids IAM stores and restricts to letters and digits.
IAM_SID_KINDS = frozenset({"identity", "boundary", "session", "trust"})
NO_PRINCIPAL_KINDS = frozenset({"identity", "boundary", "session", "scp"})
PRINCIPAL_KINDS = frozenset({"resource", "trust", "rcp"})
# Kinds whose Allow statements grant access (SCPs, RCPs, boundaries and session policies only
# ever limit what other policies grant).
GRANTING_KINDS = frozenset({"identity", "resource"})


def check_version(document: dict[str, Any], stmts: list[Statement], report: Report) -> None:
    """Missing, old or invalid Version, and policy variables the Version leaves literal."""
    version = document.get("Version")
    if "Version" not in document:
        report.warning(
            "MISSING_VERSION",
            'The policy has no Version; "2012-10-17" is recommended (without it policy '
            "variables are read as literal text).",
            "Version",
        )
    elif version == "2008-10-17":
        report.warning(
            "OLD_VERSION",
            'Version "2008-10-17" is the old policy language: policy variables are not '
            'supported; use "2012-10-17".',
            "Version",
        )
    elif version != "2012-10-17":
        report.error(
            "INVALID_VERSION",
            f'Version {shown(version)} is not valid; use "2012-10-17".',
            "Version",
        )
    if version == "2012-10-17":
        return
    for stmt in stmts:
        texts = [(e.value, e.path) for e in stmt.resources]
        texts += [(v, p) for c in stmt.conditions for v, p in c.values if isinstance(v, str)]
        for text, path in texts:
            if has_variable(text):
                report.warning(
                    "POLICY_VARIABLES_WITHOUT_VERSION",
                    f'"{text}" holds a policy variable, but variables are only replaced with '
                    'Version "2012-10-17"; here it is literal text.',
                    path,
                )


def check_sids(stmts: list[Statement], kind: str, report: Report) -> None:
    """Sids are unique in a policy; IAM allows only letters and digits in them."""
    seen: dict[str, Statement] = {}
    for stmt in stmts:
        sid = stmt.sid
        if not isinstance(sid, str) or not sid:
            continue
        if kind in IAM_SID_KINDS and not SID.fullmatch(sid):
            report.error(
                "INVALID_SID",
                f'Sid "{sid}" may hold only letters (A-Z, a-z) and digits (0-9) in IAM policies.',
                f"{stmt.path}.Sid",
            )
        if sid in seen:
            report.error(
                "DUPLICATE_SID",
                f'Sid "{sid}" is already used by statement {seen[sid].index + 1}; '
                "Sids must be unique within a policy.",
                f"{stmt.path}.Sid",
            )
        else:
            seen[sid] = stmt


def check_elements(stmt: Statement, kind: str, report: Report) -> None:
    """Principal, Resource, Action and Effect rules that depend on the kind of policy."""
    key = stmt.principal_key
    if key and kind in NO_PRINCIPAL_KINDS:
        report.error(
            "PRINCIPAL_NOT_ALLOWED",
            f"{key} is not supported in {_kind_name(kind)}: the principal is whoever the "
            "policy is attached to. Remove it.",
            f"{stmt.path}.{key}",
        )
    elif key is None and kind in PRINCIPAL_KINDS:
        report.error(
            "MISSING_PRINCIPAL",
            f"Every statement of a {_kind_name(kind, plural=False)} must name a Principal.",
            stmt.path,
        )
    elif key == "NotPrincipal" and kind in ("trust", "rcp"):
        report.error(
            "PRINCIPAL_NOT_ALLOWED",
            f"NotPrincipal is not supported in {_kind_name(kind)}; name the Principal.",
            f"{stmt.path}.NotPrincipal",
        )
    elif key == "NotPrincipal" and stmt.effect == "Allow":
        report.security(
            "ALLOW_WITH_NOT_PRINCIPAL",
            "Allow with NotPrincipal grants access to every principal except those listed, "
            "anonymous users included; name the principals in Principal instead.",
            f"{stmt.path}.NotPrincipal",
        )
    if key in ("Principal", "NotPrincipal") and kind not in NO_PRINCIPAL_KINDS:
        _check_principal(stmt, key, kind, report)
    if kind == "trust":
        _check_trust(stmt, report)
    elif stmt.resource_key is None:
        # parse leaves Resource optional because trust policies have none; others need it.
        report.error(
            "MISSING_RESOURCE",
            'The statement needs a Resource (or NotResource) element; use "*" for all resources.',
            stmt.path,
        )
    if kind == "rcp":
        _check_rcp(stmt, report)
    for entry in stmt.actions:
        if entry.value != "*" and not ACTION_FORMAT.fullmatch(entry.value):
            report.error(
                "INVALID_ACTION_FORMAT",
                f'"{entry.value}" is not an action: write service:Action (e.g. mq:ListBrokers) '
                'or "*".',
                entry.path,
            )


def _check_principal(stmt: Statement, key: str, kind: str, report: Report) -> None:
    principal = stmt.principal
    path = f"{stmt.path}.{key}"
    if kind == "rcp":
        if key == "Principal" and principal != "*":
            report.error(
                "INVALID_RCP_PRINCIPAL",
                'The Principal of a resource control policy must be "*"; narrow it with '
                "conditions such as aws:PrincipalOrgID.",
                path,
            )
        return
    if not isinstance(principal, dict):
        return
    for principal_type, values in principal.items():
        if principal_type != "AWS":
            continue
        items = values if isinstance(values, list) else [values]
        for index, value in enumerate(items):
            if not isinstance(value, str):
                continue
            value_path = f"{path}.AWS[{index}]" if isinstance(values, list) else f"{path}.AWS"
            if "*" in value and value != "*":
                report.error(
                    "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
                    f'"{value}": wildcards are not allowed in a principal ARN; use "*" with '
                    "a condition on aws:PrincipalArn instead.",
                    value_path,
                )
            elif not AWS_PRINCIPAL.fullmatch(value):
                report.error(
                    "INVALID_PRINCIPAL",
                    f'"{value}" is not an AWS principal: use an account ID, an IAM ARN, a '
                    'unique ID or "*".',
                    value_path,
                )


def _check_trust(stmt: Statement, report: Report) -> None:
    if stmt.resource_key:
        report.error(
            "RESOURCE_NOT_ALLOWED",
            f"A trust policy has no {stmt.resource_key} element: the role itself is the "
            "resource. Remove it.",
            f"{stmt.path}.{stmt.resource_key}",
        )
    if stmt.action_key != "Action":
        return
    for entry in stmt.actions:
        regex = glob_to_regex(entry.value)
        if not any(regex.fullmatch(name) for name in TRUST_ACTIONS):
            report.error(
                "INVALID_TRUST_ACTION",
                f'A trust policy may only allow assuming the role: "{entry.value}" is none of '
                f"{', '.join(TRUST_ACTIONS)}.",
                entry.path,
            )


def _check_rcp(stmt: Statement, report: Report) -> None:
    if stmt.action_key == "NotAction":
        report.error(
            "ELEMENT_NOT_SUPPORTED",
            "NotAction is not supported in resource control policies.",
            f"{stmt.path}.NotAction",
        )
    full_access = (
        stmt.principal == "*"
        and [e.value for e in stmt.actions] == ["*"]
        and stmt.resource_key == "Resource"
        and [e.value for e in stmt.resources] == ["*"]
        and not stmt.has_condition
    )
    if stmt.effect == "Allow" and not full_access:
        report.error(
            "RCP_ALLOW_NOT_SUPPORTED",
            'Resource control policies only deny: "Allow" is supported only in the '
            "RCPFullAWSAccess policy (Allow * on * to *).",
            f"{stmt.path}.Effect",
        )


def check_entries(stmt: Statement, report: Report) -> None:
    """Suggest removing duplicate Action/Resource entries and entries a wildcard covers."""
    for entries, fold, noun in (
        (stmt.actions, True, "action"),
        (stmt.resources, False, "resource"),
    ):
        if len(entries) < 2:
            continue
        code = noun.upper()
        originals = {(e.value.lower() if fold else e.value): e.value for e in entries}
        index = GlobSet([e.value for e in entries], fold, report.budget)
        seen: set[str] = set()
        for entry in entries:
            key = entry.value.lower() if fold else entry.value
            if key in seen:
                report.suggestion(
                    f"DUPLICATE_{code}",
                    f'"{entry.value}" is listed twice in the statement; remove one.',
                    entry.path,
                )
                continue
            seen.add(key)
            general = index.coverer(entry.value)
            if general is not None:
                report.suggestion(
                    f"REDUNDANT_{code}",
                    f'"{entry.value}" is already covered by "{originals[general]}" in the same '
                    "statement; remove it.",
                    entry.path,
                )


def check_security(stmt: Statement, kind: str, report: Report) -> None:
    """Security warnings on Allow statements that grant more than intended."""
    if stmt.effect != "Allow":
        return
    if stmt.action_key == "NotAction" and kind not in ("scp", "rcp"):
        report.security(
            "ALLOW_WITH_NOT_ACTION",
            "Allow with NotAction allows every action not listed, including actions of "
            "services added later; list the allowed actions instead.",
            f"{stmt.path}.NotAction",
        )
    if stmt.resource_key == "NotResource" and kind not in ("scp", "rcp", "trust"):
        report.security(
            "ALLOW_WITH_NOT_RESOURCE",
            "Allow with NotResource allows every resource not listed, including resources "
            "created later; list the allowed resources instead.",
            f"{stmt.path}.NotResource",
        )
    if kind not in GRANTING_KINDS or stmt.action_key != "Action":
        return
    actions = [e.value for e in stmt.actions]
    resources = stmt.resources if stmt.resource_key == "Resource" else []
    if any(glob_to_regex(a).fullmatch("iam:PassRole") for a in actions):
        for entry in resources:
            if "*" in entry.value and could_match_format(entry.value, ROLE_ARN_FORMAT):
                report.security(
                    "PASS_ROLE_WITH_STAR_IN_RESOURCE",
                    f'iam:PassRole is allowed on "{entry.value}": any matching role, with all '
                    "of its permissions, can be passed to a service. Name the roles.",
                    entry.path,
                )
    if (
        any(a in ("*", "*:*") for a in actions)
        and any(e.value == "*" for e in resources)
        and not stmt.has_condition
    ):
        report.security(
            "FULL_ACCESS",
            'Allow "*" on "*" without conditions grants every action on every resource '
            "(administrator access).",
            stmt.path,
        )


def check_redundant_statements(stmts: list[Statement], report: Report) -> None:
    """Suggest removing a statement that another one with the same effect fully covers.

    The statement named is the first, in document order, that covers it (of two equivalent
    statements only the later is reported). Linear in practice: identical statements are
    compared once, and the statements that may cover one are found through an index of
    every Action and Resource entry instead of by comparing every pair.
    """
    shapes: dict[tuple[Any, ...], _Shape] = {}  # identical statements share one shape
    occurrences: dict[int, list[Statement]] = {}
    for stmt in stmts:
        if not _comparable(stmt):
            continue
        shape = _Shape(stmt, report.budget)
        shape = shapes.setdefault(shape.signature, shape)
        occurrences.setdefault(id(shape), []).append(stmt)
    groups: dict[tuple[Any, ...], _CoverIndex] = {}
    for shape in shapes.values():
        groups.setdefault(shape.group, _CoverIndex(report.budget)).add(
            shape, occurrences[id(shape)][0].index
        )
    findings: list[tuple[Statement, Statement]] = []
    for shape in shapes.values():
        index = groups[shape.group]
        coverers = sorted(
            (index.first[other], other) for other in index.coverers(shape) if other != id(shape)
        )
        general = None  # the first shape that covers without being covered back
        equivalent = None  # the first equivalent one (it covers only the statements after it)
        for _first, other in coverers:
            if index.shapes[other].covers(shape) and shape.covers(index.shapes[other]):
                if equivalent is None:
                    equivalent = index.occurrences[other]
                continue
            general = index.occurrences[other]
            break
        same = occurrences[id(shape)]
        for position, stmt in enumerate(same):
            options = [s for s in (general,) if s is not None]
            if equivalent is not None and equivalent.index < stmt.index:
                options.append(equivalent)
            if position:
                options.append(same[0])
            if options:
                findings.append((stmt, min(options, key=lambda s: s.index)))
    for later, other in sorted(findings, key=lambda pair: pair[0].index):
        verb = "allows" if other.effect == "Allow" else "denies"
        label = later.label[0].upper() + later.label[1:]
        report.suggestion(
            "REDUNDANT_STATEMENT",
            f"{label} is redundant: {other.label} already {verb} all of its actions on all "
            "of its resources" + _unless(other, later),
            later.path,
        )


class _CoverIndex:
    """Shapes of one effect, element keys and principal, indexed by their entries."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.shapes: dict[int, _Shape] = {}
        self.first: dict[int, int] = {}  # shape -> index of its first statement
        self.occurrences: dict[int, Statement] = {}
        self.conditions: dict[Any, _EntryIndex] = {}  # condition (None: none) -> its shapes

    def add(self, shape: _Shape, first: int) -> None:
        key = id(shape)
        self.shapes[key] = shape
        self.first[key] = first
        self.occurrences[key] = shape.stmt
        self.conditions.setdefault(shape.condition, _EntryIndex(self.budget)).add(key, shape)

    def coverers(self, shape: _Shape) -> set[int]:
        """The shapes that cover every entry of ``shape`` under a condition that applies."""
        found: set[int] = set()
        for condition in {None, shape.condition}:
            entries = self.conditions.get(condition)
            if entries is not None:
                found |= entries.coverers(shape)
        return found


class _EntryIndex:
    """For each Action and Resource entry, the shapes listing it (or a wildcard covering it)."""

    def __init__(self, budget: Budget) -> None:
        self.actions = _PatternIndex(fold=True, budget=budget)
        self.resources = _PatternIndex(fold=False, budget=budget)
        self.all: set[int] = set()

    def add(self, key: int, shape: _Shape) -> None:
        self.all.add(key)
        for action in shape.actions:
            self.actions.add(action, key)
        for resource in shape.resources:
            self.resources.add(resource, key)

    def coverers(self, shape: _Shape) -> set[int]:
        sets = [self.actions.coverers(a) for a in set(shape.actions)]
        sets += [self.resources.coverers(r) for r in set(shape.resources)]
        if not sets:
            return set(self.all)
        sets.sort(key=len)
        return sets[0].intersection(*sets[1:])


class _PatternIndex:
    """Patterns to the shapes that hold them, with wildcard patterns found by literal head."""

    def __init__(self, fold: bool, budget: Budget) -> None:
        self.fold = fold
        self.budget = budget
        self.holders: dict[str, set[int]] = {}
        self.by_head: dict[str, list[str]] = {}
        self.head_lengths: list[int] = []
        self._memo: dict[str, set[int]] = {}

    def add(self, pattern: str, key: int) -> None:
        pattern = pattern.lower() if self.fold else pattern
        holders = self.holders.setdefault(pattern, set())
        if not holders and _WILDCARD.search(pattern):
            head = _WILDCARD.split(pattern, 1)[0]
            if head not in self.by_head:
                self.by_head[head] = []
                self.head_lengths = sorted({*self.head_lengths, len(head)})
            self.by_head[head].append(pattern)
        holders.add(key)
        self._memo.clear()

    def coverers(self, pattern: str) -> set[int]:
        """Shapes holding ``pattern`` or a wildcard covering it (do not modify the result)."""
        pattern = pattern.lower() if self.fold else pattern
        found = self._memo.get(pattern)
        if found is not None:
            return found
        exact = self.holders.get(pattern)
        found = exact if exact is not None else set()
        copied = False
        for length in self.head_lengths:
            if length > len(pattern):
                break
            for general in self.by_head.get(pattern[:length], ()):
                if general == pattern:
                    continue
                if not self.budget.spend(general, pattern):
                    break  # spent: no more coverers are looked for
                if covers(general, pattern, self.fold):
                    if not copied:
                        found, copied = set(found), True
                    found |= self.holders[general]
        self._memo[pattern] = found
        return found


_WILDCARD = re.compile(r"[*?]|\$\{")


def _unless(general: Statement, specific: Statement) -> str:
    if general.has_condition:
        return " under the same conditions."
    return ", without conditions." if specific.has_condition else "."


def _comparable(stmt: Statement) -> bool:
    # Only Action statements with Resource (or none, in trust policies) are compared;
    # NotAction/NotResource coverage is left alone.
    return (
        stmt.effect is not None
        and stmt.action_key == "Action"
        and bool(stmt.actions)
        and stmt.resource_key != "NotResource"
        and (stmt.resource_key is None or bool(stmt.resources))
    )


class _Shape:
    """What statement coverage compares, computed once per statement."""

    def __init__(self, stmt: Statement, budget: Budget | None = None) -> None:
        self.stmt = stmt
        self.head = (stmt.effect, stmt.resource_key, stmt.principal_key)
        self.actions = [e.value for e in stmt.actions]
        self.action_set = GlobSet(self.actions, fold=True, budget=budget)
        self.resources = [e.value for e in stmt.resources]
        self.resource_set = GlobSet(self.resources, budget=budget)
        self.principal = canonical(stmt.principal)
        self.condition = canonical(stmt.raw.get("Condition")) if stmt.has_condition else None
        # Shapes of one group may cover each other; equal signatures are the same statement.
        self.group = (self.head, self.principal)
        self.signature = (
            self.group,
            self.condition,
            frozenset(self.action_set.exact),
            frozenset(self.resources),
        )

    def covers(self, other: _Shape) -> bool:
        """True when this statement applies wherever ``other`` does (same effect)."""
        if self.head != other.head or self.principal != other.principal:
            return False
        if self.condition is not None and self.condition != other.condition:
            return False
        return all(self.action_set.covers(a) for a in other.actions) and all(
            self.resource_set.covers(r) for r in other.resources
        )


def _kind_name(kind: str, *, plural: bool = True) -> str:
    names = {
        "identity": "identity-based policies",
        "boundary": "permissions boundaries",
        "session": "session policies",
        "scp": "service control policies",
        "rcp": "resource control policies",
        "resource": "resource-based policies",
        "trust": "role trust policies",
    }
    name = names[kind]
    if plural:
        return name
    singular = name.replace("policies", "policy").replace("boundaries", "boundary")
    return singular
