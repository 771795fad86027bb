"""Project configuration: settings, URLs, the Celery app, WSGI/ASGI entry points.

The Celery app (``config.celery.app``) is imported by the task modules that use it, not here:
commands that never send a task (``manage.py simulate``) start without loading Celery.
``celery -A config`` finds it as ``config.celery``.
"""
