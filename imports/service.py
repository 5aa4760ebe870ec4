"""The import centre's work: store an upload, preview it, commit it, undo it.

Views stay thin; every step here works from the batch and the file in shared storage (default
storage), so the preview, the commit and the undo can run in any app process.
"""

import datetime
import hashlib
import logging
from collections import defaultdict

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from dashboards.cache import invalidate as invalidate_figures
from imports import bulk
from imports.constraints import ColumnValue, field_message
from imports.models import HeaderMapping, ImportBatch
from imports.reading import IGNORED, FileRejected, Table, clean_cell, import_value, read_table
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
from portal.constraints import explanation
from portal.history import IGNORED_FIELDS as HISTORY_IGNORED
from portal.history import LABEL_FIELDS
from portal.lib.dates import format_date
from portal.roles import Role, has_role, is_council_editor, scope_of

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
logger = logging.getLogger(__name__)


def kinds_for(user) -> list[str]:
    """What a user may import: administrators and CODI staff every kind; a council editor its
    own council's members (it keeps that roster on the council's page too); viewers nothing."""
    if has_role(user, Role.ADMIN, Role.STAFF):
        return list(KINDS)
    if is_council_editor(user) and scope_of(user).council_id is not None:
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


def stored_message(message, params=None, headers=None) -> dict:
    """A message as its id and parameters; a ColumnValue parameter (imports.constraints) is
    kept as the file's header for its column (`headers`: key → header) and the value."""
    stored = {}
    for key, value in (params or {}).items():
        if isinstance(value, ColumnValue):
            value = {
                "column": (headers or {}).get(value.key) or _plain(value.label),
                "value": _plain(value.value),
                "kind": value.kind,
            }
        else:
            value = _plain(value)
        stored[key] = value
    return {"msgid": _plain(message), "params": stored}


def _render_column(param: dict) -> str:
    """ "วันที่จดแจ้ง 1 เม.ย. 2556", 'ชื่อกลุ่ม "กลุ่มออมทรัพย์"': a column and its value."""
    column = gettext(param["column"]) if param.get("column") else ""
    value = param.get("value")
    if value in (None, ""):
        return column
    if param.get("kind") == "date":
        value = format_date(datetime.date.fromisoformat(value), get_language() or "th")
    elif param.get("kind") == "text":
        value = f"“{gettext(value)}”"
    return f"{column} {value}".strip()


def render_message(stored: dict) -> str:
    """A stored message in the active language."""
    text = gettext(stored["msgid"])
    params = {
        key: _render_column(value)
        if isinstance(value, dict)
        else gettext(value)
        if isinstance(value, str) and value
        else value
        for key, value in (stored.get("params") or {}).items()
    }
    if not params:
        return text
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return text


# Upload and reading --------------------------------------------------------------------------


def mapping_for(kind: str, user_id: int) -> dict[str, str]:
    """What a user said the unknown headers of their files of this kind mean (theirs only)."""
    mappings = HeaderMapping.objects.filter(kind=kind, user_id=user_id)
    return dict(mappings.values_list("header", "field"))


def read_file(batch: ImportBatch) -> Table:
    """The batch's file, its unknown headers read as its uploader said (whoever previews or
    commits it, the columns are the same)."""
    resource_class = KINDS[batch.kind]
    mapping = mapping_for(batch.kind, batch.created_by_id)
    with batch.file.open("rb") as handle:
        table = read_table(
            handle,
            batch.file_name,
            resource_class.match_header,
            mapping,
            resource_class.lone_headers,
        )
    present = {column.key for column in table.columns}
    required = resource_class.columns_required(batch)
    missing = [keys for keys in required if not present & set(keys)]
    if missing:
        raise FileRejected(
            _("The file has no column for: %(columns)s."),
            columns=", ".join(
                str(_(" or ")).join(str(capfirst(resource_class.field_label(key))) for key in keys)
                for keys in missing
            ),
        )
    # Rows corrected in the browser read with their corrected values.
    apply_corrections(table, batch.corrections)
    return table


def store_upload(uploaded, kind: str, user, meeting=None) -> ImportBatch:
    """Keep the file in shared storage and check it. A small file is checked at once, and one
    that cannot be read is refused (FileRejected) leaving no batch and no file; a large one
    is checked in the background (the batch page shows the progress, or why it was refused).
    `meeting`: a sign-in sheet uploaded on that meeting's page, every row for it."""
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    batch = ImportBatch(
        kind=kind,
        meeting=meeting,
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
        dataset.append(
            [import_value(cells[c.index]) if c.index < len(cells) else None for c in columns]
        )
        numbers.append(number)
    return dataset, numbers


def _errors(validation_error: ValidationError, headers: dict) -> list[dict]:
    found = []
    for key, errors in validation_error.error_dict.items():
        for error in errors:
            message = field_message(error)
            shown_on = key
            if key not in headers:
                # A rule about several fields is shown on one the file has a column for.
                columns = [
                    value.key
                    for value in (error.params or {}).values()
                    if isinstance(value, ColumnValue) and value.key in headers
                ]
                shown_on = columns[0] if columns else key
            found.append(
                {
                    "key": "" if shown_on == NON_FIELD_ERRORS else shown_on,
                    "column": headers.get(shown_on, ""),
                    "code": error.code or "",
                    **stored_message(message, error.params, headers),
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
    position = {}  # spreadsheet row number → its entry's index in `rows`
    counts = defaultdict(int)
    # One resource for the whole file: it remembers the records of earlier chunks, so a
    # record twice in the file is found whichever chunks the rows are in.
    resource = KINDS[batch.kind](user, batch)
    for start, chunk in _chunks(dataset):
        if resource.bulk_capable:
            results = bulk.run(
                resource,
                chunk,
                dry_run=True,
                numbers=numbers[start : start + CHUNK_ROWS],
            )
        else:
            resource.row_numbers = numbers[start : start + CHUNK_ROWS]
            result = resource.import_data(
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
            entry = _preview_entry(
                row_result, table.rows[index], numbers[index], headers, resource._meta.model
            )
            entry["label"] = _row_label(row_result, dataset, index)
            if entry["outcome"] in OUTCOMES.values():
                # The record the row is about, as the preview read it (see commit).
                instance = getattr(row_result, "instance", None)
                stored = instance is not None and instance.pk is not None
                entry["record"] = [instance.pk, instance.version] if stored else None
            outcome = entry["outcome"] if entry["outcome"] != "conflict" else "error"
            counts[outcome] += 1
            if outcome in ("new", "changed") and counts[outcome] > PREVIEW_DETAIL_ROWS:
                # Past the first thousand new (or changed) rows, the preview keeps the
                # outcome, not every value: a large file's preview stays small.
                entry.pop("changes", None)
            rows.append(entry)
            position[entry["row"]] = len(rows) - 1
            for error in entry.get("errors", []):
                if error["code"] == "duplicate":
                    earlier = position[error["params"]["row"]]
                    _refuse_as_duplicate(rows[earlier], table.rows[earlier], entry["row"], counts)
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
        "checked_as": _checked_as(table, user),
    }
    batch.rows_total = len(rows)
    batch.rows_new = counts["new"]
    batch.rows_changed = counts["changed"]
    batch.rows_unchanged = counts["unchanged"]
    batch.rows_error = counts["error"]
    batch.save()
    return batch


def _checked_as(table: Table, user) -> dict:
    """What a preview's checks depend on besides the records: the file's columns as read
    (a header mapping may change) and who checked it, with their scope."""
    scope = scope_of(user)
    return {
        "columns": [[column.header, column.key, column.index] for column in table.columns],
        "user": user.pk,
        "scope": [scope.everything, sorted(scope.provinces or ()), scope.council_id],
    }


def _unsaved_reason(error: Exception, model, headers: dict) -> dict:
    """Why the database refused a row, in the user's words: the constraint it names, told as
    the model explains it; never the database's own text (it is logged for the administrators)."""
    text = str(error)
    logger.warning("An import row was refused by the database: %s", text[:500])
    for constraint in model._meta.constraints:
        if constraint.name in text:
            explained = explanation(model, constraint.name)
            key = explained.fields[0] if explained else ""
            message = constraint.violation_error_message
            if message == constraint.default_violation_error_message:
                break
            return {
                "key": key,
                "column": headers.get(key, ""),
                "code": "constraint",
                **stored_message(message),
            }
    return {
        "key": "",
        "column": "",
        "code": "error",
        **stored_message(
            _(
                "This row could not be saved: it conflicts with what the portal holds. Check it, "
                "or ask an administrator."
            )
        ),
    }


def _preview_entry(row_result, cells, number: int, headers: dict, model) -> dict:
    entry = {"row": number}
    if row_result.import_type in ("invalid", "error"):
        if row_result.validation_error is not None:
            errors = _errors(row_result.validation_error, headers)
        else:
            errors = [_unsaved_reason(row_result.errors[0].error, model, headers)]
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


def _refuse_as_duplicate(entry: dict, cells, later_row: int, counts) -> None:
    """The earlier of two rows about one record is refused too: nothing is written from
    either (which of the two the author meant, only the author knows)."""
    if entry["outcome"] not in ("error", "conflict"):
        counts[entry["outcome"]] -= 1
        counts["error"] += 1
        entry.pop("changes", None)
        entry.update(outcome="error", errors=[], cells=[_cell_text(value) for value in cells[1]])
    entry["errors"].append(
        {
            "key": "",
            "column": "",
            "code": "duplicate",
            **stored_message(
                _("The same record is on row %(row)s of the file too."), {"row": later_row}
            ),
        }
    )


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


# Rows corrected in the browser ---------------------------------------------------------------


class CorrectionRefused(CommitRefused):
    """A correction that cannot be taken (wrong row, column or moment): nothing was changed."""


def editable_columns(batch: ImportBatch) -> list[dict]:
    """The file's columns a correction may set: those read into a field."""
    return [
        column
        for column in batch.preview.get("columns", [])
        if column["key"] not in (None, IGNORED)
    ]


def apply_corrections(table: Table, corrections: dict) -> None:
    """The values corrected in the browser over the file's cells (the file is not changed):
    the preview, a renewed preview and the commit all read the corrected rows."""
    if not corrections:
        return
    index_of = {column.key: column.index for column in table.columns if column.key}
    rows = []
    for number, cells in table.rows:
        fixed = corrections.get(str(number))
        if fixed and fixed.get("values"):
            cells = list(cells)
            for key, text in fixed["values"].items():
                index = index_of.get(key)
                if index is None or key == IGNORED:
                    continue  # a column the file no longer maps to this field
                cells += [None] * (index + 1 - len(cells))
                cells[index] = clean_cell(text)
        rows.append((number, cells))
    table.rows = rows


def correct_row(batch: ImportBatch, user, number: int, values: dict[str, str]) -> dict:
    """Take a user's corrected values for one row with errors, and check that row again on
    its own (with the rows a duplicate error paired it with), as the preview did: its entry
    and the batch's counts are renewed; the commit checks the corrected values once more.
    Refused (CorrectionRefused, nothing changed) unless the batch is waiting for confirmation,
    the row is one of its rows with errors and every value is for a column of the file."""
    with transaction.atomic():
        # Locked: a commit, a cancel or another correction of this batch waits for this one.
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportBatch.Status.PREVIEW:
            raise CorrectionRefused(
                _("Only an import waiting for confirmation can be corrected; nothing was changed.")
            )
        entries = batch.preview.get("rows", [])
        position = {entry["row"]: index for index, entry in enumerate(entries)}
        if number not in position:
            raise CorrectionRefused(
                _("Row %(row)s is not one of this file's rows; nothing was changed."), row=number
            )
        entry = entries[position[number]]
        if entry["outcome"] not in ("error", "conflict"):
            raise CorrectionRefused(
                _("Row %(row)s has no error: only rows with errors are corrected here."),
                row=number,
            )
        columns = {column["key"]: column for column in editable_columns(batch)}
        unknown = [key for key in values if key not in columns]
        if unknown:
            raise CorrectionRefused(
                _("The file has no column for “%(column)s”; nothing was changed."),
                column=unknown[0],
            )
        record = batch.corrections.get(str(number)) or {"values": {}, "original": {}, "edits": []}
        cells = entry.get("cells", [])
        changed = {}
        for key, text in values.items():
            text = str(text).strip()
            index = columns[key]["index"]
            current = cells[index] if index < len(cells) else ""
            if text == current:
                continue
            record["original"].setdefault(key, current)
            record["values"][key] = text
            if text == record["original"][key]:
                del record["values"][key]  # back to what the file says
            changed[key] = text
        record["edits"].append(
            {
                "at": timezone.now().isoformat(),
                "by": user.pk,
                "by_name": user.get_full_name() or user.get_username(),
                "values": changed,
            }
        )
        batch.corrections[str(number)] = record
        _check_again(batch, user, _paired_rows(entries, number))
        # Corrected cells are not the file's: the commit checks every row again rather than
        # trusting the preview (the fast path after an unchanged preview is for files as read).
        batch.preview.pop("checked_as", None)
        batch.save(
            update_fields=[
                "corrections",
                "preview",
                "rows_new",
                "rows_changed",
                "rows_unchanged",
                "rows_error",
            ]
        )
    return batch.preview["rows"][position[number]]


def _paired_rows(entries: list, number: int) -> list[int]:
    """The row, and the rows a duplicate error pairs it with (either way round): they are
    checked again together, so that correcting one of two rows frees the other."""
    rows = {number}
    for entry in entries:
        for error in entry.get("errors", []):
            if error["code"] != "duplicate":
                continue
            other = error["params"].get("row")
            if entry["row"] == number:
                rows.add(other)
            elif other == number:
                rows.add(entry["row"])
    return sorted(row for row in rows if isinstance(row, int))


def _check_again(batch: ImportBatch, user, numbers: list[int]) -> None:
    """Check these rows of the file (corrections applied) as the preview did, in a dry run;
    renew their entries and the batch's counts."""
    table = read_file(batch)
    wanted = set(numbers)
    index_of = {row_number: index for index, (row_number, _cells) in enumerate(table.rows)}
    dataset, checked = build_dataset(
        table, skip_rows=[row_number for row_number in index_of if row_number not in wanted]
    )
    headers = {column.key: column.header for column in table.columns if column.key}
    resource = KINDS[batch.kind](user, batch)
    if resource.bulk_capable:
        results = bulk.run(resource, dataset, dry_run=True, numbers=checked)
    else:
        resource.row_numbers = checked
        result = resource.import_data(
            dataset, dry_run=True, raise_errors=False, rollback_on_validation_errors=True
        )
        if result.base_errors:
            raise CorrectionRefused(
                _("The row could not be checked again; nothing was changed. Try again.")
            )
        results = result.rows
    renewed = {}
    scratch = defaultdict(int)  # _refuse_as_duplicate's counts; the preview is recounted below
    for offset, row_result in enumerate(results):
        row_number = checked[offset]
        entry = _preview_entry(
            row_result,
            table.rows[index_of[row_number]],
            row_number,
            headers,
            resource._meta.model,
        )
        entry["label"] = _row_label(row_result, dataset, offset)
        renewed[row_number] = entry
        for error in entry.get("errors", []):
            if error["code"] == "duplicate" and error["params"]["row"] in renewed:
                earlier = error["params"]["row"]
                _refuse_as_duplicate(
                    renewed[earlier], table.rows[index_of[earlier]], row_number, scratch
                )
    rows = [renewed.get(entry["row"], entry) for entry in batch.preview.get("rows", [])]
    totals = defaultdict(int)
    for entry in rows:
        totals["error" if entry["outcome"] == "conflict" else entry["outcome"]] += 1
    batch.preview = {**batch.preview, "rows": rows}
    batch.rows_new = totals["new"]
    batch.rows_changed = totals["changed"]
    batch.rows_unchanged = totals["unchanged"]
    batch.rows_error = totals["error"]


# Commit ---------------------------------------------------------------------------------------


class AlreadyTaken(CommitRefused):
    """Another click, tab, user or worker confirmed (or undid) the batch first."""


def _taken(pk: int) -> AlreadyTaken:
    """Why a batch can no longer be confirmed, as its status now says."""
    status = ImportBatch.objects.filter(pk=pk).values_list("status", flat=True).first()
    messages = {
        ImportBatch.Status.IMPORTING: _(
            "This import is being written now (it was confirmed a moment ago): nothing more "
            "to do. Its page shows the result when it is done."
        ),
        ImportBatch.Status.IMPORTED: _(
            "This import was already confirmed and written; nothing was imported twice."
        ),
        ImportBatch.Status.UNDONE: _(
            "This import was imported and then undone; upload the file again to import it anew."
        ),
        ImportBatch.Status.CANCELLED: _(
            "This import was cancelled; upload the file again to import it."
        ),
    }
    return AlreadyTaken(
        messages.get(status, _("This import has already been confirmed or cancelled."))
    )


def commit(batch: ImportBatch, user, mode: str, *, queued: bool = False) -> ImportBatch:
    """Write the rows: all of them (refused while any row has an error), or the valid ones.
    The rows are checked again; if anything differs from the preview (someone changed the
    records meanwhile), nothing is written and the preview is renewed.

    A batch is written once, whatever the number of clicks and workers: the transaction that
    writes the rows first claims the batch (its status, from "waiting for confirmation" — or
    "importing" for a worker's `queued` commit — by a conditional UPDATE) and records the
    counts and "imported"; a second click or worker waits for it, then finds the batch taken
    (AlreadyTaken). A failure rolls the claim back with the rows."""
    # Bulk writes send no save signals: drop the cached dashboard figures once it commits.
    transaction.on_commit(invalidate_figures)
    expected = ImportBatch.Status.IMPORTING if queued else ImportBatch.Status.PREVIEW
    batch.refresh_from_db()  # the caller's copy may be older than another click's commit
    if batch.status != expected:
        raise _taken(batch.pk)
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
    dataset, numbers = build_dataset(table, skip_rows=rejected)
    if len(dataset) == 0:
        raise CommitRefused(_("No row can be imported."))
    resource = KINDS[batch.kind](user, batch)
    # Right after an unchanged preview (same columns, same user and scope), the rows' cells
    # are not checked again: only what may have changed since (imports.bulk.run).
    previewed = None
    if resource.bulk_capable and batch.preview.get("checked_as") == _checked_as(table, user):
        previewed = {row["row"]: row for row in batch.preview["rows"] if "record" in row}
    with transaction.atomic():
        claimed = ImportBatch.objects.filter(pk=batch.pk, status=expected).update(
            status=ImportBatch.Status.IMPORTING, mode=mode
        )
        if not claimed:
            raise _taken(batch.pk)
        if resource.bulk_capable:
            totals = defaultdict(int)
            failed = False
            for start, chunk in _chunks(dataset):
                outcomes = bulk.run(
                    resource,
                    chunk,
                    dry_run=False,
                    numbers=numbers[start : start + CHUNK_ROWS],
                    previewed=previewed,
                )
                for outcome in outcomes:
                    totals[outcome.import_type] += 1
                if totals["invalid"]:
                    failed = True
                    break
        else:
            resource.row_numbers = numbers
            result = resource.import_data(
                dataset, dry_run=False, raise_errors=False, rollback_on_validation_errors=True
            )
            failed = bool(
                result.has_errors() or result.has_validation_errors() or result.base_errors
            )
            totals = result.totals
        if failed:
            transaction.set_rollback(True)
        else:
            written = {
                "status": ImportBatch.Status.IMPORTED,
                "mode": mode,
                "imported_at": timezone.now(),
                "rows_new": totals.get("new", 0),
                "rows_changed": totals.get("update", 0),
                "rows_unchanged": totals.get("skip", 0),
            }
            # The counts are written with the rows, in the same transaction.
            ImportBatch.objects.filter(pk=batch.pk).update(**written)
            for name, value in written.items():
                setattr(batch, name, value)
    if failed:
        batch.status = ImportBatch.Status.PREVIEW
        run_preview(batch, user)
        raise CommitRefused(
            _(
                "The records changed since the preview, so nothing was imported. Check the "
                "renewed preview and confirm again."
            )
        )
    return batch


def request_commit(batch: ImportBatch, user, mode: str) -> bool:
    """Commit now, or for a large file in the background; True when it was queued."""
    if batch.size <= settings.IMPORT_BACKGROUND_BYTES:
        commit(batch, user, mode)
        return False
    batch.refresh_from_db()
    if batch.status != ImportBatch.Status.PREVIEW:
        raise _taken(batch.pk)
    if mode == ImportBatch.Mode.ALL and batch.rows_error:
        raise CommitRefused(
            _(
                "%(count)s rows have errors: fix them and upload the file again, or import "
                "the valid rows only."
            ),
            count=batch.rows_error,
        )
    from imports.tasks import commit_task  # noqa: PLC0415 - tasks import this module

    # Claimed by a conditional UPDATE: of two confirmations, one queues the work.
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
        status=ImportBatch.Status.IMPORTING, mode=mode, notice={}
    )
    if not claimed:
        raise _taken(batch.pk)
    batch.refresh_from_db()
    commit_task.enqueue(batch.pk, user.pk, mode)
    return True


def cancel(batch: ImportBatch) -> None:
    if batch.status in (ImportBatch.Status.PREVIEW, ImportBatch.Status.FAILED):
        batch.status = ImportBatch.Status.CANCELLED
        batch.save(update_fields=["status"])


# Undo -----------------------------------------------------------------------------------------


def _label(record) -> str:
    """A record's name for the undo report, without a query."""
    for name in LABEL_FIELDS:
        value = getattr(record, name, "")
        if value:
            return str(value)[:120]
    return f"{capfirst(record._meta.verbose_name)} #{record.pk}"


class UndoFailed(CommitRefused):
    """The undo met an error half-way: its transaction wrote nothing, the import stands."""

    def __init__(self):
        super().__init__(
            _(
                "The undo could not be finished, so nothing was undone: the import is as it "
                "was. Try again; if it fails again, ask an administrator."
            )
        )


def _undo_taken(pk: int) -> CommitRefused:
    """Why a batch cannot be undone (now), as its status says."""
    status = ImportBatch.objects.filter(pk=pk).values_list("status", flat=True).first()
    if status == ImportBatch.Status.UNDONE:
        return AlreadyTaken(_("This import was already undone; nothing was changed now."))
    if status == ImportBatch.Status.UNDOING:
        return AlreadyTaken(
            _(
                "This import is being undone now (it was asked a moment ago): nothing more to "
                "do. Its page shows the report when it is done."
            )
        )
    return CommitRefused(_("Only a completed import can be undone."))


def request_undo(batch: ImportBatch, user) -> dict | None:
    """Undo now, or for a large file in the background, as its import was (a 25,000-row undo
    takes longer than a request should); the report, or None when it was queued."""
    if batch.size <= settings.IMPORT_BACKGROUND_BYTES:
        return undo(batch, user)
    from imports.tasks import undo_task  # noqa: PLC0415 - tasks import this module

    # Claimed by a conditional UPDATE: of two clicks (or users), one queues the work.
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.IMPORTED).update(
        status=ImportBatch.Status.UNDOING,
        notice={},
        progress_done=0,
        progress_total=F("rows_new") + F("rows_changed"),
    )
    if not claimed:
        raise _undo_taken(batch.pk)
    batch.refresh_from_db()
    undo_task.enqueue(batch.pk, user.pk)
    return None


def undo(batch: ImportBatch, user, *, queued: bool = False) -> dict:
    """Take the batch back, from the history it wrote (`import:<batch>`).

    A record the batch created is archived (the portal never deletes; an archived record is
    out of every list and comes back if a later import names it again). A record it changed
    gets the values it had before. A record edited since the import is left as it is and named
    in the report.

    The report counts the records of the batch's kind, as the preview counted its rows;
    the rows the import changed beside them (a council's chair) are reported apart, under
    "related". An undo is done once: it claims the batch (imported → undone, or for a
    worker's `queued` undo, being undone → undone) in its own transaction, so a second undo
    finds it undone and changes nothing. It is one transaction: an error half-way writes
    nothing (UndoFailed) and the import stands."""
    transaction.on_commit(invalidate_figures)
    try:
        return _undo(batch, user, queued)
    except DatabaseError:
        logger.exception("Undo of import batch %s failed; nothing was written", batch.pk)
        raise UndoFailed from None


def _undo(batch: ImportBatch, user, queued: bool) -> dict:
    reason = batch.change_reason
    undo_reason = f"undo:{batch.pk}"
    report = {"removed": [], "restored": [], "kept": []}
    related = {"removed": [], "restored": [], "kept": []}
    resource_class = KINDS[batch.kind]
    models = [resource_class._meta.model, *resource_class.touches]
    with transaction.atomic():
        now = timezone.now()
        expected = ImportBatch.Status.UNDOING if queued else ImportBatch.Status.IMPORTED
        claimed = ImportBatch.objects.filter(pk=batch.pk, status=expected).update(
            status=ImportBatch.Status.UNDONE, undone_at=now, undone_by=user, notice={}
        )
        if not claimed:
            raise _undo_taken(batch.pk)
        for model in models:
            lines = report if model is resource_class._meta.model else related
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
                    lines["kept"].append(line)
                    continue
                if entries[0].history_type == "+":
                    archive.append(record)
                    lines["removed"].append(line)
                    continue
                earlier = previous.get(object_id)
                if earlier is None:  # no earlier version on record: nothing to go back to
                    lines["kept"].append(line)
                    continue
                for model_field in editable:
                    setattr(record, model_field.attname, getattr(earlier, model_field.attname))
                record.archived_at = earlier.archived_at
                restore.append(record)
                lines["restored"].append(line)
            # Written in bulk, with a history row each (path "undo:<batch>", the user).
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
        report["related"] = related
        done = sum(len(report[action]) for action in ("removed", "restored", "kept"))
        ImportBatch.objects.filter(pk=batch.pk).update(undo_report=report, progress_done=done)
    batch.status, batch.undone_at, batch.undone_by = ImportBatch.Status.UNDONE, now, user
    batch.undo_report, batch.progress_done, batch.notice = report, done, {}
    return report
