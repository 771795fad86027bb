"""The data migration loaded the five AWS managed policies for Amazon MQ with their history."""

import json
from pathlib import Path

import pytest

from policies.models import ManagedPolicy

REFERENCE = json.loads(
    (Path(__file__).resolve().parents[2] / "policies/data/amazon-mq-iam.json").read_text()
)


@pytest.mark.django_db
@pytest.mark.parametrize("expected", REFERENCE["managed_policies"], ids=lambda p: p["name"])
def test_aws_managed_policy_loaded_with_default_version(expected):
    policy = ManagedPolicy.objects.get(account=None, name=expected["name"])
    assert policy.is_aws_managed
    assert policy.arn == expected["arn"]
    assert policy.unique_id == expected["policy_id"]
    assert sorted(policy.versions.values_list("version_id", flat=True)) == sorted(
        v["version_id"] for v in expected["versions"]
    )
    default = policy.versions.get(is_default=True)
    assert default.version_id == expected["default_version"]
    assert json.loads(default.document) == expected["document"]


@pytest.mark.django_db
def test_exactly_five_mq_managed_policies():
    assert ManagedPolicy.objects.filter(is_aws_managed=True).count() == 5
