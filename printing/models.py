"""Print jobs: the sheets of one department and year, rendered in chunks by the task workers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hikikomori_eval.wareki import fy_label
from printing.choices import PrintFormat, PrintStatus
from sheets.choices import FormType
from sheets.models import Organization, OrgUnit


class PrintJob(models.Model):
    """One batch print: its filter, the sheets it covers, its progress and the finished file.

    The sheets are fixed when the job is created (``sheet_ids``, in print order: only those the
    requester may view). Workers render them in chunks of ``chunk_size``; each finished chunk bumps
    ``chunks_done`` and the worker that finishes the last one assembles ``result``.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("団体"), on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        OrgUnit, verbose_name=_("部"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evaluation_fy = models.PositiveSmallIntegerField(_("評価年度"))
    form_type = models.CharField(_("様式"), max_length=20, choices=FormType.choices, blank=True)
    fmt = models.CharField(
        _("形式"), max_length=10, choices=PrintFormat.choices, default=PrintFormat.PDF_COMBINED
    )
    status = models.CharField(
        _("状態"), max_length=10, choices=PrintStatus.choices, default=PrintStatus.QUEUED
    )
    sheet_ids = models.JSONField(_("対象シート"), default=list)
    chunk_size = models.PositiveSmallIntegerField(default=8)
    total = models.PositiveIntegerField(_("シート数"), default=0)
    done = models.PositiveIntegerField(_("印刷したシート数"), default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("依頼日時"), auto_now_add=True)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    result = models.FileField(_("ファイル"), upload_to="printing/results/", blank=True)
    filename = models.CharField(_("ファイル名"), max_length=200, blank=True)
    error = models.TextField(_("エラー"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = _("一括印刷")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")), name="printing_done_le_total"
            ),
        ]

    def __str__(self):
        return f"{self.evaluation_fy} {self.department or self.organization} {self.get_status_display()}"

    @property
    def percent(self) -> int:
        """Progress for the bar (a display figure of the job itself, not business data)."""
        if self.status == PrintStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)

    @property
    def year_label(self) -> str:
        return fy_label(self.evaluation_fy, "plain")

    @property
    def is_finished(self) -> bool:
        return self.status in (PrintStatus.DONE, PrintStatus.FAILED)

    def chunk_sheet_ids(self, chunk: int) -> list[int]:
        return self.sheet_ids[chunk * self.chunk_size : (chunk + 1) * self.chunk_size]
