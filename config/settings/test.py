"""Test settings: the real PostgreSQL and Redis, a fast hasher, eager Celery by default."""

from config.env import env
from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Service tests run tasks in-process; worker tests start a real worker (tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# A separate Redis database keeps test queues apart from a console running on this machine
# (TEST_REDIS_DB lets parallel test runs on one machine use one database each).
CELERY_BROKER_URL = REDIS_URL.rsplit("/", 1)[0] + f"/{env.int('TEST_REDIS_DB', default=9)}"  # noqa: F405
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
REDIS_URL = CELERY_BROKER_URL
