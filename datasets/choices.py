"""Fixed vocabularies of the datasets app (English names, Japanese labels; stored values never change)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel（.xlsx）")
    CSV = "csv", _("CSV（UTF-8、BOM付き）")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("待機中")
    RUNNING = "running", _("作成中")
    DONE = "done", _("完了")
    FAILED = "failed", _("失敗")


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("確認待ち")
    REJECTED = "rejected", _("取り込めません")
    APPLIED = "applied", _("反映済み")


class ImportLayout(models.TextChoices):
    DATASET = "dataset", _("データセット")
    PROGRAM_SHEET = "kmk_program", _("行政評価シート【個表】")
    INITIATIVE_SHEET = "oki_initiative", _("「主な取組」検証票")
    POLICY_SHEET = "kmk_policy", _("行政評価シート（施策の方針）")
    POLICY_MANAGEMENT_SHEET = "kni_policy", _("施策マネジメントシート")


class Action(models.TextChoices):
    """What an import does with one cell (the dry-run report's verb)."""

    CREATED = "created", _("追加")
    CHANGED = "changed", _("変更")
    UNCHANGED = "unchanged", _("変更なし")
    REJECTED = "rejected", _("取り込めません")
