"""Bulk imports: the same resource, fields, widgets and checks as a row-by-row import, with
the database work done a thousand rows at a time.

import-export's own loop costs about twenty queries a row (the record, each reference, the
model's unique and constraint checks, a savepoint, the save and its history). For a kind
whose resource is `bulk_capable`, this engine instead:
- loads the rows' records and references in a few queries (`resource.prefetch`);
- reads every row with the resource's own `import_instance` (widgets, references, version,
  scope) and checks it with the model's field checks and its check constraints evaluated
  in Python (a constraint Python cannot read is checked by the database as usual);
- refuses a second row about the same record (same natural key) in one file;
- writes the new records with `bulk_create` and the changed ones with `bulk_update`, and
  their history rows in bulk (django-simple-history's bulk helpers), each batch of them named
  `import:<batch>` and the user, as a row-by-row import does.
So the queries per thousand rows stay constant, and the history is kept.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import CheckConstraint, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from imports.constraints import explain

BATCH_SIZE = 1000


class _CannotEvaluate(Exception):
    pass


# Three-valued logic, as SQL evaluates a CHECK: None is "unknown", which satisfies it.
UNKNOWN = None


def _operand(instance, value):
    if isinstance(value, F):
        return getattr(instance, instance._meta.get_field(value.name).attname)
    if hasattr(value, "resolve_expression"):
        raise _CannotEvaluate
    return value


def _test(instance, lookup: str, expected):
    name, _sep, operator = lookup.partition("__")
    operator = operator or "exact"
    try:
        model_field = instance._meta.get_field(name)
    except Exception as exc:  # noqa: BLE001 - a path through a relation
        raise _CannotEvaluate from exc
    actual = getattr(instance, model_field.attname)
    expected = _operand(instance, expected)
    if operator == "isnull":
        return (actual is None) == bool(expected)
    if operator == "exact" and expected is None:
        return actual is None
    if actual is None or expected is None:
        return UNKNOWN
    comparisons = {
        "exact": lambda: actual == expected,
        "gt": lambda: actual > expected,
        "gte": lambda: actual >= expected,
        "lt": lambda: actual < expected,
        "lte": lambda: actual <= expected,
        "in": lambda: actual in expected,
        "regex": lambda: re.search(expected, str(actual)) is not None,
    }
    if operator not in comparisons:
        raise _CannotEvaluate
    return comparisons[operator]()


def evaluate(instance, node):
    """A Q object against an unsaved instance: True, False or UNKNOWN."""
    if not isinstance(node, Q):
        return _test(instance, *node)
    results = [evaluate(instance, child) for child in node.children]
    if node.connector == Q.AND:
        value = (
            False
            if any(r is False for r in results)
            else UNKNOWN
            if any(r is UNKNOWN for r in results)
            else True
        )
    elif node.connector == Q.OR:
        value = (
            True
            if any(r is True for r in results)
            else UNKNOWN
            if any(r is UNKNOWN for r in results)
            else False
        )
    else:
        raise _CannotEvaluate
    if node.negated and value is not UNKNOWN:
        value = not value
    return value


def check_constraints(instance, exclude: set) -> dict:
    """The model's check constraints, in Python where possible, each broken one explained on
    its column (imports.constraints); unique constraints are the natural keys' business (see
    the module's docstring)."""
    errors: dict = {}
    for constraint in instance._meta.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        referenced = getattr(constraint.condition, "referenced_base_fields", set())
        if referenced & exclude:
            continue
        try:
            satisfied = evaluate(instance, constraint.condition) is not False
        except _CannotEvaluate:
            try:
                constraint.validate(type(instance), instance, exclude=exclude)
                satisfied = True
            except ValidationError:
                satisfied = False
        if not satisfied:
            key, error = explain(instance, constraint)
            errors.setdefault(key, []).append(error)
    return errors


def _snapshot(instance):
    """A cheap copy of a stored record as it was, for the preview's differences."""
    model = type(instance)
    clone = model(**{f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields})
    clone._state.adding = False
    clone._state.db = instance._state.db
    clone._state.fields_cache = dict(instance._state.fields_cache)
    return clone


@dataclass
class RowOutcome:
    """What import-export's RowResult says of a row, for the same preview code."""

    import_type: str
    validation_error: ValidationError | None = None
    changes: list = field(default_factory=list)
    instance: object = None
    errors: list = field(default_factory=list)


def run(resource, dataset, *, dry_run: bool, numbers=None, previewed=None) -> list[RowOutcome]:
    """Check (and unless `dry_run`, write) the dataset's rows; one RowOutcome per row.
    The caller holds the transaction: a commit with any invalid row must roll back.

    `previewed` (a commit right after an unchanged preview of the same file by the same
    user): row number → what the preview found, {"outcome", "record": [pk, version] or None}.
    The rows' cells were checked then; what may have changed since is checked again: the
    record each row is about (another version, or a record now where there was none, is
    refused as changed since the preview), the references (looked up again, within the
    user's scope, active ones only), the scope, the versions written in the file and the
    duplicates. The model's field checks, its constraints and the differences are not worked
    out again: they depend only on the cells and the record, both as they were."""
    rows = [dict(zip(dataset.headers, values, strict=True)) for values in dataset]
    resource.prefetch(rows)
    # Fields no column of this file sets keep a stored or default value, valid already:
    # the model's field checks skip them (they are most of the time spent checking).
    imported = {
        field.attribute
        for field in resource.get_import_fields()
        if field.attribute and field.column_name in dataset.headers
    }
    untouched = {
        f.name for f in resource._meta.model._meta.concrete_fields if f.name not in imported
    }
    outcomes: list[RowOutcome] = []
    creates, updates = [], []
    written = []  # (instance, row) of the rows to write, for the resource's after_bulk_save
    # A second row about one record is refused by `resource.import_instance`; the natural
    # keys met so far are kept on the resource, across chunks.
    for index, row in enumerate(rows):
        number = numbers[index] if numbers else index + 1
        resource.before_import_row(row)
        stored = resource.get_instance(None, row)
        new = stored is None
        if previewed is not None:
            seen = previewed.get(number) or {}
            record = None if new else [stored.pk, stored.version]
            if seen.get("outcome") not in OUTCOMES or seen.get("record") != record:
                changed = ValidationError({"version": STALE})
                outcomes.append(RowOutcome("invalid", validation_error=changed))
                continue
        instance = resource.init_instance(row) if new else stored
        original = None if new or previewed is not None else _snapshot(stored)
        errors: dict = {}
        try:
            resource.import_instance(instance, row)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if not errors and previewed is None:
            exclude = set(resource.derived_fields)
            try:
                instance.clean_fields(exclude=exclude | untouched)
                instance.clean()
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
            # The constraints, of derived fields too (a council's area), as row by row.
            quiet = set(errors) | (resource.quiet_after_errors if errors else set())
            errors.update(check_constraints(instance, quiet))
        if errors:
            outcomes.append(RowOutcome("invalid", validation_error=ValidationError(errors)))
            continue
        resource.remember(instance, number)
        if previewed is not None:
            kind, changes = OUTCOMES[previewed[number]["outcome"]], []
        else:
            changes = resource.compute_changes(instance, original, row, new)
            kind = "new" if new else "update" if changes else "skip"
        if kind == "skip":
            outcomes.append(RowOutcome("skip", instance=instance))
            continue
        resource.before_save_instance(instance, row)
        (creates if new else updates).append(instance)
        written.append((instance, row))
        outcomes.append(RowOutcome(kind, changes=changes, instance=instance))
    if not dry_run:
        stale = _changed_since_read(resource._meta.model, updates)
        if stale:
            # Saved by someone else between the read above and now: writing would undo
            # their change. The rows fail, the caller rolls back and renews the preview.
            outcomes = [
                RowOutcome("invalid", validation_error=ValidationError({"version": STALE}))
                if outcome.instance is not None and outcome.instance.pk in stale
                else outcome
                for outcome in outcomes
            ]
        else:
            # What a row may set: its columns' fields, the fields worked out from them (a
            # council's area, a project's council) and archived_at (saving brings it back).
            settable = imported | set(dataset.headers) | set(resource.derived_fields)
            save(resource, creates, updates, fields=settable | {"archived_at"})
            resource.after_bulk_save(written)
    return outcomes


STALE = _("Changed in the portal while this file was being imported.")
# The preview's outcome of a row → the commit's (imports.service stores the former).
OUTCOMES = {"new": "new", "changed": "update", "unchanged": "skip"}


def _changed_since_read(model, updates: list) -> set:
    """Lock the records about to be updated (until the import's transaction ends) and return
    the ids of those whose version is no longer the one read."""
    if not updates:
        return set()
    read = {instance.pk: instance.version for instance in updates}
    locked = (
        model._base_manager.select_for_update()
        .filter(pk__in=list(read))
        .order_by("pk")
        .values_list("pk", "version")
    )
    return {pk for pk, version in locked if version != read[pk]}


def _update(model, records: list, names: list[str]) -> None:
    """UPDATE the records' `names` columns, one statement run for all of them (executemany,
    pipelined by psycopg). Django's bulk_update builds a `CASE WHEN id = …` expression per
    field and row: resolving them took 80 % of a council commit."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    pk = model._meta.pk
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names from the model
        quote(model._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(pk.column),
    )
    params = [
        [f.get_db_prep_save(getattr(record, f.attname), connection) for f in fields]
        + [pk.get_db_prep_save(record.pk, connection)]
        for record in records
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def save(resource, creates: list, updates: list, model=None, fields=None) -> None:
    """Write the records (of the resource's model, or `model`) and their history rows. An
    update writes `fields` (the names a row may set; default: every editable one), its version
    and its time."""
    model = model or resource._meta.model
    now = timezone.now()
    reason = resource.change_reason
    if creates:
        bulk_create_with_history(
            creates,
            model,
            batch_size=BATCH_SIZE,
            default_user=resource.user,
            default_change_reason=reason,
        )
    if updates:
        for instance in updates:
            instance.version += 1
            instance.updated_at = now
        written = [
            f.name
            for f in model._meta.concrete_fields
            if not f.primary_key
            and f.name not in ("created_at", "is_demo", "version", "updated_at")
            and (fields is None or f.name in fields)
        ]
        _update(model, updates, [*written, "version", "updated_at"])
        # The history rows only (no field: simple-history writes no record).
        bulk_update_with_history(
            updates,
            model,
            [],
            batch_size=BATCH_SIZE,
            default_user=resource.user,
            default_change_reason=reason,
        )
