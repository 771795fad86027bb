"""Liveness of the console's dependencies: PostgreSQL, Redis and the Celery worker."""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

WORKER_HEARTBEAT_KEY = "mqiam:worker-heartbeat"


def redis_client() -> redis.Redis:
    """A short-timeout client: a health probe must answer fast even when Redis is gone."""
    return redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=0.5, socket_timeout=0.5
    )


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means the database is unusable
        return "down"


def worker_heartbeat_age(client: redis.Redis) -> float | None:
    """Seconds since a worker last wrote its heartbeat, or None if no worker ever did."""
    value = client.get(WORKER_HEARTBEAT_KEY)
    return None if value is None else max(0.0, time.time() - float(value))


def health_status() -> tuple[dict, bool]:
    """Return the status of each dependency and whether the console can serve requests."""
    status = {"database": check_database(), "redis": "down", "worker": "down"}
    try:
        client = redis_client()
        client.ping()
        status["redis"] = "ok"
        age = worker_heartbeat_age(client)
        if age is not None and age <= settings.MQIAM["WORKER_HEARTBEAT_MAX_AGE_S"]:
            status["worker"] = "ok"
    except redis.RedisError:
        pass
    healthy = status["database"] == "ok" and status["redis"] == "ok"
    return status, healthy


@never_cache
def healthz(request):
    """200 with each dependency's state, 503 when the database or Redis is down."""
    status, healthy = health_status()
    return JsonResponse(status, status=200 if healthy else 503)
