from django.urls import path

from areas import views

app_name = "areas"

urlpatterns = [
    path("compare/", views.compare, name="compare"),
    path("<str:code>/", views.profile, name="profile"),
    path("<str:code>/partners/", views.partners, name="partners"),
]
