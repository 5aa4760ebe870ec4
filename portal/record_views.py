"""Actions every kind of record shares: its history page, revert, archive and restore."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Model
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.access import can_edit
from portal.archiving import archive, restore
from portal.history import (
    PERSONAL_FIELDS,
    SYSTEM_PATHS,
    RevertRefused,
    entries_for,
    latest_version,
    revert,
    revert_preview,
)
from privacy.services import (
    log_personal_data_shown,
    mark_personal_data,
    shows_personal_data,
)


def _people_shown(entries) -> dict[str, list[Model]]:
    """The people whose phone or ID number a history page shows, by model."""
    people: dict[str, dict] = {}
    for entry in entries:
        row = entry.history
        label = row.instance_type._meta.label_lower
        if any(getattr(row, name, "") for name in PERSONAL_FIELDS.get(label, ())):
            people.setdefault(label, {}).setdefault(row.id, row.instance_type(pk=row.id))
    return {label: list(records.values()) for label, records in people.items()}


def history_page(request: HttpRequest, record: Model, owned: list) -> HttpResponse:
    shown = shows_personal_data(request)
    entries = entries_for(record, owned, masked=not shown)
    # Changes made by the system (demo data, scripts) can be left out to read people's own.
    hide_system = request.GET.get("changes") == "people"
    hidden = 0
    if hide_system:
        kept = [e for e in entries if e.history.history_change_reason not in SYSTEM_PATHS]
        hidden, entries = len(entries) - len(kept), kept
    current = next((entry.history.history_id for entry in entries if entry.is_main), None)
    if hide_system:
        latest = latest_version(record)
        current = latest.history_id if latest is not None else None
    people = _people_shown(entries)
    if people:
        mark_personal_data(request)  # masked or not, the page is not kept by any cache
    if shown:
        # Personal data shown in clear is logged, as on the record's own page.
        for records in people.values():
            log_personal_data_shown(request, records)
    return render(
        request,
        "portal/history.html",
        {
            "record": record,
            "entries": entries,
            "current_history_id": current,
            "hide_system": hide_system,
            "hidden": hidden,
            "can_edit": can_edit(request.user, record),
            "model_name": record._meta.model_name,
        },
    )


def revert_action(
    request: HttpRequest,
    record: Model,
    history_id: int,
    form_class: type[ModelForm],
    formsets: dict | None = None,
) -> HttpResponse:
    """GET: what restoring the version would change, field by field, to confirm; POST: restore
    it. `record` was fetched with get_editable_or_404 by the caller; `form_class` and
    `formsets` are those of its edit page (built for this user the same way)."""
    history_row = record.history.filter(history_id=history_id).first()
    if history_row is None:
        raise Http404
    history_page_url = request.path.rsplit("/", 3)[0] + "/"
    latest = latest_version(record)
    current = latest.history_id == history_row.history_id
    if request.method != "POST":
        shown = shows_personal_data(request)
        return render(
            request,
            "portal/revert_confirm.html",
            {
                "record": record,
                "version": history_row,
                "is_current": current,
                "changes": []
                if current
                else revert_preview(record, latest, history_row, masked=not shown),
                "history_url": history_page_url,
            },
        )
    if current:
        messages.info(
            request,
            _("Version %(version)s is the record as it is now; nothing was changed.")
            % {"version": history_row.version},
        )
        return redirect(history_page_url)
    try:
        with transaction.atomic():
            reverted = revert(
                record,
                history_row,
                form_class=form_class,
                form_kwargs={"request": request},
                formsets=formsets,
            )
    except RevertRefused as refused:
        messages.error(
            request,
            _("Version %(version)s cannot be restored; nothing was changed. %(reasons)s")
            % {"version": history_row.version, "reasons": "; ".join(refused.reasons)},
        )
        return redirect(history_page_url)
    messages.success(
        request,
        _("“%(record)s” is back to version %(version)s; the change is in its history.")
        % {"record": reverted.record, "version": history_row.version},
    )
    if reverted.kept:
        messages.warning(
            request,
            _("These fields were left as they are: %(fields)s.")
            % {"fields": "; ".join(reverted.kept)},
        )
    return redirect(reverted.record.get_absolute_url())


def archive_action(request: HttpRequest, record: Model, *, restoring: bool) -> HttpResponse:
    """POST only; `record` was fetched with get_editable_or_404 (archived ones included)."""
    if restoring:
        restore(record)
        messages.success(request, _("“%(record)s” is back in use.") % {"record": record})
    else:
        archive(record)
        messages.success(
            request,
            _("“%(record)s” was archived: it no longer appears in lists, figures or exports.")
            % {"record": record},
        )
    return redirect(record.get_absolute_url())
