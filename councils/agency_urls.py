from django.urls import path

from councils import pickers, views

app_name = "agencies"

urlpatterns = [
    path("", views.AgencyListView.as_view(), name="list"),
    path("new/", views.agency_create, name="create"),
    path("choices/", pickers.agency_choices, name="choices"),
    path("<int:pk>/", views.agency_detail, name="detail"),
    path("<int:pk>/edit/", views.agency_edit, name="edit"),
    path("<int:pk>/history/", views.agency_history, name="history"),
    path("<int:pk>/archive/", views.agency_archive, name="archive"),
    path("<int:pk>/restore/", views.agency_restore, name="restore"),
    path("<int:pk>/history/<int:history_id>/revert/", views.agency_revert, name="revert"),
]
