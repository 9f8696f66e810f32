"""Settings of the benchmarks: the app's own settings with a database of their own.

``perf/run.py`` uses them so that a run never touches the developer's ``db.sqlite3``: SQLite under
``perf/.data/`` by default, or the PostgreSQL database of ``PERF_DATABASE_URL``. Uploaded and
generated files go to ``perf/.data/media``.
"""

import os
from pathlib import Path

from hikikomori_eval.settings.base import *  # noqa: F403
from hikikomori_eval.settings.base import BASE_DIR, database_config

PERF_DATA = Path(os.environ.get("PERF_DATA_DIR", BASE_DIR / "perf" / ".data"))
PERF_DATA.mkdir(parents=True, exist_ok=True)

DATABASES = {
    "default": database_config(os.environ.get("PERF_DATABASE_URL", f"sqlite:///{PERF_DATA / 'perf.sqlite3'}"))
}
MEDIA_ROOT = PERF_DATA / "media"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
DEBUG = False

# The database task backend (package django-tasks-db) is migrated whenever it is installed, so that
# the batch benchmark can switch to it with DJANGO_TASKS_BACKEND=django_tasks_db.DatabaseBackend.
try:
    import django_tasks_db  # noqa: F401
except ImportError:  # pragma: no cover - the batch benchmark then reports itself skipped
    pass
else:
    if "django_tasks_db" not in INSTALLED_APPS:  # noqa: F405
        INSTALLED_APPS.append("django_tasks_db")  # noqa: F405

ROOT_URLCONF = "perf.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "perf" / "templates"]  # noqa: F405
