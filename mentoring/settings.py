"""Settings for the mentoring program firewall, read from the environment only.

Development defaults run with nothing installed (SQLite, eager tasks, console e-mail).
With DEBUG off the process refuses to start without its secrets. Every secret can also
be given as a file: SECRET_KEY_FILE, DATABASE_URL_FILE, EMAIL_URL_FILE, REDIS_URL_FILE.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


class _StrippedFileAwareMapping(environ.FileAwareMapping):
    """`SECRET_KEY_FILE` and friends: a secret file's trailing newline is not the secret."""

    def __getitem__(self, key: str) -> str:
        value = super().__getitem__(key)
        return value.strip() if self.env.get(key + "_FILE") else value


env = environ.Env()
env.ENVIRON = _StrippedFileAwareMapping()
if env.bool("READ_DOT_ENV", default=False):
    environ.Env.read_env(BASE_DIR / ".env")

# pytest sets PYTEST_VERSION for the whole run; tests get fast hashers and plain static files.
TESTING = "PYTEST_VERSION" in os.environ

# DEBUG=1 is development mode (`make run`): no secrets needed, SQLite, console e-mail, plain
# cookies, static files read from static/ as they change. Django's own debug pages (a traceback
# for every error, the URL list for every 404) are a separate choice, DEBUG_PAGES=1: without it
# development shows the designed 404, 403 and 500 pages a user would see, and an error's
# traceback is still printed on the console. DEBUG_PAGES means nothing without DEBUG=1.
DEVELOPMENT = env.bool("DEBUG", default=False)
DEBUG = DEVELOPMENT and env.bool("DEBUG_PAGES", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEVELOPMENT or TESTING:
        SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the application refuses to start without it: "
            "set SECRET_KEY (or SECRET_KEY_FILE pointing at a file that holds it), "
            "or set DEBUG=1 for local development."
        )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if (DEVELOPMENT or TESTING) else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin, its site's sidebar built faster (mentoring/admin_site.py).
    "mentoring.admin_site.MentoringAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "guardian",
    "axes",
    "mentoring",
    "notifications",
    "people",
    "firewall",
    "programs",
    "pairings",
    "confidentiality",
    "reviews",
    "reports",
    "demo",
    "benchmarks",
]

MIDDLEWARE = [
    "mentoring.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every response to a signed-in user (and of the admin) is no-store (F9).
    "mentoring.middleware.NoStoreMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, so that a locked-out sign-in is answered before the view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mentoring.urls"
WSGI_APPLICATION = "mentoring.wsgi.application"
ASGI_APPLICATION = "mentoring.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "mentoring.context_processors.navigation",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections with health checks: a connection is reused across requests and
# checked before reuse, so a restarted database costs one failed check, not an error page.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The queries asked on every request (core.prepared) are prepared on the PostgreSQL server, so
# it does not plan them again each time; 0 for a connection pooler that cannot keep them.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ------------------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out credentials before any other backend runs.
    "axes.backends.AxesStandaloneBackend",
    "people.backends.EmailBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# django-axes: lock a username (real or not) from one address after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Sign-in ignores letter case, so the lockout must count every spelling as one name.
AXES_USERNAME_CALLABLE = "people.backends.axes_username"
AXES_VERBOSE = False

# django-guardian: no anonymous user object; permissions are explicit per object.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# --- The firewall's own settings --------------------------------------------------------
# People at or above this grade lead group sessions and never mentor one-to-one (F4).
GROUP_ONLY_LEVEL = env.int("GROUP_ONLY_LEVEL", default=9)
# Senior leadership, as an audience of the pair's sharing rules (F6): people at or above this
# grade in the mentoree's management chain.
SENIOR_LEADERSHIP_LEVEL = env.int("SENIOR_LEADERSHIP_LEVEL", default=GROUP_ONLY_LEVEL)

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# In development whitenoise serves static/ itself, as it changes (no collectstatic), whether
# or not Django's debug pages are on.
WHITENOISE_USE_FINDERS = DEVELOPMENT
WHITENOISE_AUTOREFRESH = DEVELOPMENT
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEVELOPMENT or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Cache, Celery ------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The embedded broker names a host: kombu warns "No hostname was supplied. Reverting to default
# 'localhost'" for a bare memory://, which reads as if Redis were missing. With no REDIS_URL
# tasks run eagerly in the caller's process; this in-memory broker only takes their messages.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker every task runs in the caller's process, so `make run` needs nothing else.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# With acks_late, Redis hands an unacknowledged task to another worker after the visibility
# timeout. It is one hour: longer than any task may run (the hard limit above) and than any
# retry countdown (at most five minutes), so a slow task is never run twice at once. Nothing
# is scheduled far ahead with an ETA: due messages wait as rows for beat's sweep.
CELERY_VISIBILITY_TIMEOUT = 3600
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Mounts /bench/bare/ (the base template, no query) for `manage.py bench_pages`; off otherwise.
BENCH_PAGES = env.bool("BENCH_PAGES", default=False)

# --- Messages (e-mail and in-app) -------------------------------------------------------------
# Links in e-mails and the calendar feed point here. Unset, they follow the address `make run`
# serves on (HOST and PORT, which the Makefile passes down): `make run PORT=8001` puts :8001
# into e-mails and feeds. A wildcard HOST (0.0.0.0, ::) is not an address a link can use, so
# the links then name 127.0.0.1. A deployment sets SITE_URL, which always wins.
_run_host = env.str("HOST", default="127.0.0.1") or "127.0.0.1"
if _run_host in ("0.0.0.0", "::", "[::]"):  # noqa: S104 - read, not bound
    _run_host = "127.0.0.1"
if ":" in _run_host and not _run_host.startswith("["):
    _run_host = f"[{_run_host}]"
SITE_URL = env.str(
    "SITE_URL", default=f"http://{_run_host}:{env.int('PORT', default=8000)}"
).rstrip("/")
MESSAGES_SWEEP_SECONDS = env.float("MESSAGES_SWEEP_SECONDS", default=60.0)
MESSAGES_SWEEP_BUDGET_SECONDS = min(50.0, CELERY_TASK_SOFT_TIME_LIMIT * 0.8)
MESSAGES_MAX_ATTEMPTS = env.int("MESSAGES_MAX_ATTEMPTS", default=8)
MESSAGES_RETRY_BASE_SECONDS = env.int("MESSAGES_RETRY_BASE_SECONDS", default=60)
MEETING_REMINDER_HOURS = 24
SESSION_REMINDER_HOURS = 24
AGREEMENT_REMINDER_DAYS = 3
NO_MEETING_NUDGE_DAYS = 30

CELERY_BEAT_SCHEDULE = {
    "messages-sweep": {
        "task": "people.messages_sweep",
        "schedule": MESSAGES_SWEEP_SECONDS,
        "options": {"expires": MESSAGES_SWEEP_SECONDS * 2},
    },
    "no-meeting-nudges": {
        "task": "pairings.nudges_plan",
        "schedule": crontab(minute=5),  # hourly; each silent stretch gets one nudge
    },
    "weekly-digests": {
        "task": "mentoring.digests_plan",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
}

# --- E-mail ---------------------------------------------------------------------------------
# Development prints e-mails; production sends them (a local SMTP relay unless EMAIL_URL says).
_email = env.email(
    "EMAIL_URL", default="consolemail://" if (DEVELOPMENT or TESTING) else "smtp://localhost:25"
)
_mailer_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
    "timeout": env.int("EMAIL_TIMEOUT", default=10),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": (
            {k: v for k, v in _mailer_options.items() if v not in (None, "")}
            if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Mentoring programs <mentoring@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security headers ------------------------------------------------------------------------
# The content security policy holds in development too, so an inline script fails early.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's database sessions, read by a query built once (mentoring/sessions.py).
SESSION_ENGINE = "mentoring.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 10)
if not DEVELOPMENT and not TESTING:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the company's whole domain to HTTPS in every browser for months;
        # a self-hosted tool cannot decide that for its operator, who opts in with
        # SECURE_HSTS_PRELOAD=1. HSTS itself is on.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Logging: never request bodies, never confidential text (F9) -----------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact": {"()": "mentoring.logging.RedactConfidentialFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Without a broker tasks run inside the web process: one "succeeded" line per task
        # would drown the development server's log.
        "celery.app.trace": {"level": "INFO" if REDIS_URL else "WARNING"},
    },
}

# --- Programs ---------------------------------------------------------------------------------
RESOURCE_MAX_BYTES = env.int("RESOURCE_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Reports ----------------------------------------------------------------------------------
# How long the dashboard's figures are reused before they are computed again (0: always fresh).
REPORTS_CACHE_SECONDS = env.int("REPORTS_CACHE_SECONDS", default=60)

# --- Pairings -----------------------------------------------------------------------------------
# How far up and down the management chain a mentor may not be (empty: the whole chain).
PAIRING_CHAIN_DEPTH = env.int("PAIRING_CHAIN_DEPTH", default=None)

# --- Confidentiality ----------------------------------------------------------------------------
# Fernet keys for confidential text at rest (F10), comma-separated, newest first. Generate one:
#   python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
NOTE_KEYS = env.list("NOTE_KEYS", default=[])
if not NOTE_KEYS:
    if DEVELOPMENT or TESTING:
        # Development and tests only; a real deployment refuses to start without its keys.
        NOTE_KEYS = ["ZGV2ZWxvcG1lbnQtb25seS1ub3QtYS1zZWNyZXQtMDA="]
    else:
        raise ImproperlyConfigured(
            "NOTE_KEYS is not set. With DEBUG off the application refuses to start without the "
            "keys that encrypt notes: set NOTE_KEYS (or NOTE_KEYS_FILE) to one or more Fernet "
            "keys, newest first."
        )

# --- Talent reviews -----------------------------------------------------------------------------
# How long after a pairing ends its mentor still may not assess the mentoree (empty: ever).
CONFLICT_LOOKBACK_DAYS = env.int("CONFLICT_LOOKBACK_DAYS", default=None)
