"""Settings shared by every environment; the others override only what differs."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-not-secret-change-me-in-production")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "import_export",
    "simple_history",
    "django_tasks",
    "sheets",
    "indicators",
    "benchmarks",
    "datasets",
    "printing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "sheets.audit.AuditMiddleware",
]

ROOT_URLCONF = "hikikomori_eval.urls"

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
            ],
            "builtins": ["hikikomori_eval.templatetags.sheetfmt"],
        },
    },
]

WSGI_APPLICATION = "hikikomori_eval.wsgi.application"

DEFAULT_SQLITE = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"


def database_config(url: str) -> dict:
    """One database from a URL; SQLite gets WAL and immediate transactions."""
    config = dj_database_url.parse(url, conn_max_age=0 if url.startswith("sqlite") else 60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of failing
            # half-way with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASES = {"default": database_config(os.environ.get("DATABASE_URL", DEFAULT_SQLITE))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded workbooks and finished dataset exports (served only through permission-checked views).
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

# content: what pages compute from the data (a sheet's rendered body, 20-40 KB; a portfolio), kept
# under the content token (sheets/content_version.py). The memory of each process is enough: a write
# anywhere renews the token, read from the shared database, so no process ever shows outdated data.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "content": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "content",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CONTENT_CACHE_ENTRIES", "1000"))},
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "sheets:list"
LOGOUT_REDIRECT_URL = "login"

# Background work (dataset exports, batch PDF). The immediate backend runs a task inside the request
# that enqueues it. Production sets DJANGO_TASKS_BACKEND=django_tasks_db.DatabaseBackend (package
# django-tasks-db), migrates, and runs `manage.py db_worker` next to the web server.
TASKS_BACKEND = os.environ.get("DJANGO_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
TASKS = {"default": {"BACKEND": TASKS_BACKEND}}
if TASKS_BACKEND.startswith("django_tasks_db."):
    INSTALLED_APPS.append("django_tasks_db")

# The Japanese font embedded in every PDF; never a font of the machine.
PDF_FONT_FILE = BASE_DIR / "static" / "fonts" / "ipaexg.ttf"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"handlers": ["console"], "level": "ERROR"},
    },
}
