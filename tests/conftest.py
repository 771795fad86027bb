"""Shared fixtures: the real PostgreSQL test database, the real Redis, a real Celery worker."""

from __future__ import annotations

import atexit
import contextlib
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


class WorkerProcess:
    """A real ``celery worker`` process on the real Redis, using the test database."""

    def __init__(self, database_url: str, extra_env: dict | None = None):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url,
            **(extra_env or {}),
        }
        self.process: subprocess.Popen | None = None
        self.log = open(REPO / "test-artifacts" / "celery-worker.log", "ab")  # noqa: SIM115
        # Whatever happens to the test run, no worker may outlive it.
        atexit.register(self.kill)

    def start(self, concurrency: int = 2) -> None:
        from config.celery import app

        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={concurrency}",
                # No -Q: the README's command, which must consume every routed queue.
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"test-{os.getpid()}-{time.time()}@%h",
            ],
            cwd=REPO,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(timeout=0.5):
                return
            if self.process.poll() is not None:
                raise RuntimeError("the Celery worker exited; see test-artifacts/celery-worker.log")
        self.kill()
        raise RuntimeError("the Celery worker did not answer a ping within 30 s")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Stop the worker and its pool processes (SIGKILL: as if the machine died)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self.process = None

    def close(self) -> None:
        self.kill(signal.SIGTERM)
        self.log.close()


@pytest.fixture
def worker_factory(transactional_db, settings):
    """Start real worker processes (tasks sent during the test go over Redis to them)."""
    from django.db import connection

    from config.celery import app

    broker = settings.CELERY_BROKER_URL
    app.conf.task_always_eager = False
    app.conf.broker_url = broker
    app.conf.result_backend = broker
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    workers: list[WorkerProcess] = []

    def start(extra_env: dict | None = None, concurrency: int = 2) -> WorkerProcess:
        worker = WorkerProcess(_database_url(connection.settings_dict), extra_env)
        worker.start(concurrency)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.close()
    app.conf.task_always_eager = True


@pytest.fixture
def celery_worker(worker_factory):
    """One real worker process for the test."""
    return worker_factory()


def pytest_configure(config):
    (REPO / "test-artifacts").mkdir(exist_ok=True)
