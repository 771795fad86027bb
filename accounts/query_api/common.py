"""Look-ups the handlers share: the caller's own identity, entities by ARN, MFA devices."""

from __future__ import annotations

from accounts.errors import ValidationError
from accounts.models import IAMUser, RootUser
from accounts.principals import ROOT, USER
from accounts.query_api.registry import Call
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
