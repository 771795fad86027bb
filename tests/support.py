"""Synchronising with workers, servers and threads: poll a condition with a deadline.

Tests never sleep a fixed time to let something happen (too short on a loaded machine, too
long everywhere else): they wait until what they need is observably true.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T],
    timeout: float = 20.0,
    *,
    interval: float = 0.05,
    message: str = "the condition did not hold in time",
) -> T:
    """Call ``predicate`` until it returns a truthy value, and return that value.

    Raises AssertionError with ``message`` once ``timeout`` seconds have passed.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{message} (waited {timeout:g} s)")
        time.sleep(interval)


def workers_idle(app) -> bool:
    """True when some worker answers and none holds a task (active, reserved or scheduled),
    and the queues of the Redis broker are empty: no task exists anywhere."""
    inspect = app.control.inspect(timeout=1.0)
    replies = [inspect.active(), inspect.reserved(), inspect.scheduled()]
    if any(not reply for reply in replies):
        return False  # no worker answered (yet)
    if any(tasks for reply in replies for tasks in reply.values()):
        return False
    with app.connection_for_read() as conn:
        client = conn.default_channel.client
        return all(client.llen(queue) == 0 for queue in app.amqp.queues)
