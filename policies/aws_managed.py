"""Loading AWS managed policies (with their version history) from the project's data file."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path

from policies.models import ManagedPolicy, PolicyVersion, document_hash

REFERENCE_FILE = Path(__file__).resolve().parent / "data" / "amazon-mq-iam.json"


@cache
def mq_reference() -> dict:
    """The Amazon MQ reference data (actions, managed policies, API shapes…), read once."""
    return json.loads(REFERENCE_FILE.read_text())


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def sync_aws_managed_policies(ManagedPolicy, PolicyVersion) -> int:
    """Create or update every AWS managed policy of the reference; returns how many.

    Takes the model classes as arguments so a data migration can pass its historical models.
    """
    count = 0
    for data in mq_reference()["managed_policies"]:
        path = data["path"]
        policy, _ = ManagedPolicy.objects.update_or_create(
            account=None,
            name=data["name"],
            defaults={
                "path": path,
                "unique_id": data["policy_id"],
                "description": data.get("description", ""),
                "is_aws_managed": True,
                "created_at": _when(data["create_date"]),
                "updated_at": _when(data["update_date"]),
                "next_version_number": 1 + max(int(v["version_id"][1:]) for v in data["versions"]),
            },
        )
        PolicyVersion.objects.filter(policy=policy).update(is_default=False)
        for version in data["versions"]:
            text = json.dumps(version["document"], indent=4)
            PolicyVersion.objects.update_or_create(
                policy=policy,
                version_id=version["version_id"],
                defaults={
                    "document": text,
                    "document_hash": document_hash(text),
                    "created_at": _when(version["create_date"]),
                    "is_default": version["version_id"] == data["default_version"],
                },
            )
        count += 1
    return count


def ensure_aws_managed_policies(sender, **kwargs) -> None:
    """Reload AWS managed policies if a flush removed them (``manage.py flush``, test runs).

    The data migration loads them once; a flush empties every table and then sends
    ``post_migrate``, so the console would otherwise lose AmazonMQFullAccess & co.
    """
    using = kwargs.get("using", "default")
    if not ManagedPolicy.objects.using(using).filter(is_aws_managed=True).exists():
        sync_aws_managed_policies(ManagedPolicy, PolicyVersion)
