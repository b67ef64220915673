"""One env-driven settings module.

Everything that differs between a laptop demo and production comes from the
environment (GUANXI_*), so the same code runs both. The embedded default is a
SQLite file in the data directory; production points GUANXI_DATABASE_URL at
PostgreSQL and sets GUANXI_ENV=production, which switches on the secure
settings that `manage.py check --deploy` asks for.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("GUANXI_DATA_DIR", str(Path.cwd() / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

ENVIRONMENT = env_str("GUANXI_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("GUANXI_DEBUG", default=not PRODUCTION)


def _secret_key() -> str:
    """SECRET_KEY from the environment; a development install keeps one in the data dir.

    Production refuses to start without GUANXI_SECRET_KEY so that a key is never
    silently generated on one node and different on the next.
    """
    key = env_str("GUANXI_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise RuntimeError("GUANXI_SECRET_KEY must be set when GUANXI_ENV=production")
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

# Field-encryption keys live outside the database and outside SECRET_KEY
# (see guanxi.core.crypto); the file is part of every backup.
GUANXI_KEY_FILE = Path(env_str("GUANXI_KEY_FILE", str(DATA_DIR / "keys.json")))

ALLOWED_HOSTS = env_list("GUANXI_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("GUANXI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guanxi.core",
    "guanxi.customers",
    "guanxi.sales",
    "guanxi.imports",
    "guanxi.analytics",
    "guanxi.dedup",
    "guanxi.service",
    "guanxi.knowledge",
    "guanxi.chat",
    "guanxi.crisis",
    "guanxi.engagement",
    "guanxi.evaluation",
    "guanxi.exports",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "guanxi.core.locale.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "guanxi.urls"
ASGI_APPLICATION = "guanxi.asgi.application"
# Live chat pushes (Django Channels). One process needs nothing: the in-memory
# layer. Several uvicorn workers or machines must share GUANXI_REDIS_URL
# (redis://host:6379/0), or a visitor and an agent on different workers never meet.
GUANXI_REDIS_URL = env_str("GUANXI_REDIS_URL")
CHANNEL_LAYERS = {
    "default": (
        {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [GUANXI_REDIS_URL], "prefix": "guanxi:chat:"},
        }
        if GUANXI_REDIS_URL
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}
WSGI_APPLICATION = "guanxi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    url = env_str("GUANXI_DATABASE_URL")
    if not url:
        url = f"sqlite:///{DATA_DIR / 'guanxi.sqlite3'}"
    # Under ASGI each request's sync code runs in a fresh thread, so a persistent
    # connection (CONN_MAX_AGE > 0) is never reused and never closed: PostgreSQL
    # ran out of connections under load ("too many clients"). Django's own pool
    # (psycopg_pool, GUANXI_DB_POOL=1) is the way to reuse PostgreSQL connections.
    db: dict[str, object] = dict(
        dj_database_url.parse(url, conn_max_age=env_int("GUANXI_CONN_MAX_AGE", 0))
    )
    if db["ENGINE"] == "django.db.backends.postgresql" and env_bool("GUANXI_DB_POOL"):
        db["CONN_MAX_AGE"] = 0
        db["OPTIONS"] = {
            "pool": {"min_size": 2, "max_size": env_int("GUANXI_DB_POOL_SIZE", 10), "timeout": 10}
        }
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock
        # at BEGIN so two writers queue on the busy timeout instead of failing with
        # "database is locked" half-way through a transaction.
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA cache_size=-65536;"
                "PRAGMA mmap_size=1073741824;"
                "PRAGMA temp_store=MEMORY;"
            ),
        }
    db["TEST"] = {"NAME": env_str("GUANXI_TEST_DATABASE_NAME") or None}
    return {"default": db}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "customers:list"
LOGOUT_REDIRECT_URL = "core:login"

# Chinese first, English second; Asia/Shanghai is the display zone, storage is UTC.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("GUANXI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = env_str("GUANXI_PHONE_REGION", "CN")

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("GUANXI_STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Front-end packages (htmx, ECharts) are installed by npm at setup, never committed
# and never loaded from a CDN; their dist folders are served as static files.
NODE_MODULES = Path(env_str("GUANXI_NODE_MODULES", str(PACKAGE_DIR.parent.parent / "node_modules")))
if NODE_MODULES.is_dir():
    STATICFILES_DIRS.append(("vendor", NODE_MODULES))
WHITENOISE_USE_FINDERS = True

GUANXI_EXPORT_ROW_CAP = env_int("GUANXI_EXPORT_ROW_CAP", 100_000)
# Rows per import transaction: a crash loses at most one chunk of work, never rows.
GUANXI_IMPORT_CHUNK_ROWS = env_int("GUANXI_IMPORT_CHUNK_ROWS", 5_000)
# SQLite: a customer file of at least this many rows, and at least as many as the
# table holds, loads in one transaction with the indexes rebuilt at the end
# (customers/imports/runner.py); other writers wait meanwhile. 0 turns it off.
GUANXI_IMPORT_BULK_ROWS = env_int("GUANXI_IMPORT_BULK_ROWS", 50_000)
GUANXI_IMPORT_DIR = Path(env_str("GUANXI_IMPORT_DIR", str(DATA_DIR / "imports")))
# Background jobs (imports): SqliteHuey under the data dir; tests run tasks immediately.
HUEY = {
    "huey_class": "huey.SqliteHuey",
    "name": "guanxi",
    "filename": str(DATA_DIR / "huey.sqlite3"),
    "immediate": env_bool("GUANXI_HUEY_IMMEDIATE", False),
}
GUANXI_PAGE_SIZE = env_int("GUANXI_PAGE_SIZE", 50)
# Service desk: attachments under the data dir, links in mails to customers.
GUANXI_ATTACHMENT_DIR = Path(env_str("GUANXI_ATTACHMENT_DIR", str(DATA_DIR / "attachments")))
GUANXI_ATTACHMENT_MAX_BYTES = env_int("GUANXI_ATTACHMENT_MAX_MB", 10) * 1024 * 1024
GUANXI_PUBLIC_URL = env_str("GUANXI_PUBLIC_URL", "http://localhost:8000")
GUANXI_SURVEY_MAX_AGE_DAYS = env_int("GUANXI_SURVEY_MAX_AGE_DAYS", 30)
GUANXI_REVISIT_DAYS = env_int("GUANXI_REVISIT_DAYS", 3)
GUANXI_PUBLIC_FORM_PER_HOUR = env_int("GUANXI_PUBLIC_FORM_PER_HOUR", 5)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("GUANXI_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("GUANXI_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_HOST = env_str("GUANXI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("GUANXI_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("GUANXI_EMAIL_FROM", "guanxi@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("GUANXI_LOG_LEVEL", "WARNING")},
}
