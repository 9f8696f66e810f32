"""URLs of the benchmarks app: the national survey reference, benchmark and portfolio pages."""

from django.urls import path

from . import views

app_name = "benchmarks"

urlpatterns = [
    path("survey/", views.survey_index, name="survey_index"),
    path("survey/<slug:code>/", views.survey_index, name="survey"),
    path("survey/<slug:code>/<str:question>/", views.survey_question, name="survey_question"),
    path("programs/<int:pk>/", views.program_benchmark, name="program"),
    path("programs/<int:pk>/refresh/", views.program_benchmark_refresh, name="program_refresh"),
    path("programs/<int:pk>/trends/", views.program_trends, name="program_trends"),
    path("programs/<int:pk>/trends/pdf/", views.program_trends_pdf, name="program_trends_pdf"),
    path("portfolio/units/<int:pk>/", views.department_portfolio, name="department_portfolio"),
    path("portfolio/units/<int:pk>/xlsx/", views.department_portfolio_xlsx, name="department_portfolio_xlsx"),
    path("portfolio/policies/<int:pk>/", views.policy_portfolio, name="policy_portfolio"),
    path("portfolio/policies/<int:pk>/xlsx/", views.policy_portfolio_xlsx, name="policy_portfolio_xlsx"),
    path("opendata/<int:pk>/<slug:kind>.csv", views.opendata_csv, name="opendata_csv"),
]
