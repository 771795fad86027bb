"""Console sign-in: password, then MFA when the identity has it; both throttled.

Throttling (accounts/services/signin_throttle.py) is per user and source, with slow-downs
per user and per address that never apply to the owner's known browser.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.backends import (
    SignInSubject,
    axes_username_for_root,
    axes_username_for_user,
    resolve_account,
)
from accounts.identifiers import root_arn
from accounts.models import AuditEvent, IAMUser, RootUser
from accounts.services.mfa import mfa_code_verify, mfa_devices_enabled
from accounts.services.passwords import password_expired, password_policy_for
from accounts.services.signin_throttle import FAILED as FAILED_CODE
from accounts.services.signin_throttle import (
    failure_parameters,
    known_device_remember,
    signin_throttle_check,
)
from accounts.session import (
    session_set_must_change_password,
    session_set_pending,
    session_sign_in,
)

log = logging.getLogger("mqiam.signin")


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


FAILED = "Your authentication information is incorrect. Please try again."
PENDING_TTL = timedelta(minutes=5)


@dataclass(frozen=True)
class SignInOutcome:
    """What the sign-in page does next."""

    status: str  # signed-in | mfa-required | failed | locked-out
    message: str = ""
    must_change_password: bool = False


def _actor(request, arn: str, account_id: str, kind: str) -> Actor:
    return Actor(
        arn=arn,
        account_id=account_id,
        kind=kind,
        source_ip=request.META.get("REMOTE_ADDR"),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
    )


def _owner_arn(owner: RootUser | IAMUser) -> str:
    return root_arn(owner.account.account_id) if isinstance(owner, RootUser) else owner.arn


def _audit_signin(
    request,
    owner,
    *,
    success: bool,
    arn: str,
    account_id: str,
    reason="",
    parameters: dict | None = None,
    error_code: str = FAILED_CODE,
):
    audit_record(
        actor=_actor(request, arn, account_id, "root" if isinstance(owner, RootUser) else "user"),
        action="signin:ConsoleLogin",
        resource_arn=arn,
        account_id=account_id,
        parameters=parameters,
        decision=AuditEvent.Decision.ALLOWED if success else AuditEvent.Decision.ERROR,
        error_code="" if success else error_code,
        message=reason,
    )


def sign_in_with_password(
    request,
    *,
    password: str,
    root_email: str | None = None,
    account_ref: str | None = None,
    username: str | None = None,
) -> SignInOutcome:
    """Check the password of a root user (by email) or an IAM user (by account and name)."""
    if root_email is not None:
        axes_name = axes_username_for_root(root_email)
        arn, account_id = f"root:{root_email}", ""
    else:
        account = resolve_account(account_ref or "")
        account_id = account.account_id if account else ""
        axes_name = axes_username_for_user(account_id, username or "")
        arn = f"arn:aws:iam::{account_id}:user/{username}"
    with transaction.atomic():
        refusal = signin_throttle_check(request, axes_name)
        if refusal is not None:
            log.warning("sign-in throttled for %s from %s", axes_name, client_ip(request))
            _audit_signin(
                request,
                None,
                success=False,
                arn=arn,
                account_id=account_id,
                reason=refusal,
                parameters={"Subject": axes_name},
                error_code="Throttled",
            )
            return SignInOutcome("locked-out", refusal)
        subject: SignInSubject | None = authenticate(request, username=axes_name, password=password)
        if subject is None:
            log.info("failed sign-in for %s from %s", axes_name, client_ip(request))
            _audit_signin(
                request,
                None,
                success=False,
                arn=arn,
                account_id=account_id,
                reason="wrong credentials",
                parameters=failure_parameters(request, axes_name),
            )
            refusal = signin_throttle_check(request, axes_name)  # this failure may be the last
            return (
                SignInOutcome("locked-out", refusal) if refusal else SignInOutcome("failed", FAILED)
            )
    owner = subject.owner
    if mfa_devices_enabled(owner).exists():
        session_set_pending(request, owner)
        return SignInOutcome("mfa-required")
    return _complete(request, owner, subject, mfa_at=None)


def sign_in_with_mfa(request, *, pending: dict, code: str) -> SignInOutcome:
    """Second step: the TOTP code of one of the identity's enabled devices."""
    since = timezone.datetime.fromisoformat(pending["since"])
    if timezone.now() - since > PENDING_TTL:
        request.session.pop("mqiam.pending-signin", None)
        return SignInOutcome("failed", "The sign-in took too long. Sign in again.")
    model = RootUser if pending["kind"] == "root" else IAMUser
    owner = model.objects.select_related("account").filter(pk=pending["pk"]).first()
    if owner is None:
        return SignInOutcome("failed", FAILED)
    axes_name = (
        axes_username_for_root(owner.email)
        if isinstance(owner, RootUser)
        else axes_username_for_user(owner.account.account_id, owner.name)
    )
    # A throttled attempt gets no answer about the code: otherwise the six digits could be
    # guessed at leisure once the password is known.
    with transaction.atomic():
        refusal = signin_throttle_check(request, axes_name)
        if refusal is not None:
            _audit_signin(
                request,
                owner,
                success=False,
                arn=_owner_arn(owner),
                account_id=owner.account.account_id,
                reason=refusal,
                parameters={"Subject": axes_name},
                error_code="Throttled",
            )
            return SignInOutcome("locked-out", refusal)
        if any(mfa_code_verify(device=d, code=code) for d in mfa_devices_enabled(owner)):
            verified = True
        else:
            verified = False
            # django-axes keeps its record of the failure (it no longer decides lockouts).
            user_login_failed.send(
                sender=__name__, credentials={"username": axes_name}, request=request
            )
            _audit_signin(
                request,
                owner,
                success=False,
                arn=_owner_arn(owner),
                account_id=owner.account.account_id,
                reason="wrong MFA code",
                parameters=failure_parameters(request, axes_name),
            )
            refusal = signin_throttle_check(request, axes_name)  # this failure may be the last
            if refusal is not None:
                return SignInOutcome("locked-out", refusal)
    if verified:
        return _complete(request, owner, SignInSubject(owner, axes_name), mfa_at=timezone.now())
    return SignInOutcome("failed", "The MFA code is not valid. Enter the current code.")


def _complete(request, owner, subject: SignInSubject, *, mfa_at) -> SignInOutcome:
    expired = isinstance(owner, IAMUser) and password_expired(owner)
    if expired and password_policy_for(owner.account).hard_expiry:
        _audit_signin(
            request,
            owner,
            success=False,
            arn=_owner_arn(owner),
            account_id=owner.account.account_id,
            reason="password expired",
        )
        return SignInOutcome(
            "failed", "Your password has expired. Ask an administrator to reset it."
        )
    session_sign_in(request, owner, mfa_at=mfa_at)
    known_device_remember(request, subject.username)
    user_logged_in.send(sender=type(owner), request=request, user=subject)
    now = timezone.now()
    must_change = False
    if isinstance(owner, RootUser):
        owner.last_login_at = now
        owner.save(update_fields=["last_login_at"])
    else:
        owner.password_last_used_at = now
        owner.save(update_fields=["password_last_used_at"])
        must_change = owner.password_reset_required or expired
    session_set_must_change_password(request, must_change)
    _audit_signin(
        request, owner, success=True, arn=_owner_arn(owner), account_id=owner.account.account_id
    )
    return SignInOutcome("signed-in", must_change_password=must_change)
