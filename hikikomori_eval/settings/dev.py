"""Local development: `make run`."""

from .base import *  # noqa: F403

DEBUG = True

# Sheet bodies are rendered on every request here, so that an edited template shows at once (the
# cache is renewed by writes to the data, not by edits of templates).
CACHES["sheet_bodies"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}  # noqa: F405
