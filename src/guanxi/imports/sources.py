"""Which import batch a record came from: the record's source, shown on its page."""

from __future__ import annotations

from dataclasses import dataclass

from guanxi.core.models import User

from .models import ImportBatch, ImportedRecord, ImportKind


@dataclass(frozen=True)
class ImportSource:
    batch_id: int
    row_number: int
    # The batch itself only for who may open it (its owner, an admin): the file name
    # of someone else's upload is theirs to show.
    batch: ImportBatch | None


def import_source(user: User, kind: ImportKind, object_id: int) -> ImportSource | None:
    """The batch and file row that created record `object_id` of `kind`, if it was imported."""
    record = (
        ImportedRecord.objects.filter(object_id=object_id, batch__kind=kind)
        .order_by("batch_id")
        .values_list("batch_id", "row_number")
        .first()
    )
    if record is None:
        return None
    batch_id, row_number = record
    batch = ImportBatch.objects.restrict(user, "view").filter(pk=batch_id).first()
    return ImportSource(batch_id, row_number, batch)
