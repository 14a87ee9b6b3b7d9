"""Kreds settings: one file, driven by the environment (healthchecks style).

Every secret can also be given as ``<NAME>_FILE`` pointing at a file that holds it.
With ``KREDS_ENV=production`` missing secrets make the process fail at start.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR / "src") not in sys.path:
    sys.path.insert(0, str(BASE_DIR / "src"))
VAR_DIR = Path(os.environ.get("KREDS_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    """Read a setting from the environment, or from the file named by ``<NAME>_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value else default


KREDS_ENV = env("KREDS_ENV", "development")
PRODUCTION = KREDS_ENV == "production"
TESTING = KREDS_ENV == "test"


def required(name: str, dev_default: str) -> str:
    value = env(name)
    if value:
        return value
    if PRODUCTION:
        raise RuntimeError(f"{name} must be set in production (or {name}_FILE).")
    return dev_default


SECRET_KEY = required("SECRET_KEY", "dev-only-secret-key-not-for-production-0123456789abcdefghijklmnop")
DEBUG = env_bool("DEBUG", default=False)
if DEBUG and PRODUCTION:
    # A debug page shows settings, SQL and stack frames full of personal data to anyone who hits an error.
    raise RuntimeError("DEBUG must be off in production (KREDS_ENV=production): unset DEBUG.")
ALLOWED_HOSTS = [h.strip() for h in (env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver") or "").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in (env("CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o]

# CPR encryption key ring: "id:base64key,id:base64key" — the first is used for new values.
# Dedicated keys, never derived from SECRET_KEY.
CPR_KEYS = required("CPR_KEYS", "dev1:ZGV2LW9ubHktY3ByLWtleS0zMi1ieXRlcy0wMDAwMDA=")
CPR_INDEX_KEY = required("CPR_INDEX_KEY", "ZGV2LW9ubHktYmxpbmQtaW5kZXgta2V5LTMyYnl0ZXM=")

# Demo mode relaxes two-factor enrolment for the demo accounts and says so on every page.
DEMO_MODE = env_bool("KREDS_DEMO", default=False)
if DEMO_MODE and PRODUCTION:
    raise RuntimeError("KREDS_DEMO must not be on in production.")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks_db",
    "kreds.core",
    "kreds.tenancy",
    "kreds.accounts",
    "kreds.authz",
    "kreds.audit",
    "kreds.sso",
    "kreds.cases",
    "kreds.network",
    "kreds.consent",
    "kreds.participants",
    "kreds.meetings",
    "kreds.outbox",
    "kreds.conferences",
    "kreds.documents",
    "kreds.safety",
    "kreds.voice",
    "kreds.plans",
    "kreds.placements",
    "kreds.insights",
    "kreds.protection",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kreds.core.middleware.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kreds.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kreds.protection.middleware.DisclosureMiddleware",  # every response passes its reader's guard (issue 18)
    "django.contrib.messages.middleware.MessageMiddleware",
    "kreds.accounts.middleware.SessionLifetimeMiddleware",
    "kreds.authz.middleware.DenialAuditMiddleware",
    "kreds.accounts.middleware.OTPMiddleware",  # django-otp's, without its query per request
    "kreds.accounts.middleware.RequireTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "kreds.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "src" / "kreds" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kreds.site.context_processors.kreds",
            ],
        },
    }
]

# Connections (ADR 0014): in production each gunicorn worker keeps its connection for DB_CONN_MAX_AGE seconds
# (default 60) and checks it before reusing it, so a restarted database or a PgBouncer that dropped the
# connection costs one reconnect, not a failed request. A new connection per request costs about 6 ms on every
# page (bench/results). The development server starts a thread per request and would leave a connection behind
# for each, so it and the suite connect per request. DB_POOL=1 uses Django's psycopg pool instead (measured in
# ADR 0014, not the default). DB_PGBOUNCER=1 for PgBouncer in transaction mode: no server-side cursors.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kreds.sqlite3'}") or "",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if env_bool("DB_POOL"):
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DB_POOL_MIN_SIZE", 1),
            "max_size": env_int("DB_POOL_MAX_SIZE", 2),
            "timeout": env_int("DB_POOL_TIMEOUT", 10),
        }
    if env_bool("DB_PGBOUNCER"):
        # Transaction pooling hands each transaction any server connection: a server-side cursor (which
        # QuerySet.iterator() opens) would outlive its transaction's connection. Django's psycopg backend binds
        # parameters on the client, so no prepared statements reach PgBouncer either.
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# No cache server (docs/deployment.md): "default" is each worker's own memory, as Django's default. "fragments"
# keeps rendered parts of pages whose content is fixed by a key that changes with it (the leader's figures of one
# computation); small, so a worker stays well under its memory budget (bench/README.md).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kreds-default"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kreds-fragments",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 40, "CULL_FREQUENCY": 4},
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user's municipality and memberships with the user (one query, not three).
    "kreds.accounts.backends.StaffBackend",
]
PASSWORD_HASHERS = [
    # The suite uses the same algorithm at a lower cost so that hundreds of logins stay fast.
    "kreds.core.hashers.TestArgon2PasswordHasher" if TESTING else "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:my_cases"
LOGOUT_REDIRECT_URL = "accounts:login"

# The client's address (audit log, log lines, lockouts, link rate limits): REMOTE_ADDR, or with N trusted reverse
# proxies in front of gunicorn the N-th X-Forwarded-For entry from the right (kreds.core.clientip, ADR 0011).
TRUSTED_PROXY_COUNT = max(0, env_int("TRUSTED_PROXY_COUNT", 0))

# django-axes: lock out after repeated failures; the lockout is audited by a signal handler (ADR 0011).
# AXES_FAILURE_LIMIT counts failures of one username from one address (never the address alone: behind a NAT that
# would let anyone lock out everybody); LOGIN_USERNAME_FAILURE_LIMIT counts one username from every address, except
# addresses it logged in from within LOGIN_KNOWN_ADDRESS_DAYS (kreds.accounts.lockout).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "kreds.accounts.lockout.KredsLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "kreds.core.clientip.client_ip"
AXES_RESET_ON_SUCCESS = True  # resets the combination (username, address) only
LOGIN_USERNAME_FAILURE_LIMIT = env_int("LOGIN_USERNAME_FAILURE_LIMIT", 30)
LOGIN_KNOWN_ADDRESS_DAYS = env_int("LOGIN_KNOWN_ADDRESS_DAYS", 30)
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]

OTP_TOTP_ISSUER = "Kreds"

# Sessions: idle timeout (refreshed on each request) and absolute lifetime.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30) * 60
SESSION_ABSOLUTE_LIFETIME = env_int("SESSION_ABSOLUTE_HOURS", 10) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_ENGINE = "django.contrib.sessions.backends.db"

LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    ("dkfds", BASE_DIR / "node_modules" / "dkfds" / "dist"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    BASE_DIR / "src" / "kreds" / "static",
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "media"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_KEEP_ONLY_HASHED_FILES = False

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}
# The worker is considered alive if its heartbeat is younger than this.
WORKER_HEARTBEAT_MAX_AGE = env_int("WORKER_HEARTBEAT_MAX_AGE", 180)

MAILERS = {
    "default": {
        "BACKEND": env(
            "EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "kreds.core.mail.DemoMailbox",
        ),
        "OPTIONS": (
            {
                "host": env("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 587),
                "username": env("EMAIL_HOST_USER", ""),
                "password": env("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            }
            if (env("EMAIL_BACKEND") or ("smtp" if PRODUCTION else "")).endswith("smtp.EmailBackend")
            or (PRODUCTION and not env("EMAIL_BACKEND"))
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Kreds <kreds@localhost>")
# Outside production, mail is kept in this folder for the demo's "sent mail" page, never sent or printed.
MAILBOX_DIR = Path(env("KREDS_MAILBOX_DIR") or VAR_DIR / "sent-mail")
# Absolute address used in e-mails, letters and QR codes (personal links must work outside the office). In
# production it is required and must be https: every link a family receives starts with it.
SITE_URL = required("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The municipal sign-on's service-provider keys may come from files instead of the database: <code>.key and
# <code>.crt in this folder (kreds.sso.keys; docs/sso.md).
SSO_KEY_DIR = env("SSO_KEY_DIR", "") or ""
# The size of a service-provider key made in the UI; the suite makes smaller ones, as it hashes passwords cheaper.
SSO_KEY_BITS = 2048 if TESTING else 3072
if PRODUCTION and not SITE_URL.startswith("https://"):
    raise RuntimeError(f"SITE_URL must be an https address in production (it is {SITE_URL!r}).")

# Personal links for participants without accounts (DOMAIN §11).
PARTICIPANT_LINK_DAYS_AFTER_MEETING = env_int("PARTICIPANT_LINK_DAYS_AFTER_MEETING", 120)
# After a cancellation the links keep working this long, so participants can read that the meeting is cancelled.
PARTICIPANT_LINK_DAYS_AFTER_CANCEL = env_int("PARTICIPANT_LINK_DAYS_AFTER_CANCEL", 30)
# Participants who have not answered get one reminder this many days before the meeting (0: no reminders).
MEETING_RSVP_REMINDER_DAYS = env_int("MEETING_RSVP_REMINDER_DAYS", 3)
# Rate limits (ADR 0011): a valid link is limited per link only, never by other clients' requests; unknown, expired
# and revoked tokens are limited per client address.
PARTICIPANT_LINK_RATE_WINDOW = env_int("PARTICIPANT_LINK_RATE_WINDOW", 600)  # seconds
PARTICIPANT_LINK_RATE_PER_LINK = env_int("PARTICIPANT_LINK_RATE_PER_LINK", 120)
PARTICIPANT_LINK_BAD_TOKENS_PER_IP = env_int("PARTICIPANT_LINK_BAD_TOKENS_PER_IP", 20)

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", PRODUCTION) else None
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SESSION_COOKIE_NAME = "__Host-kreds-session"
    CSRF_COOKIE_NAME = "__Host-kreds-csrf"

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded files (drawings, documents) live outside the web root and STATIC_ROOT; only an authorized view serves them.
UPLOAD_ROOT = Path(env("KREDS_UPLOAD_ROOT") or VAR_DIR / "uploads")
UPLOAD_MAX_BYTES = env_int("KREDS_UPLOAD_MAX_BYTES", 8 * 1024 * 1024)
# Images are decoded and encoded again (kreds.documents.cleaning); refused before decoding above this many pixels.
UPLOAD_MAX_PIXELS = env_int("KREDS_UPLOAD_MAX_PIXELS", 50_000_000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_cpr": {"()": "kreds.core.logging.RedactCprFilter"},
        "request_id": {"()": "kreds.core.logging.RequestIdFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(client_ip)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_cpr", "request_id"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # runserver's access log goes through the same filters: a personal link's token in a path is a secret.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},  # it says at import that its logger bridge started
        # pysaml2 logs whole assertions (names, e-mail addresses) when it refuses one; Kreds audits each refusal
        # with its reason instead (kreds.sso). xmlschema says at import which schemas it loaded.
        "saml2": {"level": "CRITICAL"},
        "xmlschema": {"level": "WARNING"},
    },
}

# Kreds-specific defaults, editable per municipality later.
KREDS_CASES_PAGE_SIZE = 25
AUDIT_READ_RETENTION_DAYS = env_int("AUDIT_READ_RETENTION_DAYS", 183)
# A burst of refused accesses by one user mails the municipality's administrators (0 turns it off).
AUTHZ_DENIAL_BURST = env_int("AUTHZ_DENIAL_BURST", 20)
AUTHZ_DENIAL_BURST_MINUTES = env_int("AUTHZ_DENIAL_BURST_MINUTES", 10)
# The audit chain's HMAC key ring (ADR 0010), shaped like CPR_KEYS: "id:base64(32 bytes),…"; the first key signs
# new rows, purge records and checkpoints, every key verifies. A dedicated key; back it up apart from the database.
AUDIT_CHAIN_KEY = required("AUDIT_CHAIN_KEY", "dev1:ZGV2LW9ubHktYXVkaXQtY2hhaW4ta2V5LTMyYnl0ZXM=")
# Where the hourly chain checkpoints are appended (one file per day) besides the application log; empty = log only.
AUDIT_CHECKPOINT_DIR = env("AUDIT_CHECKPOINT_DIR", "") or ""

FORM_RENDERER = "kreds.core.forms.KredsFormRenderer"
