"""Settings shared by every environment; values come from config.env only."""

from __future__ import annotations

from datetime import timedelta

from config.env import (
    BASE_DIR,
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    env,
    generate_fernet_key,
    generate_secret_key,
    local_secret,
)

SECRET_KEY = local_secret("SECRET_KEY", generate_secret_key)
# A comma-separated list of Fernet keys: the first encrypts, all decrypt (key rotation).
FIELD_ENCRYPTION_KEYS = [
    key.strip()
    for key in local_secret("FIELD_ENCRYPTION_KEY", generate_fernet_key).split(",")
    if key.strip()
]
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "django_tables2",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "csp",
    "config",
    "accounts",
    "policies",
    "brokers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside everything that touches the database or reads the body: 413 for oversized
    # bodies, 503 (in each API's error shape) when PostgreSQL is unreachable.
    "config.resilience.RequestGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.PrincipalMiddleware",
    # The console's own 404/403/500 pages, also with DEBUG on (no URL-pattern listing).
    "config.error_pages.ConsoleErrorPagesMiddleware",
    # Console views leave AccessDenied to this one handler (AWS's 403 page, already audited).
    "policies.middleware.DenialMiddleware",
    # Last, so it sees the flag that a locked-out sign-in attempt leaves on the request.
    "axes.middleware.AxesMiddleware",
]

# IAM policies are the only permissions; Django's auth app is present for django-axes only.
# authenticate() runs axes first (refuses locked-out attempts), then the console's check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ConsoleBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# django-axes records attempts; the console's own throttle (accounts/services/
# signin_throttle.py, docs/security.md) decides: AXES_FAILURE_LIMIT failures lock out one user
# from one source (the browser it knows, else the address) for AXES_COOLOFF_TIME, and beyond
# these limits per user (from anywhere) and per address (for any user) unknown browsers are
# slowed down, never the owner's known browser.
AXES_LOCK_OUT_AT_FAILURE = False
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
MQIAM_SIGNIN_USER_LIMIT = env.int("MQIAM_SIGNIN_USER_LIMIT", default=10)
MQIAM_SIGNIN_SOURCE_LIMIT = env.int("MQIAM_SIGNIN_SOURCE_LIMIT", default=20)
MQIAM_SIGNIN_BACKOFF_MAX = timedelta(
    seconds=env.int("MQIAM_SIGNIN_BACKOFF_MAX_SECONDS", default=60)
)
MQIAM_KNOWN_DEVICE_AGE = timedelta(days=env.int("MQIAM_KNOWN_DEVICE_DAYS", default=90))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.auth.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# No inline scripts anywhere (the Swagger UI is served in its script-file variant).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csrf",
                "django.contrib.messages.context_processors.messages",
                "policies.requests.context.access_requests",
                "accounts.context.principal_display",
            ],
        },
    },
]

DATABASES = {"default": env.db_url("DATABASE_URL", default=DEFAULT_DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Lets explicitly server-side-bound hot queries be prepared once per connection (see
# policies.selectors._rows); Django's own client-side-bound cursors never prepare.
DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default=DEFAULT_REDIS_URL)

# argon2 first: new hashes use it; the others only verify legacy hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end packages are installed from the npm registry at the versions pinned in
# package.json and served by the app itself (no CDN: the console must work air-gapped).
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/cytoscape", NODE_MODULES / "cytoscape" / "dist"),
    ("vendor/cytoscape-svg", NODE_MODULES / "cytoscape-svg"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
# Every request body, form or API, is capped by the one limit above (config.resilience
# refuses larger ones with 413 before they are read); the console takes no file uploads.
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=1000)
DATA_UPLOAD_MAX_NUMBER_FILES = 1
# Per-principal rate limits (action -> (count, seconds)), counted on the audit trail;
# over the limit the call fails with AWS's Throttling (HTTP 429). See docs/security.md.
MQIAM_RATE_LIMITS = {
    "iam:CreateAccessKey": (env.int("MQIAM_ACCESS_KEYS_PER_MINUTE", default=10), 60),
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-hover align-middle mb-0"}

# --- Celery --------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_TIMEZONE = TIME_ZONE
# Tasks are written to be idempotent, so a task whose worker dies is redelivered and redone.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish must not hang a web request when Redis is down: the outbox sweep redoes the work.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "max_retries": 1}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Queues: default, recompute (the matrix) and brokers, declared so that a worker started
# without -Q (`celery -A config worker`, as the README says) consumes every one of them: a
# queue Celery only creates on first use is one that worker never reads, and brokers then
# stayed in CREATION_IN_PROGRESS and the matrix was never recomputed. A deployment may still
# split them across workers with -Q (README, production). As dicts, not kombu.Queue objects:
# settings stay free of Celery imports (commands that never send a task start faster).
CELERY_TASK_QUEUES = {
    name: {"exchange": name, "routing_key": name} for name in ("default", "recompute", "brokers")
}
CELERY_TASK_CREATE_MISSING_QUEUES = True
CELERY_TASK_ROUTES = {
    "policies.tasks.*": {"queue": "recompute"},
    "brokers.tasks.*": {"queue": "brokers"},
}
CELERY_BEAT_SCHEDULE = {
    "matrix-sweep": {
        "task": "policies.tasks.matrix_sweep",
        "schedule": timedelta(seconds=15),
    },
    "audit-retention": {
        "task": "accounts.tasks.audit_retention_sweep",
        "schedule": timedelta(hours=24),
    },
    # Finishes broker transitions whose task was lost; starts maintenance-window reboots.
    "broker-transition-sweep": {
        "task": "brokers.tasks.broker_transition_sweep",
        "schedule": 15.0,
    },
    # Revokes expired access-request grants (also those whose timed task was lost).
    "access-request-sweep": {
        "task": "policies.tasks.access_request_sweep",
        "schedule": 30.0,
        "options": {"queue": "default"},
    },
}
# Tests run tasks in-process unless they start a real worker (see tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = False

# --- REST API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.SigV4Authentication",
        "accounts.api.authentication.ConsoleSessionAuthentication",
    ],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    # JSON bodies through the one guarded loader (nesting bounded); forms as DRF's defaults.
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.GuardedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Amazon MQ IAM console API",
    "DESCRIPTION": "Manage IAM identities, policies and Amazon MQ brokers; every call is an "
    "IAM action authorized by the console's own policy engine.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Amazon MQ reuses one enum under several member names (AuthenticationStrategy and
    # PendingAuthenticationStrategy…): name each choice set once, after its reference enum.
    "ENUM_NAME_OVERRIDES": {
        f"{name}Enum": f"brokers.api.schema.{name}"
        for name in ("AuthenticationStrategy", "DataReplicationMode")
    },
}

# --- The product ---------------------------------------------------------------------
# The address `make run` serves (HOST and PORT; under honcho, whose processes each get a
# PORT of their own, the Makefile passes the console's port as MQIAM_PORT); a wildcard bind
# is reached on the loopback address.
_RUN_HOST = env.str("HOST", default="127.0.0.1")
_RUN_URL = "http://{}:{}".format(
    "127.0.0.1" if _RUN_HOST in ("0.0.0.0", "::", "") else _RUN_HOST,
    env.int("MQIAM_PORT", default=env.int("PORT", default=8000)),
)

MQIAM = {
    "DEFAULT_REGION": env.str("MQIAM_DEFAULT_REGION", default="us-east-1"),
    "AUDIT_RETENTION_DAYS": env.int("MQIAM_AUDIT_RETENTION_DAYS", default=365),
    "WORKER_HEARTBEAT_MAX_AGE_S": 90,
    # A recompute's claim on outbox rows; after it, the sweep hands them to another worker.
    "MATRIX_CLAIM_LEASE_S": env.int("MQIAM_MATRIX_CLAIM_LEASE_S", default=120),
    # Worker processes a recompute may spread over (the Procfile's --concurrency): even a
    # small change is split so that each takes a share.
    "MATRIX_PARALLELISM": env.int("MQIAM_MATRIX_PARALLELISM", default=2),
    # A blast radius over more principals than this is computed by the worker, with progress,
    # instead of during the request (~0.5 s per 200 principals on the reference machine).
    "PREVIEW_SYNC_PRINCIPALS": env.int("MQIAM_PREVIEW_SYNC_PRINCIPALS", default=400),
    # Seconds a broker spends creating, rebooting or deleting (AWS: minutes; keep it short).
    "BROKER_TRANSITION_DELAY_S": env.float("MQIAM_BROKER_TRANSITION_DELAY_S", default=5.0),
    # Access requests: unanswered ones expire after N days (an account may change it), a
    # grant lasts at most N hours, its holder is warned N hours before it ends, and the
    # console's address goes into the emails' links.
    "ACCESS_REQUEST_PENDING_DAYS": env.int("MQIAM_ACCESS_REQUEST_PENDING_DAYS", default=7),
    "ACCESS_REQUEST_MAX_HOURS": env.int("MQIAM_ACCESS_REQUEST_MAX_HOURS", default=90 * 24),
    "ACCESS_REQUEST_WARNING_HOURS": env.int("MQIAM_ACCESS_REQUEST_WARNING_HOURS", default=24),
    "ACCESS_REQUEST_ETA_HORIZON_S": 3000,  # below Redis's visibility timeout (3600 s)
    "ACCESS_REQUEST_EMAIL_TAG": env.str("MQIAM_ACCESS_REQUEST_EMAIL_TAG", default="email"),
    # Where `make run` serves the console (HOST/PORT, as the Procfile reads them), unless told.
    "CONSOLE_URL": env.str("MQIAM_CONSOLE_URL", default=_RUN_URL),
}

# --- Email (notifications): printed to the console unless SMTP is configured -----------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MQ IAM console <mq-iam@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
