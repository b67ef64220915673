"""Progress of an import that runs in one long transaction (SQLite bulk mode).

A chunked import moves `ImportBatch.rows_done` in each chunk's transaction, so
the progress page reads it from the database. A bulk import commits once at the
end; until then its batch row says 0 to every other connection. It publishes its
progress here instead: a small JSON file beside the uploaded files, replaced
atomically, read by the progress page (`overlay`) while the batch runs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings

from .models import ImportBatch, ImportStatus

ROWS = "rows"  # writing rows
INDEXING = "indexing"  # rows written, search indexes being built


def _path(batch_id: int) -> Path:
    return Path(settings.GUANXI_IMPORT_DIR) / f"batch-{batch_id}.progress.json"


def publish(batch: ImportBatch, phase: str = ROWS, indexes: tuple[int, int] = (0, 0)) -> None:
    path = _path(batch.pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "phase": phase,
        "rows_done": batch.rows_done,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "skipped": batch.skipped_count,
        "rejected": batch.rejected_count,
        "indexes": list(indexes),
    }
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(state), encoding="utf-8")
    os.replace(partial, path)


def clear(batch_id: int) -> None:
    _path(batch_id).unlink(missing_ok=True)


def overlay(batch: ImportBatch) -> ImportBatch:
    """The batch with the bulk run's published progress, while it runs; else as it is.

    Sets `batch.phase` ("" when nothing was published) for the progress fragment.
    """
    batch.phase = ""  # type: ignore[attr-defined]
    if batch.status != ImportStatus.RUNNING:
        return batch
    try:
        state = json.loads(_path(batch.pk).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return batch
    batch.phase = state["phase"]  # type: ignore[attr-defined]
    batch.rows_done = max(batch.rows_done, state["rows_done"])
    batch.created_count = state["created"]
    batch.updated_count = state["updated"]
    batch.skipped_count = state["skipped"]
    batch.rejected_count = state["rejected"]
    batch.indexes_done, batch.indexes_total = state["indexes"]  # type: ignore[attr-defined]
    return batch
