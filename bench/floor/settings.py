"""A bare Django site on Kreds' stack: the same gunicorn, the same PostgreSQL server (its own database), database
sessions, authentication, CSRF and security middleware. Its one page shows the user's name and a form with a CSRF
token: two queries (the session, the user). ``bench/run.py`` measures every Kreds page against it.

Configured by the environment as ``bench/run.py`` starts it: ``FLOOR_DATABASE_URL``, ``DB_CONN_MAX_AGE`` and
``DB_POOL`` (the same connection policy as the Kreds server it is compared with).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

SECRET_KEY = os.environ.get("BENCH_SECRET_KEY", "bench-floor-only-secret-0123456789abcdefghijklmnopqrstuvwxyz")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.floor.urls"
WSGI_APPLICATION = "bench.floor.wsgi.application"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("FLOOR_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kreds_bench_floor"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),  # Kreds' production default (ADR 0014)
        conn_health_checks=True,
    )
}
if os.environ.get("DB_POOL") == "1":  # the same pool Kreds opens with DB_POOL=1
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 1, "max_size": 2, "timeout": 10}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "kreds_floor_session"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "OPTIONS": {"context_processors": ["django.template.context_processors.csrf"]},
    }
]
USE_TZ = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
