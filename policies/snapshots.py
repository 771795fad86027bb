"""Plain-dict pictures of policies for the audit trail and API output."""

from __future__ import annotations


def policy_snapshot(policy) -> dict:
    return {
        "PolicyName": policy.name,
        "PolicyId": policy.unique_id,
        "Arn": policy.arn,
        "Path": policy.path,
        "Description": policy.description,
        "Tags": dict(policy.tags),
    }


def version_snapshot(version) -> dict:
    return {
        "VersionId": version.version_id,
        "IsDefaultVersion": version.is_default,
        "Document": version.document,
    }
