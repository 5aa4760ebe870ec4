"""The import centre's pages: thin; the work is in imports.service."""

import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from imports import recovery, service
from imports.models import HeaderMapping, ImportBatch
from imports.reading import IGNORED, FileRejected, normalise_header
from imports.spreadsheets import XLSX, errors_workbook, template_workbook
from meetings.forms import AttendanceUploadForm
from meetings.models import Meeting
from portal.access import get_editable_or_404
from portal.history import _plain
from portal.roles import is_admin
from privacy.masking import mask_national_id
from privacy.models import AccessLog
from privacy.services import log_access, mark_personal_data

PREVIEW_PAGE_SIZE = 100
# Kinds whose rows carry people's phone and ID numbers: their pages and downloads are logged.
PERSONAL_KINDS = {ImportBatch.Kind.MEMBERS, ImportBatch.Kind.ATTENDANCE}
OUTCOME_LABELS = {
    "new": gettext_lazy("new"),
    "changed": gettext_lazy("changed"),
    "unchanged": gettext_lazy("unchanged"),
    "error": gettext_lazy("error"),
    "conflict": gettext_lazy("conflict"),
}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), choices=ImportBatch.Kind)
    file = forms.FileField(
        label=gettext_lazy("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = service.kinds_for(user)
        self.fields["kind"].choices = [
            (value, label) for value, label in ImportBatch.Kind.choices if value in allowed
        ]


def _importer(request: HttpRequest) -> None:
    if not service.can_import(request.user):
        raise PermissionDenied


def _batches(user):
    batches = ImportBatch.objects.select_related("created_by", "meeting")
    return batches if is_admin(user) else batches.filter(created_by=user)


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    if service.can_import(request.user):
        return get_object_or_404(_batches(request.user), pk=pk)
    # A sign-in sheet is uploaded by whoever may edit its meeting, import centre or not:
    # its batch is theirs to see, confirm and undo while they may edit the meeting.
    batch = (
        _batches(request.user)
        .filter(pk=pk, meeting__in=Meeting.objects.editable_by(request.user))
        .first()
    )
    if batch is None:
        raise PermissionDenied
    return batch


@require_POST
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """A sign-in sheet uploaded on a meeting's attendance page: an attendance batch for that
    meeting, previewed and then confirmed on its page like any import."""
    meeting = get_editable_or_404(Meeting.objects.active(), request.user, pk=pk)
    form = AttendanceUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            batch = service.store_upload(
                form.cleaned_data["sheet"],
                ImportBatch.Kind.ATTENDANCE,
                request.user,
                meeting=meeting,
            )
        except FileRejected as exc:
            messages.error(request, _("Nothing was added. %(reason)s") % {"reason": exc})
        else:
            return redirect(batch)
    for error in form.errors.get("sheet", []):
        messages.error(request, error)
    return redirect("meetings:attendance", pk=meeting.pk)


def index(request: HttpRequest) -> HttpResponse:
    _importer(request)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            batch = service.store_upload(
                form.cleaned_data["file"], form.cleaned_data["kind"], request.user
            )
        except FileRejected as exc:
            form.add_error("file", str(exc))
        else:
            return redirect(batch)
    allowed = service.kinds_for(request.user)
    kinds = [(value, label) for value, label in ImportBatch.Kind.choices if value in allowed]
    recent = _batches(request.user)[:5]
    return render(
        request,
        "imports/index.html",
        {"form": form, "kinds": kinds, "recent": recent},
        status=400 if form.errors else 200,
    )


def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    _importer(request)
    if kind not in service.KINDS:
        raise Http404
    if kind not in service.kinds_for(request.user):
        raise PermissionDenied
    content = template_workbook(service.KINDS[kind], request.user)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-template-{kind}.xlsx"'
    return response


def _display_value(resource_class, key, value):
    """A stored value as the reader reads it (as the history page shows values)."""
    if value is None or value == "":
        return "–"
    if key == "national_id":
        return mask_national_id(str(value))
    model = resource_class._meta.model
    try:
        model_field = model._meta.get_field(key)
    except Exception:  # noqa: BLE001 - a column that is not a model field (the chair)
        return str(value)
    if model_field.is_relation:
        return str(value)
    if model_field.get_internal_type() == "DateField":
        return _plain(datetime.date.fromisoformat(value), model_field)
    if model_field.get_internal_type() == "DateTimeField":
        return _plain(datetime.datetime.fromisoformat(value), model_field)
    return _plain(value, model_field)


def _correction(batch: ImportBatch, number: int, resource_class) -> dict | None:
    """What was corrected in a row, from the file's value to the one imported, and by whom."""
    fixed = batch.corrections.get(str(number))
    if not fixed or not fixed.get("edits"):
        return None
    last = fixed["edits"][-1]
    return {
        "values": [
            {
                "label": capfirst(resource_class.field_label(key)),
                "old": "–" if key == "national_id" else (original or "–"),
                "new": "–" if key == "national_id" else (fixed["values"].get(key, original) or "–"),
            }
            for key, original in fixed.get("original", {}).items()
        ],
        "by": last.get("by_name", ""),
        "at": datetime.datetime.fromisoformat(last["at"]),
    }


def _display_rows(batch: ImportBatch, rows: list) -> list:
    resource_class = service.KINDS[batch.kind]
    correctable = batch.status == ImportBatch.Status.PREVIEW
    shown = []
    for row in rows:
        shown.append(
            {
                "row": row["row"],
                "correctable": correctable and row["outcome"] in ("error", "conflict"),
                "correction": _correction(batch, row["row"], resource_class),
                "outcome": row["outcome"],
                "outcome_label": OUTCOME_LABELS[row["outcome"]],
                "label": row.get("label", ""),
                "changes": [
                    {
                        "label": capfirst(resource_class.field_label(key)),
                        "old": _display_value(resource_class, key, old),
                        "new": _display_value(resource_class, key, new),
                    }
                    for key, old, new in row.get("changes", [])
                ],
                "errors": [
                    {
                        "column": error["column"]
                        or (
                            capfirst(resource_class.field_label(error["key"]))
                            if error["key"]
                            else ""
                        ),
                        "message": service.render_message(error),
                    }
                    for error in row.get("errors", [])
                ],
            }
        )
    return shown


def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    recovery.check(batch)  # work whose worker died is shown as stopped, with retry
    resource_class = service.KINDS[batch.kind]
    rows = batch.preview.get("rows", [])
    show = request.GET.get("show", "")
    if show in OUTCOME_LABELS:
        rows = [row for row in rows if row["outcome"] == show]
    elif show == "changes":
        rows = [row for row in rows if row["outcome"] != "unchanged"]
    page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    # Every batch page may name people (the rows' labels); members and attendance show their
    # phones in clear, and say so in the access log.
    mark_personal_data(request)
    if batch.kind in PERSONAL_KINDS and page.object_list:
        log_access(request, AccessLog.Action.VIEW, [batch], row_count=len(page.object_list))
    editing = _editing(batch, page.object_list, request.GET.get("edit", ""))
    field_choices = [("", _("— not imported —"))] + [
        (key, capfirst(resource_class.field_label(key))) for key in resource_class.field_keys()
    ]
    return render(
        request,
        "imports/batch.html",
        {
            "batch": batch,
            "page_obj": page,
            "paginator": page.paginator,
            "rows": _display_rows(batch, page.object_list),
            "editing": editing,
            "show": show,
            "outcomes": OUTCOME_LABELS,
            "unknown": batch.preview.get("unknown", []),
            "field_choices": field_choices,
            "ignored_columns": [
                column["header"]
                for column in batch.preview.get("columns", [])
                if column["key"] == IGNORED
            ],
            "is_preview": batch.status == ImportBatch.Status.PREVIEW,
            "notice": service.render_message(batch.notice) if batch.notice else "",
            "undo_related": sum(
                len(batch.undo_report.get("related", {}).get(action, []))
                for action in ("removed", "restored")
            ),
        },
    )


def _editing(batch: ImportBatch, rows: list, edit: str) -> dict | None:
    """The row with errors opened for correction (`?edit=<row>`), its imported columns as
    inputs holding the row's values (a valid national ID masked: typed anew, or kept)."""
    if batch.status != ImportBatch.Status.PREVIEW or not edit.isdigit():
        return None
    wanted = int(edit)
    entry = next(
        (row for row in rows if row["row"] == wanted and row["outcome"] in ("error", "conflict")),
        None,
    )
    if entry is None:
        return None
    resource_class = service.KINDS[batch.kind]
    cells = entry.get("cells", [])
    wrong = {error["key"] for error in entry.get("errors", [])}
    fields = []
    for column in service.editable_columns(batch):
        value = cells[column["index"]] if column["index"] < len(cells) else ""
        # A national ID is masked, unless it is what is wrong (the error names it already).
        secret = column["key"] == "national_id" and column["key"] not in wrong
        fields.append(
            {
                "name": f"cell-{column['key']}",
                "id": f"cell-{entry['row']}-{column['key']}",
                "header": column["header"],
                "label": capfirst(resource_class.field_label(column["key"])),
                "value": "" if secret else value,
                "placeholder": mask_national_id(value) if secret and value else "",
                "keep": column["key"] if secret else "",
                "wrong": column["key"] in wrong,
            }
        )
    return {"row": entry["row"], "fields": fields}


def batch_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """How far the background work on a batch is, for the page's progress bar."""
    batch = _batch(request, pk)
    recovery.check(batch)
    return JsonResponse(
        {
            "status": batch.status,
            "status_label": str(batch.get_status_display()),
            "working": batch.is_working,
            "done": batch.progress_done,
            "total": batch.progress_total,
        }
    )


@require_POST
def batch_map(request: HttpRequest, pk: int) -> HttpResponse:
    """Say what unknown headers are; remembered for the uploader's next file of this kind."""
    batch = _batch(request, pk)
    if batch.status != ImportBatch.Status.PREVIEW:
        return redirect(batch)
    resource_class = service.KINDS[batch.kind]
    allowed = set(resource_class.field_keys())
    taken = {
        column["key"]: column["header"]
        for column in batch.preview.get("columns", [])
        if column["key"] not in (None, IGNORED)
    }
    choices = {}
    for index, header in enumerate(batch.preview.get("unknown", [])):
        choice = request.POST.get(f"column-{index}", "")
        if choice and choice not in allowed:
            continue
        if choice and choice in taken:
            messages.error(
                request,
                _('"%(header)s" cannot be %(field)s: the column "%(other)s" already is.')
                % {
                    "header": header,
                    "field": capfirst(resource_class.field_label(choice)),
                    "other": taken[choice],
                },
            )
            return redirect(batch)
        if choice:
            taken[choice] = header
        choices[header] = choice
    for header, choice in choices.items():
        HeaderMapping.objects.update_or_create(
            user=batch.created_by,
            kind=batch.kind,
            header=normalise_header(header),
            defaults={"field": choice or IGNORED, "created_by": request.user},
        )
    try:
        service.run_preview(batch, request.user)
    except FileRejected as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The columns are set; the preview is renewed."))
    return redirect(batch)


@require_POST
def batch_correct(request: HttpRequest, pk: int, row: int) -> HttpResponse:
    """Correct one row with errors in place; it is checked again on its own at once."""
    batch = _batch(request, pk)
    values = {
        name.removeprefix("cell-"): value
        for name, value in request.POST.items()
        if name.startswith("cell-")
    }
    for key in request.POST.getlist("keep"):
        # A value shown masked (a valid national ID) and left empty: the file's is kept.
        if not values.get(key, "x").strip():
            values.pop(key)
    back = {}
    show = request.POST.get("show", "")
    if show in OUTCOME_LABELS or show == "changes":
        back["show"] = show
    if request.POST.get("page", "").isdigit():
        back["page"] = request.POST["page"]
    try:
        entry = service.correct_row(batch, request.user, row, values)
    except (service.CorrectionRefused, FileRejected) as refusal:
        messages.error(request, str(refusal))
    else:
        if entry["outcome"] in ("error", "conflict"):
            back["edit"] = row
            messages.warning(
                request,
                _("Row %(row)s was checked again and still has errors: see them below.")
                % {"row": row},
            )
        else:
            messages.success(
                request,
                _("Row %(row)s is corrected and checked again: %(outcome)s.")
                % {"row": row, "outcome": OUTCOME_LABELS[entry["outcome"]]},
            )
    query = f"?{urlencode(back)}" if back else ""
    return redirect(f"{batch.get_absolute_url()}{query}#row-{row}")


def _confirm_page(request: HttpRequest, batch: ImportBatch, action: str, **context):
    return render(request, "imports/confirm.html", {"batch": batch, "action": action, **context})


@require_POST
def batch_commit(request: HttpRequest, pk: int) -> HttpResponse:
    """Write a batch, once the user has confirmed the counts: a request without the counts
    shown (or with counts a renewed preview no longer has) gets the confirmation page."""
    batch = _batch(request, pk)
    mode = request.POST.get("mode", ImportBatch.Mode.ALL)
    if mode not in ImportBatch.Mode.values:
        mode = ImportBatch.Mode.ALL
    could_write = batch.status == ImportBatch.Status.PREVIEW and not (
        mode == ImportBatch.Mode.ALL and batch.rows_error
    )
    confirmation = batch.commit_confirmation(mode)
    if could_write and request.POST.get("confirm") != confirmation:
        return _confirm_page(request, batch, "commit", mode=mode, confirmation=confirmation)
    try:
        queued = service.request_commit(batch, request.user, mode)
    except service.AlreadyTaken as exc:
        # A second click, tab or user: not an error, the batch is (being) imported.
        messages.info(request, str(exc))
    except (service.CommitRefused, FileRejected) as exc:
        messages.error(request, str(exc))
    else:
        if queued:
            return redirect(batch)
        _say_imported(request, batch)
    return redirect(batch)


def _say_imported(request: HttpRequest, batch) -> None:
    messages.success(
        request,
        _("Imported: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.")
        % {
            "new": batch.rows_new,
            "changed": batch.rows_changed,
            "unchanged": batch.rows_unchanged,
        },
    )


@require_POST
def batch_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Do again the background work that stopped (its worker was lost)."""
    batch = _batch(request, pk)
    try:
        queued = recovery.retry(batch, request.user)
    except recovery.CannotRetry:
        messages.error(request, _("Only an import whose background work stopped is retried."))
        return redirect(batch)
    except (service.CommitRefused, FileRejected) as refusal:
        messages.error(request, str(refusal))
        return redirect(batch)
    if queued:
        messages.info(request, _("The work was queued again; this page shows its progress."))
    else:
        _say_imported(request, batch)
    return redirect(batch)


@require_POST
def batch_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    service.cancel(batch)
    messages.info(request, _("The import was cancelled; nothing was written."))
    if batch.meeting_id:  # a sign-in sheet: back to its meeting's attendance
        return redirect("meetings:attendance", pk=batch.meeting_id)
    return redirect("imports:index")


@require_POST
def batch_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a batch, once the user has confirmed what it archives and restores; a large one in
    the background (its page shows the progress, then the report)."""
    batch = _batch(request, pk)
    confirmation = batch.undo_confirmation()
    if batch.status == ImportBatch.Status.IMPORTED and request.POST.get("confirm") != confirmation:
        return _confirm_page(request, batch, "undo", confirmation=confirmation)
    try:
        report = service.request_undo(batch, request.user)
    except service.AlreadyTaken as exc:
        # A second click, tab or user: not an error, the batch is (being) undone.
        messages.info(request, str(exc))
    except service.CommitRefused as exc:
        messages.error(request, str(exc))
    else:
        if report is None:  # queued: the page shows the progress, then the report
            return redirect(batch)
        # Counted as the preview counted the rows: the batch's own records.
        messages.success(
            request,
            _(
                "Undone: %(removed)s records archived, %(restored)s given their previous "
                "values, %(kept)s left as they are because they were edited since."
            )
            % {key: len(report[key]) for key in ("removed", "restored", "kept")},
        )
    return redirect(batch)


def batch_errors(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    resource_class = service.KINDS[batch.kind]
    content = errors_workbook(
        batch,
        service.render_message,
        lambda key: capfirst(resource_class.field_label(key)),
    )
    mark_personal_data(request)
    if batch.kind in PERSONAL_KINDS and batch.rows_error:
        log_access(request, AccessLog.Action.EXPORT, [batch], row_count=batch.rows_error)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-rejected-rows.xlsx"'
    return response


def batch_list(request: HttpRequest) -> HttpResponse:
    _importer(request)
    page = Paginator(_batches(request.user), 25).get_page(request.GET.get("page"))
    return render(
        request, "imports/batch_list.html", {"page_obj": page, "paginator": page.paginator}
    )
