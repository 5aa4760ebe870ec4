from axes import apps as axes_apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _
from django_tasks_db import apps as tasks_apps


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from portal.history import name_change_path

        pre_create_historical_record.connect(name_change_path, dispatch_uid="name_change_path")
        # A worker's sweep tells the prepared exports about stranded tasks.
        from portal import export_jobs  # noqa: F401, PLC0415


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the portal's site: every model admin's search is bounded."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "portal.admin.PortalAdminSite"


class AxesConfig(axes_apps.AppConfig):
    """django-axes (sign-in lockouts), named in the admin in the reader's language."""

    verbose_name = _("Sign-in lockouts")


class TasksConfig(tasks_apps.TasksAppConfig):
    """django-tasks' database backend (the import and export queue), named likewise."""

    verbose_name = _("Background tasks")
