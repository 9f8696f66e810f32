from django.apps import AppConfig


class SheetsConfig(AppConfig):
    name = "sheets"
    verbose_name = "評価シート"

    def ready(self):
        from sheets import audit  # noqa: F401 - connects the sign-in signals of the audit log
