"""Top-level URLs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("行政評価システム 管理画面")
admin.site.site_title = _("行政評価システム 管理画面")

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("datasets/", include("datasets.urls")),
    path("benchmarks/", include("benchmarks.urls")),
    path("printing/", include("printing.urls")),
    path("", include("sheets.urls")),
]
