"""Archive instead of delete: a record and the rows it owns leave every list, count and export
together, and come back together, exactly as they were."""

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from portal.models import lock


def _owned_rows(record: Model) -> list:
    """The record's rows, locked (after the record) until the transaction ends."""
    return [
        row
        for name in getattr(record, "owned_relations", ())
        for row in getattr(record, name).select_for_update().order_by("pk")
    ]


@transaction.atomic
def archive(record: Model) -> None:
    """Archive the record and its rows in use, all stamped with the same moment."""
    lock(record)
    moment = timezone.now()
    for row in [record, *(row for row in _owned_rows(record) if row.archived_at is None)]:
        row.archived_at = moment
        row._change_reason = "archive"
        row.save(update_fields=["archived_at"])


@transaction.atomic
def restore(record: Model) -> None:
    """Bring back the record and the rows archived with it (not those removed earlier)."""
    lock(record)
    moment = record.archived_at
    if moment is None:
        return
    for row in [record, *(row for row in _owned_rows(record) if row.archived_at == moment)]:
        row.archived_at = None
        row._change_reason = "restore"
        row.save(update_fields=["archived_at"])
