"""Private PostgreSQL, Redis, gunicorn and Celery processes that a test may stop and restart.

The machine's shared PostgreSQL and Redis serve other test runs: fault tests never touch
them. Each helper here starts its own process on a free port under a temporary directory and
ends exactly the processes it started (by process group), whatever happens to the test.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support import wait_until

REPO = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    wait_until(
        lambda: _listening(port), timeout, interval=0.1, message=f"nothing listens on port {port}"
    )


def _as_postgres() -> list[str]:
    # initdb and postgres refuse to run as root; CI and sessions run as root.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PrivateCluster:
    """A throwaway PostgreSQL 15 cluster (trust auth, superuser ``root``) on a free port."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="mqiam-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        atexit.register(self.destroy)

    def url(self, database: str) -> str:
        return f"postgres://root@127.0.0.1:{self.port}/{database}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*_as_postgres(), str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def init(self) -> PrivateCluster:
        subprocess.run(
            [
                *_as_postgres(),
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "root",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return self

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=60"
        )
        self._ctl("-o", options, "-l", str(self.directory / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "stop")

    def destroy(self) -> None:
        if self.data.exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


class Process:
    """A child process in its own session, ended by process group (never by name)."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.log = open(log, "ab")  # noqa: SIM115 - kept open while the process runs
        self.process = subprocess.Popen(
            args,
            cwd=REPO,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        atexit.register(self.stop)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()


class Stack:
    """PostgreSQL + Redis + the console (gunicorn) + optionally a Celery worker, all private."""

    def __init__(self, name: str, *, web_workers: int = 2):
        self.name = name
        self.cluster = PrivateCluster().init()
        self.cluster.start()
        self.database_url = self.cluster.url(f"mqiam_{name}")
        self.redis_port = free_port()
        self.web_port = free_port()
        self.web_workers = web_workers
        self.artifacts = REPO / "test-artifacts"
        self.artifacts.mkdir(exist_ok=True)
        self.processes: list[Process] = []
        self.redis = Process(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            os.environ.copy(),
            self.artifacts / f"{name}-redis.log",
        )
        wait_for_port(self.redis_port)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CELERY_RESULT_BACKEND": f"redis://127.0.0.1:{self.redis_port}/0",
            "LOG_LEVEL": "WARNING",
        }
        self.manage("ensure_database")
        self.manage("migrate", "--no-input", "-v", "0")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def manage(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            input=stdin,
        )
        return done.stdout

    def run_python(self, code: str) -> dict:
        """Run ``code`` in ``manage.py shell``; it prints one JSON line, returned decoded."""
        out = self.manage("shell", "-c", code)
        return json.loads(out.strip().splitlines()[-1])

    def start_web(self) -> None:
        self.web = Process(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-w",
                str(self.web_workers),
                "-b",
                f"127.0.0.1:{self.web_port}",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            self.env,
            self.artifacts / f"{self.name}-gunicorn.log",
        )
        self.processes.append(self.web)
        wait_for_port(self.web_port)

    def start_worker(self, concurrency: int = 1) -> Process:
        worker = Process(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=WARNING",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"{self.name}-{time.time()}@%h",
            ],
            self.env,
            self.artifacts / f"{self.name}-worker.log",
        )
        self.processes.append(worker)
        return worker

    def close(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.redis.stop()
        self.cluster.destroy()


SEED = """
import json
from accounts.actors import system_actor
from accounts.services.access_keys import access_key_create
from accounts.services.accounts import account_create
from accounts.services.users import user_create
from policies.services.attachments import inline_policy_put
actor = system_actor("111122223333")
account = account_create(actor=actor, account_id="111122223333", alias="faults",
                         root_email="root@faults.example", root_password="Root-Passw0rd-1")
admin = user_create(actor=actor, account=account, name="admin", password="Admin-Passw0rd-1")
inline_policy_put(actor=actor, identity=admin, name="all", document=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
key = access_key_create(actor=actor, owner=admin)
print(json.dumps(key.as_aws_json()))
"""
