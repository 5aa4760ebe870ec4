"""The history of a record and of the rows it owns: who changed what, when, and by which path.

django-simple-history keeps a historical row per save; this module names the path of each
change (form, admin, revert; imports name their batch) and turns the rows into field-by-field
differences with labels in the reader's language, computed in Python from one query per kind
of row, whatever the length of the history.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Model
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.lib import dates
from portal.models import lock
from privacy.masking import mask_national_id, mask_phone

PATHS = {
    "form": _("form"),
    "admin": _("admin"),
    "revert": _("revert"),
    "import": _("import"),
    "undo": _("undo of import"),
    "system": _("system"),
}
IGNORED_FIELDS = {"version", "updated_at", "created_at", "id"}
# People's phone and ID numbers, masked for those who may not see them (privacy/).
PERSONAL_FIELDS = {
    "councils.councilmember": {"phone": mask_phone, "national_id": mask_national_id},
    "meetings.attendance": {"phone": mask_phone},
}
HISTORY_LIMIT = 200


def name_change_path(sender, history_instance, **kwargs) -> None:
    """`pre_create_historical_record`: record how the change came in, unless the code that
    made it already said (a revert, an import batch)."""
    if history_instance.history_change_reason:
        return
    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        history_instance.history_change_reason = "system"
    elif request.path.startswith("/admin/"):
        history_instance.history_change_reason = "admin"
    else:
        history_instance.history_change_reason = "form"


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    history: Model
    kind_label: str
    object_label: str
    is_main: bool
    changes: list[Change] = field(default_factory=list)

    @property
    def action(self) -> str:
        return {
            "+": pgettext_lazy("history action", "created"),
            "~": pgettext_lazy("history action", "changed"),
            "-": pgettext_lazy("history action", "deleted"),
        }[self.history.history_type]

    @property
    def path(self) -> str:
        reason = self.history.history_change_reason or ""
        code, _sep, detail = reason.partition(":")
        label = str(PATHS.get(code, code))
        return f"{label} {detail}".strip()


LABEL_FIELDS = [
    "name_th",
    "title_th",
    "title",
    "full_name",
    "name",
    "person_name",
    "position",
    "text",
    "reference",
    "caption",
]


def _plain(value, model_field) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime.date):
        language = get_language() or "th"
        if isinstance(value, datetime.datetime):
            return dates.format_datetime(timezone.localtime(value), language)
        return dates.format_date(value, language)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _changes(older, newer) -> list[tuple]:
    """(field, old value, new value) for each field that differs; raw values."""
    changes = []
    for model_field in newer.instance_type._meta.concrete_fields:
        if model_field.name in IGNORED_FIELDS:
            continue
        if not model_field.editable and model_field.name != "archived_at":
            continue
        old = getattr(older, model_field.attname, None) if older is not None else None
        new = getattr(newer, model_field.attname, None)
        if older is not None and old == new:
            continue
        if older is None and new in (None, ""):
            continue
        changes.append((model_field, old, new))
    return changes


def _related_labels(raw: list[tuple]) -> dict:
    """One query per related model for every foreign key mentioned in the changes."""
    wanted: dict = {}
    for model_field, old, new in raw:
        if model_field.is_relation:
            wanted.setdefault(model_field.related_model, set()).update(
                value for value in (old, new) if value is not None
            )
    labels = {}
    for model, ids in wanted.items():
        for obj in model._default_manager.filter(pk__in=ids):
            labels[(model, obj.pk)] = str(obj)
    return labels


def _row_label(row, labels: dict) -> str:
    model = row.instance_type
    if model._meta.model_name == "projectpartner":
        return labels.get((model._meta.get_field("agency").related_model, row.agency_id), "")
    for name in LABEL_FIELDS:
        value = getattr(row, name, "")
        if value:
            return str(value)[:80]
    return f"{capfirst(model._meta.verbose_name)} #{row.id}"


def _presented(raw: list[tuple], labels: dict, masks: dict) -> list[Change]:
    """Raw (field, old, new) differences as the reader sees them: labels, records by name,
    dates in the reader's era, people's numbers masked where `masks` says."""
    return [
        Change(
            capfirst(model_field.verbose_name),
            *(
                labels.get((model_field.related_model, value), str(value))
                if model_field.is_relation and value is not None
                else masks[model_field.name](value) or "–"
                if model_field.name in masks and value
                else _plain(value, model_field)
                for value in (old, new)
            ),
        )
        for model_field, old, new in raw
    ]


def latest_version(record: Model):
    """The record's newest history row: the record as it is now."""
    return record.history.order_by("-history_date", "-history_id").first()


def revert_preview(record: Model, now, history_row, *, masked: bool = False) -> list[Change]:
    """What restoring `history_row` would change, field by field: `now` (latest_version)
    → restored."""
    raw = [
        change
        for change in _changes(now, history_row)
        if change[0].name != "archived_at"  # a revert never archives or restores a record
    ]
    masks = PERSONAL_FIELDS.get(record._meta.label_lower, {}) if masked else {}
    return _presented(raw, _related_labels(raw), masks)


SYSTEM_PATHS = {"system"}


def entries_for(main: Model, owned: list, *, masked: bool = False) -> list[Entry]:
    """History entries of `main` and of the rows it owns, newest first.

    `owned` lists querysets of historical rows (e.g. `CouncilMember.history.filter(...)`).
    Runs one query per source and one per related model, whatever the number of entries.
    `masked`: people's phone and ID numbers are shown masked (a viewer's page)."""
    sources = [(main.history.all(), True), *((queryset, False) for queryset in owned)]
    pending = []
    for queryset, is_main in sources:
        rows = list(
            queryset.select_related("history_user").order_by("id", "history_date", "history_id")
        )
        previous = {}
        for row in rows:
            pending.append((row, is_main, _changes(previous.get(row.id), row)))
            previous[row.id] = row
    labels = _related_labels([change for _row, _main, raw in pending for change in raw])
    entries = []
    for row, is_main, raw in pending:
        masks = PERSONAL_FIELDS.get(row.instance_type._meta.label_lower, {}) if masked else {}
        changes = _presented(raw, labels, masks)
        entries.append(
            Entry(
                history=row,
                kind_label=capfirst(row.instance_type._meta.verbose_name),
                object_label=_row_label(row, labels),
                is_main=is_main,
                changes=changes,
            )
        )
    entries.sort(key=lambda entry: entry.history.history_date, reverse=True)
    return entries[:HISTORY_LIMIT]


class RevertRefused(Exception):
    """The earlier version cannot be restored; nothing was changed. `reasons` are in the
    reader's language."""

    def __init__(self, reasons: list):
        self.reasons = [str(reason) for reason in reasons]
        super().__init__(" ".join(self.reasons))


@dataclass
class Reverted:
    record: Model
    # "Label: why" for each field left as it is (the user's form does not let them change it).
    kept: list[str] = field(default_factory=list)


def _as_data(value):
    """A value as a bound form reads it: records by their key."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list | tuple | set) or hasattr(value, "model"):
        return [_as_data(item) for item in value]
    return value


def _refusals(form) -> list[str]:
    reasons = []
    for name, errors in form.errors.as_data().items():
        label = str(form.fields[name].label) if name in form.fields else ""
        for error in errors:
            if error.code in ("invalid_choice", "invalid_pk_value"):
                message = _(
                    "the earlier value cannot be chosen now: it is outside what you may choose, "
                    "or no longer in use"
                )
            else:
                message = " ".join(error.messages)
            reasons.append(f"{capfirst(label)}: {message}" if label else str(message))
    return reasons


def _rows_as_they_are(formset_class, instance: Model, prefix: str):
    """The record's rows bound as its edit page would post them untouched, to run the
    checks that span the rows against the record's restored values."""
    shown = formset_class(instance=instance, prefix=prefix)
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(shown.forms)),
        f"{prefix}-INITIAL_FORMS": str(shown.initial_form_count()),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for row in shown.forms:
        for name, form_field in row.fields.items():
            data[row.add_prefix(name)] = _as_data(row.get_initial_for_field(form_field, name))
    return formset_class(data, instance=instance, prefix=prefix)


def revert(record: Model, history_row, *, form_class, form_kwargs=None, formsets=None) -> Reverted:
    """Bring the record back to an earlier version through the edit page's own form for this
    user: the same locked fields, choices within the user's scope and checks. A locked field
    keeps its value (named in `kept`); a value the form refuses (outside the scope, or no
    longer valid) refuses the whole revert, and so does a check of the edit page's rows
    (`formsets`) that the restored values would break (disbursements above an earlier, lower
    approved budget). Lists (many-to-many) are not part of the history and stay as they are.
    The revert is itself a new entry of the history. Call it in a transaction: the record is
    locked and read again, so a save made meanwhile becomes the version the revert replaces
    (both stay in the history)."""
    lock(record)
    if record.is_archived:
        raise RevertRefused(
            [_("This record is archived: restore it before bringing back an earlier version.")]
        )
    form_kwargs = form_kwargs or {}
    earlier = history_row.instance
    unbound = form_class(instance=earlier, **form_kwargs)
    lists = {f.name for f in record._meta.many_to_many}
    data = {
        name: _as_data(unbound.get_initial_for_field(form_field, name))
        for name, form_field in unbound.fields.items()
        if name not in lists
    }
    form = form_class(data, instance=record, **form_kwargs)
    for name in lists & set(form.fields):
        del form.fields[name]
    if not form.is_valid():
        raise RevertRefused(_refusals(form))
    for prefix, formset_class in (formsets or {}).items():
        rows = _rows_as_they_are(formset_class, form.instance, prefix)
        rows.is_valid()
        # Only the checks that span the rows: a row's own old problem is not the revert's.
        if rows.non_form_errors():
            raise RevertRefused(list(rows.non_form_errors()))
    record = form.save(commit=False)
    record._change_reason = f"revert:v{history_row.version}"
    record.save()
    kept = []
    for model_field in record._meta.concrete_fields:
        name = model_field.name
        if name in IGNORED_FIELDS or name == "archived_at" or not model_field.editable:
            continue
        if getattr(record, model_field.attname) == getattr(earlier, model_field.attname):
            continue
        form_field = form.fields.get(name)
        if form_field is not None and form_field.disabled:
            why = _("your role may not change it")
        else:
            why = _("the edit page does not let you set it back")
        kept.append(f"{capfirst(model_field.verbose_name)} ({why})")
    return Reverted(record, kept)
