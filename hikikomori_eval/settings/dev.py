"""Local development: `make run`."""

from .base import *  # noqa: F403

DEBUG = True

# Pages are computed on every request here, so that an edited template or selector shows at once (the
# content cache is renewed by writes to the data, not by edits of the code).
CACHES["content"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}  # noqa: F405
