"""Who is calling, and whether a Principal/NotPrincipal element names them (and how strongly).

A resource-policy grant is stronger the more specifically it names the caller: ``DIRECT``
(the user, the role session, ``*``), ``ROLE`` (the role a session belongs to) or ``ACCOUNT``
(the account, i.e. a delegation to the account's own IAM policies).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from policies.engine.model import PrincipalSpec, Request

NONE, ACCOUNT, ROLE, DIRECT = 0, 1, 2, 3
STRENGTH_NAMES = {NONE: "none", ACCOUNT: "account", ROLE: "role", DIRECT: "principal"}

ROOT = "root"
USER = "user"
ROLE_SESSION = "assumed-role"
ROLE_ITSELF = "role"
FEDERATED = "federated-user"
SERVICE = "service"
ANONYMOUS = "anonymous"
OTHER = "other"
SESSION_KINDS = frozenset({ROLE_SESSION, FEDERATED})

_ACCOUNT_ID = re.compile(r"\d{12}")
_ROOT_ARN = re.compile(r"arn:[^:]*:iam::(\d{12}):root")


@dataclass(frozen=True, slots=True)
class Caller:
    """The principal of a request, with the identities AWS checks it against."""

    kind: str
    arn: str
    account: str | None
    role_arn: str | None = None
    userid: str | None = None
    role_id: str | None = None

    @property
    def is_session(self) -> bool:
        """An assumed-role or federated-user session (the principals session policies bind)."""
        return self.kind in SESSION_KINDS

    @property
    def service_linked(self) -> bool:
        """A service-linked role's session: SCPs and RCPs do not restrict it."""
        return bool(self.role_arn) and ":role/aws-service-role/" in (self.role_arn or "")


def caller_of(request: Request) -> Caller:
    """The Caller for a request (``aws:PrincipalArn`` gives a session's role ARN and path)."""
    found = request.derived.get("caller")
    if found is not None:
        return found  # type: ignore[no-any-return]
    ctx = request.context
    principal_arn = ctx.get("aws:principalarn")
    userid = ctx.get("aws:userid")
    caller = _caller(
        request.principal,
        principal_arn if isinstance(principal_arn, str) else None,
        userid if isinstance(userid, str) else None,
    )
    request.derived["caller"] = caller
    return caller


@lru_cache(maxsize=8192)
def _caller(principal: str, principal_arn: str | None, userid: str | None) -> Caller:
    """Classify a principal string (an ARN, an account id, a service name or ``*``)."""
    if principal in ("", "*", "anonymous"):
        return Caller(ANONYMOUS, principal, None)
    if _ACCOUNT_ID.fullmatch(principal):
        return Caller(ROOT, f"arn:aws:iam::{principal}:root", principal, userid=userid)
    parts = principal.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        if principal.endswith(".amazonaws.com") or principal.endswith(".amazonaws.com.cn"):
            return Caller(SERVICE, principal, None)
        return Caller(OTHER, principal, None, userid=userid)
    service, account, resource = parts[2], parts[4] or None, parts[5]
    role_id = userid.partition(":")[0] if userid and ":" in userid else None
    if service == "iam" and resource == "root":
        return Caller(ROOT, principal, account, userid=userid)
    if service == "iam" and resource.startswith("user/"):
        return Caller(USER, principal, account, userid=userid)
    if service == "iam" and resource.startswith("role/"):
        return Caller(ROLE_ITSELF, principal, account, role_arn=principal, userid=userid)
    if service == "sts" and resource.startswith("assumed-role/"):
        role_name = resource.split("/")[1] if resource.count("/") >= 2 else ""
        role_arn = principal_arn
        if not role_arn or ":role/" not in role_arn:
            role_arn = f"arn:{parts[1]}:iam::{parts[4]}:role/{role_name}"
        return Caller(
            ROLE_SESSION, principal, account, role_arn=role_arn, userid=userid, role_id=role_id
        )
    if service == "sts" and resource.startswith("federated-user/"):
        return Caller(FEDERATED, principal, account, userid=userid)
    return Caller(OTHER, principal, account, userid=userid)


def _entry_account(entry: str) -> str | None:
    """The account an AWS principal entry names as a whole (id or root ARN), else None."""
    if _ACCOUNT_ID.fullmatch(entry):
        return entry
    m = _ROOT_ARN.fullmatch(entry)
    return m.group(1) if m else None


def strength(spec: PrincipalSpec, caller: Caller) -> int:
    """How specifically a Principal element names the caller (NONE when it does not)."""
    if spec.wildcard:
        return DIRECT
    best = NONE
    for entry in spec.aws:
        if entry == "*":
            return DIRECT
        account = _entry_account(entry)
        if account is not None:
            if account == caller.account:
                # Naming the account names the root user itself, everyone else by delegation.
                best = max(best, DIRECT if caller.kind == ROOT else ACCOUNT)
        elif caller.role_arn is not None and entry == caller.role_arn:
            best = max(best, ROLE)
        elif entry == caller.arn or (caller.userid is not None and entry == caller.userid):
            return DIRECT
        elif caller.role_id is not None and entry == caller.role_id:
            best = max(best, ROLE)
    if caller.kind == SERVICE:
        low = caller.arn.lower()
        if any(entry.lower() == low for entry in spec.service):
            return DIRECT
    if caller.arn in spec.federated or caller.arn in spec.canonical_user:
        return DIRECT
    return best


def excluded(spec: PrincipalSpec, caller: Caller) -> bool:
    """Whether a NotPrincipal element exempts the caller: every identity AWS checks is named.

    AWS checks the account, then the role, then the session (or the account, then the
    user), so a NotPrincipal that omits the account still applies to its users and roles;
    naming a role exempts its sessions when the account is named too.
    """
    if spec.wildcard or "*" in spec.aws:
        return True
    aws = set(spec.aws)

    def account_named() -> bool:
        return any(_entry_account(e) == caller.account for e in spec.aws if caller.account)

    kind = caller.kind
    if kind == ROOT:
        return account_named()
    if kind == SERVICE:
        low = caller.arn.lower()
        return any(e.lower() == low for e in spec.service)
    if kind == ANONYMOUS:
        return False
    if not account_named():
        return False
    if kind in (USER, FEDERATED, OTHER):
        return caller.arn in aws or (caller.userid is not None and caller.userid in aws)
    role_named = caller.role_arn in aws or (caller.role_id is not None and caller.role_id in aws)
    if kind == ROLE_ITSELF:
        return role_named
    return role_named  # the role named (with the account) covers its sessions
