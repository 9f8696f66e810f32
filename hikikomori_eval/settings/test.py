"""The test suite: fast hashing, in-memory mail and cache, immediate tasks."""

import os
import tempfile

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]

# Threads of the live server (browser tests) must not keep connections open past a request, or
# PostgreSQL refuses to drop the test database at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# SQLite tests run on a file, not in memory: an in-memory database shares one cache with table-level
# locks, so concurrent editors (tests/sheets/test_concurrency.py) would fail where the real, file-based
# database (WAL, IMMEDIATE transactions) queues them.
# One file per test process, in the temporary directory, so parallel runs never share it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"hikikomori-eval-test-{os.getpid()}.sqlite3")
    }
