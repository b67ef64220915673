"""The background import: the wizard queues a batch, a Huey worker writes its rows."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task

from .models import ImportBatch, ImportStatus

log = logging.getLogger(__name__)


@db_task()
def run_import(batch_id: int) -> None:
    from guanxi.customers.imports.runner import run_batch

    from .actions import record_row_count

    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    if batch.status == ImportStatus.DONE:
        return
    record_row_count(batch)
    try:
        run_batch(batch, user=batch.user)
    except Exception:  # run_batch wrote the reason on the batch; the page shows it
        log.exception("import batch %s failed", batch_id)
