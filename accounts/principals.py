"""The signed-in principal: who a request acts as (root user, IAM user or role session).

A plain frozen value built once per request from the session or the request's access key;
``authorize`` and the audit trail read it. It quacks enough like ``request.user`` for DRF
(``is_authenticated``) but is not a Django auth user: IAM policies are the only permissions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from accounts.identifiers import root_arn

ROOT = "root"
USER = "user"
ASSUMED_ROLE = "assumed-role"

# aws:PrincipalType values (iam-reference.md §3)
PRINCIPAL_TYPES = {ROOT: "Account", USER: "User", ASSUMED_ROLE: "AssumedRole"}


@dataclass(frozen=True)
class Principal:
    """The identity behind a request and the facts IAM's request context derives from it."""

    kind: str
    account_id: str
    arn: str  # the caller's ARN: root, user, or the assumed-role session ARN
    principal_arn: str  # aws:PrincipalArn: the role's ARN for a role session
    user_id: str  # aws:userid
    name: str  # for display: email of root, user name, role/session
    pk: int  # RootUser, IAMUser or RoleSession primary key
    username: str | None = None  # aws:username (IAM users only)
    tags: dict = field(default_factory=dict)
    role_pk: int | None = None
    mfa_authenticated_at: datetime | None = None
    credential: str = "console"  # console | access-key | session
    access_key_id: str = ""
    token_issued_at: datetime | None = None
    session_expires_at: datetime | None = None
    source_arn: str = ""  # for a role session: who assumed the role
    source_identity: str = ""  # for a role session: its SourceIdentity (aws:SourceIdentity)
    transitive_tags: dict = field(default_factory=dict)  # session tags passed on when chaining
    display_color: str = ""

    is_authenticated = True
    is_anonymous = False

    @property
    def is_root(self) -> bool:
        return self.kind == ROOT

    @property
    def principal_type(self) -> str:
        return PRINCIPAL_TYPES[self.kind]

    @property
    def kind_label(self) -> str:
        return {ROOT: "Root user", USER: "IAM user", ASSUMED_ROLE: "Role session"}[self.kind]

    def get_username(self) -> str:
        return self.arn

    def __str__(self) -> str:
        return self.arn


def principal_for_root(root, *, mfa_at: datetime | None = None, **extra) -> Principal:
    """The root user of an account as a principal."""
    account_id = root.account.account_id
    return Principal(
        kind=ROOT,
        account_id=account_id,
        arn=root_arn(account_id),
        principal_arn=root_arn(account_id),
        user_id=account_id,
        name=root.email,
        pk=root.pk,
        mfa_authenticated_at=mfa_at,
        **extra,
    )


def principal_for_user(user, *, mfa_at: datetime | None = None, **extra) -> Principal:
    """An IAM user as a principal (aws:username, AIDA… user id, its tags)."""
    return Principal(
        kind=USER,
        account_id=user.account.account_id,
        arn=user.arn,
        principal_arn=user.arn,
        user_id=user.unique_id,
        name=user.name,
        pk=user.pk,
        username=user.name,
        tags=dict(user.tags),
        mfa_authenticated_at=mfa_at,
        **extra,
    )


def principal_for_role_session(session, **extra) -> Principal:
    """A role session: aws:userid is ``AROA…:session``, tags are the role's then session's."""
    role = session.role
    tags = {**role.tags, **session.session_tags}
    return Principal(
        kind=ASSUMED_ROLE,
        account_id=role.account.account_id,
        arn=session.arn,
        principal_arn=role.arn,
        user_id=f"{role.unique_id}:{session.session_name}",
        name=f"{role.name}/{session.session_name}",
        pk=session.pk,
        role_pk=role.pk,
        tags=tags,
        mfa_authenticated_at=session.mfa_authenticated_at,
        token_issued_at=session.issued_at,
        session_expires_at=session.expires_at,
        source_arn=session.source_arn,
        source_identity=session.source_identity,
        transitive_tags={
            key: session.session_tags[key]
            for key in session.transitive_tag_keys
            if key in session.session_tags
        },
        display_color=session.display_color,
        **extra,
    )
