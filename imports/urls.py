from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("batches/", views.batch_list, name="batches"),
    path("template/<slug:kind>.xlsx", views.template_download, name="template"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("<int:pk>/progress/", views.batch_progress, name="progress"),
    path("<int:pk>/columns/", views.batch_map, name="map"),
    path("<int:pk>/rows/<int:row>/", views.batch_correct, name="correct"),
    path("<int:pk>/commit/", views.batch_commit, name="commit"),
    path("<int:pk>/cancel/", views.batch_cancel, name="cancel"),
    path("<int:pk>/retry/", views.batch_retry, name="retry"),
    path("<int:pk>/undo/", views.batch_undo, name="undo"),
    path("<int:pk>/rejected-rows.xlsx", views.batch_errors, name="errors"),
]
