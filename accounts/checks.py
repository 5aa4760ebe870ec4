"""`manage.py check --deploy` warns when production runs without required two-step sign-in."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def two_factor_required(app_configs, **kwargs):
    if getattr(settings, "TWO_FACTOR_REQUIRED", True):
        return []
    return [
        Warning(
            "TWO_FACTOR_REQUIRED is off: admins and users who may reveal personal data "
            "sign in with a password alone.",
            hint="Leave TWO_FACTOR_REQUIRED unset (on) outside development.",
            id="accounts.W001",
        )
    ]
