"""The browser session: which principal is signed in, since when, with or without MFA.

Django's session stores only ids and times; the principal is rebuilt from the database on
each request, so a deleted user, a revoked role session or a disabled password takes effect
at once.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from accounts.models import IAMUser, RoleSession, RootUser
from accounts.principals import (
    ROOT,
    USER,
    Principal,
    principal_for_role_session,
    principal_for_root,
    principal_for_user,
)

SESSION_KEY = "mqiam.principal"
PENDING_KEY = "mqiam.pending-signin"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def session_sign_in(request, owner: RootUser | IAMUser, *, mfa_at: datetime | None) -> None:
    """Start a fresh session for ``owner`` (a new session key: no fixation)."""
    request.session.cycle_key()
    request.session.pop(PENDING_KEY, None)
    request.session[SESSION_KEY] = {
        "kind": ROOT if isinstance(owner, RootUser) else USER,
        "pk": owner.pk,
        "mfa_at": _iso(mfa_at),
        "signed_in_at": _iso(timezone.now()),
        "role_session": None,
    }


def session_sign_out(request) -> None:
    request.session.flush()


def session_switch_role(
    request, role_session: RoleSession | None, *, display_name: str = ""
) -> None:
    """Act as a role session in the browser, or (None) switch back to the signed-in identity.

    ``display_name`` is how the navigation bar names the session (AWS keeps it in the
    browser too: it is a label for the person, not part of the session's identity).
    """
    data = request.session.get(SESSION_KEY)
    if data is None:
        return
    data["role_session"] = role_session.pk if role_session else None
    data["role_display_name"] = display_name if role_session else ""
    request.session[SESSION_KEY] = data


def role_display_name(request) -> str:
    """The display name chosen when switching into the current role session ("" if none)."""
    data = request.session.get(SESSION_KEY) or {}
    return data.get("role_display_name", "") if data.get("role_session") else ""


def base_principal(request) -> Principal | None:
    """The identity that signed in (root or IAM user), ignoring any switched role."""
    data = request.session.get(SESSION_KEY)
    if not data:
        return None
    mfa_at = _parse(data.get("mfa_at"))
    if data["kind"] == ROOT:
        root = RootUser.objects.select_related("account").filter(pk=data["pk"]).first()
        return principal_for_root(root, mfa_at=mfa_at) if root else None
    user = IAMUser.objects.select_related("account").filter(pk=data["pk"]).first()
    if user is None or not user.has_console_password:
        return None
    return principal_for_user(user, mfa_at=mfa_at)


def active_role_session(request) -> RoleSession | None:
    data = request.session.get(SESSION_KEY) or {}
    pk = data.get("role_session")
    if not pk:
        return None
    session = RoleSession.objects.select_related("role__account").filter(pk=pk).first()
    if session is None or session.revoked_at or session.expires_at <= timezone.now():
        return None
    return session


MUST_CHANGE_PASSWORD_KEY = "mqiam.must-change-password"


def session_must_change_password(request) -> bool:
    """The signed-in person must set a new password before doing anything else."""
    return bool(request.session.get(MUST_CHANGE_PASSWORD_KEY))


def session_set_must_change_password(request, value: bool) -> None:
    request.session[MUST_CHANGE_PASSWORD_KEY] = value


def principal_from_session(request) -> Principal | None:
    """The principal the browser acts as: a switched-to role session, else the signed-in one."""
    base = base_principal(request)
    if base is None:
        return None
    role_session = active_role_session(request)
    if role_session is not None:
        return principal_for_role_session(role_session)
    if (request.session.get(SESSION_KEY) or {}).get("role_session"):
        session_switch_role(request, None)  # expired or revoked: back to the base identity
    return base


def session_pending(request) -> dict | None:
    """A sign-in that passed the password and waits for the MFA code."""
    return request.session.get(PENDING_KEY)


def session_set_pending(request, owner: RootUser | IAMUser) -> None:
    request.session[PENDING_KEY] = {
        "kind": ROOT if isinstance(owner, RootUser) else USER,
        "pk": owner.pk,
        "since": _iso(timezone.now()),
    }
