"""Form fields that read input as Thai users type it, with messages in their language."""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.lib.dates import buddhist_era_year, format_date_input, parse_date
from portal.lib.thai_text import normalise_phone, parse_amount, parse_integer


class ThaiDateInput(forms.TextInput):
    """A date typed as dd/mm/yyyy in the reader's era (B.E. in Thai, C.E. in English)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return format_date_input(value, translation.get_language() or "th")
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        thai = (translation.get_language() or "th").startswith("th")
        context["widget"]["attrs"].setdefault(
            "placeholder", "วว/ดด/ปปปป (พ.ศ.)" if thai else "dd/mm/yyyy"
        )
        return context


class GroupedNumberInput(forms.TextInput):
    """A number shown with thousands separators (1,604,000), as people write it."""

    def format_value(self, value):
        if isinstance(value, Decimal):
            text = f"{value:,.2f}"
            return text.removesuffix(".00")
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return super().format_value(value)


class ThaiDateField(forms.DateField):
    widget = ThaiDateInput
    default_error_messages = {
        "invalid": _(
            "Enter a real date as day/month/year, e.g. 21/12/2565 (Buddhist era) or 21/12/2022."
        ),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_date(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class AmountField(forms.DecimalField):
    """Baht as typed: `1,234.50`, `๑๒,๐๐๐`, `5,000 บาท`. Never negative."""

    widget = GroupedNumberInput(attrs={"inputmode": "decimal"})
    default_error_messages = {
        "invalid": _("Enter an amount in baht, e.g. 12,500 or 12,500.50."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int):
            return Decimal(value)
        try:
            return parse_amount(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def widget_attrs(self, widget):
        # A text input (so "1,234" can be typed): no number-input step or min attributes.
        return {}


class CountField(forms.IntegerField):
    """A whole number as typed: `1,234`, `๑,๒๓๔`, `1,234 ครัวเรือน`. Never negative."""

    widget = GroupedNumberInput(attrs={"inputmode": "numeric"})
    default_error_messages = {"invalid": _("Enter a whole number, e.g. 1,234.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            return parse_integer(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def widget_attrs(self, widget):
        return {}


class PhoneField(forms.CharField):
    default_error_messages = {
        "invalid": _("Enter a Thai phone number, e.g. 081-234-5678 or 045-611-234."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "tel", "autocomplete": "tel"}

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return normalise_phone(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class FiscalYearField(CountField):
    """A Thai fiscal year in B.E. (2566); a Christian-era year (2023) is turned into B.E."""

    widget = forms.TextInput(attrs={"inputmode": "numeric"})

    default_error_messages = {
        "invalid": _("Enter a fiscal year in the Buddhist era, e.g. 2566."),
    }

    def to_python(self, value):
        year = super().to_python(value)
        if year is not None and year >= 1900:
            year = buddhist_era_year(year)
        if year is not None and not 2500 <= year <= 2700:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return year


def thai_formfield_callback(model_field, **kwargs):
    """`formfield_callback` for ModelForms: Thai-aware fields for dates, money and counts."""
    from django.db import models

    if isinstance(model_field, models.DateField) and not isinstance(
        model_field, models.DateTimeField
    ):
        return model_field.formfield(form_class=ThaiDateField, **kwargs)
    if isinstance(model_field, models.DecimalField) and model_field.name not in (
        "latitude",
        "longitude",
    ):
        return model_field.formfield(form_class=AmountField, **kwargs)
    if isinstance(model_field, models.PositiveIntegerField | models.PositiveSmallIntegerField) and (
        not model_field.choices
    ):
        return model_field.formfield(form_class=CountField, **kwargs)
    if model_field.name == "phone":
        return model_field.formfield(form_class=PhoneField, **kwargs)
    return model_field.formfield(**kwargs)


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__({"accept": "image/jpeg,image/png,image/webp", **(attrs or {})})


class PhotosField(forms.FileField):
    """Several photos at once; each is checked and re-encoded (portal.lib.images).
    Cleans to a list of ProcessedPhoto."""

    widget = MultiplePhotoInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        from django.conf import settings

        from portal.lib.images import check_upload_budget, process_photo

        uploads = [upload for upload in (data or []) if upload]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > settings.PHOTOS_PER_UPLOAD:
            raise ValidationError(
                _("Upload at most %(limit)s photos at a time."),
                code="too_many",
                params={"limit": settings.PHOTOS_PER_UPLOAD},
            )
        check_upload_budget(uploads)
        processed, errors = [], []
        for upload in uploads:
            try:
                processed.append(process_photo(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return processed


class PhotoUploadForm(forms.Form):
    photos = PhotosField(label=_("Photos"), required=True)
    caption = forms.CharField(label=_("Caption"), max_length=255, required=False)
