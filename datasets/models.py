"""Export and import jobs: the files auditors download and the workbooks staff upload."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from datasets.choices import ExportFormat, ExportStatus, ImportLayout, ImportStatus
from hikikomori_eval.wareki import fy_label
from sheets.models import OrgUnit, PolicyNode


class ExportJob(models.Model):
    """One dataset export: its filters, its progress while a worker writes it, and the file."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("依頼日時"), auto_now_add=True)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    evaluation_fy = models.PositiveSmallIntegerField(_("評価年度"))
    department = models.ForeignKey(
        OrgUnit, verbose_name=_("部"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    policy_node = models.ForeignKey(
        PolicyNode, verbose_name=_("施策"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: What the requester could see when asking (datasets.permissions.export_visibility):
    #: the organisations (None = every organisation) and the units some of them are limited to.
    organization_ids = models.JSONField(_("対象団体"), null=True, blank=True)
    unit_limits = models.JSONField(_("対象の課（一部の団体のみ）"), default=dict, blank=True)
    fmt = models.CharField(_("形式"), max_length=10, choices=ExportFormat.choices, default=ExportFormat.XLSX)
    status = models.CharField(
        _("状態"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("行数"), default=0)
    rows_done = models.PositiveIntegerField(_("書き出した行数"), default=0)
    file = models.FileField(_("ファイル"), upload_to="datasets/exports/%Y/%m/", blank=True)
    filename = models.CharField(_("ファイル名"), max_length=200, blank=True)
    error = models.TextField(_("エラー"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = _("データセットの出力")

    def __str__(self):
        return f"{self.evaluation_fy} {self.fmt} {self.get_status_display()}"

    @property
    def percent(self) -> int:
        """Progress for the bar (a display figure of the job itself, not business data)."""
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def year_label(self) -> str:
        return fy_label(self.evaluation_fy, "plain")

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)


class ImportJob(models.Model):
    """An uploaded workbook between its dry run and its confirmation, then the record of what changed."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("取込日時"), auto_now_add=True)
    file = models.FileField(_("ファイル"), upload_to="datasets/imports/%Y/%m/")
    original_name = models.CharField(_("元のファイル名"), max_length=200)
    layout = models.CharField(_("形式"), max_length=20, choices=ImportLayout.choices, blank=True)
    status = models.CharField(_("状態"), max_length=10, choices=ImportStatus.choices)
    #: The dry-run report (ImportReport.to_dict()).
    report = models.JSONField(_("確認結果"), default=dict)
    #: Hash of the planned changes: the confirmation applies them only if a new dry run agrees.
    fingerprint = models.CharField(max_length=64, blank=True)
    applied_at = models.DateTimeField(_("反映日時"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: History: every cell the confirmation wrote, with its old and new value.
    applied_changes = models.JSONField(_("反映した変更"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = _("Excel の取り込み")

    def __str__(self):
        return f"{self.original_name} {self.get_status_display()}"
