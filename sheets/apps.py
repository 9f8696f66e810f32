from django.apps import AppConfig


class SheetsConfig(AppConfig):
    name = "sheets"
    verbose_name = "評価シート"

    def ready(self):
        # Imported for their signal receivers: the sign-in audit log, and is_staff for administrators.
        from sheets import audit, signals_admin  # noqa: F401
