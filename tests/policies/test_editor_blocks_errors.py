"""The console's editor refuses to save a document with an error finding (AWS's console does);
warnings go through. Create, new version and inline policies alike."""

from __future__ import annotations

import json

import pytest

from policies.models import InlinePolicy, ManagedPolicy
from tests.factories import IAMUserFactory
from tests.policies.test_pages_fixtures import *  # noqa: F403 (the fixtures)
from tests.policies.test_pages_fixtures import allow, doc, sign_in_root

pytestmark = pytest.mark.django_db
UNKNOWN = json.dumps(doc(allow(["mq:DescribeBroker", "mq:DescribeBrokr"])), indent=2)
# NotAction with Allow is a security warning, not an error: it is saved.
WARNING = json.dumps(doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}), indent=2)


def _create(client, name, text):
    return client.post("/policies/create", {"name": name, "path": "/", "document": text})


def test_create_with_unknown_action_is_refused_with_the_finding(client, account):
    sign_in_root(client)
    response = _create(client, "Typo", UNKNOWN)
    assert response.status_code == 400
    errors = response.context["form"].errors["document"]
    assert any("mq:DescribeBrokr" in e and "Fix this error before saving" in e for e in errors)
    assert not ManagedPolicy.objects.filter(name="Typo").exists()


def test_create_with_only_a_warning_is_saved(client, account):
    sign_in_root(client)
    response = _create(client, "Broad", WARNING)
    assert response.status_code == 302
    assert ManagedPolicy.objects.filter(name="Broad").exists()


def test_new_version_with_unknown_action_is_refused(client, team_policy):
    sign_in_root(client)
    before = team_policy.versions.count()
    response = client.post(
        f"/policies/{team_policy.unique_id}/versions/create",
        {"document": UNKNOWN, "set_as_default": "on"},
    )
    assert response.status_code == 400
    assert team_policy.versions.count() == before


def test_inline_policy_with_unknown_action_is_refused(client, account):
    IAMUserFactory(account=account, name="carol")
    sign_in_root(client)
    response = client.post(
        "/policies/create-inline/user/carol", {"name": "typo", "document": UNKNOWN}
    )
    assert response.status_code == 400
    assert not InlinePolicy.objects.filter(name="typo").exists()
