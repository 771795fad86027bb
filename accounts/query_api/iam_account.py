"""The account: alias, password policy, summary and credential report."""

from __future__ import annotations

from accounts.errors import NoSuchEntity
from accounts.models import PasswordPolicy
from accounts.query_api.registry import Call, operation
from accounts.services import credential_report
from accounts.services.accounts import account_alias_delete, account_alias_set
from accounts.services.passwords import password_policy_delete, password_policy_update
from accounts.summary import account_summary


@operation("iam", "CreateAccountAlias")
def create_account_alias(call: Call) -> None:
    """Set the account's one alias (unique across accounts)."""
    account_alias_set(actor=call.actor, account=call.account, alias=call.get("AccountAlias"))


@operation("iam", "DeleteAccountAlias")
def delete_account_alias(call: Call) -> None:
    """Remove the alias (it must be the account's current one)."""
    account_alias_delete(actor=call.actor, account=call.account, alias=call.get("AccountAlias"))


@operation("iam", "ListAccountAliases")
def list_account_aliases(call: Call) -> dict:
    """Zero or one alias."""
    call.require("iam:ListAccountAliases", "*")
    alias = call.account.alias
    return {"AccountAliases": [alias] if alias else [], "IsTruncated": False}


@operation("iam", "GetAccountPasswordPolicy")
def get_account_password_policy(call: Call) -> dict:
    """The custom password policy (NoSuchEntity while AWS's default applies)."""
    call.require("iam:GetAccountPasswordPolicy", "*")
    policy = PasswordPolicy.objects.filter(account=call.account).first()
    if policy is None:
        raise NoSuchEntity(
            f"The Password Policy with domain name {call.account.account_id} cannot be found."
        )
    return {
        "PasswordPolicy": {
            "MinimumPasswordLength": policy.minimum_length,
            "RequireSymbols": policy.require_symbols,
            "RequireNumbers": policy.require_numbers,
            "RequireUppercaseCharacters": policy.require_uppercase,
            "RequireLowercaseCharacters": policy.require_lowercase,
            "AllowUsersToChangePassword": policy.allow_users_to_change,
            "ExpirePasswords": bool(policy.max_age_days),
            "MaxPasswordAge": policy.max_age_days,
            "PasswordReusePrevention": policy.reuse_prevention,
            "HardExpiry": policy.hard_expiry,
        }
    }


@operation("iam", "UpdateAccountPasswordPolicy")
def update_account_password_policy(call: Call) -> None:
    """Replace the policy: a parameter left out takes AWS's default, as in IAM."""
    password_policy_update(
        actor=call.actor,
        account=call.account,
        minimum_length=call.get("MinimumPasswordLength", 6),
        require_symbols=call.get("RequireSymbols", False),
        require_numbers=call.get("RequireNumbers", False),
        require_uppercase=call.get("RequireUppercaseCharacters", False),
        require_lowercase=call.get("RequireLowercaseCharacters", False),
        allow_users_to_change=call.get("AllowUsersToChangePassword", False),
        max_age_days=call.get("MaxPasswordAge") or None,
        reuse_prevention=call.get("PasswordReusePrevention") or None,
        hard_expiry=call.get("HardExpiry", False),
    )


@operation("iam", "DeleteAccountPasswordPolicy")
def delete_account_password_policy(call: Call) -> None:
    """Back to AWS's default rules."""
    password_policy_delete(actor=call.actor, account=call.account)


@operation("iam", "GetAccountSummary")
def get_account_summary(call: Call) -> dict:
    """Counts of the account's entities and IAM's quotas (AWS's SummaryMap keys)."""
    call.require("iam:GetAccountSummary", "*")
    summary = account_summary(call.account)
    return {"SummaryMap": summary}


@operation("iam", "GenerateCredentialReport")
def generate_credential_report(call: Call) -> dict:
    """STARTED the first time, COMPLETE while a report of the last four hours exists."""
    call.require("iam:GenerateCredentialReport", "*")
    state, description = credential_report.credential_report_generate(
        actor=call.actor, account=call.account
    )
    return {"State": state, "Description": description}


@operation("iam", "GetCredentialReport")
def get_credential_report(call: Call) -> dict:
    """The CSV report (base64 on the wire; boto3 hands back bytes)."""
    call.require("iam:GetCredentialReport", "*")
    content, generated = credential_report.credential_report_get(account=call.account)
    return {
        "Content": content.encode("utf-8"),
        "ReportFormat": "text/csv",
        "GeneratedTime": generated,
    }
