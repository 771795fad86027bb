"""Account alias, password policy, summary, authorization details and the credential report."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from accounts.models import CredentialReport
from accounts.services.credential_report import COLUMNS
from tests.query_api.conftest import ACCOUNT, denied_message, error_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_account_alias(iam):
    assert iam.list_account_aliases()["AccountAliases"] == ["acme"]
    iam.create_account_alias(AccountAlias="acme-prod")
    assert iam.list_account_aliases()["AccountAliases"] == ["acme-prod"]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_account_alias(AccountAlias="other")
    assert error_of(excinfo)[0::2] == ("NoSuchEntity", 404)
    iam.delete_account_alias(AccountAlias="acme-prod")
    assert iam.list_account_aliases()["AccountAliases"] == []
    with pytest.raises(ClientError) as excinfo:
        iam.create_account_alias(AccountAlias="123456789012")
    assert error_of(excinfo)[0] == "ValidationError"


def test_password_policy(iam):
    with pytest.raises(ClientError) as excinfo:
        iam.get_account_password_policy()
    assert error_of(excinfo) == (
        "NoSuchEntity",
        f"The Password Policy with domain name {ACCOUNT} cannot be found.",
        404,
    )
    iam.update_account_password_policy(
        MinimumPasswordLength=12, RequireSymbols=True, MaxPasswordAge=90, PasswordReusePrevention=3
    )
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 12 and policy["RequireSymbols"] is True
    assert policy["ExpirePasswords"] is True and policy["MaxPasswordAge"] == 90
    assert policy["PasswordReusePrevention"] == 3 and policy["RequireNumbers"] is False
    iam.update_account_password_policy(MinimumPasswordLength=8)  # the others reset to defaults
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["RequireSymbols"] is False and policy["ExpirePasswords"] is False
    iam.create_user(UserName="bob")
    iam.update_account_password_policy(MinimumPasswordLength=20)
    with pytest.raises(ClientError) as excinfo:
        iam.create_login_profile(UserName="bob", Password="Sh0rt-but-fine!")
    assert error_of(excinfo)[0::2] == ("PasswordPolicyViolation", 400)
    iam.delete_account_password_policy()
    with pytest.raises(ClientError) as excinfo:
        iam.delete_account_password_policy()
    assert error_of(excinfo)[0] == "NoSuchEntity"


def test_account_summary(iam):
    iam.create_user(UserName="bob")
    iam.create_group(GroupName="g")
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["Users"] == 2 and summary["Groups"] == 1
    assert summary["UsersQuota"] == 5000 and summary["AccessKeysPerUserQuota"] == 2
    assert summary["AccountMFAEnabled"] == 0


def test_account_authorization_details(iam):
    iam.create_group(GroupName="g")
    iam.put_group_policy(
        GroupName="g",
        PolicyName="inline",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "mq:List*", "Resource": "*"}],
            }
        ),
    )
    iam.create_user(UserName="bob", Tags=[{"Key": "k", "Value": "v"}])
    iam.add_user_to_group(GroupName="g", UserName="bob")
    iam.attach_user_policy(
        UserName="bob", PolicyArn="arn:aws:iam::aws:policy/AmazonMQReadOnlyAccess"
    )
    details = iam.get_account_authorization_details()
    bob = next(u for u in details["UserDetailList"] if u["UserName"] == "bob")
    assert bob["GroupList"] == ["g"] and bob["Tags"] == [{"Key": "k", "Value": "v"}]
    assert bob["AttachedManagedPolicies"][0]["PolicyName"] == "AmazonMQReadOnlyAccess"
    group = details["GroupDetailList"][0]
    assert group["GroupPolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"] == "mq:List*"
    policies = {p["PolicyName"]: p for p in details["Policies"]}
    assert set(policies) == {"AmazonMQReadOnlyAccess"}  # only the AWS policies in use
    versions = policies["AmazonMQReadOnlyAccess"]["PolicyVersionList"]
    assert any(v["IsDefaultVersion"] and v["Document"]["Statement"] for v in versions)
    only_groups = iam.get_account_authorization_details(Filter=["Group"])
    assert only_groups["UserDetailList"] == [] and len(only_groups["GroupDetailList"]) == 1
    first = iam.get_account_authorization_details(MaxItems=1)
    assert first["IsTruncated"] and len(first["UserDetailList"]) == 1
    everything = iam.get_paginator("get_account_authorization_details").paginate(
        PaginationConfig={"PageSize": 1}
    )
    users = [u["UserName"] for page in everything for u in page["UserDetailList"]]
    assert users == ["admin", "bob"]


def test_credential_report(iam, admin):
    with pytest.raises(ClientError) as excinfo:
        iam.get_credential_report()
    assert error_of(excinfo)[0::2] == ("ReportNotPresent", 410)
    assert iam.generate_credential_report()["State"] == "STARTED"
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv" and report["GeneratedTime"] is not None
    rows = list(csv.reader(io.StringIO(report["Content"].decode())))
    assert tuple(rows[0]) == COLUMNS
    root, admin_row = rows[1], rows[2]
    assert root[:2] == ["<root_account>", f"arn:aws:iam::{ACCOUNT}:root"]
    assert root[3] == "not_supported"
    assert admin_row[0] == "admin" and admin_row[3] == "false"
    assert admin_row[8] == "true"  # the admin's key, used to sign these very calls
    assert admin_row[10] != "N/A" and admin_row[12] == "iam"
    report_row = CredentialReport.objects.get()
    CredentialReport.objects.update(generated_at=report_row.generated_at - timedelta(hours=5))
    with pytest.raises(ClientError) as excinfo:
        iam.get_credential_report()
    assert error_of(excinfo)[0::2] == ("ReportExpired", 410)


def test_account_operations_denied(denied_iam):
    with pytest.raises(ClientError) as excinfo:
        denied_iam.get_account_summary()
    assert error_of(excinfo) == (
        "AccessDenied",
        denied_message("nobody", "iam:GetAccountSummary", "*"),
        403,
    )
    for call in (
        denied_iam.list_account_aliases,
        denied_iam.generate_credential_report,
        denied_iam.get_account_authorization_details,
        lambda: denied_iam.update_account_password_policy(MinimumPasswordLength=10),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo)[0] == "AccessDenied"
