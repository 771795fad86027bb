"""``manage.py demo_banner``: once the console answers, print its address and the demo
sign-in details, then stay up (honcho ends every process when one exits).

`make run` runs it as the Procfile's last process, so the details are the last thing printed
after the web server, the worker and the scheduler have started, not buried in their logs.
"""

from __future__ import annotations

import signal
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError
from redis.exceptions import RedisError

from config.demo import sign_in_details
from config.env import env
from config.health import WORKER_HEARTBEAT_KEY, redis_client


def _worker_started_since(started: float) -> bool:
    """A worker wrote its heartbeat after ``started`` (not one left by an earlier run)."""
    try:
        value = redis_client().get(WORKER_HEARTBEAT_KEY)
    except RedisError:
        return False
    return value is not None and float(value) >= started


def wait_until_up(url: str, *, timeout_s: float, worker_grace_s: float = 30.0) -> bool:
    """Poll ``url`` (``/healthz``) until it answers 200 and this run's worker has started, or
    give up after ``timeout_s``; once the web server answers, wait at most ``worker_grace_s``
    more for the worker, so the banner follows the worker's start-up lines."""
    started = time.time()
    deadline = time.monotonic() + timeout_s
    web_up_at = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    web_up_at = web_up_at or time.monotonic()
        except (urllib.error.URLError, OSError):
            pass
        if web_up_at is not None and _worker_started_since(started):
            # The worker logs "ready" and runs the scheduler's first sweeps just after its
            # first heartbeat: let those few lines pass, so the banner stays the last thing.
            time.sleep(min(2.0, worker_grace_s))
            return True
        if web_up_at is not None and time.monotonic() - web_up_at >= worker_grace_s:
            return True
        time.sleep(0.5)
    return web_up_at is not None


def banner(url: str, details: list[tuple[str, str]]) -> str:
    """The framed block of text printed once the console is up."""
    lines = [f"The console is up: {url}/", "", "Demo sign-in:"]
    lines += [f"  {who}: {how}" for who, how in details]
    lines += ["", "Ctrl-C stops the web server, the worker and the scheduler."]
    rule = "=" * min(100, max(len(line) for line in lines))
    return "\n".join([rule, *lines, rule])


class Command(BaseCommand):
    help = "Print the console's address and the demo sign-in details once the console is up."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=180.0)
        parser.add_argument(
            "--worker-grace", type=float, default=30.0, help="seconds to wait for the worker"
        )
        parser.add_argument("--once", action="store_true", help="exit after printing")

    def handle(self, *args, **options):
        url = settings.MQIAM["CONSOLE_URL"].rstrip("/")
        if not wait_until_up(
            f"{url}/healthz",
            timeout_s=options["timeout"],
            worker_grace_s=options["worker_grace"],
        ):
            self.stderr.write(f"The console did not answer at {url}/healthz.")
        password = env.str("DEMO_PASSWORD", default="Demo-Passw0rd!")
        try:
            details = sign_in_details(password=password)
        except DatabaseError as error:  # the banner must never stop the console (honcho would)
            details = [("sign-in details", f"unavailable ({error}); run manage.py load_demo")]
        self.stdout.write(banner(url, details))
        self.stdout.flush()
        if not options["once"]:
            signal.pause()  # until honcho stops every process (Ctrl-C)
