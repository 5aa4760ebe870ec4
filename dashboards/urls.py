from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("quality/", views.data_quality, name="quality"),
    path("reports/", views.briefing, name="reports"),
]
