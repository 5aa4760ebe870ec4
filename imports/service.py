"""The import centre's work: store an upload, preview it, commit it, undo it.

Views stay thin; every step here works from the batch and the file in shared storage (default
storage), so the preview, the commit and the undo can run in any app process.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from dashboards.cache import invalidate as invalidate_figures
from imports import bulk
from imports.models import HeaderMapping, ImportBatch
from imports.reading import IGNORED, FileRejected, Table, read_table
from imports.resources import (
    AgencyImportResource,
    AttendanceImportResource,
    CommunityOrganisationImportResource,
    CouncilImportResource,
    CouncilMemberImportResource,
    DisbursementImportResource,
    ProjectImportResource,
    ProjectPartnerImportResource,
)
from portal.history import IGNORED_FIELDS as HISTORY_IGNORED
from portal.history import LABEL_FIELDS

KINDS = {
    ImportBatch.Kind.COUNCILS: CouncilImportResource,
    ImportBatch.Kind.MEMBERS: CouncilMemberImportResource,
    ImportBatch.Kind.ORGANISATIONS: CommunityOrganisationImportResource,
    ImportBatch.Kind.AGENCIES: AgencyImportResource,
    ImportBatch.Kind.PROJECTS: ProjectImportResource,
    ImportBatch.Kind.PARTNERS: ProjectPartnerImportResource,
    ImportBatch.Kind.DISBURSEMENTS: DisbursementImportResource,
    ImportBatch.Kind.ATTENDANCE: AttendanceImportResource,
}
OUTCOMES = {"new": "new", "update": "changed", "skip": "unchanged"}


def kinds_for(user) -> list[str]:
    """What a user may import: administrators and CODI staff every kind; a council editor its
    own council's members (it keeps that roster on the council's page too); viewers nothing."""
    if not (user.is_authenticated and user.is_active):
        return []
    if user.is_portal_admin or user.role == "staff":
        return list(KINDS)
    if user.role == "council_editor" and user.council_id is not None:
        return [ImportBatch.Kind.MEMBERS]
    return []


def can_import(user) -> bool:
    return bool(kinds_for(user))


class CommitRefused(Exception):
    def __init__(self, message, **params):
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


# Messages are stored as their message id and parameters -----------------------------------


def _plain(value):
    if isinstance(value, Promise):
        with translation.override(None):
            return str(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def stored_message(message, params=None) -> dict:
    return {
        "msgid": _plain(message),
        "params": {key: _plain(value) for key, value in (params or {}).items()},
    }


def render_message(stored: dict) -> str:
    """A stored message in the active language."""
    text = gettext(stored["msgid"])
    params = {
        key: gettext(value) if isinstance(value, str) and value else value
        for key, value in (stored.get("params") or {}).items()
    }
    if not params:
        return text
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return text


# Upload and reading --------------------------------------------------------------------------


def mapping_for(kind: str) -> dict[str, str]:
    return dict(HeaderMapping.objects.filter(kind=kind).values_list("header", "field"))


def read_file(batch: ImportBatch) -> Table:
    resource_class = KINDS[batch.kind]
    with batch.file.open("rb") as handle:
        table = read_table(
            handle, batch.file_name, resource_class.match_header, mapping_for(batch.kind)
        )
    present = {column.key for column in table.columns}
    missing = [keys for keys in resource_class.required_columns if not present & set(keys)]
    if missing:
        raise FileRejected(
            _("The file has no column for: %(columns)s."),
            columns=", ".join(
                str(_(" or ")).join(str(capfirst(resource_class.field_label(key))) for key in keys)
                for keys in missing
            ),
        )
    return table


def store_upload(uploaded, kind: str, user) -> ImportBatch:
    """Keep the file in shared storage and check it. A small file is checked at once, and one
    that cannot be read is refused (FileRejected) leaving no batch and no file; a large one
    is checked in the background (the batch page shows the progress, or why it was refused)."""
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    batch = ImportBatch(
        kind=kind,
        created_by=user,
        file_name=(uploaded.name or "upload")[-255:],
        sha256=digest.hexdigest(),
        size=uploaded.size or 0,
    )
    if batch.size > settings.IMPORT_BACKGROUND_BYTES:
        if batch.size > settings.IMPORT_MAX_BYTES:
            read_table(uploaded, batch.file_name, KINDS[kind].match_header)  # refuses it
        batch.status = ImportBatch.Status.QUEUED
        batch.file.save(batch.file_name, uploaded, save=True)
        from imports.tasks import preview_task  # noqa: PLC0415 - tasks import this module

        # Queued in the same transaction as the batch: a worker sees both or neither.
        preview_task.enqueue(batch.pk, user.pk)
        return batch
    batch.file.save(batch.file_name, uploaded, save=False)
    try:
        with transaction.atomic():
            batch.save()
            run_preview(batch, user)
    except BaseException:
        # A file that cannot be read leaves no trace: no batch, no stored file.
        batch.file.delete(save=False)
        raise
    return batch


def build_dataset(table: Table, skip_rows=()) -> tuple[tablib.Dataset, list[int]]:
    columns = [column for column in table.columns if column.key not in (None, IGNORED)]
    dataset = tablib.Dataset(headers=[column.key for column in columns])
    numbers = []
    skip = set(skip_rows)
    for number, cells in table.rows:
        if number in skip:
            continue
        dataset.append([cells[c.index] if c.index < len(cells) else None for c in columns])
        numbers.append(number)
    return dataset, numbers


def _errors(validation_error: ValidationError, headers: dict) -> list[dict]:
    found = []
    for key, errors in validation_error.error_dict.items():
        for error in errors:
            message = error.message
            found.append(
                {
                    "key": "" if key == NON_FIELD_ERRORS else key,
                    "column": headers.get(key, ""),
                    "code": error.code or "",
                    **stored_message(message, error.params),
                }
            )
    return found


def _cell_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if not hasattr(value, "hour") else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


CHUNK_ROWS = 1000
PREVIEW_DETAIL_ROWS = 1000


def _chunks(dataset: tablib.Dataset):
    for start in range(0, len(dataset), CHUNK_ROWS):
        chunk = tablib.Dataset(headers=dataset.headers)
        for values in dataset[start : start + CHUNK_ROWS]:
            chunk.append(values)
        yield start, chunk


def run_preview(batch: ImportBatch, user, report_progress: bool = False) -> ImportBatch:
    """Check every row in rolled-back transactions (a thousand rows at a time); store what
    would happen. With `report_progress` (a background worker, outside any transaction), the
    batch's progress is saved after each thousand rows for the page's progress bar."""
    table = read_file(batch)
    dataset, numbers = build_dataset(table)
    headers = {column.key: column.header for column in table.columns if column.key}
    batch.progress_total, batch.progress_done = len(numbers), 0
    if report_progress:
        batch.save(update_fields=["progress_total", "progress_done"])
    rows = []
    counts = defaultdict(int)
    resource_class = KINDS[batch.kind]
    bulk_resource = resource_class(user, batch) if resource_class.bulk_capable else None
    for start, chunk in _chunks(dataset):
        if bulk_resource is not None:
            # One resource for the whole file: it remembers the records of earlier chunks,
            # so a record twice in the file is found whichever chunks the rows are in.
            results = bulk.run(
                bulk_resource,
                chunk,
                dry_run=True,
                numbers=numbers[start : start + CHUNK_ROWS],
            )
        else:
            result = resource_class(user, batch).import_data(
                chunk, dry_run=True, raise_errors=False, rollback_on_validation_errors=True
            )
            if result.base_errors:
                raise FileRejected(
                    _("The file could not be checked: %(error)s"),
                    error=str(result.base_errors[0].error),
                )
            results = result.rows
        for offset, row_result in enumerate(results):
            index = start + offset
            entry = _preview_entry(row_result, table.rows[index], numbers[index], headers)
            entry["label"] = _row_label(row_result, dataset, index)
            outcome = entry["outcome"] if entry["outcome"] != "conflict" else "error"
            counts[outcome] += 1
            if outcome in ("new", "changed") and counts[outcome] > PREVIEW_DETAIL_ROWS:
                # Past the first thousand new (or changed) rows, the preview keeps the
                # outcome, not every value: a large file's preview stays small.
                entry.pop("changes", None)
            rows.append(entry)
        batch.progress_done = start + len(chunk)
        if report_progress:
            batch.save(update_fields=["progress_done"])
    batch.preview = {
        "sheet": table.sheet_name,
        "header_row": table.header_row,
        "columns": [
            {"header": column.header, "key": column.key, "index": column.index}
            for column in table.columns
        ],
        "unknown": [column.header for column in table.unknown],
        "totals_rows": table.skipped_totals,
        "rows": rows,
    }
    batch.rows_total = len(rows)
    batch.rows_new = counts["new"]
    batch.rows_changed = counts["changed"]
    batch.rows_unchanged = counts["unchanged"]
    batch.rows_error = counts["error"]
    batch.save()
    return batch


def _preview_entry(row_result, cells, number: int, headers: dict) -> dict:
    entry = {"row": number}
    if row_result.import_type in ("invalid", "error"):
        if row_result.validation_error is not None:
            errors = _errors(row_result.validation_error, headers)
        else:
            errors = [
                {
                    "key": "",
                    "column": "",
                    "code": "error",
                    **stored_message(
                        _("This row could not be saved: %(error)s"),
                        {"error": str(row_result.errors[0].error)[:300]},
                    ),
                }
            ]
        conflict = any(error["code"] == "conflict" for error in errors)
        entry.update(
            outcome="conflict" if conflict else "error",
            errors=errors,
            cells=[_cell_text(value) for value in cells[1]],
        )
    else:
        entry["outcome"] = OUTCOMES[row_result.import_type]
        entry["changes"] = getattr(row_result, "changes", [])
    return entry


def _row_label(row_result, dataset, index) -> str:
    instance = getattr(row_result, "instance", None)
    if instance is not None and instance.pk is not None:
        return str(instance)[:120]
    row = dict(zip(dataset.headers, dataset[index], strict=True))
    for key in ("name_th", "full_name", "title_th", "name", "code", "council"):
        if row.get(key) not in (None, ""):
            return str(row[key])[:120]
    values = [str(value) for value in row.values() if value not in (None, "")]
    return " · ".join(values[:2])[:120]


def error_rows(batch: ImportBatch) -> set[int]:
    return {
        row["row"]
        for row in batch.preview.get("rows", [])
        if row["outcome"] in ("error", "conflict")
    }


# Commit ---------------------------------------------------------------------------------------


def commit(batch: ImportBatch, user, mode: str) -> ImportBatch:
    """Write the rows: all of them (refused while any row has an error), or the valid ones.
    The rows are checked again; if anything differs from the preview (someone changed the
    records meanwhile), nothing is written and the preview is renewed."""
    # Bulk writes send no save signals: drop the cached dashboard figures once it commits.
    transaction.on_commit(invalidate_figures)
    if batch.status not in (ImportBatch.Status.PREVIEW, ImportBatch.Status.IMPORTING):
        raise CommitRefused(_("This import has already been confirmed or cancelled."))
    rejected = error_rows(batch)
    if mode == ImportBatch.Mode.ALL and rejected:
        raise CommitRefused(
            _(
                "%(count)s rows have errors: fix them and upload the file again, or import "
                "the valid rows only."
            ),
            count=len(rejected),
        )
    table = read_file(batch)
    dataset, _numbers = build_dataset(table, skip_rows=rejected)
    if len(dataset) == 0:
        raise CommitRefused(_("No row can be imported."))
    resource = KINDS[batch.kind](user, batch)
    with transaction.atomic():
        # Two confirmations at once (a double click, two tabs) must not write the rows twice:
        # the second waits for the first's lock and then finds the batch imported.
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in (ImportBatch.Status.PREVIEW, ImportBatch.Status.IMPORTING):
            raise CommitRefused(_("This import has already been confirmed or cancelled."))
        if resource.bulk_capable:
            totals = defaultdict(int)
            failed = False
            for _start, chunk in _chunks(dataset):
                outcomes = bulk.run(resource, chunk, dry_run=False)
                for outcome in outcomes:
                    totals[outcome.import_type] += 1
                if totals["invalid"]:
                    failed = True
                    break
        else:
            result = resource.import_data(
                dataset, dry_run=False, raise_errors=False, rollback_on_validation_errors=True
            )
            failed = bool(
                result.has_errors() or result.has_validation_errors() or result.base_errors
            )
            totals = result.totals
        if failed:
            transaction.set_rollback(True)
    if failed:
        batch.status = ImportBatch.Status.PREVIEW
        run_preview(batch, user)
        raise CommitRefused(
            _(
                "The records changed since the preview, so nothing was imported. Check the "
                "renewed preview and confirm again."
            )
        )
    batch.mode = mode
    batch.status = ImportBatch.Status.IMPORTED
    batch.imported_at = timezone.now()
    batch.rows_new = totals.get("new", 0)
    batch.rows_changed = totals.get("update", 0)
    batch.rows_unchanged = totals.get("skip", 0)
    batch.save()
    return batch


def request_commit(batch: ImportBatch, user, mode: str) -> bool:
    """Commit now, or for a large file in the background; True when it was queued."""
    if batch.size <= settings.IMPORT_BACKGROUND_BYTES:
        commit(batch, user, mode)
        return False
    if batch.status != ImportBatch.Status.PREVIEW:
        raise CommitRefused(_("This import has already been confirmed or cancelled."))
    if mode == ImportBatch.Mode.ALL and batch.rows_error:
        raise CommitRefused(
            _(
                "%(count)s rows have errors: fix them and upload the file again, or import "
                "the valid rows only."
            ),
            count=batch.rows_error,
        )
    from imports.tasks import commit_task  # noqa: PLC0415 - tasks import this module

    batch.status = ImportBatch.Status.IMPORTING
    batch.mode = mode
    batch.notice = {}
    batch.save(update_fields=["status", "mode", "notice"])
    commit_task.enqueue(batch.pk, user.pk, mode)
    return True


def cancel(batch: ImportBatch) -> None:
    if batch.status in (ImportBatch.Status.PREVIEW, ImportBatch.Status.FAILED):
        batch.status = ImportBatch.Status.CANCELLED
        batch.save(update_fields=["status"])


# Undo -----------------------------------------------------------------------------------------


@dataclass
class UndoLine:
    model: str
    label: str
    action: str  # "removed", "restored", "kept"


def _label(record) -> str:
    """A record's name for the undo report, without a query."""
    for name in LABEL_FIELDS:
        value = getattr(record, name, "")
        if value:
            return str(value)[:120]
    return f"{capfirst(record._meta.verbose_name)} #{record.pk}"


def undo(batch: ImportBatch, user) -> dict:
    """Take the batch back, from the history it wrote (`import:<batch>`).

    A record the batch created is archived (the portal never deletes; an archived record is
    out of every list and comes back if a later import names it again). A record it changed
    gets the values it had before. A record edited since the import is left as it is and named
    in the report."""
    transaction.on_commit(invalidate_figures)
    if batch.status != ImportBatch.Status.IMPORTED:
        raise CommitRefused(_("Only a completed import can be undone."))
    reason = batch.change_reason
    undo_reason = f"undo:{batch.pk}"
    report = {"removed": [], "restored": [], "kept": []}
    resource_class = KINDS[batch.kind]
    models = [resource_class._meta.model, *resource_class.touches]
    with transaction.atomic():
        for model in models:
            history = model.history.model
            editable = [
                f
                for f in model._meta.concrete_fields
                if f.editable and f.name not in HISTORY_IGNORED
            ]
            rows = list(history.objects.filter(history_change_reason=reason).order_by("history_id"))
            by_object = defaultdict(list)
            for row in rows:
                by_object[row.id].append(row)
            latest = dict(
                history.objects.filter(id__in=list(by_object))
                .values("id")
                .annotate(last=Max("history_id"))
                .values_list("id", "last")
            )
            previous_ids = {
                object_id: entries[0].history_id
                for object_id, entries in by_object.items()
                if entries[0].history_type != "+"
            }
            # The version before the batch's first change of each record: one query.
            previous = {}
            if previous_ids:
                older = history.objects.filter(
                    id__in=list(previous_ids), history_id__lt=max(previous_ids.values())
                ).order_by("id", "-history_id")
                for row in older.iterator(chunk_size=2000):
                    if row.id not in previous and row.history_id < previous_ids[row.id]:
                        previous[row.id] = row
            records = model.objects.in_bulk(list(by_object))
            archive, restore = [], []
            for object_id, entries in by_object.items():
                record = records.get(object_id)
                line = {
                    "model": model._meta.model_name,
                    "id": object_id,
                    "label": _label(record or entries[-1].instance),
                }
                if record is None or latest.get(object_id) != entries[-1].history_id:
                    report["kept"].append(line)
                    continue
                if entries[0].history_type == "+":
                    archive.append(record)
                    report["removed"].append(line)
                    continue
                earlier = previous.get(object_id)
                if earlier is None:  # no earlier version on record: nothing to go back to
                    report["kept"].append(line)
                    continue
                for model_field in editable:
                    setattr(record, model_field.attname, getattr(earlier, model_field.attname))
                record.archived_at = earlier.archived_at
                restore.append(record)
                report["restored"].append(line)
            # Written in bulk, with a history row each (path "undo:<batch>", the user).
            now = timezone.now()
            for record in archive:
                record.archived_at = now
            for changed, fields in (
                (archive, ["archived_at"]),
                (restore, [f.name for f in editable] + ["archived_at"]),
            ):
                for record in changed:
                    record.version += 1
                    record.updated_at = now
                if changed:
                    bulk_update_with_history(
                        changed,
                        model,
                        [*fields, "version", "updated_at"],
                        batch_size=1000,
                        default_user=user,
                        default_change_reason=undo_reason,
                    )
        batch.status = ImportBatch.Status.UNDONE
        batch.undone_at = timezone.now()
        batch.undone_by = user
        batch.undo_report = report
        batch.save()
    return report
