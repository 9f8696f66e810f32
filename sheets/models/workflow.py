"""The yearly cycle: review transitions, fiscal-year locks with frozen outputs, and the audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sheets.choices import SheetStatus

from .evaluation import EvaluationSheet
from .organization import Organization


class SheetTransition(models.Model):
    """One step of a sheet's review (提出, 差戻し, 承認, 公開, 再開), with who, when and why."""

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(_("変更前"), max_length=20, choices=SheetStatus.choices)
    to_status = models.CharField(_("変更後"), max_length=20, choices=SheetStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作者"), null=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(_("日時"), auto_now_add=True)
    comment = models.TextField(_("コメント"), blank=True)

    class Meta:
        ordering = ["sheet", "at", "id"]
        verbose_name = verbose_name_plural = _("審査の履歴")

    def __str__(self):
        return f"{self.sheet_id} {self.from_status}→{self.to_status}"


class FiscalYear(models.Model):
    """An organisation's evaluation year: open for input, or locked (確定) with every figure frozen."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="fiscal_years")
    evaluation_fy = models.PositiveSmallIntegerField(_("評価年度"))
    opened_at = models.DateTimeField(_("開始日時"), auto_now_add=True)
    locked_at = models.DateTimeField(_("確定日時"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organization", "-evaluation_fy"]
        verbose_name = verbose_name_plural = _("評価年度")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "evaluation_fy"], name="sheets_fiscalyear_unique"
            ),
        ]

    def __str__(self):
        return f"{self.organization} {self.evaluation_fy}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class SheetSnapshot(models.Model):
    """What a locked sheet printed at the moment of locking: later formula or data changes never alter it."""

    sheet = models.OneToOneField(EvaluationSheet, on_delete=models.CASCADE, related_name="snapshot")
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    body_html = models.TextField(_("画面の本文"))
    pdf = models.BinaryField(_("PDF"))
    xlsx = models.BinaryField(_("Excel"))

    class Meta:
        verbose_name = verbose_name_plural = _("確定時のシート")

    def __str__(self):
        return str(self.sheet)


class AuditEvent(models.Model):
    """ログ: logins, failed logins, refused requests and every export."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("ログイン")
        LOGIN_FAILED = "login_failed", _("ログイン失敗")
        LOGOUT = "logout", _("ログアウト")
        DENIED = "denied", _("権限なし")
        EXPORT = "export", _("出力")

    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(_("利用者名"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)
    path = models.CharField(_("URL"), max_length=300, blank=True)
    detail = models.CharField(_("内容"), max_length=300, blank=True)
    sheet = models.ForeignKey(EvaluationSheet, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = verbose_name_plural = _("操作ログ")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"
