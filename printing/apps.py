from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrintingConfig(AppConfig):
    name = "printing"
    verbose_name = _("一括印刷")
    default_auto_field = "django.db.models.BigAutoField"
