from django.urls import path

from . import views

app_name = "datasets"

urlpatterns = [
    path("", views.export_form, name="export"),
    path("exports/<int:pk>/", views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("import/", views.import_form, name="import"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
]
