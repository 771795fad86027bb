"""Look-ups the handlers share: the caller's own identity, entities by ARN, MFA devices."""

from __future__ import annotations

from accounts.errors import ValidationError
from accounts.models import IAMUser, MFADevice, Role, RootUser
from accounts.principals import ROOT, USER
from accounts.query_api.registry import Call
from accounts.services import mfa
from accounts.services.users import user_get


def caller_identity(call: Call) -> IAMUser | RootUser | None:
    """The IAM user or root user behind the call (None for a role session)."""
    principal = call.principal
    if principal.kind == USER:
        return IAMUser.objects.select_related("account", "permissions_boundary").get(
            pk=principal.pk
        )
    if principal.kind == ROOT:
        return RootUser.objects.select_related("account").get(pk=principal.pk)
    return None


def user_or_caller(call: Call, name: str | None) -> IAMUser | RootUser:
    """``UserName`` if given, else the caller itself, as AWS defaults it for self-service calls."""
    if name:
        return user_get(account=call.account, name=name)
    owner = caller_identity(call)
    if owner is None:
        raise ValidationError(
            "Must specify userName when calling with non-User credentials",
            fields={"UserName": "required for role sessions"},
        )
    return owner


def role_by_arn(arn: str) -> Role | None:
    """The role with this ARN in any account (AssumeRole may cross accounts)."""
    name = arn.rsplit("/", 1)[-1]
    candidates = Role.objects.select_related("account").filter(name__iexact=name)
    return next((r for r in candidates if r.arn == arn), None)


def mfa_device(account, serial: str) -> MFADevice | None:
    """The virtual MFA device with this serial number (``arn:aws:iam::ACCT:mfa/NAME``)."""
    prefix = f"arn:aws:iam::{account.account_id}:mfa/"
    if not serial.startswith(prefix):
        return None
    return (
        MFADevice.objects.select_related("account", "user", "root_user")
        .filter(account=account, name=serial[len(prefix) :])
        .first()
    )


def mfa_verified(call: Call, serial: str | None, code: str | None) -> bool:
    """``SerialNumber``/``TokenCode``: a current code of one of the caller's own devices."""
    if not serial and not code:
        return False
    if not (serial and code):
        raise ValidationError("SerialNumber and TokenCode must be given together.")
    principal = call.principal
    device = mfa_device(call.account, serial)
    owned = device is not None and (
        (principal.kind == USER and device.user_id == principal.pk)
        or (principal.kind == ROOT and device.root_user_id == principal.pk)
    )
    if not owned or not mfa.mfa_code_verify(device=device, code=code):
        raise mfa.InvalidAuthenticationCode(
            "MultiFactorAuthentication failed with invalid MFA one time pass code."
        )
    return True
