from django.urls import path

from . import cycle_views, views

app_name = "sheets"

urlpatterns = [
    path("", views.sheet_list, name="list"),
    path("sheets/<int:pk>/", views.sheet_detail, name="detail"),
    path("sheets/<int:pk>/pdf/", views.sheet_pdf, name="pdf"),
    path("sheets/<int:pk>/xlsx/", views.sheet_xlsx, name="xlsx"),
    path("sheets/<int:pk>/edit/", views.sheet_edit, name="edit"),
    path("sheets/<int:pk>/recalc/", views.sheet_recalc, name="recalc"),
    path("sheets/<int:pk>/initiative/edit/", views.initiative_edit, name="initiative_edit"),
    path(
        "sheets/<int:pk>/initiative/status-check/",
        views.initiative_status_check,
        name="initiative_status_check",
    ),
    path("sheets/<int:pk>/initiative/recalc/", views.initiative_recalc, name="initiative_recalc"),
    path("sheets/<int:pk>/policy/edit/", views.policy_edit, name="policy_edit"),
    path("sheets/<int:pk>/management/edit/", views.policy_management_edit, name="policy_management_edit"),
    path("sheets/<int:pk>/transition/", cycle_views.transition, name="transition"),
    path("sheets/<int:pk>/history/", cycle_views.history, name="history"),
    path("progress/", cycle_views.progress, name="progress"),
    path("years/", cycle_views.years, name="years"),
    path("years/action/", cycle_views.year_action, name="year_action"),
]
