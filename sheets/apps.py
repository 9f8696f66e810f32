from django.apps import AppConfig


class SheetsConfig(AppConfig):
    name = "sheets"
    verbose_name = "評価シート"

    def ready(self):
        from django.db import connections
        from django.db.backends.signals import connection_created

        # audit, signals_admin: imported for their signal receivers (the sign-in audit log, is_staff
        # for administrators). content_version: every connection's writes renew the token that
        # cached sheet bodies are keyed on.
        from sheets import audit, content_version, signals_admin  # noqa: F401

        connection_created.connect(content_version.watch, dispatch_uid="sheets.content_version.watch")
        for connection in connections.all(initialized_only=True):
            content_version.watch(sender=None, connection=connection)
