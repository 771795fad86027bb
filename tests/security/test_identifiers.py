"""Identifiers that name objects across accounts are random, never counters one could guess."""

from __future__ import annotations

import math
import re
import uuid
from collections import Counter

import pytest

from accounts import identifiers
from tests.security.test_isolation import B_ONLY, PARAMETER, routes

pytestmark = pytest.mark.django_db


def _entropy_bits(values: list[str], prefix_length: int) -> float:
    """Shannon entropy per character of the random part, times its length."""
    chars = Counter(c for v in values for c in v[prefix_length:])
    total = sum(chars.values())
    per_char = -sum(n / total * math.log2(n / total) for n in chars.values())
    return per_char * (len(values[0]) - prefix_length)


@pytest.mark.parametrize("prefix", ["AIDA", "AGPA", "AROA", "ANPA"])
def test_unique_ids_are_random(prefix):
    values = [identifiers.unique_id(prefix) for _ in range(2000)]
    assert len(set(values)) == len(values)
    assert all(re.fullmatch(rf"{prefix}[A-Z0-9]{{17}}", v) for v in values)
    assert _entropy_bits(values, len(prefix)) > 80  # 17 characters of 36: about 88 bits


def test_access_key_ids_and_secrets_are_random():
    keys = [identifiers.access_key_id() for _ in range(2000)]
    assert len(set(keys)) == len(keys) and _entropy_bits(keys, 4) > 70
    secrets = [identifiers.secret_access_key() for _ in range(500)]
    assert len(set(secrets)) == len(secrets) and _entropy_bits(secrets, 0) > 200


def test_objects_made_by_the_services_carry_random_ids(tenants):
    a, b = tenants
    for tenant in (a, b):
        broker_uuid = uuid.UUID(tenant.broker.broker_id.removeprefix("b-"))
        config_uuid = uuid.UUID(tenant.configuration.configuration_id.removeprefix("c-"))
        assert broker_uuid.version == 4 and config_uuid.version == 4
        assert tenant.broker.broker_id.startswith("b-")
        assert re.fullmatch(r"AIDA[A-Z0-9]{17}", tenant.alice.unique_id)
    assert a.broker.broker_id != b.broker.broker_id
    assert a.policy.unique_id != b.policy.unique_id


def test_no_url_names_an_object_by_a_counter_outside_the_isolation_matrix():
    """Integer parameters are either covered by the cross-account sweep or scoped numbers."""
    scoped = {"revision"}  # configuration revisions count within one (random) configuration
    for route, _name in routes():
        for converter, name in PARAMETER.findall(route):
            if converter == "int":
                assert name in B_ONLY | scoped, f"{route}: <int:{name}> is not probed"
