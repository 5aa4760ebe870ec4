"""Forms of the two-step sign-in pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import twofactor


class CodeForm(forms.Form):
    """A code from the authenticator app, or a recovery code (`allow_recovery`)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        ),
    )

    def __init__(self, *args, user, allow_recovery=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None
        self.fields["code"].help_text = (
            _("The six-digit code your authenticator app shows, or one of your recovery codes.")
            if allow_recovery
            else _("The six-digit code your authenticator app shows.")
        )

    def clean_code(self):
        check = twofactor.check_code(self.user, self.cleaned_data["code"])
        if check.error:
            raise forms.ValidationError(check.error)
        self.device = check.device
        return self.cleaned_data["code"]


class EnrolForm(forms.Form):
    """The first code from the app, which proves it holds the secret shown."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        help_text=_("The six-digit code the app shows for this portal."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, key, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key
        self.time_step = None

    def clean_code(self):
        self.time_step = twofactor.code_matches_key(self.key, self.cleaned_data["code"])
        if self.time_step is None:
            raise forms.ValidationError(
                _("That code is not right. Check the app shows this portal's code and try again.")
            )
        return self.cleaned_data["code"]
