"""A task for the worker tests: it takes an import batch as the check does, then lingers
until the test kills its worker."""

import time

from django.tasks import task
from django.utils import timezone

from imports.models import ImportBatch


@task
def linger(batch_id: int) -> str:
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportBatch.Status.CHECKING, heartbeat_at=timezone.now(), progress_total=20
    )
    time.sleep(120)
    return "lingered"
