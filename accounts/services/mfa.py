"""Virtual MFA devices: TOTP seeds encrypted at rest, enrolment with two consecutive codes."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyotp
import segno
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import rules
from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.crypto import decrypt, encrypt
from accounts.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    IAMError,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
    ValidationError,
)
from accounts.models import IAMUser, MFADevice, RootUser
from policies.authorization import authorize_actor

MFA_DEVICES_PER_USER = 8
TOTP_STEP_S = 30
ISSUER = "Amazon MQ IAM console"


class InvalidAuthenticationCode(IAMError):
    """AWS's error for wrong MFA codes."""

    code = "InvalidAuthenticationCode"
    http_status = 403


@dataclass(frozen=True)
class Enrolment:
    """A device being enrolled: the seed is shown (as text and QR code) only now."""

    device: MFADevice
    seed: str
    provisioning_uri: str

    def qr_svg_data_uri(self) -> str:
        """The provisioning URI as a QR code, rendered locally (no external service)."""
        return segno.make(self.provisioning_uri, error="m").svg_data_uri(scale=5)


def _owner_fields(owner: IAMUser | RootUser) -> dict:
    return {"user": owner} if isinstance(owner, IAMUser) else {"root_user": owner}


def _owner_label(owner: IAMUser | RootUser) -> str:
    return owner.name if isinstance(owner, IAMUser) else "root"


def mfa_device_create(*, actor: Actor, owner: IAMUser | RootUser, name: str) -> Enrolment:
    """Create a virtual MFA device (not yet enabled) and return its seed for enrolment."""
    rules.check_name("user", name)
    account = owner.account
    authorize_actor(
        actor, "iam:CreateVirtualMFADevice", f"arn:aws:iam::{account.account_id}:mfa/{name}"
    )
    seed = pyotp.random_base32(32)
    with transaction.atomic():
        if (
            MFADevice.objects.filter(**_owner_fields(owner), enabled_at__isnull=False).count()
            >= MFA_DEVICES_PER_USER
        ):
            raise LimitExceeded(
                f"Cannot exceed quota for MFADevicesPerUser: {MFA_DEVICES_PER_USER}"
            )
        # An abandoned, never-enabled enrolment of this owner is replaced, as AWS's console does.
        MFADevice.objects.filter(**_owner_fields(owner), enabled_at__isnull=True).delete()
        try:
            with transaction.atomic():
                device = MFADevice.objects.create(
                    account=account, name=name, seed_encrypted=encrypt(seed), **_owner_fields(owner)
                )
        except IntegrityError as exc:
            raise EntityAlreadyExists(
                f"MFADevice entity at the same path and name already exists: {name}"
            ) from exc
        audit_record(
            actor=actor,
            action="iam:CreateVirtualMFADevice",
            resource_arn=device.serial_number,
            account_id=account.account_id,
            parameters={"VirtualMFADeviceName": name},
        )
    return _enrolment(device, owner, seed)


def _enrolment(device: MFADevice, owner: IAMUser | RootUser, seed: str) -> Enrolment:
    account = owner.account
    label = f"{_owner_label(owner)}@{account.alias or account.account_id}"
    uri = pyotp.TOTP(seed).provisioning_uri(name=label, issuer_name=ISSUER)
    return Enrolment(device=device, seed=seed, provisioning_uri=uri)


def mfa_enrolment_resume(*, device: MFADevice, owner: IAMUser | RootUser) -> Enrolment:
    """The enrolment of a not-yet-enabled device again (e.g. after a wrong code)."""
    if device.is_enabled:
        raise EntityAlreadyExists("The MFA device is already enabled.")
    return _enrolment(device, owner, decrypt(device.seed_encrypted))


def _step(now: float | None = None) -> int:
    return int((now if now is not None else time.time()) // TOTP_STEP_S)


def _code_at(seed: str, step: int) -> str:
    return pyotp.TOTP(seed).at(step * TOTP_STEP_S)


def _check_code_format(code: object, field: str) -> str:
    if not isinstance(code, str) or len(code) != 6 or not code.isdigit():
        raise ValidationError("An MFA code is 6 digits.", fields={field: "6 digits"})
    return code


def mfa_device_enable(
    *, actor: Actor, device: MFADevice, code1: str, code2: str, now: float | None = None
) -> MFADevice:
    """Enable a device with two consecutive codes (AWS EnableMFADevice on its owner)."""
    owner = device.user or device.root_user
    if owner is not None:
        authorize_actor(actor, "iam:EnableMFADevice", owner.arn)
    _check_code_format(code1, "code1")
    _check_code_format(code2, "code2")
    with transaction.atomic():
        device = MFADevice.objects.select_for_update().get(pk=device.pk)
        if device.is_enabled:
            raise EntityAlreadyExists("The MFA device is already enabled.")
        seed = decrypt(device.seed_encrypted)
        current = _step(now)
        # Consecutive codes may have been read a few periods ago: look back 3 steps.
        match = next(
            (
                s
                for s in range(current - 3, current + 1)
                if _code_at(seed, s) == code1 and _code_at(seed, s + 1) == code2
            ),
            None,
        )
        if match is None:
            raise InvalidAuthenticationCode(
                "Authentication code for device is not valid: enter two consecutive codes."
            )
        device.enabled_at = timezone.now()
        device.last_used_step = match + 1
        device.save(update_fields=["enabled_at", "last_used_step"])
        audit_record(
            actor=actor,
            action="iam:EnableMFADevice",
            resource_arn=device.serial_number,
            account_id=device.account.account_id,
            parameters={
                "SerialNumber": device.serial_number,
                "AuthenticationCode1": code1,
                "AuthenticationCode2": code2,
            },
        )
    return device


def mfa_code_verify(*, device: MFADevice, code: str, now: float | None = None) -> bool:
    """Accept a current code (±1 period) once; a code already used is refused (replay)."""
    if not isinstance(code, str) or len(code) != 6 or not code.isdigit():
        return False
    with transaction.atomic():
        locked = MFADevice.objects.select_for_update().get(pk=device.pk)
        if not locked.is_enabled:
            return False
        seed = decrypt(locked.seed_encrypted)
        current = _step(now)
        for step in (current - 1, current, current + 1):
            if step > locked.last_used_step and _code_at(seed, step) == code:
                locked.last_used_step = step
                locked.save(update_fields=["last_used_step"])
                return True
    return False


def mfa_devices_enabled(owner: IAMUser | RootUser):
    return MFADevice.objects.filter(**_owner_fields(owner), enabled_at__isnull=False)


def mfa_device_deactivate(*, actor: Actor, owner: IAMUser | RootUser, serial_number: str) -> None:
    """Deactivate and delete a device (AWS DeactivateMFADevice + DeleteVirtualMFADevice)."""
    authorize_actor(actor, "iam:DeactivateMFADevice", owner.arn)
    with transaction.atomic():
        device = next(
            (
                d
                for d in MFADevice.objects.filter(**_owner_fields(owner)).select_related("account")
                if d.serial_number == serial_number
            ),
            None,
        )
        if device is None:
            raise NoSuchEntity(f"MFA Device with serial number {serial_number} does not exist.")
        device.delete()
        audit_record(
            actor=actor,
            action="iam:DeactivateMFADevice",
            resource_arn=serial_number,
            account_id=owner.account.account_id,
            parameters={"SerialNumber": serial_number},
        )


# -- Virtual MFA devices as IAM's API manages them: created unassigned, then enabled for a user


def virtual_mfa_device_create(
    *, actor: Actor, account, name: str, tags: dict | None = None
) -> Enrolment:
    """CreateVirtualMFADevice: a device owned by nobody yet; its seed is shown only now.

    Tags are authorized as AWS would (``aws:RequestTag/*``), then refused: this console keeps
    no tags on MFA devices.
    """
    rules.check_name("user", name)
    authorize_actor(
        actor,
        "iam:CreateVirtualMFADevice",
        f"arn:aws:iam::{account.account_id}:mfa/{name}",
        request_tags=tags or None,
    )
    if tags:
        raise InvalidInput("Tags on virtual MFA devices are not supported by this console.")
    seed = pyotp.random_base32(32)
    try:
        with transaction.atomic():
            device = MFADevice.objects.create(
                account=account, name=name, seed_encrypted=encrypt(seed)
            )
            audit_record(
                actor=actor,
                action="iam:CreateVirtualMFADevice",
                resource_arn=device.serial_number,
                account_id=account.account_id,
                parameters={"VirtualMFADeviceName": name},
            )
    except IntegrityError as exc:
        raise EntityAlreadyExists(
            f"MFADevice entity at the same path and name already exists: {name}"
        ) from exc
    label = f"{name}@{account.alias or account.account_id}"
    uri = pyotp.TOTP(seed).provisioning_uri(name=label, issuer_name=ISSUER)
    return Enrolment(device=device, seed=seed, provisioning_uri=uri)


def virtual_mfa_device_assign(
    *,
    actor: Actor,
    device: MFADevice,
    owner: IAMUser | RootUser,
    code1: str,
    code2: str,
    now: float | None = None,
) -> MFADevice:
    """EnableMFADevice: give an unassigned device to ``owner`` and enable it with two codes."""
    authorize_actor(actor, "iam:EnableMFADevice", owner.arn)
    with transaction.atomic():
        locked = MFADevice.objects.select_for_update().get(pk=device.pk)
        # A device the owner began enrolling in the console may be finished here.
        mine = (isinstance(owner, IAMUser) and locked.user_id == owner.pk) or (
            isinstance(owner, RootUser) and locked.root_user_id == owner.pk
        )
        if locked.is_enabled or ((locked.user_id or locked.root_user_id) and not mine):
            raise EntityAlreadyExists("The MFA device is already in use.")
        if mfa_devices_enabled(owner).count() >= MFA_DEVICES_PER_USER:
            raise LimitExceeded(
                f"Cannot exceed quota for MFADevicesPerUser: {MFA_DEVICES_PER_USER}"
            )
        for field, value in _owner_fields(owner).items():
            setattr(locked, field, value)
        locked.save(update_fields=list(_owner_fields(owner)))
        return mfa_device_enable(actor=actor, device=locked, code1=code1, code2=code2, now=now)


def mfa_device_unassign(*, actor: Actor, device: MFADevice) -> MFADevice:
    """DeactivateMFADevice as IAM's API has it: the device stays, unassigned and disabled."""
    owner = device.user or device.root_user
    if owner is not None:
        authorize_actor(actor, "iam:DeactivateMFADevice", owner.arn)
    with transaction.atomic():
        locked = MFADevice.objects.select_for_update().select_related("account").get(pk=device.pk)
        locked.user = None
        locked.root_user = None
        locked.enabled_at = None
        locked.save(update_fields=["user", "root_user", "enabled_at"])
        audit_record(
            actor=actor,
            action="iam:DeactivateMFADevice",
            resource_arn=locked.serial_number,
            account_id=locked.account.account_id,
            parameters={"SerialNumber": locked.serial_number},
        )
    return locked


def virtual_mfa_device_delete(*, actor: Actor, device: MFADevice) -> None:
    """DeleteVirtualMFADevice: only a device no user holds (else DeleteConflict)."""
    authorize_actor(actor, "iam:DeleteVirtualMFADevice", device.serial_number)
    with transaction.atomic():
        locked = MFADevice.objects.select_for_update().select_related("account").get(pk=device.pk)
        if locked.is_enabled:
            raise DeleteConflict("MFA device is still in use and must be deactivated first.")
        serial = locked.serial_number
        locked.delete()
        audit_record(
            actor=actor,
            action="iam:DeleteVirtualMFADevice",
            resource_arn=serial,
            account_id=device.account.account_id,
            parameters={"SerialNumber": serial},
        )


# -- The IAM API names devices by serial number: AWS authorizes before it looks them up, so a
# caller without the permission learns nothing of which devices exist.


def mfa_device_by_serial(account, serial: str) -> MFADevice | None:
    """The virtual MFA device with this serial number (``arn:aws:iam::ACCT:mfa/NAME``)."""
    prefix = f"arn:aws:iam::{account.account_id}:mfa/"
    if not isinstance(serial, str) or not serial.startswith(prefix):
        return None
    return (
        MFADevice.objects.select_related("account", "user", "root_user")
        .filter(account=account, name=serial[len(prefix) :])
        .first()
    )


def _virtual_device(account, serial: str) -> MFADevice:
    device = mfa_device_by_serial(account, serial)
    if device is None:
        raise NoSuchEntity(f"VirtualMFADevice with serial number {serial} doesn't exist.")
    return device


def virtual_mfa_device_assign_by_serial(
    *, actor: Actor, owner: IAMUser | RootUser, serial_number: str, code1: str, code2: str
) -> MFADevice:
    """EnableMFADevice by serial number: authorized on the owner, then the device is found."""
    authorize_actor(actor, "iam:EnableMFADevice", owner.arn)
    device = _virtual_device(owner.account, serial_number)
    return virtual_mfa_device_assign(
        actor=actor, device=device, owner=owner, code1=code1, code2=code2
    )


def mfa_device_unassign_by_serial(
    *, actor: Actor, owner: IAMUser | RootUser, serial_number: str
) -> MFADevice:
    """DeactivateMFADevice by serial number: the owner's device (else NoSuchEntity)."""
    authorize_actor(actor, "iam:DeactivateMFADevice", owner.arn)
    device = mfa_device_by_serial(owner.account, serial_number)
    holder = "user_id" if isinstance(owner, IAMUser) else "root_user_id"
    held = device is not None and getattr(device, holder) == owner.pk
    if not held:
        raise NoSuchEntity(f"MFA Device with serial number {serial_number} does not exist.")
    return mfa_device_unassign(actor=actor, device=device)


def virtual_mfa_device_delete_by_serial(*, actor: Actor, account, serial_number: str) -> None:
    """DeleteVirtualMFADevice by serial number: authorized, then found (else NoSuchEntity)."""
    authorize_actor(actor, "iam:DeleteVirtualMFADevice", serial_number)
    virtual_mfa_device_delete(actor=actor, device=_virtual_device(account, serial_number))
