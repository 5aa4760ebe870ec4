from django.urls import path

from councils import views

app_name = "councils"

urlpatterns = [
    path("", views.CouncilListView.as_view(), name="list"),
    path("new/", views.council_create, name="create"),
    path("<int:pk>/", views.council_detail, name="detail"),
    path("<int:pk>/edit/", views.council_edit, name="edit"),
    path("<int:pk>/history/", views.council_history, name="history"),
    path("<int:pk>/archive/", views.council_archive, name="archive"),
    path("<int:pk>/restore/", views.council_restore, name="restore"),
    path("<int:pk>/history/<int:history_id>/revert/", views.council_revert, name="revert"),
]
