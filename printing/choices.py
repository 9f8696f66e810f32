"""Fixed vocabularies of the printing app. The stored values are a database contract: never rename them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PrintFormat(models.TextChoices):
    PDF_COMBINED = "pdf", _("PDF（1つのファイルにまとめる）")
    ZIP = "zip", _("ZIP（シートごとの PDF）")


class PrintStatus(models.TextChoices):
    QUEUED = "queued", _("待機中")
    RUNNING = "running", _("作成中")
    DONE = "done", _("完了")
    FAILED = "failed", _("失敗")
