"""Shared fixtures: the real PostgreSQL test database, the real Redis, clients."""

import pytest


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
