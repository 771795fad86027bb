"""Shared fixtures: the real PostgreSQL test database, the real Redis, a real Celery worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def _database_url(settings_dict: dict) -> str:
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    user = settings_dict.get("USER") or "root"
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker process on the real Redis, using the test database.

    Tasks sent during the test go over Redis to it (eager mode is switched off); the test's
    database rows must be committed, hence ``transactional_db``.
    """
    from django.db import connection

    from config.celery import app

    broker = settings.CELERY_BROKER_URL
    app.conf.task_always_eager = False
    app.conf.broker_url = broker
    app.conf.result_backend = broker
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CELERY_WORKER_TEST": "1",
    }
    log = open(REPO / "test-artifacts" / "celery-worker.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
            "-Q",
            "default,recompute,brokers",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=0.5)
        if replies:
            break
        if process.poll() is not None:
            raise RuntimeError("the Celery worker exited; see test-artifacts/celery-worker.log")
    else:
        process.kill()
        raise RuntimeError("the Celery worker did not answer a ping within 30 s")
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
        app.conf.task_always_eager = True


def pytest_configure(config):
    (REPO / "test-artifacts").mkdir(exist_ok=True)
