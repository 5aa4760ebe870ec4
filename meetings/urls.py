from django.urls import path

from meetings import calendar_views, pickers, views

app_name = "meetings"

urlpatterns = [
    path("", views.MeetingListView.as_view(), name="list"),
    path("new/", views.meeting_create, name="create"),
    path("choices/", pickers.meeting_choices, name="choices"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/history/", views.meeting_history, name="history"),
    path("<int:pk>/archive/", views.meeting_archive, name="archive"),
    path("<int:pk>/restore/", views.meeting_restore, name="restore"),
    path("<int:pk>/history/<int:history_id>/revert/", views.meeting_revert, name="revert"),
    path("<int:pk>/attendance/", views.meeting_attendance, name="attendance"),
    path("<int:pk>/sign-in.pdf", views.meeting_sign_in_sheet, name="sign_in_sheet"),
    path("<int:pk>/duplicate/", views.meeting_duplicate, name="duplicate"),
    path("<int:pk>/photos/", views.meeting_photos_upload, name="photos"),
    path("<int:pk>/photos/captions/", views.meeting_photo_captions, name="photo_captions"),
    path("calendar/", calendar_views.meeting_calendar, name="calendar"),
    path("calendar/token/", calendar_views.calendar_token_reset, name="calendar_token"),
    path("calendar/<str:token>.ics", calendar_views.calendar_feed, name="calendar_feed"),
    path("resolutions/", views.ResolutionListView.as_view(), name="resolutions"),
    path("resolutions/<int:pk>/", views.resolution_detail, name="resolution"),
    path(
        "resolutions/<int:pk>/follow-up/", views.resolution_follow_up, name="resolution_follow_up"
    ),
    path("resolutions/<int:pk>/carry/", views.resolution_carry, name="resolution_carry"),
]
