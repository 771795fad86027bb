"""Password checks for console sign-in, run through ``django.contrib.auth.authenticate``.

Going through Django's ``authenticate`` lets django-axes count failures per user and per
source IP and refuse locked-out attempts before a password is even checked. The "username"
seen by axes is ``root:<email>`` or ``<account-id>:<user name>`` (lower-cased).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from accounts.models import Account, IAMUser, RootUser

# Checking a password against this hash when the user does not exist keeps the response time
# the same, so sign-in does not reveal which user names exist.
_DUMMY_HASH = None


def _dummy_check(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = make_password("dummy-password-for-timing")
    RootUser(password=_DUMMY_HASH).check_password(password)


@dataclass
class SignInSubject:
    """Who passed the password check: a root user or an IAM user."""

    owner: RootUser | IAMUser
    username: str
    backend: str = ""

    def get_username(self) -> str:
        return self.username


def axes_username_for_root(email: str) -> str:
    return f"root:{email.strip().lower()}"


def axes_username_for_user(account_id: str, name: str) -> str:
    return f"{account_id}:{name.strip().lower()}"


def resolve_account(reference: str) -> Account | None:
    """An account by 12-digit id or by alias."""
    reference = (reference or "").strip()
    if reference.isdigit():
        return Account.objects.filter(account_id=reference).first()
    return Account.objects.filter(alias=reference.lower()).first()


class ConsoleBackend:
    """Checks root (email) and IAM user (account + name) passwords."""

    def authenticate(
        self, request, username: str | None = None, password: str | None = None, **kwargs
    ):
        if not username or password is None:
            return None
        prefix, _, rest = username.partition(":")
        if prefix == "root":
            root = RootUser.objects.select_related("account").filter(email__iexact=rest).first()
            if root is None:
                _dummy_check(password)
                return None
            return SignInSubject(root, username) if root.check_password(password) else None
        user = (
            IAMUser.objects.select_related("account")
            .filter(account__account_id=prefix, name__iexact=rest)
            .first()
        )
        if user is None or not user.has_console_password:
            _dummy_check(password)
            return None
        return SignInSubject(user, username) if user.check_password(password) else None

    def get_user(self, user_id):
        return None
