from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users and roles")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts import checks  # noqa: F401 (registers the deploy check)
        from accounts.middleware import signed_in

        user_logged_in.connect(signed_in, dispatch_uid="accounts_two_factor_afresh")
