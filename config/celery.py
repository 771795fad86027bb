"""The Celery application: Redis broker, JSON only, autodiscovered tasks, routed queues."""

import contextlib
import os
import time

from celery import Celery, bootsteps
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("mqiam")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class WorkerHeartbeatStep(bootsteps.StartStopStep):
    """Records every few seconds that a worker is alive, so /healthz can tell."""

    requires = {"celery.worker.components:Timer"}
    interval_s = 10.0

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker):
        self.beat()
        self.tref = worker.timer.call_repeatedly(self.interval_s, self.beat)

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    def beat(self):
        from config.health import WORKER_HEARTBEAT_KEY, redis_client

        # A missed heartbeat only makes /healthz report the worker as down.
        with contextlib.suppress(Exception):
            redis_client().set(WORKER_HEARTBEAT_KEY, str(time.time()), ex=120)


app.steps["worker"].add(WorkerHeartbeatStep)


@worker_init.connect
def load_catalog_before_forking(**_kwargs) -> None:
    """Load the action catalog once in the worker's main process, before the pool forks.

    Every pool process would otherwise spend ~0.6 s loading it on its first matrix chunk;
    forked after the load, they share the parent's copy.
    """
    from policies.catalog import get_catalog

    get_catalog()


@worker_process_init.connect
def freeze_startup_heap(**_kwargs) -> None:
    """Keep the garbage collector from rescanning Django's start-up objects in every pass.

    The matrix worker allocates millions of short-lived objects; each full collection would
    otherwise walk the whole start-up heap again (measured: ~15% of a recompute chunk).
    """
    import gc

    gc.freeze()
