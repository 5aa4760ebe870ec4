from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from accounts import views as accounts
from dashboards import views as dashboards
from portal import media, views

urlpatterns = [
    path("", dashboards.home, name="home"),
    path("", include("dashboards.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("councils/", include("councils.urls")),
    path("agencies/", include("councils.agency_urls")),
    path("projects/", include("projects.urls")),
    path("meetings/", include("meetings.urls")),
    path("privacy/", include("privacy.urls")),
    path("areas/", include("areas.urls")),
    path("imports/", include("imports.urls")),
    path("exports/", views.export_create, name="export_create"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("accounts/", include("accounts.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/two-factor/", accounts.two_factor, name="two_factor"),
    path("accounts/two-factor/verify/", accounts.verify, name="two_factor_verify"),
    path("accounts/two-factor/enrol/", accounts.enrol, name="two_factor_enrol"),
    path(
        "accounts/two-factor/recovery-codes/",
        accounts.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("accounts/two-factor/disable/", accounts.disable, name="two_factor_disable"),
    # The language switcher works on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path(
        f"{settings.MEDIA_URL.strip('/')}/photos/<slug:kind>/<str:filename>",
        media.photo_file,
        name="photo_file",
    ),
]

handler500 = "portal.views.server_error"
handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
