"""A broken model constraint as an import tells it: on the row's column, naming the file's
columns and the row's values ("วันที่จดแจ้ง 1 เม.ย. 2556 ต้องไม่ก่อนวันที่จัดตั้ง 9 ต.ค. 2557"),
never the constraint's name. The words are the model's (`explained_constraints`, see
portal.constraints); the columns are filled in when the preview is stored (service._errors),
the values shown in the reader's language (service.render_message)."""

import datetime
import decimal
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from portal.constraints import explanation


@dataclass(frozen=True)
class ColumnValue:
    """A field as the row's file names it (its header, else the field's label) and its value."""

    key: str
    label: object  # the field's verbose name: the column's name when the file has no column
    value: object  # a date, a number, a choice's label, a record's name or text
    # "date" (written in the reader's language), "number", or "text" (shown in quotes).
    kind: str = "text"


def column_value(instance, name: str) -> ColumnValue:
    model_field = instance._meta.get_field(name)
    value = getattr(instance, model_field.attname)
    kind = "text"
    if value is None or value == "":
        value = ""
    elif model_field.is_relation:
        value = str(getattr(instance, name))
    elif model_field.choices:
        value = dict(model_field.flatchoices).get(value, value)
    elif isinstance(value, datetime.date):
        value, kind = value.isoformat(), "date"
    elif isinstance(value, decimal.Decimal):
        value, kind = f"{value:,.2f}", "number"
    elif isinstance(value, int | float):
        value, kind = str(value), "number"
    else:
        value = str(value)
    return ColumnValue(name, model_field.verbose_name, value, kind)


def explain(instance, constraint) -> tuple[str, ValidationError]:
    """The column a broken constraint is shown on, and its message naming columns and values.
    A constraint the model does not explain gets its own words on the row, never its name."""
    explained = explanation(type(instance), constraint.name)
    if explained is None:
        # Django's default message names the constraint: the user gets a plain refusal.
        message = constraint.violation_error_message
        if message is None or message == constraint.default_violation_error_message:
            message = _("This row breaks a rule of the portal and cannot be saved as it is.")
        return NON_FIELD_ERRORS, ValidationError(message, code="constraint")
    params = {name: column_value(instance, name) for name in explained.fields}
    params.update(explained.extra)
    return explained.fields[0], ValidationError(explained.message, code="constraint", params=params)


def check_constraints(instance, exclude: set) -> dict:
    """Every constraint of the model (check and unique) against the instance, as the database
    would check them at save; each broken one explained. Fields in `exclude` are in error
    already: a constraint about them would only repeat it."""
    errors: dict = {}
    model = type(instance)
    for constraint in model._meta.constraints:
        try:
            constraint.validate(model, instance, exclude=exclude)
        except ValidationError:
            key, error = explain(instance, constraint)
            errors.setdefault(key, []).append(error)
    return errors


# Django's own words for these field errors are plural forms that cannot be stored as one
# message id (and some have no Thai): the import says them in its own words.
FIELD_MESSAGES = {
    "max_length": _("At most %(limit_value)s characters; this cell has %(show_value)s."),
    "max_digits": _("%(value)s has more than %(max)s digits."),
    "max_whole_digits": _("%(value)s is too large: at most %(max)s digits before the point."),
    "max_decimal_places": _("%(value)s has more than %(max)s decimal places."),
    "null": _("This column cannot be empty."),
    "blank": _("This column cannot be empty."),
    "invalid_choice": _("%(value)s is not one of the allowed values."),
}


def field_message(error: ValidationError):
    """A field error's message for the preview: the import's words for the errors above."""
    return FIELD_MESSAGES.get(error.code, error.message)
