from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("person/", views.person_search, name="person"),
    path("person/download/", views.person_download, name="person_download"),
    path("person/erase/", views.person_erase, name="person_erase"),
]
