"""The audit log (AuditEvent): logins, failed logins, refused requests and every export.

Sign-ins come from Django's auth signals (connected in SheetsConfig.ready); refusals from
:class:`AuditMiddleware`, which sees every PermissionDenied and every 403 response; exports from
:func:`log_export`, called wherever a file leaves the system (views and commands).
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from sheets.models import AuditEvent


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record(
    kind: str, *, request=None, user=None, username: str = "", detail: str = "", sheet=None
) -> AuditEvent:
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=username or (user.get_username() if user is not None else ""),
        ip_address=_ip(request),
        path=(request.get_full_path()[:300] if request is not None else ""),
        detail=detail[:300],
        sheet=sheet,
    )


def log_export(*, request=None, user=None, detail: str, sheet=None) -> None:
    record(AuditEvent.Kind.EXPORT, request=request, user=user, detail=detail, sheet=sheet)


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(AuditEvent.Kind.LOGIN, request=request, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    record(AuditEvent.Kind.LOGOUT, request=request, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    record(AuditEvent.Kind.LOGIN_FAILED, request=request, username=str(credentials.get("username", ""))[:150])


class AuditMiddleware:
    """Log every refused request (PermissionDenied or a 403 response) with who asked for what."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403 and not getattr(request, "_audit_denied", False):
            record(AuditEvent.Kind.DENIED, request=request, detail=f"{request.method} 403")
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            request._audit_denied = True
            record(AuditEvent.Kind.DENIED, request=request, detail=f"{request.method} {exception}".strip())
