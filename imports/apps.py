from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("Import centre")

    def ready(self) -> None:
        # A worker's sweep tells the import centre about stranded tasks (imports.recovery).
        from imports import recovery  # noqa: F401, PLC0415
