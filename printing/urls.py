from django.urls import path

from . import views

app_name = "printing"

urlpatterns = [
    path("", views.job_form, name="form"),
    path("jobs/<int:pk>/", views.job_status, name="status"),
    path("jobs/<int:pk>/download/", views.job_download, name="download"),
]
