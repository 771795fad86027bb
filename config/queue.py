"""Background work by task name: services enqueue without importing the task modules.

Task modules (``<app>/tasks.py``) are the outermost layer of the worker: they import the
services they run. A service that queues work after commit asks for the task by its name
instead, so no service imports a task module (no import cycle), and a command that never
sends a task (``manage.py simulate``) never loads Celery.
"""

from __future__ import annotations

import importlib
from typing import Any


def task(name: str) -> Any:
    """The registered Celery task ``name`` ("<module>.<function>"), importing it on first use."""
    # Lazy for start-up cost, not for a cycle (tests/test_architecture.py allows it): the
    # Celery app costs ~0.25 s to import, paid only by a process that sends a task.
    from config.celery import app

    if name not in app.tasks:
        importlib.import_module(name.rpartition(".")[0])
    return app.tasks[name]
