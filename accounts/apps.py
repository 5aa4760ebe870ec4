from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users and roles")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts import checks  # noqa: F401 (registers the deploy check)
        from accounts.middleware import forget

        def second_step_afresh(sender, request, user, **kwargs):
            """Whether the user owes a code is worked out anew at every sign-in."""
            if request is not None and hasattr(request, "session"):
                forget(request)

        user_logged_in.connect(second_step_afresh, dispatch_uid="accounts_two_factor_afresh")
