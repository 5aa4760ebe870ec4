from django.urls import path

from councils import pickers, views

app_name = "councils"

urlpatterns = [
    path("", views.CouncilListView.as_view(), name="list"),
    path("new/", views.council_create, name="create"),
    path("choices/", pickers.council_choices, name="choices"),
    path("district-choices/", pickers.district_choices, name="district_choices"),
    path("<int:pk>/", views.council_detail, name="detail"),
    path("<int:pk>/edit/", views.council_edit, name="edit"),
    path("<int:pk>/history/", views.council_history, name="history"),
    path("<int:pk>/archive/", views.council_archive, name="archive"),
    path("<int:pk>/restore/", views.council_restore, name="restore"),
    path("<int:pk>/history/<int:history_id>/revert/", views.council_revert, name="revert"),
]
