"""Access keys and virtual MFA devices through boto3's IAM client."""

from __future__ import annotations

import base64
import time

import pyotp
import pytest
from botocore.exceptions import ClientError

from accounts.models import AccessKey, MFADevice
from tests.query_api.conftest import ACCOUNT, denied_message, error_of, make_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_access_key_lifecycle(live_server, iam):
    iam.create_user(UserName="bob")
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["SecretAccessKey"]) == 40
    assert key["UserName"] == "bob" and key["Status"] == "Active"
    bob = make_client(live_server, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    assert bob.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/bob"
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert used["UserName"] == "bob"
    assert used["AccessKeyLastUsed"]["ServiceName"] == "sts"
    assert used["AccessKeyLastUsed"]["Region"] == "us-east-1"
    assert used["AccessKeyLastUsed"]["LastUsedDate"] is not None
    second = iam.create_access_key(UserName="bob")["AccessKey"]
    fresh = iam.get_access_key_last_used(AccessKeyId=second["AccessKeyId"])["AccessKeyLastUsed"]
    assert fresh == {"ServiceName": "N/A", "Region": "N/A"}
    with pytest.raises(ClientError) as excinfo:
        iam.create_access_key(UserName="bob")
    assert error_of(excinfo) == (
        "LimitExceeded",
        "Cannot exceed quota for AccessKeysPerUser: 2",
        409,
    )
    page = iam.list_access_keys(UserName="bob", MaxItems=1)
    assert page["IsTruncated"] and len(page["AccessKeyMetadata"]) == 1
    rest = iam.list_access_keys(UserName="bob", Marker=page["Marker"])
    ids = [k["AccessKeyId"] for k in page["AccessKeyMetadata"] + rest["AccessKeyMetadata"]]
    assert ids == [key["AccessKeyId"], second["AccessKeyId"]]
    assert "SecretAccessKey" not in rest["AccessKeyMetadata"][0]
    iam.update_access_key(UserName="bob", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    with pytest.raises(ClientError) as excinfo:
        bob.get_caller_identity()
    assert error_of(excinfo)[0] == "InvalidClientTokenId"
    iam.delete_access_key(UserName="bob", AccessKeyId=key["AccessKeyId"])
    assert not AccessKey.objects.filter(access_key_id=key["AccessKeyId"]).exists()
    with pytest.raises(ClientError) as excinfo:
        iam.delete_access_key(UserName="bob", AccessKeyId=key["AccessKeyId"])
    assert error_of(excinfo)[0::2] == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.update_access_key(UserName="bob", AccessKeyId=second["AccessKeyId"], Status="Off")
    assert error_of(excinfo)[0] == "ValidationError"


def test_access_keys_default_to_the_caller(iam, admin_key):
    listed = iam.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [admin_key.key.access_key_id]
    assert listed[0]["UserName"] == "admin"


def test_access_key_operations_denied(denied_iam, nobody_key):
    with pytest.raises(ClientError) as excinfo:
        denied_iam.list_access_keys()
    assert error_of(excinfo) == (
        "AccessDenied",
        denied_message("nobody", "iam:ListAccessKeys", f"arn:aws:iam::{ACCOUNT}:user/nobody"),
        403,
    )
    with pytest.raises(ClientError) as excinfo:
        denied_iam.get_access_key_last_used(AccessKeyId=nobody_key.key.access_key_id)
    assert error_of(excinfo)[0] == "AccessDenied"


def consecutive_codes(seed: str) -> tuple[str, str]:
    totp = pyotp.TOTP(seed)
    now = time.time()
    return totp.at(now - 30), totp.at(now)


def test_virtual_mfa_device_lifecycle(iam):
    iam.create_user(UserName="bob")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="bob-phone")["VirtualMFADevice"]
    serial = device["SerialNumber"]
    assert serial == f"arn:aws:iam::{ACCOUNT}:mfa/bob-phone"
    seed = device["Base32StringSeed"].decode()
    assert base64.b32decode(seed)  # the seed is Base32 text
    assert device["QRCodePNG"].startswith(b"\x89PNG")
    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in unassigned] == [serial]
    with pytest.raises(ClientError) as excinfo:
        iam.enable_mfa_device(
            UserName="bob",
            SerialNumber=serial,
            AuthenticationCode1="000000",
            AuthenticationCode2="000000",
        )
    assert error_of(excinfo)[0::2] == ("InvalidAuthenticationCode", 403)
    code1, code2 = consecutive_codes(seed)
    iam.enable_mfa_device(
        UserName="bob", SerialNumber=serial, AuthenticationCode1=code1, AuthenticationCode2=code2
    )
    listed = iam.list_mfa_devices(UserName="bob")["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in listed] == [("bob", serial)]
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert assigned[0]["User"]["UserName"] == "bob"
    with pytest.raises(ClientError) as excinfo:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert error_of(excinfo)[0::2] == ("DeleteConflict", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.create_virtual_mfa_device(VirtualMFADeviceName="bob-phone")
    assert error_of(excinfo)[0::2] == ("EntityAlreadyExists", 409)
    iam.deactivate_mfa_device(UserName="bob", SerialNumber=serial)
    assert iam.list_mfa_devices(UserName="bob")["MFADevices"] == []
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert not MFADevice.objects.exists()
    with pytest.raises(ClientError) as excinfo:
        iam.deactivate_mfa_device(UserName="bob", SerialNumber=serial)
    assert error_of(excinfo)[0::2] == ("NoSuchEntity", 404)


def test_mfa_operations_denied(denied_iam):
    with pytest.raises(ClientError) as excinfo:
        denied_iam.create_virtual_mfa_device(VirtualMFADeviceName="x")
    assert error_of(excinfo) == (
        "AccessDenied",
        denied_message("nobody", "iam:CreateVirtualMFADevice", f"arn:aws:iam::{ACCOUNT}:mfa/x"),
        403,
    )
    with pytest.raises(ClientError) as excinfo:
        denied_iam.list_mfa_devices()
    assert error_of(excinfo)[0] == "AccessDenied"
