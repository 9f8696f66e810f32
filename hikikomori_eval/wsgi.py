"""WSGI entry point (gunicorn hikikomori_eval.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hikikomori_eval.settings.prod")

application = get_wsgi_application()
