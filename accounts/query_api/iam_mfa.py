"""Virtual MFA devices: create (seed and QR code once), enable, list, deactivate, delete."""

from __future__ import annotations

import io

import segno

from accounts.errors import InvalidInput
from accounts.models import IAMUser, MFADevice, RootUser
from accounts.query_api import render
from accounts.query_api.common import user_or_caller
from accounts.query_api.registry import Call, operation, paginate, tags_in
from accounts.services import mfa


def _owner(call: Call, read_action: str | None = None) -> IAMUser | RootUser:
    """``UserName`` or the caller; a read is authorized here, changes by their services."""
    owner = user_or_caller(call, call.get("UserName"))
    if read_action:
        call.require(read_action, owner.arn)
    return owner


def _holder(device: MFADevice) -> dict | None:
    """The ``User`` a device belongs to (the root user by its account id and ARN)."""
    if device.user is not None:
        return render.user(device.user)
    if device.root_user is not None:
        account = device.account
        return {"UserId": account.account_id, "Arn": account.root_arn}
    return None


def _qr_png(uri: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="png", scale=4)
    return buffer.getvalue()


@operation("iam", "CreateVirtualMFADevice")
def create_virtual_mfa_device(call: Call) -> dict:
    """A new, unassigned device; its Base32 seed and QR code are returned only now."""
    name, path = call.get("VirtualMFADeviceName"), call.get("Path", "/")
    if path != "/":
        raise InvalidInput("Virtual MFA devices have the path / only in this console.")
    enrolment = mfa.virtual_mfa_device_create(
        actor=call.actor, account=call.account, name=name, tags=tags_in(call.get("Tags"))
    )
    return {
        "VirtualMFADevice": {
            "SerialNumber": enrolment.device.serial_number,
            "Base32StringSeed": enrolment.seed.encode("ascii"),
            "QRCodePNG": _qr_png(enrolment.provisioning_uri),
        }
    }


@operation("iam", "EnableMFADevice")
def enable_mfa_device(call: Call) -> None:
    """Assign a device to a user (or the caller) with two consecutive codes."""
    mfa.virtual_mfa_device_assign_by_serial(
        actor=call.actor,
        owner=_owner(call),
        serial_number=call.get("SerialNumber"),
        code1=call.get("AuthenticationCode1"),
        code2=call.get("AuthenticationCode2"),
    )


@operation("iam", "ListMFADevices")
def list_mfa_devices(call: Call) -> dict:
    """The enabled devices of a user (or the caller)."""
    owner = _owner(call, "iam:ListMFADevices")
    name = owner.name if isinstance(owner, IAMUser) else None
    devices = mfa.mfa_devices_enabled(owner).select_related("account").order_by("enabled_at", "id")
    return paginate(
        call,
        devices,
        "MFADevices",
        lambda d: {"UserName": name, "SerialNumber": d.serial_number, "EnableDate": d.enabled_at},
    )


@operation("iam", "DeactivateMFADevice")
def deactivate_mfa_device(call: Call) -> None:
    """Take a device from its user; the virtual device remains until deleted."""
    mfa.mfa_device_unassign_by_serial(
        actor=call.actor, owner=_owner(call), serial_number=call.get("SerialNumber")
    )


@operation("iam", "DeleteVirtualMFADevice")
def delete_virtual_mfa_device(call: Call) -> None:
    """Delete a device that no user holds."""
    mfa.virtual_mfa_device_delete_by_serial(
        actor=call.actor, account=call.account, serial_number=call.get("SerialNumber")
    )


@operation("iam", "ListVirtualMFADevices")
def list_virtual_mfa_devices(call: Call) -> dict:
    """The account's devices, assigned, unassigned or both (seeds are never listed)."""
    call.require("iam:ListVirtualMFADevices", "*")
    devices = MFADevice.objects.filter(account=call.account).select_related(
        "account", "user__account", "root_user"
    )
    status = call.get("AssignmentStatus", "Any")
    if status == "Assigned":
        devices = devices.filter(enabled_at__isnull=False)
    elif status == "Unassigned":
        devices = devices.filter(enabled_at__isnull=True)
    return paginate(
        call,
        devices.order_by("name", "id"),
        "VirtualMFADevices",
        lambda d: {
            "SerialNumber": d.serial_number,
            "User": _holder(d) if d.is_enabled else None,
            "EnableDate": d.enabled_at,
        },
    )
